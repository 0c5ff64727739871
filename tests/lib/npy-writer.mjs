// Writes .npy files (NEP 1) for the report page's tests: versions 1.0, 2.0 and 3.0, as NumPy's
// np.lib.format.write_array does (header padded with spaces to a multiple of 64 bytes, ending in '\n').
// Deliberately permissive: tests use it to write the broken files too (big-endian, Fortran order, ...).

/** The bytes of a .npy file holding `data` (a typed array, written as its bytes) with a header dict. */
export function npy(data, { descr, shape, fortran = false, version = 1 }) {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let dict = `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': ${shapeText}, }`;
  const prefix = version === 1 ? 10 : 12;
  const pad = 64 - ((prefix + dict.length + 1) % 64);
  dict += ' '.repeat(pad % 64) + '\n';
  const header = new TextEncoder().encode(dict);
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(prefix + header.length + bytes.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  out.set(header, prefix);
  out.set(bytes, prefix + header.length);
  return out;
}

/** The header bytes of an .npy file, as a string (for mutations that rewrite it). */
export function headerOf(bytes) {
  const prefix = bytes[6] === 1 ? 10 : 12;
  const length =
    prefix === 10 ? bytes[8] | (bytes[9] << 8) : new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
  return { prefix, length, text: new TextDecoder('latin1').decode(bytes.subarray(prefix, prefix + length)) };
}

/** An .npy file with its header dict text replaced (lengths fixed up, no padding). */
export function withHeader(bytes, text) {
  const { prefix, length } = headerOf(bytes);
  const header = new TextEncoder().encode(text);
  const out = new Uint8Array(prefix + header.length + bytes.length - prefix - length);
  out.set(bytes.subarray(0, prefix));
  const view = new DataView(out.buffer);
  if (prefix === 10) view.setUint16(8, Math.min(header.length, 0xffff), true);
  else view.setUint32(8, header.length, true);
  out.set(header, prefix);
  out.set(bytes.subarray(prefix + length), prefix + header.length);
  return out;
}
