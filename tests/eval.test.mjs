// topK and the evaluation report in both builds, against tests/fixtures/eval.json (torch.topk and
// torch.sort(stable=True) for topK; scikit-learn 1.2 for confusion matrices and precision / recall / F1;
// NumPy float64 for calibration, Brier and losses: see tests/fixtures/generate_eval.py), and the streaming
// evaluator against one evaluate() over the concatenated batches.
//
// Tolerances (|a - b| <= atol + rtol |b|):
// - indices, counts, the confusion matrix, and ratios of counts (accuracy, top-k, per-bin accuracy,
//   precision, recall, F1, IoU from counts): exact up to float64 rounding of the same formula, rtol 1e-12;
// - probabilities: float32 exponentials (about 2 ulp) over a float64 sum, one float32 rounding:
//   rtol 2e-5, atol 1e-7, as the softmax tests;
// - log-probabilities and losses: (x - max) / T and log(sum) each rounded once in float32 (6e-8 of values
//   up to ~20 after a temperature): atol 2e-6, rtol 2e-6;
// - confidences (1 / sum of float32 exponentials, ~2.4e-7 relative) and what is built from them (bin means,
//   ECE, MCE), and the Brier score (sum p^2 - 2 p_t + 1 cancels near a confident row: absolute errors of a
//   few 1e-7): atol 1e-6, rtol 1e-6.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import test from 'node:test';

import { builds, rng, uniform } from './lib/builds.mjs';
import { close } from './lib/tolerance.mjs';
import { decodeNumber } from './lib/torch-fixtures.mjs';

const fixtures = JSON.parse(readFileSync(new URL('./fixtures/eval.json', import.meta.url), 'utf8'));
const nums = (a) => Float64Array.from(a, decodeNumber);
const EXACT = { rtol: 1e-12, atol: 0 };
const PROB = { rtol: 2e-5, atol: 1e-7 };
const LOG = { rtol: 2e-6, atol: 2e-6 };
const CONF = { rtol: 1e-6, atol: 1e-6 };

function checkReport(got, want, what) {
  const num = (v) => decodeNumber(v);
  close(got.loss, num(want.loss), { ...LOG, what: `${what}: loss` });
  assert.equal(got.count, want.count, `${what}: count`);
  close(got.accuracy, num(want.accuracy), { ...EXACT, what: `${what}: accuracy` });
  for (const [k, v] of Object.entries(want.topK)) close(got.topK[k], num(v), { ...EXACT, what: `${what}: topK[${k}]` });
  const cal = want.calibration;
  assert.equal(got.calibration.bins, cal.bins);
  assert.deepEqual(Array.from(got.calibration.count), Array.from(nums(cal.count)), `${what}: calibration.count`);
  close(got.calibration.accuracy, nums(cal.accuracy), { ...EXACT, what: `${what}: calibration.accuracy` });
  close(got.calibration.confidence, nums(cal.confidence), { ...CONF, what: `${what}: calibration.confidence` });
  close(got.calibration.ece, num(cal.ece), { ...CONF, what: `${what}: ece` });
  close(got.calibration.mce, num(cal.mce), { ...CONF, what: `${what}: mce` });
  close(got.brier, num(want.brier), { ...CONF, what: `${what}: brier` });
  assert.ok(got.confusion instanceof Float64Array);
  assert.deepEqual(Array.from(got.confusion), Array.from(nums(want.confusion)), `${what}: confusion`);
  for (const m of ['precision', 'recall', 'f1', 'iou', 'support']) {
    assert.ok(got.perClass[m] instanceof Float64Array, `${what}: perClass.${m} is a Float64Array`);
    close(got.perClass[m], nums(want.perClass[m]), { ...EXACT, what: `${what}: perClass.${m}` });
  }
  for (const avg of ['macro', 'weighted'])
    for (const m of ['precision', 'recall', 'f1'])
      close(got[avg][m], num(want[avg][m]), { ...EXACT, what: `${what}: ${avg}.${m}` });
  close(got.meanIoU, num(want.meanIoU), { ...EXACT, what: `${what}: meanIoU` });
}

for (const [simd, xe] of await builds()) {
  const build = simd ? 'simd' : 'scalar';

  test(`${build}: topK against torch.topk (ties by index, NaN first, -Infinity last), probs and logProbs`, () => {
    for (const c of fixtures.topk) {
      const x = Float32Array.from(c.x, decodeNumber);
      const d = c.dim < 0 ? c.dim + c.shape.length : c.dim;
      for (const r of c.results) {
        const what = `${c.name} k=${r.k}`;
        // 2-D cases as { classes } (the class axis last), N-D ones as { shape, dim }.
        const opts =
          c.shape.length === 2 && d === 1
            ? { classes: c.shape[1], temperature: c.temperature }
            : { shape: c.shape, dim: c.dim, temperature: c.temperature };
        const input = xe.topK(x, r.k, opts);
        assert.ok(input.indices instanceof Int32Array && input.values instanceof Float32Array);
        assert.equal(input.indices.length, (x.length / c.shape[d]) * r.k || 0);
        assert.deepEqual(Array.from(input.indices), r.indices, `${what}: indices`);
        close(input.values, nums(r.input), { ...EXACT, what: `${what}: input values` });
        const probs = xe.topK(x, r.k, { ...opts, values: 'probs' });
        assert.deepEqual(Array.from(probs.indices), r.indices, `${what}: indices with probs`);
        close(probs.values, nums(r.probs), { ...PROB, what: `${what}: probs` });
        const logProbs = xe.topK(x, r.k, { ...opts, values: 'logProbs' });
        assert.deepEqual(Array.from(logProbs.indices), r.indices, `${what}: indices with logProbs`);
        close(logProbs.values, nums(r.logProbs), { ...LOG, what: `${what}: logProbs` });
      }
    }
  });

  test(`${build}: evaluate's report against scikit-learn and NumPy float64`, () => {
    for (const c of fixtures.evaluate) {
      const x = Float32Array.from(c.x, decodeNumber);
      const labels = Int32Array.from(c.labels);
      checkReport(xe.evaluate(x, labels, c.opts), c.expect, c.name);
      // The evaluator over batches of 1, 7 and the rest of the first axis gives the same report (one batch
      // when the first axis is the class axis).
      const ev = xe.evaluator(c.opts);
      const shape = c.opts.shape ?? [labels.length, c.opts.classes];
      const first = c.opts.shape && (c.opts.dim ?? (shape.length === 1 ? 0 : 1)) % shape.length === 0;
      const n = first ? 1 : shape[0];
      const xPer = n === 0 ? 0 : x.length / n;
      const yPer = n === 0 ? 0 : labels.length / n;
      for (const [a, b] of [
        [0, 1],
        [1, 8],
        [8, n],
      ]) {
        if (a < n || (a === 0 && n === 0)) {
          const e = Math.min(b, n);
          ev.add(x.subarray(a * xPer, e * xPer), labels.subarray(a * yPer, e * yPer));
        }
      }
      checkReport(ev.result(), c.expect, `${c.name} (evaluator, 3 batches)`);
    }
  });

  // The kernel keeps per-position confidences and predictions for about 2^18 positions at a time
  // (cpp/kernels/evaluate.cc): inputs of more positions, rows and the class axis not last, against a float64
  // computation here (prediction: the first largest logit; confidence 1 / sum exp(z - max)). Counts exact;
  // bin means within CONF.
  test(`${build}: the report over more positions than the kernel keeps at once (2^18)`, () => {
    const random = rng(2718);
    const C = 3;
    for (const [what, opts, outer, inner] of [
      ['rows 300000 x 3', { classes: C }, 300000, 1],
      ['shape [3, 3, 100000] dim 1', { shape: [3, C, 100000], dim: 1 }, 3, 100000],
    ]) {
      const x = Float32Array.from({ length: outer * C * inner }, () => 6 * random() - 3);
      const labels = Int32Array.from({ length: outer * inner }, (_, i) => (i % 13 === 5 ? -100 : i % C));
      const bins = 4;
      const want = {
        confusion: new Array(C * C).fill(0),
        count: new Array(bins).fill(0),
        conf: new Array(bins).fill(0),
      };
      for (let o = 0; o < outer; o++) {
        for (let p = 0; p < inner; p++) {
          const t = labels[o * inner + p];
          if (t === -100) continue;
          const z = Array.from({ length: C }, (_, j) => x[(o * C + j) * inner + p]);
          const max = Math.max(...z);
          const conf = 1 / z.reduce((s, v) => s + Math.exp(v - max), 0);
          const b = Math.min(Math.floor(conf * bins), bins - 1);
          want.confusion[t * C + z.indexOf(max)]++;
          want.count[b]++;
          want.conf[b] += conf;
        }
      }
      const got = xe.evaluate(x, labels, { ...opts, calibration: bins, confusion: true });
      assert.deepEqual(Array.from(got.confusion), want.confusion, `${what}: confusion`);
      assert.deepEqual(Array.from(got.calibration.count), want.count, `${what}: calibration.count`);
      close(
        got.calibration.confidence,
        want.conf.map((s, b) => s / want.count[b]),
        { ...CONF, what: `${what}: calibration.confidence` },
      );
    }
  });

  // From C*C >= 2^15 cells web/metrics.js counts the (label, prediction) pairs bucketed by label rather than
  // in position order: C = 300 with ignored positions, one call and an evaluator over uneven batches
  // (each adding to the counts of the batches before), against counts made here.
  test(`${build}: a large confusion matrix (C = 300) counts every pair, in one call and over batches`, () => {
    const random = rng(314);
    const C = 300;
    const n = 2000;
    const x = uniform(random, n * C, -4, 4);
    for (let i = 0; i < n; i += 7) x[i * C + ((i * 11) % C)] = 9; // some rows predicted right
    const labels = Int32Array.from({ length: n }, (_, i) => (i % 17 === 3 ? -1 : (i * 11) % C));
    const want = new Array(C * C).fill(0);
    const support = new Array(C).fill(0);
    for (let i = 0; i < n; i++) {
      if (labels[i] === -1) continue;
      const row = Array.from(x.subarray(i * C, (i + 1) * C));
      want[labels[i] * C + row.indexOf(Math.max(...row))]++;
      support[labels[i]]++;
    }
    const opts = { classes: C, confusion: true, ignoreIndex: -1 };
    const one = xe.evaluate(x, labels, opts);
    assert.deepEqual(Array.from(one.confusion), want);
    assert.deepEqual(Array.from(one.perClass.support), support);
    const ev = xe.evaluator(opts);
    for (const [a, b] of [
      [0, 1],
      [1, 700],
      [700, 701],
      [701, n],
    ]) {
      ev.add(x.subarray(a * C, b * C), labels.subarray(a, b));
    }
    const parts = ev.result();
    assert.deepEqual(Array.from(parts.confusion), want);
    assert.deepEqual(Array.from(parts.perClass.support), support);
  });

  test(`${build}: the evaluator over many batches equals evaluate on their concatenation`, () => {
    const random = rng(11);
    const c = 23;
    const n = 3001;
    const x = uniform(random, n * c, -4, 4);
    for (let i = 0; i < n; i += 17) x[i * c + (i % c)] += 6; // confident rows too
    const y = Int32Array.from({ length: n }, (_, i) => (i % 31 === 0 ? -100 : Math.floor(random() * c)));
    for (const opts of [
      { classes: c, topK: [1, 5], calibration: 15, brier: true, confusion: true },
      { classes: c, temperature: 1.7, calibration: 3, confusion: true },
      { classes: c, brier: true },
    ]) {
      const whole = xe.evaluate(x, y, opts);
      const ev = xe.evaluator(opts);
      let i = 0;
      for (let size = 1; i < n; size = (size * 3 + 1) % 211) {
        const end = Math.min(n, i + size);
        ev.add(x.subarray(i * c, end * c), y.subarray(i, end));
        i = end;
      }
      const parts = ev.result();
      // Counts exactly; sums (loss, Brier, confidences) to float64 rounding.
      assert.equal(parts.count, whole.count);
      assert.deepEqual(parts.topK, whole.topK);
      assert.equal(parts.accuracy, whole.accuracy);
      close(parts.loss, whole.loss, { rtol: 1e-12, atol: 0 });
      if (opts.confusion) {
        assert.deepEqual(parts.confusion, whole.confusion);
        assert.deepEqual(parts.perClass, whole.perClass);
        assert.deepEqual(parts.macro, whole.macro);
      }
      if (opts.calibration) {
        assert.deepEqual(parts.calibration.count, whole.calibration.count);
        assert.deepEqual(parts.calibration.accuracy, whole.calibration.accuracy);
        close(parts.calibration.confidence, whole.calibration.confidence, { rtol: 1e-12, atol: 0 });
        close(parts.calibration.ece, whole.calibration.ece, { rtol: 1e-9, atol: 1e-15 });
      }
      if (opts.brier) close(parts.brier, whole.brier, { rtol: 1e-12, atol: 0 });
      else assert.equal(parts.brier, undefined);
      // reset() forgets everything, extras included.
      ev.reset();
      const empty = ev.result();
      assert.equal(empty.count, 0);
      assert.ok(Number.isNaN(empty.loss));
      if (opts.confusion) assert.ok(empty.confusion.every((v) => v === 0));
      if (opts.calibration) {
        assert.ok(empty.calibration.count.every((v) => v === 0));
        assert.ok(Number.isNaN(empty.calibration.ece) && Number.isNaN(empty.calibration.mce));
      }
      if (opts.brier) assert.ok(Number.isNaN(empty.brier));
    }
  });

  // Under AddressSanitizer the quarantine delays reuse of each batch's freed scratch, so the heap grows
  // with the number of batches whatever the evaluator keeps: this runs against the release build only.
  const sanitized = process.env.XE_SANITIZED && 'ASan quarantine delays reuse of freed memory';
  test(
    `${build}: the evaluator's state stays O(C^2 + bins): 64 MiB of logits in 256 KiB batches`,
    { skip: sanitized },
    () => {
      const c = 1000;
      const rows = 64; // 256 KiB per batch
      const x = uniform(rng(3), rows * c, -3, 3);
      const y = Int32Array.from({ length: rows }, (_, i) => (i * 7) % c);
      const ev = xe.evaluator({ classes: c, calibration: 10, brier: true, confusion: true, topK: [1, 5] });
      const heap = () => xe.alloc(0).array.buffer.byteLength;
      ev.add(x, y);
      const after1 = heap();
      for (let b = 1; b < 256; b++) ev.add(x, y);
      assert.equal(heap(), after1, 'wasm memory did not grow with the number of batches');
      const r = ev.result();
      assert.equal(r.count, 256 * rows);
      assert.equal(
        r.confusion.reduce((a, v) => a + v, 0),
        256 * rows,
      );
      const one = xe.evaluate(x, y, { classes: c, calibration: 10, brier: true, confusion: true });
      assert.deepEqual(
        Array.from(r.confusion),
        Array.from(one.confusion, (v) => v * 256),
      );
    },
  );

  test(`${build}: topK over a 128k vocabulary equals logSoftmax + a stable sort, and reads its blocks right`, () => {
    const c = 128000;
    const x = uniform(rng(5), 2 * c, -10, 10);
    x[100_000] = 30; // the max in a late block: the online sum is rescaled
    x[c + 3] = 25;
    x[c + 127_999] = 25; // a tie at the row's two ends
    const lp = xe.logSoftmax(x, { classes: c });
    const r = xe.topK(x, 5, { classes: c, values: 'logProbs' });
    for (let i = 0; i < 2; i++) {
      const row = Array.from(x.subarray(i * c, (i + 1) * c), (v, j) => [v, j]);
      row.sort((a, b) => b[0] - a[0] || a[1] - b[1]);
      const want = row.slice(0, 5).map((e) => e[1]);
      assert.deepEqual(Array.from(r.indices.subarray(i * 5, i * 5 + 5)), want);
      // logSoftmax sums in one pass after the max; topK online over blocks: float32 roundings apart.
      close(
        r.values.subarray(i * 5, i * 5 + 5),
        want.map((j) => lp[i * c + j]),
        { rtol: 1e-6, atol: 1e-6 },
      );
    }
  });

  test(`${build}: from: 'probs' reads probabilities as given, not renormalised`, () => {
    const p = [0.5, 0.3, 0.1, 0.2, 0.2, 0.2]; // row sums 0.9 and 0.6
    const r = xe.evaluate(p, [0, 2], { classes: 3, from: 'probs', calibration: 2, brier: true, confusion: true });
    const f = (v) => Math.fround(v);
    close(r.loss, (-Math.log(f(0.5)) - Math.log(f(0.2))) / 2, { rtol: 1e-12 });
    // Row 2 ties three ways: the first is the prediction, so the label 2 is a miss.
    assert.equal(r.accuracy, 0.5);
    assert.deepEqual(Array.from(r.confusion), [1, 0, 0, 0, 0, 0, 1, 0, 0]);
    // Confidence 0.5 with 2 bins: floor(0.5 * 2) = 1, the upper bin; 0.2 the lower.
    assert.deepEqual(Array.from(r.calibration.count), [1, 1]);
    assert.deepEqual(Array.from(r.calibration.confidence), [f(0.2), f(0.5)]);
    assert.deepEqual(Array.from(r.calibration.accuracy), [0, 1]);
    const brier0 = (f(0.5) - 1) ** 2 + f(0.3) ** 2 + f(0.1) ** 2;
    const brier1 = f(0.2) ** 2 * 2 + (f(0.2) - 1) ** 2;
    close(r.brier, (brier0 + brier1) / 2, { rtol: 1e-12 });
  });

  test(`${build}: topK and the report reject bad input naming function, argument and value`, () => {
    const x = new Float32Array(6);
    const cases = [
      [() => xe.topK(x, 4, { classes: 3 }), RangeError, 'topK: k = 4 must be an integer in [1, 3]'],
      [() => xe.topK(x, 0, { classes: 3 }), RangeError, 'topK: k = 0 must be an integer in [1, 3]'],
      [() => xe.topK(x, 1.5, { classes: 3 }), RangeError, 'topK: k = 1.5 must be an integer in [1, 3]'],
      [() => xe.topK(x, '2', { classes: 3 }), TypeError, 'topK: k must be a number, got "2"'],
      [() => xe.topK(x, 2, { classes: 3, values: 'log' }), RangeError, /topK: options.values = "log" must be one of/],
      [() => xe.topK(x, 2, { classes: 3, values: 1 }), TypeError, 'topK: options.values must be a string, got 1'],
      [() => xe.topK(x, 2, { classes: 3, temperature: 0 }), RangeError, /topK: options.temperature = 0 is outside/],
      [() => xe.topK(x, 2, { classes: 4 }), RangeError, /topK: x has length 6, which is not a multiple of classes = 4/],
      [() => xe.topK('x', 2, { classes: 3 }), TypeError, /topK: x must be a Float32Array/],
      [() => xe.topK(x, 2), TypeError, /topK: options must be an object/],
      [
        () => xe.evaluate(x, [0, 1], { classes: 3, calibration: 0 }),
        RangeError,
        'evaluate: options.calibration = 0 must be an integer in [1, 2^24]',
      ],
      [
        () => xe.evaluate(x, [0, 1], { classes: 3, calibration: 2.5 }),
        RangeError,
        'evaluate: options.calibration = 2.5 must be an integer in [1, 2^24]',
      ],
      [
        () => xe.evaluate(x, [0, 1], { classes: 3, calibration: '10' }),
        TypeError,
        'evaluate: options.calibration must be a number of bins, got "10"',
      ],
      [
        () => xe.evaluate(x, [0, 1], { classes: 3, brier: 1 }),
        TypeError,
        'evaluate: options.brier must be a boolean, got 1',
      ],
      [
        () => xe.evaluator({ classes: 3, confusion: 'yes' }),
        TypeError,
        'evaluator: options.confusion must be a boolean, got "yes"',
      ],
      [
        () => xe.evaluate(x, [0, 1], { classes: 3, from: 'probs', temperature: 2 }),
        RangeError,
        "evaluate: options.temperature = 2 applies to logits only, not from: 'probs'",
      ],
      [
        () => xe.evaluate(x, [0, 1], { classes: 3, from: 'prob' }),
        RangeError,
        /evaluate: options.from = "prob" must be one of 'logits', 'probs'/,
      ],
      [() => xe.evaluate(x, [0, 1], { classes: 3, eps: 1 }), RangeError, /evaluate: options.eps = 1 is outside/],
      [
        () => xe.evaluate(x, [0, 1], { classes: 3, temperature: -1 }),
        RangeError,
        /evaluate: options.temperature = -1 is outside/,
      ],
      // 2^20 classes: a C*C matrix of 8 TiB, beyond any engine's typed arrays.
      [
        () => xe.evaluate(new Float32Array(2 ** 20), [0], { classes: 2 ** 20, confusion: true }),
        RangeError,
        'evaluate: cannot allocate the 1048576 x 1048576 confusion matrix (8388608.0 MiB)',
      ],
      [
        () => xe.evaluator({ classes: 2 ** 20, confusion: true }),
        RangeError,
        'evaluator: cannot allocate the 1048576 x 1048576 confusion matrix (8388608.0 MiB)',
      ],
    ];
    for (const [call, type, message] of cases)
      assert.throws(
        call,
        (e) => e instanceof type && (typeof message === 'string' ? e.message === message : message.test(e.message)),
        String(message),
      );
  });

  test(`${build}: float16 inputs give the bits of float32 inputs holding the same values`, (t) => {
    if (typeof Float16Array === 'undefined') {
      // Node 20 has no Float16Array (Node 24 and Chromium have it), so the half path cannot be reached.
      assert.throws(() => xe.alloc(4, { dtype: 'float16' }), TypeError);
      return t.skip('no Float16Array in this runtime');
    }
    const h = Float16Array.from(uniform(rng(21), 2 * 5 * 3 * 40, -6, 6));
    const f = Float32Array.from(h);
    const labels = Int32Array.from({ length: 2 * 5 * 3 }, (_, i) => (i * 7) % 40);
    for (const opts of [{ classes: 40 }, { shape: [2, 5, 40, 3], dim: 2 }, { shape: [2, 40, 15] }]) {
      const wasm = xe.alloc(h.length, { dtype: 'float16' });
      wasm.array.set(h);
      for (const input of [h, wasm]) {
        assert.deepEqual(
          xe.topK(input, 4, { ...opts, values: 'logProbs' }),
          xe.topK(f, 4, { ...opts, values: 'logProbs' }),
        );
        const report = { ...opts, calibration: 5, brier: true, confusion: true, topK: [1, 3] };
        if (opts.shape && opts.dim === undefined) {
          assert.deepEqual(xe.evaluate(input, labels, report), xe.evaluate(f, labels, report));
        } else if (!opts.shape) {
          assert.deepEqual(
            xe.evaluate(input, labels.subarray(0, 30), report),
            xe.evaluate(f, labels.subarray(0, 30), report),
          );
        }
      }
      wasm.free();
    }
  });

  test(`${build}: a failed add() leaves the evaluator's state untouched`, () => {
    const opts = { classes: 3, calibration: 4, brier: true, confusion: true, topK: [1, 2] };
    const ev = xe.evaluator(opts);
    ev.add([1, 2, 3, 3, 2, 1], [2, 1]);
    const before = ev.result();
    assert.throws(() => ev.add([1, 2, 3, 3, 2, 1], [2, 3]), RangeError);
    assert.throws(() => ev.add([1, 2, 3, 3, 2], [2, 1]), RangeError);
    assert.throws(() => ev.add([1, 2, 3], [NaN]), RangeError);
    assert.throws(() => ev.add([1, 2, 3], 'a'), TypeError);
    assert.deepEqual(ev.result(), before);
    assert.equal(before.count, 2);
  });
}
