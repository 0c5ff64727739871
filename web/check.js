// Argument checks. Every message names the function, the argument and the offending value.
import { DTYPES, WasmArray } from './memory.js';

const INT_ARRAYS = [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array];

export function describe(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name} of length ${v.length ?? v.byteLength}`;
  if (v instanceof WasmArray) return 'a WasmArray';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'object') return `a ${v.constructor?.name ?? 'object'}`;
  if (typeof v === 'function') return 'a function';
  return String(v);
}

export function isIntArray(v) {
  if (v instanceof Int32Array) return true; // the common labels first, and no closure per call
  for (let i = 0; i < INT_ARRAYS.length; i++) if (v instanceof INT_ARRAYS[i]) return true;
  return false;
}

function checkNotDetached(fn, name, v) {
  if (v.length !== 0) return; // a detached view reads as empty; only then is there anything to ask
  try {
    new Uint8Array(v.buffer, 0, 0);
  } catch {
    throw new TypeError(`${fn}: ${name} is backed by a detached ArrayBuffer`);
  }
}

/** The options object: required (for `classes`) or optional. */
export function options(fn, opts, required) {
  if (opts === undefined && !required) return {};
  if (opts === null || typeof opts !== 'object') {
    throw new TypeError(`${fn}: options must be an object${required ? ' with classes' : ''}, got ${describe(opts)}`);
  }
  return opts;
}

export function classes(fn, c) {
  if (typeof c !== 'number') throw new TypeError(`${fn}: options.classes must be a number, got ${describe(c)}`);
  if (!Number.isInteger(c) || c < 1 || c > 2 ** 31 - 1) {
    throw new RangeError(`${fn}: options.classes = ${c} must be an integer >= 1`);
  }
  return c;
}

/**
 * A float input: { length, data, dtype } for a JS array, { length, wasm, dtype } for a WasmArray; dtype is
 * 'float16' for a Float16Array (where the runtime has one) or a float16 WasmArray, else 'float32'.
 */
export function floats(fn, name, x) {
  if (x instanceof WasmArray) return { length: x.length, wasm: x, dtype: x.dtype };
  if (x instanceof Float32Array || x instanceof Float64Array) {
    checkNotDetached(fn, name, x);
    return { length: x.length, data: x, dtype: 'float32' };
  }
  if (DTYPES.float16 && x instanceof DTYPES.float16) {
    checkNotDetached(fn, name, x);
    return { length: x.length, data: x, dtype: 'float16' };
  }
  if (Array.isArray(x)) {
    for (let i = 0; i < x.length; i++) {
      if (typeof x[i] !== 'number') throw new TypeError(`${fn}: ${name}[${i}] = ${describe(x[i])} is not a number`);
    }
    return { length: x.length, data: x, dtype: 'float32' };
  }
  throw new TypeError(
    `${fn}: ${name} must be a Float32Array, Float64Array, ${DTYPES.float16 ? 'Float16Array, ' : ''}number[] or WasmArray, got ${describe(x)}`,
  );
}

/**
 * The geometry of an input of `length` elements from `classes` or `shape` + `dim` (API.md, N-dimensional
 * inputs): the input is read as (outer, classes, inner) row-major, with positions = outer * inner.
 * `defaultDim` is the class axis when `dim` is absent: -1 (softmax family, topK) or 1 (losses, metrics;
 * 0 for rank 1). `{ classes: C }` is `{ shape: [length / C, C] }` with the class axis last (returned
 * with `shape: null`, so the common call allocates no array).
 * @returns {{ outer: number, classes: number, inner: number, positions: number, shape: number[] | null, dim: number }}
 */
export function geometry(fn, o, name, length, defaultDim) {
  if (o.shape === undefined) {
    if (o.dim !== undefined) {
      throw new TypeError(
        `${fn}: options.dim = ${describe(o.dim)} needs options.shape; with options.classes the classes are the last axis`,
      );
    }
    const c = classes(fn, o.classes);
    const n = rows(fn, name, length, c);
    return { outer: n, classes: c, inner: 1, positions: n, shape: null, dim: 1 };
  }
  const shape = o.shape;
  if (!Array.isArray(shape) && !isIntArray(shape)) {
    throw new TypeError(`${fn}: options.shape must be an array of integers, got ${describe(shape)}`);
  }
  if (shape.length === 0) throw new RangeError(`${fn}: options.shape = [] has no axis for the classes`);
  let size = 1;
  for (let i = 0; i < shape.length; i++) {
    const v = shape[i];
    if (typeof v !== 'number') throw new TypeError(`${fn}: options.shape[${i}] = ${describe(v)} is not a number`);
    if (!Number.isInteger(v) || v < 0)
      throw new RangeError(`${fn}: options.shape[${i}] = ${v} must be an integer >= 0`);
    size *= v;
  }
  if (size !== length) {
    throw new RangeError(
      `${fn}: options.shape = [${Array.from(shape)}] holds ${size} elements, but ${name} has length ${length}`,
    );
  }
  const rank = shape.length;
  const fallback = defaultDim === 1 && rank === 1 ? 0 : defaultDim;
  const dim = integer(fn, 'dim', o.dim, fallback);
  if (dim < -rank || dim >= rank) {
    throw new RangeError(`${fn}: options.dim = ${dim} is outside [${-rank}, ${rank}) for a shape of rank ${rank}`);
  }
  const d = dim < 0 ? dim + rank : dim;
  const c = shape[d];
  if (o.classes !== undefined && classes(fn, o.classes) !== c) {
    throw new RangeError(`${fn}: options.classes = ${o.classes} disagrees with options.shape[${d}] = ${c}`);
  }
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < d; i++) outer *= shape[i];
  for (let i = d + 1; i < rank; i++) inner *= shape[i];
  if (c === 0) outer = 0; // no classes: no positions either (P = length / C = 0)
  return { outer, classes: c, inner, positions: outer * inner, shape: Array.from(shape), dim: d };
}

/** The number of rows of a flat (n, c) input. */
export function rows(fn, name, length, c) {
  if (length % c !== 0) {
    throw new RangeError(`${fn}: ${name} has length ${length}, which is not a multiple of classes = ${c}`);
  }
  return length / c;
}

export function sameLength(fn, name, input, length) {
  if (input.length !== length) throw new RangeError(`${fn}: ${name} has length ${input.length}, expected ${length}`);
  return input;
}

/** Per-class weights: a float input of length c whose values are finite and >= 0. */
export function classWeights(fn, name, w, c) {
  const W = sameLength(fn, name, floats(fn, name, w), c);
  const values = W.wasm ? W.wasm.array : W.data;
  for (let j = 0; j < c; j++) {
    if (!(values[j] >= 0 && values[j] < Infinity))
      throw new RangeError(`${fn}: ${name}[${j}] = ${values[j]} must be finite and >= 0`);
  }
  return W;
}

/**
 * Class-index labels, checked: integers in [0, c) or equal to ignoreIndex.
 * Returns the array itself (an integer typed array or number[]); a float typed array is returned as is
 * after the check, since its values are then exact integers.
 */
export function labels(fn, name, t, n, c, ignoreIndex) {
  if (t instanceof WasmArray) {
    throw new TypeError(`${fn}: ${name}: class indices cannot be a WasmArray (it holds float32); use an Int32Array`);
  }
  const typed =
    isIntArray(t) ||
    t instanceof Float32Array ||
    t instanceof Float64Array ||
    (DTYPES.float16 && t instanceof DTYPES.float16);
  if (!typed && !Array.isArray(t)) {
    throw new TypeError(
      `${fn}: ${name} must be an Int32Array, Uint32Array, Uint16Array, Uint8Array or number[], got ${describe(t)}`,
    );
  }
  if (typed) checkNotDetached(fn, name, t);
  if (t.length !== n) throw new RangeError(`${fn}: ${name} has length ${t.length}, expected ${n} (one label per row)`);
  for (let i = 0; i < n; i++) {
    const v = t[i];
    if (v >= 0 && v < c && Number.isInteger(v)) continue;
    if (typeof v !== 'number') throw new TypeError(`${fn}: ${name}[${i}] = ${describe(v)} is not a number`);
    if (!Number.isInteger(v)) throw new RangeError(`${fn}: ${name}[${i}] = ${v} is not an integer class index`);
    if (v !== ignoreIndex) throw new RangeError(`${fn}: ${name}[${i}] = ${v} is outside [0, ${c})`);
  }
  return t;
}

/** Float values that must lie in [0, 1] (targets of the sigmoid losses); NaN is outside. */
export function unitValues(fn, name, input) {
  const values = input.wasm ? input.wasm.array : input.data;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!(v >= 0 && v <= 1)) throw new RangeError(`${fn}: ${name}[${i}] = ${v} is outside [0, 1]`);
  }
  return input;
}

export function oneOf(fn, name, v, allowed, fallback) {
  if (v === undefined) return fallback;
  if (typeof v !== 'string') throw new TypeError(`${fn}: options.${name} must be a string, got ${describe(v)}`);
  if (!allowed.includes(v)) {
    throw new RangeError(
      `${fn}: options.${name} = ${JSON.stringify(v)} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}`,
    );
  }
  return v;
}

/** A number option within a range: lo/hi inclusive unless open is set for that side. */
export function number(
  fn,
  name,
  v,
  fallback,
  { min = -Infinity, max = Infinity, minOpen = false, maxOpen = false, finite = true } = {},
) {
  if (v === undefined) return fallback;
  if (typeof v !== 'number') throw new TypeError(`${fn}: options.${name} must be a number, got ${describe(v)}`);
  const ok =
    !Number.isNaN(v) &&
    (!finite || Number.isFinite(v)) &&
    (minOpen ? v > min : v >= min) &&
    (maxOpen ? v < max : v <= max);
  if (!ok) {
    const range = `${minOpen ? '(' : '['}${min}, ${max}${maxOpen ? ')' : ']'}`;
    throw new RangeError(`${fn}: options.${name} = ${v} is outside ${finite ? 'the finite range ' : ''}${range}`);
  }
  return v;
}

export function integer(fn, name, v, fallback) {
  if (v === undefined) return fallback;
  if (typeof v !== 'number') throw new TypeError(`${fn}: options.${name} must be a number, got ${describe(v)}`);
  if (!Number.isInteger(v) || Math.abs(v) > 2 ** 31 - 1)
    throw new RangeError(`${fn}: options.${name} = ${v} is not a 32-bit integer`);
  return v;
}

/** 1 / ln(base): base is a finite number > 1, default e (nats). */
export function baseScale(fn, base) {
  return 1 / Math.log(number(fn, 'base', base, Math.E, { min: 1, minOpen: true }));
}

export const REDUCTIONS = ['none', 'mean', 'sum'];
/** The range (0, 1), open at both ends: probability clamps. */
export const OPEN_UNIT = { min: 0, max: 1, minOpen: true, maxOpen: true };

/**
 * `out` of a function whose result is an array only with reduction 'none' (or always, with `always`, as
 * the gradient of a WithGrad form): a TypeError with a reduction that returns a number.
 */
export function resultOut(fn, o, reduction, length, memory, always) {
  if (always || reduction === 'none') return out(fn, o, length, memory);
  if (o !== undefined) {
    throw new TypeError(
      `${fn}: options.out applies to reduction 'none' only; reduction '${reduction}' returns a number, got ${describe(o)}`,
    );
  }
  return undefined;
}

/**
 * The operands of an element-wise loss (binaryCrossEntropy, sigmoidFocalLoss): input, target and the optional
 * per-element options.weight, all of the input's length, and `out` as resultOut checks it.
 */
export function elementwise(fn, input, target, o, reduction, memory, withGrad) {
  const X = floats(fn, 'input', input);
  const Y = sameLength(fn, 'target', floats(fn, 'target', target), X.length);
  const W =
    o.weight === undefined ? null : sameLength(fn, 'options.weight', floats(fn, 'options.weight', o.weight), X.length);
  return { X, Y, W, out: resultOut(fn, o.out, reduction, X.length, memory, withGrad) };
}

/** Where an array result goes: undefined (a new Float32Array), a Float32Array or a WasmArray of `length`. */
export function out(fn, o, length, memory) {
  if (o === undefined) return undefined;
  if (o instanceof WasmArray) {
    o.ptr(fn, memory); // throws if freed or of another instance
    if (o.dtype !== 'float32') {
      throw new TypeError(`${fn}: options.out is a ${o.dtype} WasmArray; results are float32, use alloc(length)`);
    }
  } else if (o instanceof Float32Array) {
    checkNotDetached(fn, 'options.out', o);
  } else {
    throw new TypeError(`${fn}: options.out must be a Float32Array or WasmArray, got ${describe(o)}`);
  }
  if (o.length !== length) throw new RangeError(`${fn}: options.out has length ${o.length}, expected ${length}`);
  return o;
}

// The helpers below take the argument's full name ('options.epochs', 'json.hidden[2]'), so that the
// Classifier's constructor options, training options and saved JSON are checked by the same code.

/** An integer in [min, max]; `fallback` when undefined and a fallback is given. */
export function integerIn(fn, name, v, { min = 0, max = 2 ** 31 - 1, fallback } = {}) {
  if (v === undefined && fallback !== undefined) return fallback;
  if (typeof v !== 'number') throw new TypeError(`${fn}: ${name} must be a number, got ${describe(v)}`);
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new RangeError(`${fn}: ${name} = ${v} must be an integer ${v > max ? `<= ${max}` : `>= ${min}`}`);
  }
  return v;
}

/** One of the strings in `allowed`; `fallback` when undefined and a fallback is given. */
export function choice(fn, name, v, allowed, fallback) {
  if (v === undefined && fallback !== undefined) return fallback;
  if (typeof v !== 'string') throw new TypeError(`${fn}: ${name} must be a string, got ${describe(v)}`);
  if (!allowed.includes(v)) {
    throw new RangeError(
      `${fn}: ${name} = ${JSON.stringify(v)} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}`,
    );
  }
  return v;
}

/** A boolean; `fallback` when undefined. */
export function boolean(fn, name, v, fallback) {
  if (v === undefined) return fallback;
  if (typeof v !== 'boolean') throw new TypeError(`${fn}: ${name} must be a boolean, got ${describe(v)}`);
  return v;
}

/** An optional function. */
export function callback(fn, name, v) {
  if (v !== undefined && typeof v !== 'function') {
    throw new TypeError(`${fn}: ${name} must be a function, got ${describe(v)}`);
  }
  return v;
}

/** Every value of a checked float input (from floats()) finite, and >= min when a min is given. */
export function finiteValues(fn, name, input, min = -Infinity) {
  const values = input.wasm ? input.wasm.array : input.data;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isFinite(v) && v >= min) continue;
    throw new RangeError(
      `${fn}: ${name}[${i}] = ${v} ${min === -Infinity ? 'is not finite' : `must be finite and >= ${min}`}`,
    );
  }
  return input;
}
