// Batches as the evaluator takes them: raw little-endian bytes -> typed views -> float32/float16 logits and
// int32 labels. Labels are range-checked here, so that an error names the file and the label's position.
import { FileError } from './errors.js';

const VIEWS = {
  float16: Uint16Array, // raw half-precision bits; see floats()
  float32: Float32Array,
  float64: Float64Array,
  int8: Int8Array,
  int16: Int16Array,
  int32: Int32Array,
  int64: BigInt64Array,
  uint8: Uint8Array,
  uint16: Uint16Array,
  uint32: Uint32Array,
};

/** A typed view of an ArrayBuffer read from a file (the buffer starts at 0, so every view is aligned). */
export function view(buffer, dtype) {
  return new VIEWS[dtype.name](buffer);
}

let halfTable = null;

/** Every half-precision bit pattern widened to float32 (exact), built once: 256 KiB. */
function halves() {
  if (halfTable) return halfTable;
  halfTable = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exponent = (h >> 10) & 0x1f;
    const fraction = h & 0x3ff;
    halfTable[h] =
      exponent === 0
        ? sign * fraction * 2 ** -24
        : exponent === 31
          ? fraction
            ? NaN
            : sign * Infinity
          : sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
  }
  return halfTable;
}

/**
 * Float outputs for the evaluator: float32 as they are, float16 as a Float16Array where the runtime has one
 * (else widened exactly to float32), float64 narrowed to float32 (the evaluator computes in float32).
 */
export function floats(raw, dtype, { half = globalThis.Float16Array } = {}) {
  if (dtype.name === 'float32') return raw;
  if (dtype.name === 'float16') {
    if (half) return new half(raw.buffer, raw.byteOffset, raw.length);
    const table = halves();
    const out = new Float32Array(raw.length);
    for (let i = 0; i < raw.length; i++) out[i] = table[raw[i]];
    return out;
  }
  if (dtype.name === 'float64') return Float32Array.from(raw);
  throw new FileError('', `${dtype.name} is not a float type`);
}

/**
 * Class-index labels as an Int32Array: each in [0, classes) or equal to ignoreIndex, else a FileError naming
 * the file, the label and its position (`first` is the position of raw[0] in the whole file).
 */
export function labels(raw, { name, classes, ignoreIndex, first = 0, shape }) {
  const out = raw instanceof Int32Array ? raw : new Int32Array(raw.length);
  const big = raw instanceof BigInt64Array;
  for (let i = 0; i < raw.length; i++) {
    const v = big ? Number(raw[i]) : raw[i]; // int64 beyond 2^53 stays far outside [0, classes)
    if ((v < 0 || v >= classes || !Number.isInteger(v)) && v !== ignoreIndex) {
      const where = shape ? ` at ${position(first + i, shape)}` : ` at position ${first + i}`;
      const what = Number.isInteger(v) ? `is outside [0, ${classes})` : 'is not an integer';
      throw new FileError(name, `label ${v}${where} ${what} and is not the ignore index ${ignoreIndex}`);
    }
    if (out !== raw) out[i] = v;
  }
  return out;
}

/** The multi-index of flat position i in a row-major shape, as '[3, 14]'. */
export function position(i, shape) {
  const index = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    index.unshift(shape[d] ? i % shape[d] : 0);
    i = shape[d] ? Math.floor(i / shape[d]) : 0;
  }
  return `[${index.join(', ')}]`;
}
