// The NumPy .npy header (NEP 1, format versions 1.0, 2.0 and 3.0), parsed like untrusted input: every length
// is checked against the bytes actually in the file before anything is read or allocated.
//
//   "\x93NUMPY" major minor | header length (uint16 LE in v1, uint32 LE in v2/v3) | header | data
//   header: a Python dict literal { 'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), } + spaces + '\n'
//   (latin-1 in v1/v2, UTF-8 in v3).
import { FileError, MAX_RANK, elementCount, formatShape } from './errors.js';

export const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
export const MAX_HEADER = 65536; // NumPy itself refuses headers above 10,000 bytes unless told otherwise

/** The dtypes the report reads: float outputs and integer labels, little-endian. */
export const DTYPES = {
  f2: { name: 'float16', size: 2, float: true },
  f4: { name: 'float32', size: 4, float: true },
  f8: { name: 'float64', size: 8, float: true },
  i1: { name: 'int8', size: 1 },
  i2: { name: 'int16', size: 2 },
  i4: { name: 'int32', size: 4 },
  i8: { name: 'int64', size: 8 },
  u1: { name: 'uint8', size: 1 },
  u2: { name: 'uint16', size: 2 },
  u4: { name: 'uint32', size: 4 },
};

const SUPPORTED = 'float16/32/64 outputs, int8 to int64 or uint8 to uint32 labels';

/** Whether the first bytes are the .npy magic string. */
export function isNpy(bytes) {
  return bytes.length >= 6 && MAGIC.every((b, i) => bytes[i] === b);
}

/** The dtype entry for a descr string such as '<f4' or '|u1'; throws a FileError that says why not. */
export function parseDescr(name, descr) {
  if (typeof descr !== 'string')
    throw new FileError(name, `descr is not a string but ${describe(descr)}: ${SUPPORTED}`);
  const match = /^([<>|=])([a-zA-Z])(\d{1,2})$/.exec(descr);
  if (!match) throw new FileError(name, `unsupported dtype ${quote(descr)} (${SUPPORTED})`);
  const [, order, kind, bytes] = match;
  const type = DTYPES[kind + bytes];
  if (!type) {
    const what = { b: 'bool', c: 'complex', u: 'unsigned', i: 'integer', f: 'float' }[kind] ?? 'this';
    throw new FileError(name, `unsupported dtype ${quote(descr)} (${what}, ${bytes} bytes); supported: ${SUPPORTED}`);
  }
  if (order === '>' && type.size > 1)
    throw new FileError(
      name,
      `big-endian data (${quote(descr)}) is not supported: save it little-endian, e.g. a.astype('<${kind}${bytes}')`,
    );
  if (order === '|' && type.size > 1) throw new FileError(name, `dtype ${quote(descr)} gives no byte order`);
  return type;
}

/**
 * Parses the fixed part of a .npy file from its first bytes (at least 12, or the whole file when shorter).
 * @returns {{ version: number, headerStart: number, headerLength: number }}
 */
export function parsePrefix(name, bytes, fileSize) {
  if (!isNpy(bytes)) throw new FileError(name, 'is not a .npy file (no \\x93NUMPY magic)');
  if (bytes.length < 10) throw new FileError(name, `is truncated: ${fileSize} bytes, shorter than a .npy header`);
  const major = bytes[6];
  const minor = bytes[7];
  if (major < 1 || major > 3 || minor !== 0)
    throw new FileError(name, `has .npy format version ${major}.${minor}; versions 1.0, 2.0 and 3.0 are supported`);
  const wide = major >= 2;
  const headerStart = wide ? 12 : 10;
  if (bytes.length < headerStart)
    throw new FileError(name, `is truncated: ${fileSize} bytes, shorter than a version ${major}.0 .npy header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = wide ? view.getUint32(8, true) : view.getUint16(8, true);
  if (headerLength > MAX_HEADER)
    throw new FileError(
      name,
      `declares a header of ${headerLength} bytes; no .npy header of a plain array needs more than ${MAX_HEADER}`,
    );
  if (headerStart + headerLength > fileSize)
    throw new FileError(
      name,
      `is truncated: the header declares ${headerLength} bytes, only ${fileSize - headerStart} follow`,
    );
  return { version: major, headerStart, headerLength };
}

/**
 * Parses the header dict and checks the data size against the file size.
 * @returns {{ dtype, shape: number[], count: number, dataOffset: number, dataBytes: number }}
 */
export function parseHeader(name, headerBytes, { version, headerStart }, fileSize) {
  let text;
  try {
    text = new TextDecoder(version === 3 ? 'utf-8' : 'latin1', { fatal: true }).decode(headerBytes);
  } catch {
    throw new FileError(name, 'has a .npy header that is not valid UTF-8');
  }
  const dict = parseDict(name, text);
  const keys = Object.keys(dict).sort().join(', ');
  if (keys !== 'descr, fortran_order, shape')
    throw new FileError(name, `has a .npy header with keys ${keys || 'none'}; expected descr, fortran_order, shape`);
  const dtype = parseDescr(name, dict.descr);
  if (typeof dict.fortran_order !== 'boolean')
    throw new FileError(name, 'has a fortran_order that is not True or False');
  const shape = dict.shape;
  if (!Array.isArray(shape)) throw new FileError(name, 'has a shape that is not a tuple of integers');
  if (dict.fortran_order && shape.filter((d) => d > 1).length > 1)
    throw new FileError(name, `is in Fortran order; save it in C order, e.g. np.save(path, np.ascontiguousarray(a))`);
  const count = elementCount(name, shape);
  const dataOffset = headerStart + headerBytes.length;
  const dataBytes = count * dtype.size;
  const present = fileSize - dataOffset;
  if (dataBytes !== present) {
    const what = `${formatShape(shape)} ${dtype.name} needs ${dataBytes} bytes of data`;
    throw new FileError(
      name,
      present < dataBytes
        ? `is truncated: ${what}, only ${present} follow the header`
        : `has ${present - dataBytes} bytes after the data (${what})`,
    );
  }
  return { dtype, shape, count, dataOffset, dataBytes };
}

// ---- The header dict: a small parser for the Python literals NumPy writes ----

function describe(v) {
  return Array.isArray(v) ? 'a tuple' : typeof v;
}

function quote(s) {
  return JSON.stringify(String(s).slice(0, 40));
}

/** { 'key': value, ... } where a value is a string, True/False, or a tuple of integers. */
export function parseDict(name, text) {
  let i = 0;
  const fail = (what) => {
    throw new FileError(name, `has a malformed .npy header: ${what} at character ${i}`);
  };
  const space = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const expect = (ch) => {
    space();
    if (text[i] !== ch) fail(`expected '${ch}'`);
    i++;
  };
  const string = () => {
    const q = text[i];
    const end = text.indexOf(q, i + 1);
    if (end < 0) fail('unterminated string');
    const s = text.slice(i + 1, end);
    if (s.includes('\\')) fail('escape in a string');
    i = end + 1;
    return s;
  };
  const integer = () => {
    const start = i;
    while (i < text.length && text[i] >= '0' && text[i] <= '9') i++;
    const digits = text.slice(start, i);
    if (digits.length === 0 || digits.length > 16) fail('expected a dimension (an integer below 2^53)');
    if (text[i] === 'L') i++; // Python 2 longs
    const n = Number(digits);
    if (!Number.isSafeInteger(n)) fail('a dimension above 2^53');
    return n;
  };
  const value = () => {
    space();
    const ch = text[i];
    if (ch === "'" || ch === '"') return string();
    for (const [word, bool] of [
      ['True', true],
      ['False', false],
    ]) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return bool;
      }
    }
    if (ch !== '(') fail('expected a string, True, False or a tuple');
    i++;
    const dims = [];
    for (;;) {
      space();
      if (text[i] === ')') break;
      if (dims.length >= MAX_RANK) fail(`a shape of more than ${MAX_RANK} dimensions`);
      dims.push(integer());
      space();
      if (text[i] === ',') i++;
      else if (text[i] !== ')') fail("expected ',' or ')'");
    }
    if (dims.length === 1 && !/,\s*\)$/.test(text.slice(0, i + 1))) fail('a 1-D shape needs a trailing comma');
    i++;
    return dims;
  };
  const dict = Object.create(null);
  expect('{');
  for (;;) {
    space();
    if (text[i] === '}') break;
    if (text[i] !== "'" && text[i] !== '"') fail('expected a key');
    const key = string();
    if (key in dict) fail(`a repeated key ${quote(key)}`);
    expect(':');
    dict[key] = value();
    space();
    if (text[i] === ',') i++;
    else if (text[i] !== '}') fail("expected ',' or '}'");
  }
  i++;
  space();
  if (i !== text.length) fail('text after the dict');
  return dict;
}
