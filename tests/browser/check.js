// Browser fixture (not a test file): loads xentropy with { simd } and computes the values that
// tests/browser.test.mjs compares with hand-computed ones. Runs unchanged in a page and a module worker.
import { load, simdSupported, version } from '../../web/index.js';

/** Plain, structured-clone-safe numbers: Float32Array -> number[]. */
const plain = (a) => (typeof a === 'number' ? a : Array.from(a));

export async function runChecks(simd) {
  const xe = await load({ simd });
  const out = {
    scope: typeof document === 'undefined' ? 'worker' : 'page',
    option: simd,
    simd: xe.simd,
    simdSupported: simdSupported(),
    version: xe.version,
    exportedVersion: version,
  };

  // The seed example: probabilities [0.7, 0.2, 0.1], true class 0.
  const p = [0.7, 0.2, 0.1];
  out.ceNats = xe.crossEntropy(p, [0], { classes: 3, from: 'probs' });
  out.ceBits = xe.crossEntropy(p, [0], { classes: 3, from: 'probs', base: 2 });

  const sm = xe.softmax(new Float32Array([1, 2, 3]), { classes: 3 });
  out.softmaxIsFloat32 = sm instanceof Float32Array;
  out.softmax = plain(sm);

  // Two rows of logits, class-index targets, mean reduction.
  const { loss, grad } = xe.crossEntropyWithGrad([1, 2, 3, 0.5, -1, 0], new Int32Array([2, 0]), { classes: 3 });
  out.withGrad = { loss, grad: plain(grad), gradIsFloat32: grad instanceof Float32Array };

  // Zero-copy path: a WasmArray in and out, in place.
  const w = xe.alloc(3);
  try {
    w.array.set([1, 2, 3]);
    xe.softmax(w, { classes: 3, out: w });
    out.softmaxWasmArray = plain(w.array);
  } finally {
    w.free();
  }

  // A second instance is independent of the first.
  const other = await load({ simd });
  out.secondInstanceSame = other !== xe && other.crossEntropy(p, [0], { classes: 3, from: 'probs' }) === out.ceNats;
  return out;
}

/** Runs runChecks and never throws: { ok: true, value } or { ok: false, error }. */
export async function settle(simd) {
  try {
    return { ok: true, value: await runChecks(simd) };
  } catch (error) {
    return { ok: false, error: `${error?.name}: ${error?.message}\n${error?.stack ?? ''}` };
  }
}
