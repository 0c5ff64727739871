// Half-precision inputs (API.md, "Half-precision inputs"): for every function, a Float16Array (or a float16
// WasmArray) gives results bit-identical to a Float32Array holding the same values, in both builds; rows and
// N-D layouts, every float input in half precision in turn, specials (NaN, +-Infinity, -0, subnormal
// halves), and lengths past the element-wise kernels' span. Runs where Float16Array exists (Node 24,
// Chromium); elsewhere each test is reported as skipped with the reason.
import assert from 'node:assert/strict';
import test from 'node:test';

import { builds } from './lib/builds.mjs';

const HAVE = typeof Float16Array !== 'undefined';
const SKIP = 'no Float16Array in this runtime (Node >= 24 and Chromium have it; npm package node@24)';

// Seeded values rounded to float16, as a Float16Array and the same values in a Float32Array.
function halves(n, seed, scale = 4, specials = false) {
  let s = seed >>> 0;
  const h = new Float16Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    h[i] = (s / 2 ** 32 - 0.5) * 2 * scale;
  }
  if (specials && n > 12) {
    h[1] = -Infinity;
    h[5] = 2 ** -24; // the smallest subnormal half
    h[6] = -0;
    h[9] = 6e-5; // a subnormal half near the top of the range
    h[11] = 65504; // the largest half
  }
  return h;
}
const f32 = (h) => Float32Array.from(h);
// Probabilities along the class axis (the last) of (n, c), rounded to halves: not exactly normalised,
// which the functions do not need.
function probHalves(n, c, seed) {
  const h = halves(n * c, seed, 1);
  for (let i = 0; i < h.length; i++) h[i] = Math.abs(h[i]) / c + (i % 3 === 0 ? 0 : 1e-3);
  return h;
}

// Results equal bit for bit: numbers with Object.is, arrays element-wise on their bits.
function identical(a, b, what) {
  if (typeof b === 'number')
    return assert.ok(Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b)), `${what}: ${a} vs ${b}`);
  if (b.grad) {
    identical(a.loss, b.loss, `${what}.loss`);
    return identical(a.grad, b.grad, `${what}.grad`);
  }
  assert.equal(a.length, b.length, `${what}: length`);
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < ua.length; i++) {
    if (ua[i] !== ub[i]) assert.fail(`${what}[${i}] = ${a[i]}, float32 gives ${b[i]}`);
  }
}

const LAYOUTS = [
  ['rows 9 x 17', { classes: 17 }, 9 * 17],
  ['rows 3 x 1000', { classes: 1000 }, 3000],
  ['rows 2 x 3', { classes: 3 }, 6],
  ['shape [2, 5, 3, 7] dim 1 (inner 21)', { shape: [2, 5, 3, 7], dim: 1 }, 210],
  ['shape [4, 6, 8] dim 1 (inner 8)', { shape: [4, 6, 8], dim: 1 }, 192],
  ['shape [3, 4, 5] dim 0 (inner 20)', { shape: [3, 4, 5], dim: 0 }, 60],
  ['shape [0, 4, 3] (P = 0)', { shape: [0, 4, 3] }, 0],
];

for (const [simd, xe] of await builds()) {
  const build = simd ? 'simd' : 'scalar';
  const skip = HAVE ? false : SKIP;

  test(`${build}: softmax, logSoftmax, softmaxBackward: float16 bit-identical to float32`, { skip }, () => {
    for (const [name, geo, n] of LAYOUTS) {
      const x = halves(n, 1, 6, true);
      for (const fn of ['softmax', 'logSoftmax']) {
        identical(xe[fn](x, geo), xe[fn](f32(x), geo), `${fn} ${name}`);
        identical(
          xe[fn](x, { ...geo, temperature: 0.7 }),
          xe[fn](f32(x), { ...geo, temperature: 0.7 }),
          `${fn} T ${name}`,
        );
      }
      const p = halves(n, 2, 1);
      const g = halves(n, 3, 2);
      const want = xe.softmaxBackward(f32(p), f32(g), geo);
      identical(xe.softmaxBackward(p, g, geo), want, `softmaxBackward ${name}`);
      identical(xe.softmaxBackward(p, f32(g), geo), want, `softmaxBackward probs only ${name}`);
      identical(xe.softmaxBackward(f32(p), g, geo), want, `softmaxBackward gradOut only ${name}`);
    }
  });

  test(`${build}: crossEntropy(WithGrad): float16 input, target and weight bit-identical to float32`, { skip }, () => {
    for (const [name, geo, n] of LAYOUTS) {
      const c = geo.classes ?? geo.shape[geo.dim ?? 1];
      const P = c ? n / c : 0;
      const x = halves(n, 4, 8, true);
      const labels = Int32Array.from({ length: P }, (_, i) => (i * 5) % c);
      if (P > 2) labels[2] = -100;
      const dense = probHalves(P, c, 5); // (P, C) values: a distribution whatever the layout
      const w = probHalves(1, c, 6);
      const probs = probHalves(P, c, 7);
      for (const opts of [
        {},
        { reduction: 'none' },
        { reduction: 'sum', labelSmoothing: 0.1, base: 2 },
        { weight: w },
        { from: 'probs' },
      ]) {
        const o = { ...geo, ...opts };
        const o32 = opts.weight ? { ...o, weight: f32(w) } : o;
        const input = opts.from === 'probs' ? probs : x;
        const what = `${name} ${JSON.stringify(opts.weight ? { weight: 'w' } : opts)}`;
        for (const fn of ['crossEntropy', 'crossEntropyWithGrad']) {
          identical(xe[fn](input, labels, o), xe[fn](f32(input), labels, o32), `${fn} indices ${what}`);
          identical(xe[fn](input, dense, o), xe[fn](f32(input), f32(dense), o32), `${fn} dense ${what}`);
          identical(xe[fn](f32(input), dense, o), xe[fn](f32(input), f32(dense), o32), `${fn} dense target ${what}`);
        }
      }
    }
  });

  test(`${build}: entropy and klDivergence: float16 p and q bit-identical to float32`, { skip }, () => {
    for (const [name, geo, n] of LAYOUTS) {
      const c = geo.classes ?? geo.shape[geo.dim ?? 1];
      const p = probHalves(c ? n / c : 0, c, 8);
      p[0 % (p.length || 1)] = 0;
      const q = probHalves(c ? n / c : 0, c, 9);
      const z = halves(n, 10, 5, true);
      identical(xe.entropy(p, geo), xe.entropy(f32(p), geo), `entropy ${name}`);
      identical(
        xe.entropy(p, { ...geo, reduction: 'mean', base: 2 }),
        xe.entropy(f32(p), { ...geo, reduction: 'mean', base: 2 }),
        `entropy mean ${name}`,
      );
      for (const opts of [
        { reduction: 'none' },
        { from: 'logits', reduction: 'none' },
        { from: 'logits', reduction: 'sum' },
      ]) {
        const qq = opts.from ? z : q;
        const want = xe.klDivergence(f32(p), f32(qq), { ...geo, ...opts });
        identical(xe.klDivergence(p, qq, { ...geo, ...opts }), want, `klDivergence ${name} ${JSON.stringify(opts)}`);
        identical(xe.klDivergence(p, f32(qq), { ...geo, ...opts }), want, `klDivergence p only ${name}`);
      }
    }
  });

  test(`${build}: sigmoid and binaryCrossEntropy(WithGrad): float16 bit-identical, past the span`, { skip }, () => {
    for (const n of [0, 1, 5, 17, 16384, 40003]) {
      const x = halves(n, 11, 12, true);
      identical(xe.sigmoid(x), xe.sigmoid(f32(x)), `sigmoid n=${n}`);
      const y = halves(n, 12, 0.5);
      for (let i = 0; i < n; i++) y[i] = Math.abs(y[i]) * 2;
      const w = halves(n, 13, 1);
      const p = halves(n, 14, 0.5);
      for (let i = 0; i < n; i++) p[i] = 0.5 + p[i];
      for (const opts of [{}, { reduction: 'none', posWeight: 2 }, { reduction: 'sum', base: 2 }]) {
        for (const fn of ['binaryCrossEntropy', 'binaryCrossEntropyWithGrad']) {
          const what = `${fn} n=${n} ${JSON.stringify(opts)}`;
          identical(xe[fn](x, y, opts), xe[fn](f32(x), f32(y), opts), `${what} logits`);
          identical(
            xe[fn](p, y, { ...opts, from: 'probs' }),
            xe[fn](f32(p), f32(y), { ...opts, from: 'probs' }),
            `${what} probs`,
          );
          identical(
            xe[fn](x, f32(y), { ...opts, weight: w }),
            xe[fn](f32(x), f32(y), { ...opts, weight: f32(w) }),
            `${what} weight`,
          );
        }
      }
    }
  });

  // softmax, logSoftmax and sigmoid take a JS array through copy blocks of 65536 floats (web/run.js): a
  // Float16Array crosses block by block as halves, here over several blocks, from a subarray that does not
  // start its buffer, into a new array, a JS out and a WasmArray out.
  test(`${build}: float16 through the copy blocks: several blocks, a subarray, every kind of out`, { skip }, () => {
    const rows = [70, 1000]; // 65 rows per block
    const all = halves(3 + 140001, 16, 9, true);
    const x = all.subarray(3);
    const xr = x.subarray(0, rows[0] * rows[1]);
    const cases = [
      ['softmax', xr, { classes: rows[1] }],
      ['logSoftmax', xr, { classes: rows[1], temperature: 1.5 }],
      ['sigmoid', x, {}],
    ];
    for (const [fn, input, opts] of cases) {
      const want = xe[fn](f32(input), opts);
      identical(xe[fn](input, opts), want, `${fn} new array`);
      const out = new Float32Array(input.length);
      assert.equal(xe[fn](input, { ...opts, out }), out, `${fn} returns its JS out`);
      identical(out, want, `${fn} JS out`);
      const wasm = xe.alloc(input.length);
      identical(xe[fn](input, { ...opts, out: wasm }).array, want, `${fn} WasmArray out`);
      wasm.free();
    }
  });

  // Every one of the 65536 halves, read back unchanged through topK (k = 1 of one class: the value itself),
  // against the runtime's own Float16Array conversion: slabs of 65536 (one conversion holding every
  // infinity and NaN), 1024 (most without), 8 (one vector) and 5 (the scalar tail).
  test(`${build}: every half widens exactly, infinities and NaNs among finite halves or not`, { skip }, () => {
    const x = new Float16Array(Uint16Array.from({ length: 65536 }, (_, i) => i).buffer);
    const want = f32(x);
    const bits = new Uint32Array(want.buffer);
    for (const inner of [65536, 1024, 8, 5]) {
      const n = inner * Math.floor(65536 / inner);
      const got = xe.topK(x.subarray(0, n), 1, { shape: [n / inner, 1, inner], dim: 1 }).values;
      const gotBits = new Uint32Array(got.buffer, got.byteOffset, n);
      for (let i = 0; i < n; i++) {
        const ok = Number.isNaN(want[i]) ? Number.isNaN(got[i]) : gotBits[i] === bits[i];
        if (!ok) assert.fail(`inner ${inner}: half 0x${i.toString(16)} widens to ${got[i]}, not ${want[i]}`);
      }
    }
  });

  test(`${build}: float16 WasmArrays are inputs anywhere, never an out; alloc checks dtype`, { skip }, () => {
    const [n, c] = [6, 10];
    const x = halves(n * c, 15, 5);
    const hx = xe.alloc(n * c, { dtype: 'float16' });
    assert.equal(hx.dtype, 'float16');
    assert.equal(xe.alloc(1).dtype, 'float32');
    hx.array.set(x);
    const out = xe.alloc(n * c);
    identical(
      xe.softmax(hx, { classes: c, out }).array,
      xe.softmax(f32(x), { classes: c }),
      'softmax from a float16 WasmArray',
    );
    const labels = Int32Array.from({ length: n }, (_, i) => i);
    identical(
      xe.crossEntropyWithGrad(hx, labels, { classes: c }),
      xe.crossEntropyWithGrad(f32(x), labels, { classes: c }),
      'ce',
    );
    identical(
      xe.crossEntropy(f32(x), hx, { classes: c }),
      xe.crossEntropy(f32(x), f32(x), { classes: c }),
      'a float16 WasmArray target',
    );
    identical(xe.sigmoid(hx), xe.sigmoid(f32(x)), 'sigmoid');
    const before = Float32Array.from(out.array);
    const h8 = xe.alloc(n * c, { dtype: 'float16' });
    for (const call of [
      () => xe.softmax(hx, { classes: c, out: h8 }),
      () => xe.crossEntropyWithGrad(hx, labels, { classes: c, out: h8 }),
      () => xe.sigmoid(hx, { out: h8 }),
      () => xe.softmaxBackward(hx, hx, { classes: c, out: h8 }),
    ]) {
      assert.throws(call, (e) => e instanceof TypeError && /options.out is a float16 WasmArray/.test(e.message));
    }
    assert.deepEqual(out.array, before);
    assert.throws(
      () => xe.alloc(4, { dtype: 'float64' }),
      (e) => e instanceof RangeError && /alloc: options.dtype = "float64"/.test(e.message),
    );
    assert.throws(
      () => xe.alloc(4, { dtype: 16 }),
      (e) => e instanceof TypeError && /alloc: options.dtype must be a string/.test(e.message),
    );
    for (const a of [hx, out, h8]) a.free();
  });

  test(`${build}: Uint16Array is always class indices, never halves`, () => {
    const x = [1, 2, 3, 4, 5, 6];
    assert.equal(xe.crossEntropy(x, Uint16Array.of(0, 2), { classes: 3 }), xe.crossEntropy(x, [0, 2], { classes: 3 }));
    assert.throws(() => xe.softmax(Uint16Array.of(1, 2), { classes: 2 }), TypeError);
  });

  test(
    `${build}: without Float16Array, dtype 'float16' is a TypeError that says so`,
    { skip: HAVE ? 'this runtime has Float16Array' : false },
    () => {
      assert.throws(
        () => xe.alloc(4, { dtype: 'float16' }),
        (e) => e instanceof TypeError && /alloc: options.dtype = 'float16' needs Float16Array/.test(e.message),
      );
    },
  );
}
