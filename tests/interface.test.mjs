// The call interface (issue #10): options reach the kernels through one description per call (web/call.js,
// cpp/call.h), so what a call leaves out must be its default, not the previous call's value; `out` where
// a reduction returns a number; class weights; NaN rows through the SIMD and scalar row range; and
// load()'s `wasm` as a file path in Node.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import test from 'node:test';
import { fileURLToPath } from 'node:url';

import { load } from '../web/index.js';
import { builds } from './lib/builds.mjs';
import { close } from './lib/tolerance.mjs';
import * as ref from './lib/reference.mjs';

const softmaxRow = (row) => ref.logSoftmaxRow(row).map(Math.exp);

for (const [simd, xe] of await builds()) {
  const build = simd ? 'simd' : 'scalar';

  test(`${build}: an option left out is its default, whatever the previous call set`, () => {
    const x = [0.2, -1, 3, 0.5, 0.5, -2];
    const y = [2, 0];
    // Every option of the description set away from its default, then calls that leave them out.
    xe.crossEntropy(x, y, { classes: 3, labelSmoothing: 0.3, ignoreIndex: 2, base: 2, reduction: 'sum' });
    xe.binaryCrossEntropy([0.3], [0.2], { from: 'probs', eps: 0.25, posWeight: 3 });
    xe.softmax(x, { classes: 3, temperature: 0.25 });
    close(xe.crossEntropy(x, y, { classes: 3 }), ref.crossEntropy(x, y, { classes: 3 }).loss, { rtol: 1e-6 });
    close(xe.softmax(x, { classes: 3 }), [...softmaxRow(x.slice(0, 3)), ...softmaxRow(x.slice(3))], { rtol: 1e-6 });
    // BCE from logits, no posWeight: the float64 softplus form.
    const bce = Math.log1p(Math.exp(-0.3)) * 0.2 + Math.log1p(Math.exp(0.3)) * 0.8;
    close(xe.binaryCrossEntropy([0.3], [0.2]), bce, { rtol: 1e-6 });
  });

  test(`${build}: out with a reduction that returns a number is a TypeError, and out stays untouched`, () => {
    const out = new Float32Array(2).fill(7);
    const calls = {
      crossEntropy: () => xe.crossEntropy([1, 2, 3, 4], [0, 1], { classes: 2, out }),
      binaryCrossEntropy: () => xe.binaryCrossEntropy([1, 2], [0, 1], { reduction: 'sum', out }),
      entropy: () => xe.entropy([0.5, 0.5, 1, 0], { classes: 2, reduction: 'mean', out }),
      klDivergence: () => xe.klDivergence([0.5, 0.5, 1, 0], [0.5, 0.5, 0.5, 0.5], { classes: 2, out }),
    };
    for (const [fn, call] of Object.entries(calls)) {
      assert.throws(
        call,
        (e) => e instanceof TypeError && e.message.startsWith(`${fn}: options.out applies to reduction 'none' only`),
        fn,
      );
    }
    assert.deepEqual(Array.from(out), [7, 7]);
    // The gradient's out is fine with any reduction.
    const grad = new Float32Array(4);
    assert.equal(xe.crossEntropyWithGrad([1, 2, 3, 4], [0, 1], { classes: 2, out: grad }).grad, grad);
  });

  test(`${build}: crossEntropy class weights must be finite and >= 0`, () => {
    for (const [w, bad] of [
      [[1, -0.5], -0.5],
      [[NaN, 1], NaN],
      [[1, Infinity], Infinity],
    ]) {
      const j = w.findIndex((v) => Object.is(v, bad));
      for (const fn of ['crossEntropy', 'crossEntropyWithGrad']) {
        assert.throws(
          () => xe[fn]([1, 2, 3, 4], [0, 1], { classes: 2, weight: w }),
          new RangeError(`${fn}: options.weight[${j}] = ${bad} must be finite and >= 0`),
        );
      }
    }
    close(xe.crossEntropy([1, 2, 3, 4], [0, 1], { classes: 2, weight: [0, 2] }), Math.log1p(Math.exp(-1)), {
      rtol: 1e-6,
    });
  });

  test(`${build}: a NaN anywhere in a row, the vector tail included, makes the whole row NaN`, () => {
    for (const c of [4, 5, 7, 8, 13, 36]) {
      for (let j = 0; j < c; j++) {
        const x = Float32Array.from({ length: 2 * c }, (_, i) => Math.sin(i));
        x[j] = NaN;
        const what = `C=${c}, NaN at ${j}`;
        assert.ok(xe.softmax(x, { classes: c }).subarray(0, c).every(Number.isNaN), `softmax ${what}`);
        assert.ok(xe.logSoftmax(x, { classes: c }).subarray(0, c).every(Number.isNaN), `logSoftmax ${what}`);
        close(xe.softmax(x, { classes: c }).subarray(c), softmaxRow(Array.from(x.subarray(c))), { rtol: 1e-6 });
        const losses = xe.crossEntropy(x, [0, 1], { classes: c, reduction: 'none' });
        assert.ok(Number.isNaN(losses[0]) && Number.isFinite(losses[1]), `crossEntropy ${what}`);
      }
    }
  });
}

test('load: a string wasm is a file path in Node (relative to the working directory) or a URL', async () => {
  const simdPath = fileURLToPath(new URL('../dist/xentropy-simd.wasm', import.meta.url));
  const cwd = process.cwd();
  process.chdir(fileURLToPath(new URL('..', import.meta.url)));
  try {
    assert.equal((await load({ simd: true, wasm: 'dist/xentropy-simd.wasm' })).simd, true);
  } finally {
    process.chdir(cwd);
  }
  assert.equal((await load({ simd: false, wasm: simdPath.replace('simd', 'scalar') })).simd, false);
  assert.equal((await load({ wasm: new URL('../dist/xentropy-simd.wasm', import.meta.url).href })).simd, true);
  await assert.rejects(load({ wasm: 'no/such/file.wasm' }), (e) =>
    e.message.startsWith('load: cannot read the .wasm file no/such/file.wasm: ENOENT'),
  );
  await assert.rejects(
    load({ wasm: readFileSync(new URL('../package.json', import.meta.url)) }),
    /^Error: load: options.wasm is not a valid WebAssembly module/,
  );
});

// softmax along axis `dim` of `shape`, in float64: the reference for the class axis not last.
function softmaxAlong(x, shape, dim, log) {
  const d = dim < 0 ? dim + shape.length : dim;
  const c = shape[d];
  const inner = shape.slice(d + 1).reduce((a, b) => a * b, 1);
  const outer = shape.slice(0, d).reduce((a, b) => a * b, 1);
  const y = new Array(x.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const at = (j) => o * c * inner + j * inner + i;
      const lse = ref.logSoftmaxRow(Array.from({ length: c }, (_, j) => x[at(j)]));
      for (let j = 0; j < c; j++) y[at(j)] = log ? lse[j] : Math.exp(lse[j]);
    }
  }
  return y;
}

for (const [simd, xe] of await builds()) {
  const build = simd ? 'simd' : 'scalar';

  test(`${build}: softmax and logSoftmax along any axis of a shape, inner sizes around the vector width`, () => {
    for (const shape of [[7], [3, 5], [2, 3, 5], [2, 4, 3, 17], [1, 6, 4], [2, 3, 1]]) {
      for (let dim = -shape.length; dim < shape.length; dim++) {
        const x = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i * 1.7) * 6);
        x[3 % x.length] = -Infinity;
        const what = `shape [${shape}] dim ${dim}`;
        close(xe.softmax(x, { shape, dim }), softmaxAlong(x, shape, dim, false), { atol: 1e-7, rtol: 2e-6, what });
        close(xe.logSoftmax(x, { shape, dim }), softmaxAlong(x, shape, dim, true), { atol: 2e-6, rtol: 2e-6, what });
      }
    }
    // The default class axis is the last one, and { classes } is the shape [N, C].
    const x = Float32Array.from({ length: 12 }, (_, i) => i / 3);
    assert.deepEqual(xe.softmax(x, { shape: [3, 4] }), xe.softmax(x, { classes: 4 }));
    assert.deepEqual(xe.softmax(x, { shape: [3, 4], classes: 4, dim: -1 }), xe.softmax(x, { classes: 4 }));
  });

  test(`${build}: shape and dim errors name the function, the option and the value`, () => {
    const x = new Float32Array(12);
    const cases = [
      [{ classes: 4, dim: 0 }, TypeError, 'softmax: options.dim = 0 needs options.shape'],
      [{ shape: 12 }, TypeError, 'softmax: options.shape must be an array of integers, got 12'],
      [{ shape: [3, 5] }, RangeError, 'softmax: options.shape = [3,5] holds 15 elements, but x has length 12'],
      [{ shape: [3, 4.5] }, RangeError, 'softmax: options.shape[1] = 4.5 must be an integer >= 0'],
      [{ shape: [3, -4] }, RangeError, 'softmax: options.shape[1] = -4 must be an integer >= 0'],
      [{ shape: [3, NaN] }, RangeError, 'softmax: options.shape[1] = NaN must be an integer >= 0'],
      [{ shape: [3, '4'] }, TypeError, 'softmax: options.shape[1] = "4" is not a number'],
      [{ shape: [3, 4], dim: 2 }, RangeError, 'softmax: options.dim = 2 is outside [-2, 2) for a shape of rank 2'],
      [{ shape: [3, 4], dim: -3 }, RangeError, 'softmax: options.dim = -3 is outside [-2, 2)'],
      [{ shape: [3, 4], classes: 3 }, RangeError, 'softmax: options.classes = 3 disagrees with options.shape[1] = 4'],
    ];
    for (const [opts, Type, message] of cases) {
      assert.throws(
        () => xe.softmax(x, opts),
        (e) => e instanceof Type && e.message.startsWith(message),
        message,
      );
    }
  });

  test(`${build}: float16 needs Float16Array; a float16 WasmArray is no out`, (t) => {
    if (typeof Float16Array === 'undefined') {
      assert.throws(() => xe.alloc(4, { dtype: 'float16' }), TypeError);
      return t.skip('no Float16Array in this runtime (Node 24 and Chromium have it)');
    }
    const h = xe.alloc(8, { dtype: 'float16' });
    assert.equal(h.dtype, 'float16');
    assert.ok(h.array instanceof Float16Array);
    assert.throws(() => xe.softmax([1, 2, 3, 4, 5, 6, 7, 8], { classes: 4, out: h }), TypeError);
    h.free();
  });
}
