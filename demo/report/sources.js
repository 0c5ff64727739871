// Opens an input file (any Blob: a File in the page, a Blob in Node) as one or two *sources*, each
//   { name, format, role, dtype, shape, count, bytes, read(start, end) -> Promise<typed view> }
// where read() returns the elements [start, end) in the file's own dtype (convert.js turns them into what the
// evaluator takes). .npy and .bin files are read in slices, never whole; a .json file is parsed whole, so it
// is limited to MAX_JSON bytes. Every size is checked against the file's bytes before anything is allocated.
import { FileError, MAX_RANK, elementCount, formatShape } from './errors.js';
import { DTYPES, isNpy, parseHeader, parsePrefix } from './npy.js';
import { view } from './convert.js';

export const MAX_JSON = 64 * 2 ** 20;
const BIN = { logits: DTYPES.f4, labels: DTYPES.i4 };

/** The bytes [start, end) of a file; a read the browser refuses (a folder, a file gone) is a FileError. */
async function bufferOf(blob, name, start, end) {
  try {
    return await blob.slice(start, end).arrayBuffer();
  } catch (error) {
    throw new FileError(name, `could not be read (${error.message})`);
  }
}

async function bytesOf(blob, name, start, end) {
  return new Uint8Array(await bufferOf(blob, name, start, end));
}

/** How to read a file: 'npy' by its magic, else 'json' or 'bin' by extension or first character. */
export function detect(name, head) {
  if (isNpy(head)) return 'npy';
  const ext = /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase();
  if (ext === 'npy') return 'npy'; // without its magic: parsePrefix says so
  if (ext === 'json') return 'json';
  if (['bin', 'raw', 'f32', 'i32'].includes(ext)) return 'bin';
  const first = [...head].find((b) => b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09);
  if (first === 0x5b || first === 0x7b) return 'json';
  throw new FileError(name, 'is not a .npy, .json or .bin file');
}

/**
 * The sources in one file, by role: { logits } or { labels } for .npy and .bin, and for a .json file with
 * { "logits": ..., "labels": ... } both.
 * @param {Blob} blob
 * @param {{ name: string, role: 'logits' | 'labels', binShape?: number[] }} options
 */
export async function openFile(blob, { name, role, binShape }) {
  const head = await bytesOf(blob, name, 0, 12);
  const format = detect(name, head);
  if (format === 'npy') return { [role]: await openNpy(blob, name, role, head) };
  if (format === 'bin') return { [role]: openBin(blob, name, role, binShape) };
  return openJson(blob, name, role);
}

function streamed(blob, name, role, format, { dtype, shape, count, dataOffset }) {
  return {
    name,
    format,
    role,
    dtype,
    shape,
    count,
    bytes: blob.size,
    async read(start, end) {
      if (!(start >= 0 && start <= end && end <= count)) throw new FileError(name, `no elements [${start}, ${end})`);
      const from = dataOffset + start * dtype.size;
      const buffer = await bufferOf(blob, name, from, dataOffset + end * dtype.size);
      if (buffer.byteLength !== (end - start) * dtype.size) throw new FileError(name, 'changed while it was read');
      return view(buffer, dtype);
    },
  };
}

async function openNpy(blob, name, role, head) {
  const prefix = parsePrefix(name, head, blob.size);
  const header = await bytesOf(blob, name, prefix.headerStart, prefix.headerStart + prefix.headerLength);
  return streamed(blob, name, role, 'npy', parseHeader(name, header, prefix, blob.size));
}

function openBin(blob, name, role, binShape) {
  const dtype = BIN[role];
  if (blob.size % dtype.size)
    throw new FileError(name, `has ${blob.size} bytes, not a whole number of ${dtype.name} values`);
  let shape = null; // labels: set by the plan from the logits' shape
  if (role === 'logits') {
    if (!binShape?.length) throw new FileError(name, 'is a raw .bin file: type its shape in "Shape of a .bin file"');
    shape = binShape;
    const bytes = elementCount(name, shape) * dtype.size;
    if (bytes !== blob.size)
      throw new FileError(name, `has ${blob.size} bytes, but ${formatShape(shape)} float32 needs ${bytes}`);
  }
  return streamed(blob, name, role, 'bin', { dtype, shape, count: blob.size / dtype.size, dataOffset: 0 });
}

// ---- JSON ----

const JSON_DTYPES = { logits: DTYPES.f4, labels: DTYPES.i4 };

async function openJson(blob, name, role) {
  if (blob.size > MAX_JSON)
    throw new FileError(
      name,
      `is a ${mib(blob.size)} JSON file; JSON is read whole, up to ${mib(MAX_JSON)}: use .npy for large outputs`,
    );
  const text = new TextDecoder().decode(await bufferOf(blob, name, 0, blob.size));
  let value;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new FileError(name, `is not valid JSON (${error.message})`);
  }
  if (Array.isArray(value)) return { [role]: nested(name, role, value, text.length) };
  if (value && typeof value === 'object' && ('logits' in value || 'labels' in value)) {
    const found = {};
    for (const key of ['logits', 'labels']) {
      if (!(key in value)) continue;
      if (!Array.isArray(value[key])) throw new FileError(name, `"${key}" is not an array`);
      found[key] = nested(`${name} ("${key}")`, key, value[key], text.length);
    }
    return found;
  }
  throw new FileError(name, 'holds neither a nested array nor an object with "logits" and "labels"');
}

/** A rectangular nested array of numbers as an in-memory source (float32 logits, int32 labels). */
function nested(name, role, value, textLength) {
  const shape = [];
  for (let v = value; Array.isArray(v); v = v[0]) {
    if (shape.length >= MAX_RANK) throw new FileError(name, `nests arrays more than ${MAX_RANK} deep`);
    shape.push(v.length);
  }
  const count = elementCount(name, shape);
  // Every number takes at least 2 characters ("0,"): more elements than that means ragged arrays.
  if (count > textLength / 2 + 1)
    throw new FileError(name, `is not a rectangular array: its first entries give ${formatShape(shape)}`);
  const dtype = JSON_DTYPES[role];
  const data = role === 'labels' ? new Int32Array(count) : new Float32Array(count);
  let k = 0;
  const path = []; // the index being walked, for messages
  const at = () => `[${path.join(', ')}]`;
  const walk = (v, depth) => {
    if (depth === shape.length) {
      if (typeof v !== 'number') {
        const hint = v === null ? ' (JSON.stringify writes NaN and Infinity as null)' : '';
        throw new FileError(name, `has ${JSON.stringify(v)?.slice(0, 20)} at ${at()}, not a number${hint}`);
      }
      if (role === 'labels' && !(Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31))
        throw new FileError(name, `has the label ${v} at ${at()}, not a 32-bit integer`);
      data[k++] = v;
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[depth]) {
      const what = Array.isArray(v) ? `has length ${v.length}` : 'is not an array';
      throw new FileError(name, `is not a rectangular array: ${at()} ${what}, expected ${shape[depth]} entries`);
    }
    for (let i = 0; i < v.length; i++) {
      path.push(i);
      walk(v[i], depth + 1);
      path.pop();
    }
  };
  walk(value, 0);
  return {
    name,
    format: 'json',
    role,
    dtype,
    shape,
    count,
    bytes: textLength,
    read: async (start, end) => data.subarray(start, end),
  };
}

export function mib(bytes) {
  return bytes >= 2 ** 20 ? `${(bytes / 2 ** 20).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}
