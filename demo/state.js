// Every setting of the demo, its default and how it reads from and writes to the URL hash,
// e.g. #dataset=spiral&classes=3&noise=0.1&hidden=32,32&lr=0.03 ... A setup is a shareable link.
import { DATASETS } from './datasets.js';

// A field: { default, parse(text, otherwise = default), format(value) -> text }. parse returns
// `otherwise` for a missing or malformed value (the page passes null to detect bad input in a control).

const number = (min, max, fallback, { integer = false } = {}) => ({
  default: fallback,
  parse(text, otherwise = fallback) {
    const v = Number(text);
    if (text === '' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) return otherwise;
    return v;
  },
  format: String,
});

const oneOf = (values, fallback) => ({
  default: fallback,
  parse: (text, otherwise = fallback) => (values.includes(text) ? text : otherwise),
  format: String,
});

// A comma-separated list of `length` numbers in [0, 1] (the explainer's distributions).
const distribution = (fallback) => ({
  default: fallback,
  parse(text, otherwise = fallback) {
    const v = text.split(',').map(Number);
    return v.length === fallback.length && v.every((x) => Number.isFinite(x) && x >= 0 && x <= 1) ? v : otherwise;
  },
  format: (v) => v.join(','),
});

/** Hidden layer sizes: "" (no hidden layer) or up to 6 integers in [1, 256], e.g. "32,32". */
export function parseHidden(text) {
  const t = String(text).replace(/\s+/g, '');
  if (t === '') return [];
  const sizes = t.split(',').map(Number);
  if (sizes.length > 6 || !sizes.every((s) => Number.isInteger(s) && s >= 1 && s <= 256)) return null;
  return sizes;
}

export const FIELDS = {
  // Data
  dataset: oneOf(Object.keys(DATASETS), 'spiral'),
  classes: number(2, 5, 3, { integer: true }),
  noise: number(0, 0.5, 0.1),
  train: number(10, 90, 50, { integer: true }), // percent of the points used for training
  seed: number(0, 2 ** 31 - 1, 1, { integer: true }),
  // The share of class A in percent ('even': every class the same), to watch focal loss recover a rare class.
  share: oneOf(['even', '50', '20', '10', '5', '2'], 'even'),
  // Model
  hidden: {
    default: [32, 32],
    parse: (text, otherwise = [32, 32]) => parseHidden(text) ?? otherwise,
    format: (v) => v.join(','),
  },
  activation: oneOf(['relu', 'tanh', 'sigmoid'], 'relu'),
  // Training
  optimizer: oneOf(['sgd', 'momentum', 'adam'], 'adam'),
  loss: oneOf(['crossEntropy', 'focal'], 'crossEntropy'),
  gamma: number(0, 5, 2),
  lr: number(1e-5, 10, 0.03),
  batch: number(1, 512, 32, { integer: true }),
  smoothing: number(0, 0.5, 0),
  l2: number(0, 1, 0),
  // Epochs per second while playing: 'max' trains as fast as the worker can (at most one report per
  // frame); the others slow small problems down enough to watch the boundary form.
  pace: oneOf(['max', '10', '3', '1'], 'max'),
  // Explainer: predicted q, target ('A', 'B', 'C' or 'soft') and the soft target p.
  q: distribution([0.7, 0.2, 0.1]),
  target: oneOf(['A', 'B', 'C', 'soft'], 'A'),
  p: distribution([0.8, 0.15, 0.05]),
};

/** The defaults of every field. */
export function defaults() {
  return Object.fromEntries(Object.entries(FIELDS).map(([k, f]) => [k, structuredClone(f.default)]));
}

/** Reads a hash ("#a=1&b=2" or "a=1&b=2"); missing or malformed values take their defaults. */
export function parseHash(hash) {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const state = defaults();
  for (const [key, field] of Object.entries(FIELDS)) {
    if (params.has(key)) state[key] = field.parse(params.get(key));
  }
  return state;
}

/** Writes every field, in a fixed order, as a hash without the leading '#'. */
export function toHash(state) {
  const params = new URLSearchParams();
  for (const [key, field] of Object.entries(FIELDS)) params.set(key, field.format(state[key]));
  // Commas are safe in a fragment; keep "32,32" readable.
  return params.toString().replace(/%2C/g, ',');
}
