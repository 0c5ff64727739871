// The Classifier's configuration, from constructor options or from saved JSON, and the saved form itself:
//
//   { format: 'xentropy.Classifier', version: 1, features, classes, hidden, activation, seed,
//     layers: [{ weights, bias }, ...] }
//
// layers[l].weights is W_l of shape (in, out) row-major and layers[l].bias is b_l of length out, where the
// widths run [features, ...hidden, classes]: the order of the wasm parameter buffer, which is their
// concatenation [W_0 | b_0 | W_1 | b_1 | ...]. Saved JSON is checked field by field, every array's length
// and every value, before anything is allocated.
import * as check from './check.js';

export const ACTIVATIONS = ['relu', 'tanh', 'sigmoid'];
const FORMAT = 'xentropy.Classifier';
const VERSION = 1;
// Parameters, gradients and two moment buffers are 16 bytes per parameter: stay well inside 4 GiB.
const MAX_PARAMETERS = 2 ** 27;

/**
 * The model configuration from an object `o` named `from` ('options' or 'json'). Constructor options
 * default hidden to [], activation to 'relu' and seed to 1; saved JSON (`saved`) must have every field.
 */
export function config(fn, o, from, saved = false) {
  const fallback = (value) => (saved ? undefined : value);
  const features = check.integerIn(fn, `${from}.features`, o.features, { min: 1 });
  const classes = check.integerIn(fn, `${from}.classes`, o.classes, { min: 1 });
  const hidden = o.hidden === undefined && !saved ? [] : o.hidden;
  if (!Array.isArray(hidden))
    throw new TypeError(`${fn}: ${from}.hidden must be an array of layer sizes, got ${check.describe(hidden)}`);
  hidden.forEach((h, i) => check.integerIn(fn, `${from}.hidden[${i}]`, h, { min: 1 }));
  const activation = check.choice(fn, `${from}.activation`, o.activation, ACTIVATIONS, fallback('relu'));
  const seed = check.integerIn(fn, `${from}.seed`, o.seed, { max: 2 ** 32 - 1, fallback: fallback(1) });
  const widths = [features, ...hidden, classes];
  let parameters = 0;
  for (let l = 1; l < widths.length; l++) parameters += (widths[l - 1] + 1) * widths[l];
  if (parameters > MAX_PARAMETERS) {
    throw new RangeError(
      `${fn}: the model would have ${parameters} parameters, more than the ${MAX_PARAMETERS} supported`,
    );
  }
  return { features, classes, hidden: [...hidden], activation, seed, widths, parameters };
}

/** The saved form of a model with configuration `c` and parameters `params` (a Float32Array view). */
export function toJSON(c, params) {
  const layers = [];
  let at = 0;
  for (let l = 1; l < c.widths.length; l++) {
    const w = c.widths[l - 1] * c.widths[l];
    layers.push({
      weights: Array.from(params.subarray(at, at + w)),
      bias: Array.from(params.subarray(at + w, at + w + c.widths[l])),
    });
    at += w + c.widths[l];
  }
  const { features, classes, hidden, activation, seed } = c;
  return { format: FORMAT, version: VERSION, features, classes, hidden: [...hidden], activation, seed, layers };
}

/** Checks saved JSON (an object or its string) and returns its configuration and parameters. */
export function fromJSON(fn, json) {
  let o = json;
  if (typeof json === 'string') {
    try {
      o = JSON.parse(json);
    } catch (e) {
      throw new TypeError(`${fn}: json is not valid JSON: ${e.message}`);
    }
  }
  if (o === null || typeof o !== 'object' || Array.isArray(o)) {
    throw new TypeError(
      `${fn}: json must be a model saved by toJSON() (an object or its string), got ${check.describe(o)}`,
    );
  }
  if (typeof o.format !== 'string')
    throw new TypeError(`${fn}: json.format must be the string '${FORMAT}', got ${check.describe(o.format)}`);
  if (o.format !== FORMAT)
    throw new RangeError(`${fn}: json.format = ${JSON.stringify(o.format)}, expected '${FORMAT}'`);
  if (typeof o.version !== 'number')
    throw new TypeError(`${fn}: json.version must be a number, got ${check.describe(o.version)}`);
  if (o.version !== VERSION) {
    throw new RangeError(`${fn}: json.version = ${o.version} is not supported: this xentropy reads version ${VERSION}`);
  }
  const c = config(fn, o, 'json', true);
  if (!Array.isArray(o.layers))
    throw new TypeError(`${fn}: json.layers must be an array, got ${check.describe(o.layers)}`);
  const L = c.widths.length - 1;
  if (o.layers.length !== L) {
    throw new RangeError(`${fn}: json.layers has length ${o.layers.length}, expected ${L} (hidden.length + 1)`);
  }
  const params = new Float32Array(c.parameters);
  let at = 0;
  o.layers.forEach((layer, l) => {
    const name = `json.layers[${l}]`;
    if (layer === null || typeof layer !== 'object')
      throw new TypeError(`${fn}: ${name} must be an object with weights and bias, got ${check.describe(layer)}`);
    for (const [key, length, shape] of [
      ['weights', c.widths[l] * c.widths[l + 1], `${c.widths[l]} x ${c.widths[l + 1]}`],
      ['bias', c.widths[l + 1], `${c.widths[l + 1]}`],
    ]) {
      const v = layer[key];
      if (!Array.isArray(v))
        throw new TypeError(`${fn}: ${name}.${key} must be an array of numbers, got ${check.describe(v)}`);
      if (v.length !== length)
        throw new RangeError(`${fn}: ${name}.${key} has length ${v.length}, expected ${length} (${shape})`);
      check.finiteValues(fn, `${name}.${key}`, check.floats(fn, `${name}.${key}`, v));
      params.set(v, at);
      at += length;
    }
  });
  return { config: c, params };
}
