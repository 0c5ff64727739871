// Semantics of the core API in both builds, against hand-computed values and float64 references with
// finite-difference gradients. Tolerances: inputs and outputs are float32 (relative rounding 6e-8) and the
// exponential is within ~2 ulp, so element-wise results get rtol 1e-5 with a small atol for values near 0;
// reduced losses are accumulated in float64 from float32 terms, so they too get rtol 1e-5.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import test from 'node:test';

import { builds, rng, uniform } from './lib/builds.mjs';
import { close } from './lib/tolerance.mjs';
import * as ref from './lib/reference.mjs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url)));
const LN2 = Math.LN2;

for (const [simd, xe] of await builds()) {
  const build = simd ? 'simd' : 'scalar';

  test(`${build}: loads the requested build and reports the package version`, () => {
    assert.equal(xe.simd, simd);
    assert.equal(xe.version, pkg.version);
  });

  test(`${build}: the worked example, [0.7, 0.2, 0.1] for class A`, () => {
    const p = [0.7, 0.2, 0.1];
    close(xe.crossEntropy(p, [0], { classes: 3, from: 'probs' }), 0.35667494, { rtol: 1e-7 });
    close(xe.crossEntropy(p, [0], { classes: 3, from: 'probs', base: 2 }), 0.51457317, { rtol: 1e-7 });
    close(xe.crossEntropy(p, [1, 0, 0], { classes: 3, from: 'probs' }), 0.35667494, { rtol: 1e-7 });
    close(xe.crossEntropy(p.map(Math.log), [0], { classes: 3 }), 0.35667494, { rtol: 1e-6 });
  });

  test(`${build}: softmax and logSoftmax match float64 at every size, including logits in 90..100`, () => {
    const random = rng(1);
    for (const c of [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 35, 63, 64, 65, 1000]) {
      for (const [lo, hi] of [
        [-5, 5],
        [90, 100],
        [-1e4, 1e4],
      ]) {
        const x = uniform(random, 3 * c, lo, hi);
        const expectedLog = [];
        for (let i = 0; i < 3; i++) expectedLog.push(...ref.logSoftmaxRow(Array.from(x.subarray(i * c, i * c + c))));
        const what = `C=${c} [${lo}, ${hi}]`;
        close(xe.logSoftmax(x, { classes: c }), expectedLog, { atol: 2e-6, rtol: 2e-6, what: `logSoftmax ${what}` });
        close(xe.softmax(x, { classes: c }), expectedLog.map(Math.exp), {
          atol: 1e-7,
          rtol: 2e-5,
          what: `softmax ${what}`,
        });
      }
    }
    assert.deepEqual(xe.softmax([], { classes: 4 }), new Float32Array(0));
  });

  // The reference divides in float64; the kernels multiply by 1/T rounded to float32 (exact for T = 2 and
  // 0.5, 6e-8 relative for 0.7), an error of |x - max| / T * 6e-8 in the exponent: within the tolerances
  // of the test above.
  test(`${build}: temperature divides the logits`, () => {
    const random = rng(2);
    for (const c of [3, 17, 1000]) {
      const x = uniform(random, 3 * c, -3, 3);
      for (const t of [2, 0.5, 0.7]) {
        const expectedLog = [];
        for (let i = 0; i < 3; i++) {
          expectedLog.push(...ref.logSoftmaxRow(Array.from(x.subarray(i * c, i * c + c), (v) => v / t)));
        }
        const opts = { classes: c, temperature: t };
        const what = `C=${c} T=${t}`;
        close(xe.logSoftmax(x, opts), expectedLog, { atol: 2e-6, rtol: 2e-6, what: `logSoftmax ${what}` });
        close(xe.softmax(x, opts), expectedLog.map(Math.exp), { atol: 1e-7, rtol: 2e-5, what: `softmax ${what}` });
      }
    }
  });

  test(`${build}: -Infinity masks give exactly 0 probability; NaN propagates per row`, () => {
    const p = xe.softmax([-Infinity, 0, 0, 1, NaN, 2], { classes: 3 });
    assert.deepEqual(Array.from(p.subarray(0, 3)), [0, 0.5, 0.5]);
    assert.ok(Array.from(p.subarray(3)).every(Number.isNaN));
    const l = xe.logSoftmax([-Infinity, 0, 0], { classes: 3 });
    assert.equal(l[0], -Infinity);
    close(l[1], -LN2);
    // The same through the blocked SIMD sum (C >= 32) and its overlapping tail (C = 41).
    const c = 41;
    const rows = new Float32Array(2 * c);
    rows[5] = -Infinity;
    rows[c + 9] = NaN;
    const q = xe.softmax(rows, { classes: c });
    assert.equal(q[5], 0);
    close(q.subarray(6, c), new Array(c - 6).fill(1 / (c - 1)), { rtol: 1e-6 });
    assert.ok(Array.from(q.subarray(c)).every(Number.isNaN));
  });

  // Rows whose (x - max) / T are all >= -88 skip the exp's clamp (see needs_clamp in cpp/simd/vmath.h);
  // others, with -Infinity or a wider spread, take it. The two must agree bit for bit: an exponential
  // that flushes to 0 (at -88 exactly, or below) changes neither the sum nor any other output.
  test(`${build}: rows with and without a clamped exponential give the same bits`, () => {
    const random = rng(7);
    for (const [c, t] of [
      [37, 1],
      [64, 1],
      [1000, 1],
      [37, 0.5],
    ]) {
      const x = uniform(random, c, -20 * t, 0);
      x[3] = 0; // the max
      x[5] = -87.5 * t; // exp(-87.5) = 1e-38, just above the flush
      x[c - 2] = -88 * t; // exactly the clamp bound: exp is 0 without the clamp too
      const opts = { classes: c, temperature: t };
      const p = xe.softmax(x, opts);
      const lp = xe.logSoftmax(x, opts);
      assert.equal(p[c - 2], 0, `softmax at -88, C=${c} T=${t}`);
      const expectedLog = ref.logSoftmaxRow(Array.from(x, (v) => v / t));
      close(lp, expectedLog, { what: `logSoftmax, C=${c} T=${t}` });
      // atol 1e-37: exp(-88) = 6e-39 is flushed to 0, as the comment above says.
      close(p, expectedLog.map(Math.exp), { atol: 1e-37, rtol: 2e-5, what: `softmax, C=${c} T=${t}` });
      for (const far of [-Infinity, -1000 * t]) {
        const y = x.slice();
        y[c - 2] = far;
        const q = xe.softmax(y, opts);
        const lq = xe.logSoftmax(y, opts);
        assert.equal(q[c - 2], 0);
        for (let j = 0; j < c; j++) {
          if (j === c - 2) continue;
          assert.equal(q[j], p[j], `softmax[${j}], C=${c} T=${t}, ${far} at ${c - 2}`);
          assert.equal(lq[j], lp[j], `logSoftmax[${j}], C=${c} T=${t}, ${far} at ${c - 2}`);
        }
        if (t !== 1) continue;
        const a = xe.crossEntropyWithGrad(x, [3], { classes: c });
        const b = xe.crossEntropyWithGrad(y, [3], { classes: c });
        assert.equal(b.loss, a.loss, `loss, C=${c}, ${far}`);
        assert.deepEqual(b.grad, a.grad, `grad, C=${c}, ${far}`);
      }
    }
  });

  // softmax adds its exponentials in float32 within blocks of 8 per lane, then in float64: next to a
  // dominant 1, terms of 4e-8 (below half an ulp of 1) are rounded away only within its block, so the
  // sum stays within 4 roundings (2.4e-7). A float32 sum over the row would lose C/8 of them (3e-5 at
  // C = 4099) and fail this.
  test(`${build}: softmax keeps the small terms next to a dominant one`, () => {
    const random = rng(8);
    for (const c of [33, 64, 257, 4099]) {
      const x = uniform(random, 2 * c, -17.1, -16.9);
      x[0] = 0;
      x[c + 7] = 0;
      const expected = [];
      for (let i = 0; i < 2; i++) expected.push(...ref.logSoftmaxRow(Array.from(x.subarray(i * c, (i + 1) * c))));
      close(xe.softmax(x, { classes: c }), expected.map(Math.exp), { atol: 0, rtol: 1e-6, what: `softmax C=${c}` });
    }
  });

  const ceCases = [
    { name: 'class indices', target: 'labels' },
    { name: 'class indices, weights, smoothing 0.2', target: 'labels', weight: true, labelSmoothing: 0.2 },
    { name: 'class indices, ignoreIndex, sum', target: 'labels', ignore: true, reduction: 'sum' },
    { name: 'class indices, none, bits', target: 'labels', reduction: 'none', base: 2 },
    { name: 'soft targets', target: 'dense' },
    {
      name: 'soft targets, weights, smoothing, sum',
      target: 'dense',
      weight: true,
      labelSmoothing: 0.1,
      reduction: 'sum',
    },
    { name: 'probabilities, class indices, weights', target: 'labels', from: 'probs', weight: true },
    { name: 'probabilities, soft targets, smoothing', target: 'dense', from: 'probs', labelSmoothing: 0.3 },
  ];
  for (const cfg of ceCases) {
    test(`${build}: crossEntropyWithGrad, ${cfg.name}: loss matches float64, gradient matches finite differences`, () => {
      const random = rng(7);
      for (const c of [1, 3, 4, 9, 17]) {
        const n = 5;
        const x = cfg.from === 'probs' ? uniform(random, n * c, 0.05, 0.95) : uniform(random, n * c, -4, 4);
        let target;
        if (cfg.target === 'labels') {
          target = Int32Array.from({ length: n }, () => Math.floor(random() * c));
          if (cfg.ignore) target[2] = -100;
        } else {
          target = uniform(random, n * c, 0, 1);
          if (c === 1) target = Int32Array.from({ length: n }, () => 0);
        }
        const opts = {
          classes: c,
          from: cfg.from,
          reduction: cfg.reduction,
          labelSmoothing: cfg.labelSmoothing,
          base: cfg.base,
        };
        if (cfg.weight) opts.weight = uniform(random, c, 0.5, 2);
        const refOpts = {
          ...opts,
          from: cfg.from ?? 'logits',
          reduction: cfg.reduction ?? 'mean',
          base: cfg.base ?? Math.E,
        };
        const what = `C=${c}`;
        const expected = ref.crossEntropy(x, target, refOpts);
        close(xe.crossEntropy(x, target, opts), expected.loss, { rtol: 1e-5, atol: 1e-7, what: `loss ${what}` });
        const { loss, grad } = xe.crossEntropyWithGrad(x, target, opts);
        close(loss, expected.loss, { rtol: 1e-5, atol: 1e-7, what: `fused loss ${what}` });
        const sumLoss = (v) => {
          const r = ref.crossEntropy(v, target, refOpts);
          return refOpts.reduction === 'none' ? r.perRow.reduce((a, b) => a + b, 0) : r.loss;
        };
        close(grad, ref.numericGrad(sumLoss, x), { atol: 2e-6, rtol: 1e-4, what: `grad ${what}` });
      }
    });
  }

  test(`${build}: cross-entropy at logits 90..100 and +-1e4 stays finite and exact`, () => {
    const random = rng(3);
    for (const [lo, hi] of [
      [90, 100],
      [-1e4, 1e4],
    ]) {
      for (const c of [2, 16, 1000]) {
        const x = uniform(random, 4 * c, lo, hi);
        const t = [0, 1, c - 1, 1];
        const expected = ref.crossEntropy(x, t, { classes: c, reduction: 'none' }).loss;
        close(xe.crossEntropy(x, t, { classes: c, reduction: 'none' }), expected, { rtol: 1e-5, atol: 1e-5 });
      }
    }
  });

  test(`${build}: masks, ignored rows and empty batches follow the contract`, () => {
    const masked = [-Infinity, 0, 0];
    let r = xe.crossEntropyWithGrad(masked, [1], { classes: 3 });
    close(r.loss, LN2);
    assert.deepEqual(Array.from(r.grad), [0, -0.5, 0.5]);
    r = xe.crossEntropyWithGrad(masked, [0, 0.5, 0.5], { classes: 3 }); // zero target on the mask: 0
    close(r.loss, LN2);
    for (const [target, opts] of [
      [[1], { labelSmoothing: 0.1 }],
      [[0], {}],
      [[1, 0, 0], {}],
    ]) {
      r = xe.crossEntropyWithGrad(masked, target, { classes: 3, ...opts });
      assert.equal(r.loss, Infinity, `target ${target} ${JSON.stringify(opts)}`);
      assert.ok(r.grad.every(Number.isFinite));
    }
    r = xe.crossEntropyWithGrad([NaN, NaN, 1, 2], [-100, -100], { classes: 2 });
    assert.ok(Number.isNaN(r.loss));
    assert.deepEqual(Array.from(r.grad), [0, 0, 0, 0]);
    r = xe.crossEntropyWithGrad([NaN, 1, 1, 2], [5, 0], { classes: 2, ignoreIndex: 5, reduction: 'none' });
    assert.deepEqual(Array.from(r.loss.subarray(0, 1)), [0]);
    assert.deepEqual(Array.from(r.grad.subarray(0, 2)), [0, 0]);
    r = xe.crossEntropyWithGrad([NaN, 1], [0], { classes: 2 });
    assert.ok(Number.isNaN(r.loss) && r.grad.every(Number.isNaN));
    assert.ok(Number.isNaN(xe.crossEntropy([], [], { classes: 3 })));
    assert.equal(xe.crossEntropy([], [], { classes: 3, reduction: 'sum' }), 0);
    assert.ok(Number.isNaN(xe.crossEntropy([1, 2], [1], { classes: 2, weight: [1, 0] })));
  });

  test(`${build}: a target of length N is indices, N*C a distribution, integer arrays always indices`, () => {
    const x = [1, 2, 3, 4];
    // Rows [1, 2] with class 1 and [3, 4] with class 0: log(1 + e^-1) and log(1 + e^1).
    const asIndices = (Math.log1p(Math.exp(-1)) + Math.log1p(Math.exp(1))) / 2;
    close(xe.crossEntropy(x, [1, 0], { classes: 2 }), asIndices);
    close(xe.crossEntropy(x, new Float32Array([1, 0]), { classes: 2 }), asIndices);
    close(xe.crossEntropy(x, [0, 1, 1, 0], { classes: 2 }), asIndices);
    close(xe.crossEntropy([1, 2], new Uint8Array([0, 0]), { classes: 1 }), 0);
    assert.throws(() => xe.crossEntropy(x, new Int32Array([0, 1, 1, 0]), { classes: 2 }), RangeError);
  });

  test(`${build}: binaryCrossEntropyWithGrad matches float64 and finite differences`, () => {
    const random = rng(11);
    const x = uniform(random, 37, -6, 6);
    const y = uniform(random, 37, 0, 1);
    y[0] = 0;
    y[1] = 1;
    const w = uniform(random, 37, 0.5, 2);
    const p = uniform(random, 37, 0.02, 0.98);
    for (const opts of [{}, { posWeight: 3, weight: w }, { reduction: 'sum', base: 2 }, { reduction: 'none' }]) {
      for (const [input, from] of [
        [x, 'logits'],
        [p, 'probs'],
      ]) {
        const o = { ...opts, from };
        const expected = ref.binaryCrossEntropy(input, y, o);
        close(xe.binaryCrossEntropy(input, y, o), expected, { rtol: 1e-6, atol: 1e-7, what: JSON.stringify(o) });
        const { loss, grad } = xe.binaryCrossEntropyWithGrad(input, y, o);
        close(loss, expected, { rtol: 1e-6, atol: 1e-7 });
        const total = (v) => {
          const r = ref.binaryCrossEntropy(v, y, o);
          return Array.isArray(r) ? r.reduce((a, b) => a + b, 0) : r;
        };
        close(grad, ref.numericGrad(total, input), { atol: 1e-6, rtol: 1e-4, what: `grad ${JSON.stringify(o)}` });
      }
    }
    const inf = xe.binaryCrossEntropyWithGrad([Infinity, -Infinity, -Infinity], [1, 0, 1], { reduction: 'none' });
    assert.deepEqual(Array.from(inf.loss), [0, 0, Infinity]);
    assert.ok(inf.grad.every(Number.isFinite));
    assert.ok(Number.isNaN(xe.binaryCrossEntropy([NaN], [1])));
    // Clamped probabilities: loss at eps, no gradient.
    const clamped = xe.binaryCrossEntropyWithGrad([0], [1], { from: 'probs' });
    close(clamped.loss, -Math.log(1e-7), { rtol: 1e-6 });
    assert.equal(clamped.grad[0], 0);
  });

  // Confidently right predictions have tiny losses and gradients (log1p(e^-20) = 2.1e-9): they must keep
  // their relative precision, which the loose atol of the test above would not notice. The analytic
  // gradient sigmoid(x) (1 - y + pw y) - pw y is computed in float64 as (1 - y) sigmoid(x) - pw y
  // sigmoid(-x), which does not cancel at sigmoid(x) = 1. atol 1e-38: exponentials below float32's
  // smallest normal number flush to 0.
  test(`${build}: binaryCrossEntropy keeps small losses and gradients in both tails`, () => {
    const x = [];
    const y = [];
    for (const v of [0.5, 4, 12, 20, 40, 80, 87, 100]) {
      for (const t of [0, 1, 0.25]) (x.push(v, -v), y.push(t, t));
    }
    for (const opts of [{}, { posWeight: 2.5 }]) {
      const o = { ...opts, reduction: 'none' };
      const { loss, grad } = xe.binaryCrossEntropyWithGrad(x, y, o);
      close(loss, ref.binaryCrossEntropy(x, y, o), { rtol: 1e-6, atol: 1e-38, what: `loss ${JSON.stringify(o)}` });
      const pw = opts.posWeight ?? 1;
      const g = x.map((v, i) => (1 - y[i]) / (1 + Math.exp(-v)) - (pw * y[i]) / (1 + Math.exp(v)));
      close(grad, g, { rtol: 1e-6, atol: 1e-38, what: `grad ${JSON.stringify(o)}` });
    }
  });

  // From probabilities: near 0 and near 1, inside and at the clamp (default eps, a large eps, a subnormal
  // eps, given as float32 values since the kernel takes eps as one), small losses keep their relative
  // precision: -log(1 - 1e-6) = 1e-6. The gradient
  // (1 - y) / (1 - p) - pw y / p flows only inside [eps, 1 - eps], that is where p >= eps and 1 - p >= eps
  // (exact for float32 p >= 1/2): p = 1 is outside even when 1 - eps rounds to 1 in float64.
  test(`${build}: binaryCrossEntropy from probabilities keeps small losses near 0 and 1`, () => {
    const ps = [
      0,
      1e-40,
      1e-30,
      1e-9,
      1e-7,
      1e-6,
      1e-3,
      0.2,
      0.4999,
      0.5,
      0.5001,
      0.8,
      0.999,
      0.999999,
      1 - 2 ** -24,
      1,
    ];
    const x = new Float32Array(ps.length * 3);
    const y = new Float32Array(ps.length * 3);
    ps.forEach((p, i) => [0, 1, 0.25].forEach((t, j) => ((x[3 * i + j] = p), (y[3 * i + j] = t))));
    for (const opts of [{}, { posWeight: 2.5, eps: Math.fround(0.01) }, { eps: Math.fround(1e-40) }]) {
      const o = { ...opts, from: 'probs', reduction: 'none' };
      const { loss, grad } = xe.binaryCrossEntropyWithGrad(x, y, o);
      const what = JSON.stringify(o);
      close(loss, ref.binaryCrossEntropy(x, y, o), { rtol: 1e-6, atol: 0, what: `loss ${what}` });
      const eps = Math.fround(opts.eps ?? 1e-7);
      const pw = opts.posWeight ?? 1;
      const g = Array.from(x, (p, i) => (p >= eps && 1 - p >= eps ? (1 - y[i]) / (1 - p) - (pw * y[i]) / p : 0));
      // float32 out: -1 / 1e-40 overflows to -Infinity, as it must.
      close(grad, g.map(Math.fround), { rtol: 1e-6, atol: 0, what: `grad ${what}` });
    }
  });

  test(`${build}: sigmoid is exact in both tails`, () => {
    const x = [-30, -5, -0.5, 0, 0.5, 5, 30, 80, -80, Infinity, -Infinity, NaN];
    const expected = x.map((v) => 1 / (1 + Math.exp(-v)));
    close(xe.sigmoid(x), expected, { rtol: 2e-6, atol: 0 });
  });

  test(`${build}: softmaxBackward is the vector-Jacobian product of softmax`, () => {
    const random = rng(5);
    for (const c of [1, 3, 4, 17]) {
      const z = uniform(random, 2 * c, -3, 3);
      const g = uniform(random, 2 * c, -1, 1);
      const p = xe.softmax(z, { classes: c });
      const dot = (v) => {
        let s = 0;
        for (let i = 0; i < 2; i++) {
          const lp = ref.logSoftmaxRow(Array.from(v.slice(i * c, i * c + c)));
          lp.forEach((l, j) => (s += g[i * c + j] * Math.exp(l)));
        }
        return s;
      };
      close(xe.softmaxBackward(p, g, { classes: c }), ref.numericGrad(dot, z), {
        atol: 1e-6,
        rtol: 1e-4,
        what: `C=${c}`,
      });
    }
  });

  test(`${build}: entropy and klDivergence per row, reductions and bases`, () => {
    const p = [0.5, 0.5, 0, 1, 0.25, 0.75];
    const h = [LN2, 0, -(0.25 * Math.log(0.25) + 0.75 * Math.log(0.75))];
    close(xe.entropy(p, { classes: 2 }), h);
    close(xe.entropy(p.slice(0, 2), { classes: 2, base: 2, reduction: 'sum' }), 1);
    const q = [0.9, 0.1, 0.5, 0.5, 0.5, 0.5];
    const kl = [
      0.5 * Math.log(0.5 / 0.9) + 0.5 * Math.log(0.5 / 0.1),
      Math.log(2),
      0.25 * Math.log(0.5) + 0.75 * Math.log(1.5),
    ];
    close(xe.klDivergence(p, q, { classes: 2, reduction: 'none' }), kl);
    close(xe.klDivergence(p, q, { classes: 2 }), (kl[0] + kl[1] + kl[2]) / 3);
    close(
      xe.klDivergence(p, q.map(Math.log), { classes: 2, from: 'logits', reduction: 'sum', base: 2 }),
      (kl[0] + kl[1] + kl[2]) / LN2,
    );
    // H(p, q) = -sum p log q, by hand, and H(p) + KL(p || q) from the values above.
    const hpq = -(0.5 * Math.log(0.9) + 0.5 * Math.log(0.1)) + LN2 + LN2;
    close(hpq, h[0] + h[1] + h[2] + kl[0] + kl[1] + kl[2], { rtol: 1e-15, atol: 0, what: 'the hand values' });
    close(xe.crossEntropy(q, p, { classes: 2, from: 'probs', reduction: 'sum' }), hpq, { rtol: 1e-6 });
    assert.equal(xe.klDivergence([1, 0], [0, 1], { classes: 2 }), Infinity);
  });

  // Both against the same float64 reference: the mean loss over the non-ignored rows, and hit rates from
  // each row's rank (the number of logits strictly above the label's). Losses to rtol 1e-6 (a float64 sum
  // of float32-accurate row terms); counts and hit rates are exact.
  test(`${build}: evaluate and a streaming evaluator over batches match float64`, () => {
    const random = rng(9);
    const c = 10,
      n = 64;
    const x = uniform(random, n * c, -3, 3);
    const y = Int32Array.from({ length: n }, (_, i) => (i % 13 === 0 ? -100 : Math.floor(random() * c)));
    const rows = [];
    for (let i = 0; i < n; i++) if (y[i] !== -100) rows.push(i);
    const loss = ref.crossEntropy(x, y, { classes: c }).loss;
    const rank = (i) => {
      let r = 0;
      for (let j = 0; j < c; j++) r += x[i * c + j] > x[i * c + y[i]];
      return r;
    };
    const hits = (k) => rows.filter((i) => rank(i) < k).length / rows.length;
    const matches = (result, what) => {
      close(result.loss, loss, { rtol: 1e-6, what: `${what}.loss` });
      close(result.bits, loss / LN2, { rtol: 1e-6, what: `${what}.bits` });
      close(result.perplexity, Math.exp(loss), { rtol: 1e-6, what: `${what}.perplexity` });
      assert.equal(result.count, rows.length, `${what}.count`);
      assert.equal(result.accuracy, hits(1), `${what}.accuracy`);
      assert.deepEqual(result.topK, { 1: hits(1), 3: hits(3), 11: 1 }, `${what}.topK`);
    };
    assert.ok(hits(1) > 0 && hits(3) > hits(1) && hits(3) < 1, 'the data tell top-1, top-3 and top-11 apart');
    matches(xe.evaluate(x, y, { classes: c, topK: [1, 3, 11] }), 'evaluate');
    const ev = xe.evaluator({ classes: c, topK: [1, 3, 11] });
    for (let i = 0; i < n; i += 20)
      ev.add(x.subarray(i * c, Math.min(n, i + 20) * c), y.subarray(i, Math.min(n, i + 20)));
    assert.throws(() => ev.add(x.subarray(0, c), [c]), RangeError);
    matches(ev.result(), 'evaluator (4 batches)');
    ev.reset();
    assert.equal(ev.result().count, 0);
    assert.ok(Number.isNaN(ev.result().loss));
  });

  test(`${build}: out receives the result and is returned; element-wise functions may alias their input`, () => {
    const x = new Float32Array([1, 2, 3, 4]);
    const out = new Float32Array(4);
    assert.equal(xe.softmax(x, { classes: 2, out }), out);
    // Each row is [a, a + 1]: softmax [1 / (1 + e), e / (1 + e)].
    const e = Math.E;
    close(out, [1 / (1 + e), e / (1 + e), 1 / (1 + e), e / (1 + e)]);
    const expected = Array.from(x, (v) => 1 / (1 + Math.exp(-v)));
    assert.equal(xe.sigmoid(x, { out: x }), x);
    close(x, expected);
    const wa = xe.alloc(4);
    wa.array.set([1, 2, 3, 4]);
    const grad = ref.crossEntropyGrad([1, 2, 3, 4], [0, 1], { classes: 2 });
    const r = xe.crossEntropyWithGrad(wa, [0, 1], { classes: 2, out: wa });
    assert.equal(r.grad, wa);
    close(r.loss, ref.crossEntropy([1, 2, 3, 4], [0, 1], { classes: 2 }).loss);
    close(wa.array, grad);
    wa.free();
  });

  // In place on the zero-copy path: `out` is the very WasmArray an input lives in, so a kernel must read
  // what it needs before it writes (softmaxBackward: the whole row, for sum(g * p)). C = 1000 and a
  // length of 1003 take the vector loops and their tails. Tolerances: softmaxBackward as the torch tests'
  // gradients (g - sum(g p) in float32 cancels to a few ulp of |g| <= 1: atol 1e-6); BCE gradients are
  // two float32 terms of at most max |grad| each, which may cancel: atol 2e-6 of that, rtol 1e-5.
  test(`${build}: in place on WasmArrays: softmaxBackward into probs or gradOut, BCE gradients into an input`, () => {
    const random = rng(13);
    for (const c of [1, 3, 8, 17, 1000]) {
      const n = 3;
      const p = uniform(random, n * c, 0, 1);
      for (let i = 0; i < n * c; i += c) {
        const sum = p.subarray(i, i + c).reduce((a, b) => a + b, 0);
        for (let j = i; j < i + c; j++) p[j] /= sum;
      }
      const g = uniform(random, n * c, -1, 1);
      const expected = ref.softmaxBackward(p, g, c);
      for (const into of ['probs', 'gradOut']) {
        const P = xe.alloc(n * c);
        const G = xe.alloc(n * c);
        P.array.set(p);
        G.array.set(g);
        const [out, other, otherValues] = into === 'probs' ? [P, G, g] : [G, P, p];
        assert.equal(xe.softmaxBackward(P, G, { classes: c, out }), out);
        close(out.array, expected, { rtol: 1e-5, atol: 1e-6, what: `softmaxBackward C=${c}, out: ${into}` });
        assert.deepEqual(other.array, otherValues, `softmaxBackward C=${c}, out: ${into}: the other input`);
        P.free();
        G.free();
      }
    }

    const len = 1003;
    const logits = uniform(random, len, -6, 6);
    const probs = uniform(random, len, 0.02, 0.98);
    const y = uniform(random, len, 0, 1);
    y[0] = 0;
    y[1] = 1;
    const w = uniform(random, len, 0.5, 2);
    for (const [x, from] of [
      [logits, 'logits'],
      [probs, 'probs'],
    ]) {
      for (const opts of [{ reduction: 'none' }, { posWeight: 3 }, { reduction: 'sum', weight: w, base: 2 }]) {
        const o = { ...opts, from };
        const loss = ref.binaryCrossEntropy(x, y, o);
        const grad = ref.binaryCrossEntropyGrad(x, y, o);
        const atol = 2e-6 * Math.max(...grad.map(Math.abs));
        for (const into of ['input', 'target']) {
          const X = xe.alloc(len);
          const Y = xe.alloc(len);
          X.array.set(x);
          Y.array.set(y);
          const out = into === 'input' ? X : Y;
          const what = `binaryCrossEntropyWithGrad ${JSON.stringify({ ...o, weight: o.weight && 'yes' })}, out: ${into}`;
          const r = xe.binaryCrossEntropyWithGrad(X, Y, { ...o, out });
          assert.equal(r.grad, out);
          close(r.loss, loss, { rtol: 1e-6, atol: 1e-7, what: `${what}: loss` });
          close(out.array, grad, { rtol: 1e-5, atol, what: `${what}: grad` });
          X.free();
          Y.free();
        }
      }
    }
  });

  test(`${build}: WasmArray: zero-copy inputs and outputs, and use after free throws`, () => {
    const a = xe.alloc(6);
    assert.equal(a.length, 6);
    assert.deepEqual(Array.from(a.array), [0, 0, 0, 0, 0, 0]);
    a.array.set([1, 2, 3, 3, 2, 1]);
    const out = xe.alloc(6);
    xe.logSoftmax(a, { classes: 3, out });
    // log softmax([1, 2, 3]) = [1, 2, 3] - log(e + e^2 + e^3); classes 2 and 0 pick the 3s.
    const lse = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));
    close(out.array, [1 - lse, 2 - lse, 3 - lse, 3 - lse, 2 - lse, 1 - lse]);
    close(xe.crossEntropy(a, [2, 0], { classes: 3 }), lse - 3);
    a.free();
    out.free();
    assert.throws(() => a.array, { name: 'Error', message: /freed/ });
    assert.throws(() => a.free(), { name: 'Error', message: /freed/ });
    assert.throws(() => xe.softmax(a, { classes: 3 }), /freed/);
    assert.equal(xe.alloc(0).length, 0);
  });
}
