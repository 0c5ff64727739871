// Seeded inputs, the float64 reference and the checks every measured result must pass.

export const OPS = [
  'loss',
  'lossgrad',
  'softmax',
  'topk',
  'eval',
  'evalx',
  'focalgrad',
  'zlossgrad',
  'bcegrad',
  'sfocalgrad',
  'fit',
];
export const OP_NAMES = {
  loss: 'loss (mean)',
  lossgrad: 'loss + grad',
  softmax: 'softmax',
  topk: 'top-5 + log-probs',
  eval: 'evaluate',
  evalx: 'evaluate + report',
  focalgrad: 'focal + grad',
  zlossgrad: 'CE z-loss + grad',
  bcegrad: 'BCE + grad',
  sfocalgrad: 'sigmoid focal + grad',
  fit: 'Classifier.fit, 1 epoch',
};
// The options of the 0.2 ops, shared by every implementation and the reference: focal loss with gamma 2
// (alpha 1, class indices), z-loss 1e-4 (PaLM's), sigmoid focal with torchvision's defaults. BCE and
// sigmoid focal run element-wise over all N*C logits against the one-hot targets.
export const FOCAL_GAMMA = 2;
export const Z_LOSS = 1e-4;
export const SIGMOID_FOCAL = { gamma: 2, alpha: 0.25 };
export const TOPK = 5;
/** evalx: evaluate with calibration (15 bins), Brier and confusion counts switched on. */
export const REPORT_OPTIONS = { calibration: 15, brier: true, confusion: true };
/**
 * fit: a 512 -> 128 -> 10 relu head over 8192 x 512 features, adam (learning rate 1e-3), batch 64, seeded
 * shuffles; one call is one epoch of the same model (the shape is [rows, features]).
 */
export const FIT = { hidden: 128, classes: 10, batchSize: 64, learningRate: 1e-3 };

// [rows, classes]
export const SHAPES = [
  [256, 10],
  [512, 1000],
  [64, 32000],
  [8, 128000],
];

// The ops that do not run over every shape above: the shapes the contract's speed targets name.
export const OP_SHAPES = {
  topk: [
    [64, 32000],
    [8, 128000],
  ],
  eval: [[20000, 1000]],
  evalx: [[20000, 1000]],
  fit: [[8192, 512]],
};

export function shapeName([n, c]) {
  return `${n}x${c}`;
}

export function parseShape(s) {
  const m = /^(\d+)x(\d+)$/.exec(s);
  if (!m) throw new Error(`bad shape ${s} (want NxC)`);
  return [Number(m[1]), Number(m[2])];
}

// mulberry32
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Logits ~ 3 * N(0, 1) plus a per-row offset (so rows are not centred at 0 and the max subtraction
 * matters), labels uniform in [0, C). The same seed gives the same data in every child process.
 */
export function makeData(n, c, seed = 12345) {
  const r = rng(seed ^ (n * 7919 + c));
  const x = new Float32Array(n * c);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const offset = (r() - 0.5) * 40;
    for (let j = 0; j < c; j += 2) {
      const u = 1 - r(),
        v = r();
      const rad = Math.sqrt(-2 * Math.log(u));
      x[i * c + j] = offset + 3 * rad * Math.cos(2 * Math.PI * v);
      if (j + 1 < c) x[i * c + j + 1] = offset + 3 * rad * Math.sin(2 * Math.PI * v);
    }
    labels[i] = Math.min(c - 1, Math.floor(r() * c));
  }
  // One-hot float32 targets for the element-wise ops, made once here rather than timed.
  const onehot = new Float32Array(n * c);
  for (let i = 0; i < n; i++) onehot[i * c + labels[i]] = 1;
  return { n, c, x, labels, onehot };
}

/**
 * The inputs of `op` at `shape`: makeData's logits, or for fit standard normal features with the labels of
 * a random linear teacher (argmax of x W, W standard normal), so that a head that trains beats chance.
 */
export function makeInput(op, [n, c]) {
  if (op !== 'fit') return makeData(n, c);
  const r = rng(0xf17 ^ (n * 7919 + c));
  const normal = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const k = FIT.classes;
  const w = Float64Array.from({ length: c * k }, normal);
  const x = Float32Array.from({ length: n * c }, normal);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = -Infinity;
    for (let j = 0; j < k; j++) {
      let z = 0;
      for (let f = 0; f < c; f++) z += x[i * c + f] * w[f * k + j];
      if (z > best) [best, labels[i]] = [z, j];
    }
  }
  return { n, c, x, labels };
}

/** Float64 reference of one op (see crossEntropyReference for the ops of plain cross-entropy logits). */
export function reference(data, op) {
  if (op === 'fit') return { chance: Math.log(FIT.classes) };
  if (op === 'focalgrad') return focalReference(data);
  if (op === 'zlossgrad') return zlossReference(data);
  if (op === 'bcegrad' || op === 'sfocalgrad') return sigmoidReference(data, op === 'sfocalgrad');
  return crossEntropyReference(data, op);
}

function rowLogSoftmax(x, o, c, logp) {
  let m = -Infinity;
  for (let j = 0; j < c; j++) if (x[o + j] > m) m = x[o + j];
  let s = 0;
  for (let j = 0; j < c; j++) s += Math.exp(x[o + j] - m);
  const lse = m + Math.log(s);
  for (let j = 0; j < c; j++) logp[j] = x[o + j] - lse;
  return lse;
}

// Focal loss, gamma = FOCAL_GAMMA: w = u^g (1 - g q l / u) at the label, grad = (w q_j - w [j = t]) / n.
function focalReference({ n, c, x, labels }) {
  const g = FOCAL_GAMMA;
  const grad = new Float64Array(n * c);
  const logp = new Float64Array(c);
  let total = 0;
  for (let i = 0; i < n; i++) {
    rowLogSoftmax(x, i * c, c, logp);
    const l = logp[labels[i]];
    const q = Math.exp(l);
    const u = -Math.expm1(l);
    total -= u ** g * l;
    const w = u ** g - (u === 0 ? -g : g * q * l * u ** (g - 1));
    for (let j = 0; j < c; j++) grad[i * c + j] = (w * Math.exp(logp[j])) / n;
    grad[i * c + labels[i]] -= w / n;
  }
  return { loss: total / n, grad };
}

function zlossReference({ n, c, x, labels }) {
  const grad = new Float64Array(n * c);
  const logp = new Float64Array(c);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const lse = rowLogSoftmax(x, i * c, c, logp);
    total += -logp[labels[i]] + Z_LOSS * lse * lse;
    for (let j = 0; j < c; j++) grad[i * c + j] = ((1 + 2 * Z_LOSS * lse) * Math.exp(logp[j])) / n;
    grad[i * c + labels[i]] -= 1 / n;
  }
  return { loss: total / n, grad };
}

// BCE with logits, or torchvision's sigmoid focal loss, against the one-hot targets, mean over N*C.
function sigmoidReference({ x, onehot }, focal) {
  const len = x.length;
  const grad = new Float64Array(len);
  const { gamma, alpha } = SIGMOID_FOCAL;
  let total = 0;
  for (let i = 0; i < len; i++) {
    const v = x[i],
      y = onehot[i];
    const p = 1 / (1 + Math.exp(-v)),
      cp = 1 / (1 + Math.exp(v));
    const ce = Math.max(v, 0) - v * y + Math.log1p(Math.exp(-Math.abs(v)));
    if (!focal) {
      total += ce;
      grad[i] = (p - y) / len;
      continue;
    }
    const M = y * cp + (1 - y) * p;
    const at = alpha * y + (1 - alpha) * (1 - y);
    total += at * ce * M ** gamma;
    grad[i] = (at * (M ** gamma * (p - y) + gamma * M ** (gamma - 1) * p * cp * (1 - 2 * y) * ce)) / len;
  }
  return { loss: total / len, grad };
}

/**
 * Float64 reference for `op`: mean loss, gradient of the mean loss, softmax (Float64Arrays) for the first
 * three ops; top-5 indices (ties by lower index) and their log-probabilities for topk; mean loss and top-1
 * accuracy (the first largest logit) for eval and evalx.
 */
function crossEntropyReference({ n, c, x, labels }, op) {
  const arrays = op === 'lossgrad' || op === 'softmax';
  const softmax = arrays ? new Float64Array(n * c) : null;
  const grad = arrays ? new Float64Array(n * c) : null;
  const indices = [];
  const logProbs = [];
  let total = 0;
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const o = i * c;
    let m = -Infinity;
    let arg = 0;
    for (let j = 0; j < c; j++) {
      if (x[o + j] > m) {
        m = x[o + j];
        arg = j;
      }
    }
    let s = 0;
    for (let j = 0; j < c; j++) s += Math.exp(x[o + j] - m);
    const lse = m + Math.log(s);
    total += lse - x[o + labels[i]];
    correct += arg === labels[i];
    if (op === 'topk') {
      const top = []; // [value, index], best first
      for (let j = 0; j < c; j++) {
        const v = x[o + j];
        if (top.length === TOPK && !(v > top[TOPK - 1][0])) continue;
        let p = top.length < TOPK ? top.length : TOPK - 1;
        top[p] = [v, j];
        for (; p > 0 && top[p][0] > top[p - 1][0]; p--) [top[p], top[p - 1]] = [top[p - 1], top[p]];
      }
      for (const [v, j] of top) {
        indices.push(j);
        logProbs.push(v - lse);
      }
    }
    if (!arrays) continue;
    for (let j = 0; j < c; j++) {
      const p = Math.exp(x[o + j] - lse);
      softmax[o + j] = p;
      grad[o + j] = p / n;
    }
    grad[o + labels[i]] -= 1 / n;
  }
  return { loss: total / n, grad, softmax, indices, logProbs, accuracy: correct / n };
}

// Tolerances: float32 computation (with float32 accumulation in the peers) against float64.
const LOSS_RTOL = 1e-4;
const ARRAY_RTOL = 1e-3; // per element, relative to itself ...
const ARRAY_ATOL = 1e-5; // ... plus this fraction of the largest |reference| element

function checkScalar(what, got, want) {
  const err = Math.abs(got - want) / Math.max(1, Math.abs(want));
  if (!(err <= LOSS_RTOL))
    return { ok: false, err, why: `${what} = ${got}, reference ${want} (rel err ${err.toExponential(2)})` };
  return { ok: true, err };
}

function checkArray(what, got, want) {
  if (!got || got.length !== want.length)
    return { ok: false, err: Infinity, why: `${what}: length ${got?.length}, expected ${want.length}` };
  let scale = 0;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]));
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    const d = Math.abs(got[i] - want[i]);
    const tol = ARRAY_RTOL * Math.abs(want[i]) + ARRAY_ATOL * scale;
    if (!(d <= tol)) return { ok: false, err: d / scale, why: `${what}[${i}] = ${got[i]}, reference ${want[i]}` };
    worst = Math.max(worst, d / scale);
  }
  return { ok: true, err: worst };
}

/** Checks the result of one op; returns { ok, err, why }. err: loss rel. error / worst array error. */
export function check(op, result, ref) {
  if (op === 'loss') return checkScalar('loss', Number(result), ref.loss);
  if (op === 'softmax') return checkArray('softmax', result, ref.softmax);
  if (op === 'topk') {
    if (!result || !result.indices) return { ok: false, err: Infinity, why: 'no { indices, values }' };
    const got = Array.from(result.indices, Number); // onnxruntime gives int64 (BigInt)
    if (got.join() !== ref.indices.join())
      return { ok: false, err: Infinity, why: `indices ${got.slice(0, 10)}, reference ${ref.indices.slice(0, 10)}` };
    return checkArray('log-probs', result.values, ref.logProbs);
  }
  if (op === 'eval' || op === 'evalx') {
    if (!result || result.accuracy !== ref.accuracy)
      return { ok: false, err: Infinity, why: `accuracy ${result?.accuracy}, reference ${ref.accuracy}` };
    if (op === 'evalx' && !(result.confusion && result.calibration && result.brier >= 0))
      return { ok: false, err: Infinity, why: 'no report extras' };
    return checkScalar('loss', Number(result.loss), ref.loss);
  }
  if (op === 'fit') {
    // { loss, epochs }: the mean loss of the latest epoch, and how many epochs the model has had. After three
    // a head that learns anything is below the loss of a uniform guess, ln(classes).
    const loss = Number(result?.loss);
    if (!Number.isFinite(loss)) return { ok: false, err: Infinity, why: `fit: loss ${result?.loss}` };
    if (result.epochs >= 3 && !(loss < ref.chance))
      return { ok: false, err: loss, why: `fit: loss ${loss} after ${result.epochs} epochs, chance ${ref.chance}` };
    return { ok: true, err: 0 };
  }
  if (op.endsWith('grad')) {
    if (!result || typeof result !== 'object') return { ok: false, err: Infinity, why: 'no { loss, grad }' };
    const l = checkScalar('loss', Number(result.loss), ref.loss);
    if (!l.ok) return l;
    const g = checkArray('grad', result.grad, ref.grad);
    return g.ok ? { ok: true, err: Math.max(l.err, g.err) } : g;
  }
  throw new Error(`unknown op ${op}`);
}
