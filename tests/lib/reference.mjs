// Float64 reference implementations, written from the contract and PyTorch's formulas, independent of
// the library's code. Inputs are read as float64 (float32 arrays widen exactly).

export function logSoftmaxRow(z) {
  const m = Math.max(...z.filter((v) => !Number.isNaN(v)));
  if (z.some(Number.isNaN)) return z.map(() => NaN);
  let s = 0;
  for (const v of z) s += Math.exp(v - m);
  return z.map((v) => v - m - Math.log(s));
}

/**
 * The per-row coefficients of -log q_j that a cross-entropy target stands for (PyTorch's semantics):
 * class index t: a_j = (1 - eps) w_t [j = t] + (eps / C) w_j; distribution y: a_j = w_j ((1 - eps) y_j + eps / C).
 * Returns { n, rows: [{ i, a }] } for the rows that count (ignored ones are left out) and the mean's divisor.
 */
function coefficients(x, target, { classes: c, weight, ignoreIndex = -100, labelSmoothing: eps = 0 }) {
  const n = x.length / c;
  const dense = target.length === n * c && c !== 1 && n !== 0;
  const w = (j) => (weight ? weight[j] : 1);
  const rows = [];
  let divisor = 0;
  for (let i = 0; i < n; i++) {
    const a = new Array(c).fill(0);
    if (dense) {
      for (let j = 0; j < c; j++) a[j] = w(j) * ((1 - eps) * target[i * c + j] + eps / c);
      divisor += 1;
    } else {
      const t = target[i];
      if (t === ignoreIndex) continue;
      for (let j = 0; j < c; j++) a[j] = w(j) * (eps / c);
      a[t] += (1 - eps) * w(t);
      divisor += w(t);
    }
    rows.push({ i, a });
  }
  return { n, rows, divisor };
}

/**
 * PyTorch F.cross_entropy in float64. target: indices (length n) or a distribution (n * c).
 * Returns { loss, perRow } with loss reduced as asked.
 */
export function crossEntropy(x, target, opts) {
  const { classes: c, from = 'logits', reduction = 'mean', base = Math.E, probEps = 1e-7 } = opts;
  const { n, rows, divisor } = coefficients(x, target, opts);
  const perRow = new Array(n).fill(0);
  for (const { i, a } of rows) {
    const z = Array.from(x.slice(i * c, i * c + c));
    const logq = from === 'logits' ? logSoftmaxRow(z) : z.map((p) => Math.log(Math.min(Math.max(p, probEps), 1)));
    let loss = 0;
    for (let j = 0; j < c; j++) if (a[j] !== 0) loss -= a[j] * logq[j];
    perRow[i] = loss / Math.log(base);
  }
  const sum = perRow.reduce((s, v) => s + v, 0);
  const loss = reduction === 'none' ? perRow : reduction === 'sum' ? sum : divisor === 0 ? NaN : sum / divisor;
  return { loss, perRow };
}

/** Binary cross-entropy in float64, element-wise. */
export function binaryCrossEntropy(
  x,
  y,
  { from = 'logits', reduction = 'mean', weight, posWeight = 1, eps = 1e-7, base = Math.E } = {},
) {
  const per = Array.from(x, (xi, i) => {
    const pos = posWeight * y[i],
      neg = 1 - y[i];
    let l = 0;
    if (from === 'logits') {
      const softplus = (v) => Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)));
      if (pos !== 0) l += pos * softplus(-xi);
      if (neg !== 0) l += neg * softplus(xi);
    } else {
      // p clamped to [eps, 1 - eps] and q = 1 - p, each computed directly (1 - xi is exact for a float32
      // xi >= 1/2), and each log taken in the form that keeps its precision: log(1 - 1e-40) is -1e-40.
      const p = Math.min(Math.max(xi, eps), 1 - eps);
      const q = Math.min(Math.max(1 - xi, eps), 1 - eps);
      if (pos !== 0) l -= pos * (p < 0.5 ? Math.log(p) : Math.log1p(-q));
      if (neg !== 0) l -= neg * (q < 0.5 ? Math.log(q) : Math.log1p(-p));
    }
    return ((weight ? weight[i] : 1) * l) / Math.log(base);
  });
  const sum = per.reduce((s, v) => s + v, 0);
  return reduction === 'none' ? per : reduction === 'sum' ? sum : sum / per.length;
}

/** Central finite differences of a scalar function f at x (float64), step h. */
export function numericGrad(f, x, h = 1e-5) {
  const p = Float64Array.from(x);
  return Array.from(p, (v, j) => {
    p[j] = v + h;
    const up = f(p);
    p[j] = v - h;
    const down = f(p);
    p[j] = v;
    return (up - down) / (2 * h);
  });
}

/**
 * The analytic gradient of crossEntropy (of the sum of the per-row losses for 'none') in float64:
 * per row, scale * (A * softmax_j - a_j) from logits, scale * -a_j / p_j inside the clamp from probs.
 */
export function crossEntropyGrad(x, target, opts) {
  const { classes: c, from = 'logits', reduction = 'mean', base = Math.E, probEps = 1e-7 } = opts;
  const { n, rows, divisor } = coefficients(x, target, opts);
  const grad = new Float64Array(n * c);
  if (reduction === 'mean' && divisor === 0) return grad;
  const scale = 1 / Math.log(base) / (reduction === 'mean' ? divisor : 1);
  for (const { i, a } of rows) {
    const z = Array.from(x.slice(i * c, i * c + c));
    if (from === 'logits') {
      const logp = logSoftmaxRow(z);
      const A = a.reduce((s, v) => s + v, 0);
      for (let j = 0; j < c; j++) grad[i * c + j] = scale * (A * Math.exp(logp[j]) - a[j]);
    } else {
      for (let j = 0; j < c; j++) {
        const inside = z[j] >= probEps && z[j] <= 1;
        grad[i * c + j] = a[j] !== 0 && inside ? (-scale * a[j]) / z[j] : 0;
      }
    }
  }
  return grad;
}

/**
 * Multi-class focal loss in float64 (the contract's formula, written independently of the kernel):
 * per row -sum_k alpha_k t_k (1 - q_k)^gamma log q_k, q = softmax(x) or clamp(x, eps, 1) from probs, t the
 * one-hot label or the distribution, after label smoothing. Returns the reduced loss.
 */
export function focalLoss(x, target, opts) {
  const { classes: c, from = 'logits', reduction = 'mean', gamma = 2, alpha = 1, ignoreIndex = -100 } = opts;
  const { labelSmoothing: eps = 0, base = Math.E, probEps = 1e-7 } = opts;
  const n = x.length / c;
  const dense = target.length === n * c && c !== 1;
  const a = (j) => (typeof alpha === 'number' ? alpha : alpha[j]);
  let total = 0;
  let count = 0;
  for (let i = 0; i < n; i++) {
    if (!dense && target[i] === ignoreIndex) continue;
    count++;
    const z = Array.from(x.slice(i * c, i * c + c));
    const logq = from === 'logits' ? logSoftmaxRow(z) : z.map((p) => Math.log(Math.min(Math.max(p, probEps), 1)));
    for (let j = 0; j < c; j++) {
      const t = (1 - eps) * (dense ? target[i * c + j] : j === target[i] ? 1 : 0) + eps / c;
      const coef = a(j) * t;
      if (coef === 0) continue;
      const u = from === 'logits' ? -Math.expm1(logq[j]) : 1 - Math.min(Math.max(z[j], probEps), 1);
      total -= coef * u ** gamma * logq[j];
    }
  }
  total /= Math.log(base);
  return reduction === 'sum' ? total : count === 0 ? NaN : total / count;
}

/** torchvision's sigmoid_focal_loss in float64, element-wise, reduced ('mean' or 'sum'). */
export function sigmoidFocalLoss(x, y, { gamma = 2, alpha = 0.25, reduction = 'mean', weight, base = Math.E } = {}) {
  let total = 0;
  for (let i = 0; i < x.length; i++) {
    const p = 1 / (1 + Math.exp(-x[i]));
    const ce = Math.max(x[i], 0) - x[i] * y[i] + Math.log1p(Math.exp(-Math.abs(x[i])));
    const pt = p * y[i] + (1 - p) * (1 - y[i]);
    let l = ce * (1 - pt) ** gamma;
    if (alpha >= 0) l *= alpha * y[i] + (1 - alpha) * (1 - y[i]);
    total += (weight ? weight[i] : 1) * l;
  }
  total /= Math.log(base);
  return reduction === 'sum' ? total : total / x.length;
}

/** crossEntropy plus zLoss * logsumexp(row)^2 per counted row (labels, no weights), reduced. */
export function crossEntropyZLoss(x, labels, { classes: c, zLoss, reduction = 'mean', ignoreIndex = -100 }) {
  const n = x.length / c;
  let total = 0;
  let count = 0;
  for (let i = 0; i < n; i++) {
    if (labels[i] === ignoreIndex) continue;
    count++;
    const z = Array.from(x.slice(i * c, i * c + c));
    const m = Math.max(...z);
    const lse = m + Math.log(z.reduce((s, v) => s + Math.exp(v - m), 0));
    total += lse - z[labels[i]] + zLoss * lse * lse;
  }
  return reduction === 'sum' ? total : total / count;
}

/** softmaxBackward in float64: per row of c, p_j (g_j - sum_k g_k p_k). */
export function softmaxBackward(p, g, c) {
  const dx = new Float64Array(p.length);
  for (let i = 0; i < p.length; i += c) {
    let dot = 0;
    for (let j = i; j < i + c; j++) dot += g[j] * p[j];
    for (let j = i; j < i + c; j++) dx[j] = p[j] * (g[j] - dot);
  }
  return dx;
}

/**
 * The analytic gradient of binaryCrossEntropy (of the sum of the per-element losses for 'none') in
 * float64: w ((1 - y) sigmoid(x) - pw y sigmoid(-x)) from logits, w ((1 - y) / (1 - p) - pw y / p) from
 * probabilities inside the clamp [eps, 1 - eps] (0 outside), over ln(base), over the length for 'mean'.
 */
export function binaryCrossEntropyGrad(
  x,
  y,
  { from = 'logits', reduction = 'mean', weight, posWeight = 1, eps = 1e-7, base = Math.E } = {},
) {
  const scale = 1 / Math.log(base) / (reduction === 'mean' ? x.length : 1);
  return Float64Array.from(x, (xi, i) => {
    let g;
    if (from === 'logits') {
      g = (1 - y[i]) / (1 + Math.exp(-xi)) - (posWeight * y[i]) / (1 + Math.exp(xi));
    } else {
      g = xi >= eps && 1 - xi >= eps ? (1 - y[i]) / (1 - xi) - (posWeight * y[i]) / xi : 0;
    }
    return (weight ? weight[i] : 1) * g * scale;
  });
}
