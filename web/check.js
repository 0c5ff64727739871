// Argument checks. Every message names the function, the argument and the offending value.
import { WasmArray } from './memory.js';

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
  return INT_ARRAYS.some((T) => v instanceof T);
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

/** A float input: { length, data } for a JS array, { length, wasm } for a WasmArray. */
export function floats(fn, name, x) {
  if (x instanceof WasmArray) return { length: x.length, wasm: x };
  if (x instanceof Float32Array || x instanceof Float64Array) {
    checkNotDetached(fn, name, x);
    return { length: x.length, data: x };
  }
  if (Array.isArray(x)) {
    for (let i = 0; i < x.length; i++) {
      if (typeof x[i] !== 'number') throw new TypeError(`${fn}: ${name}[${i}] = ${describe(x[i])} is not a number`);
    }
    return { length: x.length, data: x };
  }
  throw new TypeError(`${fn}: ${name} must be a Float32Array, Float64Array, number[] or WasmArray, got ${describe(x)}`);
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
  const typed = isIntArray(t) || t instanceof Float32Array || t instanceof Float64Array;
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

/** Where an array result goes: undefined (a new Float32Array), a Float32Array or a WasmArray of `length`. */
export function out(fn, o, length, memory) {
  if (o === undefined) return undefined;
  if (o instanceof WasmArray) {
    o.ptr(fn, memory); // throws if freed or of another instance
  } else if (o instanceof Float32Array) {
    checkNotDetached(fn, 'options.out', o);
  } else {
    throw new TypeError(`${fn}: options.out must be a Float32Array or WasmArray, got ${describe(o)}`);
  }
  if (o.length !== length) throw new RangeError(`${fn}: options.out has length ${o.length}, expected ${length}`);
  return o;
}
