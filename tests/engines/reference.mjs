// The float64 references and comparisons of the engine-neutral checks (checks.mjs): plain JavaScript that
// every browser and runtime runs unchanged, importing nothing. Expected values are computed here in float64
// (hand-written log-sum-exp), never by the library.

// ---- float64 references -------------------------------------------------------------------------------

export const rows = (x, c) => Array.from({ length: x.length / c }, (_, i) => Array.from(x.slice(i * c, (i + 1) * c)));

/** log(sum(exp(row))) in float64, max-shifted; -Infinity for an all-masked row. Loops: rows may be long. */
export function logSumExp(row) {
  let m = -Infinity;
  for (const v of row) if (v > m) m = v;
  if (m === -Infinity) return -Infinity;
  let s = 0;
  for (const v of row) s += Math.exp(v - m);
  return m + Math.log(s);
}
export const refLogSoftmax = (row) => {
  const l = logSumExp(row);
  return row.map((v) => v - l);
};
/** Each row's log-softmax of a flat (n, c) array, in float64: a Float64Array of n * c (for long inputs). */
export function logSoftmaxRows(x, c) {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i += c) {
    const lse = logSumExp(x.subarray(i, i + c));
    for (let j = i; j < i + c; j++) out[j] = x[j] - lse;
  }
  return out;
}
export const refSoftmax = (row) => refLogSoftmax(row).map(Math.exp);
export const mean = (a) => a.reduce((s, v) => s + v, 0) / a.length;
export const sum = (a) => a.reduce((s, v) => s + v, 0);

/** PyTorch F.cross_entropy with class indices, weight, ignoreIndex, labelSmoothing, in float64. */
export function refCrossEntropy(
  x,
  labels,
  { classes: c, weight, ignoreIndex = -100, labelSmoothing: e = 0, reduction = 'mean' },
) {
  const w = weight ?? Array(c).fill(1);
  const losses = [];
  let denom = 0;
  rows(x, c).forEach((row, i) => {
    const y = labels[i];
    if (y === ignoreIndex) return losses.push(0);
    const lp = refLogSoftmax(row);
    let loss = -(1 - e) * w[y] * lp[y];
    if (e > 0) loss -= (e / c) * sum(lp.map((v, j) => w[j] * v));
    losses.push(loss);
    denom += w[y];
  });
  if (reduction === 'none') return losses;
  return reduction === 'sum' ? sum(losses) : sum(losses) / denom;
}

/** Cross-entropy against a distribution per row: mean over rows of -sum p log q. */
export const refSoftCrossEntropy = (x, target, c) =>
  mean(
    rows(x, c).map(
      (row, i) => -sum(refLogSoftmax(row).map((lq, j) => (target[i * c + j] ? target[i * c + j] * lq : 0))),
    ),
  );

export const refSigmoid = (v) => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v)));
/** BCE from logits, per element: max(x, 0) - x y + log1p(exp(-|x|)). */
export const refBceLogits = (x, y) =>
  tabulate(Float64Array, x.length, (i) => Math.max(x[i], 0) - x[i] * y[i] + Math.log1p(Math.exp(-Math.abs(x[i]))));
export const refBceProbs = (p, y) => Array.from(p, (v, i) => -(y[i] * Math.log(v) + (1 - y[i]) * Math.log1p(-v)));

/** A seeded PRNG (mulberry32) and float32-exact random inputs, so the references see the same numbers. */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
/** A typed array of `Type` with `f(i)` at each index i (TypedArray.from with a map function is slow in V8). */
export function tabulate(Type, n, f) {
  const out = new Type(n);
  for (let i = 0; i < n; i++) out[i] = f(i);
  return out;
}
export const randomLogits = (random, n, scale = 4) => tabulate(Float32Array, n, () => (random() * 2 - 1) * scale);

// ---- comparison -----------------------------------------------------------------------------------------

/** |actual - expected| <= atol + rtol |expected| elementwise; equal infinities and NaNs match. */
export function close(actual, expected, what, { atol = 1e-6, rtol = 2e-5 } = {}) {
  const a = typeof actual === 'number' ? [actual] : actual;
  const e = typeof expected === 'number' ? [expected] : expected;
  if (a.length !== e.length) throw new Error(`${what}: ${a.length} values, expected ${e.length}`);
  for (let i = 0; i < a.length; i++) {
    const ok =
      Object.is(a[i], e[i]) ||
      (Number.isNaN(a[i]) && Number.isNaN(e[i])) ||
      Math.abs(a[i] - e[i]) <= atol + rtol * Math.abs(e[i]);
    if (!ok) throw new Error(`${what}[${i}] = ${a[i]}, expected ${e[i]} (float64 reference)`);
  }
}
export function equal(actual, expected, what) {
  if (!Object.is(actual, expected)) throw new Error(`${what}: got ${String(actual)}, expected ${String(expected)}`);
}
export function throwsA(fn, type, pattern, what) {
  try {
    fn();
  } catch (error) {
    if (!(error instanceof type)) throw new Error(`${what}: threw ${error?.name}, expected ${type.name}`);
    if (pattern && !pattern.test(error.message)) throw new Error(`${what}: message "${error.message}"`);
    return;
  }
  throw new Error(`${what}: did not throw`);
}

/** The 32-bit words of a result: a typed array's own bits, a number's float64 bits. */
function words(value) {
  if (typeof value === 'number') return new Uint32Array(Float64Array.of(value).buffer);
  return new Uint32Array(value.buffer, value.byteOffset, value.byteLength / 4);
}

/**
 * Results equal bit for bit: numbers, Float32Arrays, or objects of them ({ loss, grad }, evaluate's result),
 * compared on their bits (so -0 differs from 0, and a NaN must have the same payload).
 */
export function identical(actual, expected, what) {
  if (typeof expected === 'object' && !ArrayBuffer.isView(expected)) {
    for (const key of Object.keys(expected)) identical(actual[key], expected[key], `${what}.${key}`);
    return;
  }
  const a = words(actual);
  const e = words(expected);
  if (a.length !== e.length) throw new Error(`${what}: ${a.length} words, expected ${e.length}`);
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== e[i]) {
      const at = typeof expected === 'number' ? '' : `[${i}]`;
      const [x, y] = typeof expected === 'number' ? [actual, expected] : [actual[i], expected[i]];
      throw new Error(`${what}${at} = ${x}, expected the same bits as ${y}`);
    }
  }
}

/** A 32-bit hash (FNV-1a over 32-bit words) of the bits of results (numbers, typed arrays): 8 hex digits. */
export function digest(values) {
  let h = 0x811c9dc5;
  for (const value of values) for (const word of words(value)) h = Math.imul(h ^ word, 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}
