// The engine-neutral checks: one module that every browser (page, module Web Worker, strict-CSP page,
// cross-origin-isolated page) and every runtime (Node 18-24, Deno, Bun) runs unchanged. The caller passes
// the xentropy module namespace (`web/index.js` in a browser, `import * as xentropy from 'xentropy'` in a
// runtime); every expected value is computed in plain float64 JavaScript (reference.mjs, the one module this
// imports), never by the library. A run never throws: it returns a report that the test drivers assert on
// and print.
//
//   import { runAll } from './checks.mjs';
//   const reports = await runAll(xentropy, { cores });   // one report per SIMD_OPTIONS entry:
//   // { engine, scope, option, build, threads, version, features, passed: [names],
//   //   failed: [{ name, message }], skipped: [{ name, reason }], digests: { [check name]: hex } }
//
// To add a check: push onto CHECKS. A check that needs an engine feature (Float16Array, shared memory) gives
// `when: (ctx) => reason or ''`: a non-empty reason skips it, and the report lists it as skipped with that
// reason, so each engine's output says what it did not run (and the drivers fail on a skip they do not
// expect). `once: true` runs a check in the simd: 'auto' report only (it loads its own instances).

import {
  close,
  digest,
  equal,
  identical,
  logSoftmaxRows,
  mean,
  randomLogits,
  refBceLogits,
  refBceProbs,
  refCrossEntropy,
  refLogSoftmax,
  refSigmoid,
  refSoftCrossEntropy,
  refSoftmax,
  rng,
  rows,
  sum,
  tabulate,
  throwsA,
} from './reference.mjs';

/** Which engine or runtime this is, with its version. */
export function describeEngine() {
  const g = globalThis;
  if (g.Deno?.version) return `Deno ${g.Deno.version.deno} (V8 ${g.Deno.version.v8})`;
  if (g.Bun?.version) return `Bun ${g.Bun.version}`;
  if (typeof g.process === 'object' && g.process.versions?.node) return `Node ${g.process.version}`;
  if (g.navigator?.userAgent) return g.navigator.userAgent;
  return 'unknown';
}

/** Whether this engine validates a module with a v128 instruction (i8x16.splat + i8x16.popcnt). */
export function engineHasSimd() {
  const bytes = [
    0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
  ];
  return typeof WebAssembly === 'object' && WebAssembly.validate(new Uint8Array(bytes));
}

// ---- the checks -------------------------------------------------------------------------------------------
// Each check gets ctx = { xe, xentropy, simd (the option), random } and throws on a mismatch.

const CHECKS = [
  {
    name: 'which build loaded',
    run({ xe, xentropy, simd, fetched }) {
      const hasSimd = engineHasSimd();
      equal(xentropy.simdSupported(), hasSimd, 'simdSupported() against a v128 module validated here');
      equal(xe.simd, simd === 'auto' ? hasSimd : simd, `xe.simd with { simd: ${String(simd)} }`);
      // In a browser the fetched .wasm says which build it is (runtimes read the file: nothing is listed).
      // More than one thread is the threaded build, which is SIMD.
      if (xe.threads > 1) equal(xe.simd, true, `xe.simd with ${xe.threads} threads`);
      const build = xe.threads > 1 ? 'threads' : xe.simd ? 'simd' : 'scalar';
      const expected = `xentropy-${build}.wasm`;
      for (const url of fetched()) {
        if (!url.endsWith(expected)) throw new Error(`fetched ${url}, expected ${expected}`);
      }
      equal(typeof xe.version, 'string', 'typeof xe.version');
      equal(xe.version, xentropy.version, 'xe.version against the exported version');
    },
  },
  {
    name: 'the worked example: q = [0.7, 0.2, 0.1], class A',
    run({ xe }) {
      close(xe.crossEntropy([0.7, 0.2, 0.1], [0], { classes: 3, from: 'probs' }), -Math.log(0.7), 'nats');
      close(xe.crossEntropy([0.7, 0.2, 0.1], [0], { classes: 3, from: 'probs', base: 2 }), -Math.log2(0.7), 'bits');
    },
  },
  {
    name: 'softmax and logSoftmax, including temperature, huge logits and -Infinity masks',
    run({ xe, random }) {
      const c = 7;
      const x = randomLogits(random, 5 * c);
      x.set([90, 91, 92, 93, 94, 95, 100], c); // exp would overflow without the shift
      x.set([1e4, -1e4, 0, 5e3, -5e3, 1e4, 2], 2 * c);
      x.set([-Infinity, 1, 2, -Infinity, 0.5, 3, -1], 3 * c);
      const sm = xe.softmax(x, { classes: c });
      if (!(sm instanceof Float32Array)) throw new Error('softmax returns a Float32Array');
      close(sm, rows(x, c).flatMap(refSoftmax), 'softmax');
      equal(sm[3 * c], 0, 'a -Infinity logit has probability exactly 0');
      close(xe.logSoftmax(x, { classes: c }), rows(x, c).flatMap(refLogSoftmax), 'logSoftmax', { atol: 1e-5 });
      const t = 2.5;
      close(
        xe.softmax(x, { classes: c, temperature: t }),
        rows(x, c).flatMap((row) => refSoftmax(row.map((v) => v / t))),
        'softmax, temperature 2.5',
      );
    },
  },
  {
    name: 'crossEntropy from logits: mean, sum, none, weight, ignoreIndex, labelSmoothing, base 2',
    run({ xe, random }) {
      const c = 5;
      const n = 9;
      const x = randomLogits(random, n * c, 6);
      const labels = Int32Array.from({ length: n }, () => Math.floor(random() * c));
      labels[4] = -100;
      const weight = Float32Array.from([0.5, 2, 1, 0.25, 3]);
      for (const opts of [
        {},
        { reduction: 'sum' },
        { reduction: 'none' },
        { weight },
        { labelSmoothing: 0.1 },
        { weight, labelSmoothing: 0.2, reduction: 'sum' },
        { ignoreIndex: 2 },
      ]) {
        const options = { classes: c, ...opts };
        // With ignoreIndex 2, row 4's label -100 would be out of range: it is an ignored 2 there instead.
        const y = opts.ignoreIndex === 2 ? labels.map((v) => (v === -100 ? 2 : v)) : labels;
        const ref = refCrossEntropy(x, Array.from(y), { ...options, weight: opts.weight && Array.from(weight) });
        close(
          xe.crossEntropy(x, y, options),
          ref,
          `crossEntropy ${JSON.stringify({ ...opts, weight: !!opts.weight })}`,
        );
      }
      const bits = refCrossEntropy(x, Array.from(labels), { classes: c }) / Math.LN2;
      close(xe.crossEntropy(x, labels, { classes: c, base: 2 }), bits, 'crossEntropy in bits');
    },
  },
  {
    name: 'crossEntropyWithGrad: loss and gradient (softmax - onehot) / N',
    run({ xe, random }) {
      const c = 6;
      const n = 4;
      const x = randomLogits(random, n * c);
      const labels = [3, 0, 5, 1];
      const { loss, grad } = xe.crossEntropyWithGrad(x, labels, { classes: c });
      close(loss, refCrossEntropy(x, labels, { classes: c }), 'loss');
      if (!(grad instanceof Float32Array)) throw new Error('grad is a Float32Array');
      const ref = rows(x, c).flatMap((row, i) => refSoftmax(row).map((p, j) => (p - (j === labels[i] ? 1 : 0)) / n));
      close(grad, ref, 'grad');
    },
  },
  {
    name: 'crossEntropy against soft targets and from probabilities',
    run({ xe, random }) {
      const c = 4;
      const n = 3;
      const x = randomLogits(random, n * c);
      const target = new Float32Array(n * c);
      for (let i = 0; i < n; i++) {
        const w = Array.from({ length: c }, () => random());
        const s = sum(w);
        w.forEach((v, j) => (target[i * c + j] = v / s));
      }
      close(xe.crossEntropy(x, target, { classes: c }), refSoftCrossEntropy(x, target, c), 'soft targets');
      const p = Float32Array.from(rows(x, c).flatMap(refSoftmax));
      const labels = [1, 3, 0];
      const ref = mean(labels.map((y, i) => -Math.log(p[i * c + y])));
      close(xe.crossEntropy(p, labels, { classes: c, from: 'probs' }), ref, "from: 'probs'");
    },
  },
  {
    name: 'binaryCrossEntropy from logits and from probabilities, with gradient; sigmoid',
    run({ xe, random }) {
      const x = randomLogits(random, 33, 10);
      x[0] = 40;
      x[1] = -40;
      const y = Float32Array.from({ length: x.length }, () => (random() < 0.5 ? 0 : 1));
      y[0] = 1;
      close(xe.binaryCrossEntropy(x, y), mean(refBceLogits(x, y)), 'BCE from logits');
      close(xe.binaryCrossEntropy(x, y, { reduction: 'none' }), refBceLogits(x, y), 'BCE none', { atol: 1e-7 });
      const { loss, grad } = xe.binaryCrossEntropyWithGrad(x, y);
      close(loss, mean(refBceLogits(x, y)), 'BCE with grad: loss');
      close(
        grad,
        Array.from(x, (v, i) => (refSigmoid(v) - y[i]) / x.length),
        'BCE gradient',
        { atol: 1e-9 },
      );
      close(xe.sigmoid(x), Array.from(x, refSigmoid), 'sigmoid', { atol: 1e-7 });
      const p = Float32Array.from({ length: 17 }, () => 0.01 + 0.98 * random());
      close(xe.binaryCrossEntropy(p, y.subarray(0, 17), { from: 'probs' }), mean(refBceProbs(p, y)), 'BCE from probs');
    },
  },
  {
    name: 'entropy, klDivergence, softmaxBackward',
    run({ xe, random }) {
      const c = 5;
      const x = randomLogits(random, 3 * c);
      const p = Float32Array.from(rows(x, c).flatMap(refSoftmax));
      const q = Float32Array.from(rows(randomLogits(random, 3 * c), c).flatMap(refSoftmax));
      const h = rows(p, c).map((row) => -sum(row.map((v) => (v > 0 ? v * Math.log(v) : 0))));
      close(xe.entropy(p, { classes: c }), h, 'entropy');
      close(xe.entropy(p, { classes: c, base: 2, reduction: 'mean' }), mean(h) / Math.LN2, 'mean entropy in bits');
      const kl = rows(p, c).map((row, i) => sum(row.map((v, j) => v * (Math.log(v) - Math.log(q[i * c + j])))));
      close(xe.klDivergence(p, q, { classes: c }), mean(kl), 'klDivergence', { atol: 2e-6 });
      const g = randomLogits(random, 3 * c);
      const ref = rows(p, c).flatMap((row, i) => {
        const dot = sum(row.map((v, j) => v * g[i * c + j]));
        return row.map((v, j) => v * (g[i * c + j] - dot));
      });
      close(xe.softmaxBackward(p, g, { classes: c }), ref, 'softmaxBackward');
    },
  },
  {
    name: 'evaluate and the streaming evaluator: loss, accuracy, top-k, perplexity, bits',
    run({ xe, random }) {
      const c = 6;
      const n = 20;
      const x = randomLogits(random, n * c);
      const labels = Array.from({ length: n }, () => Math.floor(random() * c));
      const loss = refCrossEntropy(x, labels, { classes: c });
      const rank = (row, y) => row.filter((v) => v > row[y]).length; // 0 for the top class
      const hits = (k) => rows(x, c).filter((row, i) => rank(row, labels[i]) < k).length / n;
      const result = xe.evaluate(x, labels, { classes: c, topK: [1, 3] });
      close(result.loss, loss, 'loss');
      close(result.bits, loss / Math.LN2, 'bits');
      close(result.perplexity, Math.exp(loss), 'perplexity', { rtol: 1e-5 });
      close(result.accuracy, hits(1), 'accuracy');
      close(result.topK[3], hits(3), 'top-3');
      equal(result.count, n, 'count');
      const ev = xe.evaluator({ classes: c, topK: [1, 3] });
      ev.add(x.subarray(0, 7 * c), labels.slice(0, 7));
      ev.add(x.subarray(7 * c), labels.slice(7));
      close(ev.result().loss, loss, 'streaming loss over two batches');
    },
  },
  {
    name: 'WasmArray zero-copy, in place',
    run({ xe, random }) {
      const c = 8;
      const x = randomLogits(random, 4 * c);
      const w = xe.alloc(x.length);
      const grad = xe.alloc(x.length);
      try {
        w.array.set(x);
        const labels = new Int32Array([1, 7, 0, 3]);
        const { loss } = xe.crossEntropyWithGrad(w, labels, { classes: c, out: grad });
        close(loss, refCrossEntropy(x, Array.from(labels), { classes: c }), 'loss from a WasmArray');
        xe.softmax(w, { classes: c, out: w });
        close(w.array, rows(x, c).flatMap(refSoftmax), 'softmax in place');
      } finally {
        w.free();
        grad.free();
      }
    },
  },
  {
    name: 'bad input throws TypeError / RangeError with the argument named',
    run({ xe }) {
      throwsA(
        () => xe.crossEntropy([1, 2, 3], [3], { classes: 3 }),
        RangeError,
        /target\[0\] = 3/,
        'label out of range',
      );
      throwsA(() => xe.softmax(['a', 'b'], { classes: 2 }), TypeError, /softmax/, 'strings');
      throwsA(() => xe.softmax([1, 2, 3], { classes: 2 }), RangeError, /softmax/, 'length not a multiple of classes');
    },
  },
  {
    name: 'a Classifier trains to >= 0.9 accuracy; predict and evaluate agree with float64',
    run({ xe, random }) {
      // Three seeded blobs in 2-D.
      const centers = [
        [-2, -1],
        [2, -1],
        [0, 2],
      ];
      const n = 150;
      const x = new Float32Array(n * 2);
      const y = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        y[i] = i % 3;
        x[2 * i] = centers[y[i]][0] + (random() - 0.5) * 1.5;
        x[2 * i + 1] = centers[y[i]][1] + (random() - 0.5) * 1.5;
      }
      const model = new xe.Classifier({ features: 2, classes: 3, hidden: [16], activation: 'relu', seed: 3 });
      try {
        model.fit(x, y, { epochs: 30, batchSize: 16, learningRate: 0.02, optimizer: 'adam' });
        const p = model.predict(x);
        const probs = rows(p, 3);
        probs.forEach((row, i) => close(sum(row), 1, `predict row ${i} sums to 1`, { atol: 1e-5 }));
        const accuracy = probs.filter((row, i) => row.indexOf(Math.max(...row)) === y[i]).length / n;
        if (accuracy < 0.9) throw new Error(`accuracy ${accuracy} < 0.9 after 30 epochs`);
        const scored = model.evaluate(x, y);
        close(scored.accuracy, accuracy, 'evaluate().accuracy against argmax of predict');
        close(scored.loss, mean(probs.map((row, i) => -Math.log(row[y[i]]))), 'evaluate().loss', { atol: 1e-5 });
        const again = xe.Classifier.fromJSON(JSON.stringify(model.toJSON()));
        close(again.predict(x), p, 'a model restored from toJSON predicts the same', { atol: 0 });
        again.dispose();
      } finally {
        model.dispose();
      }
    },
  },
  {
    name: 'a second load() is an independent instance',
    async run({ xe, xentropy, simd }) {
      const other = await xentropy.load({ simd });
      if (other === xe) throw new Error('load() returned the same instance');
      equal(other.simd, xe.simd, 'same build');
      equal(other.softmax([1, 2], { classes: 2 })[0], xe.softmax([1, 2], { classes: 2 })[0], 'same results');
    },
  },
  {
    name: 'large inputs (> 2^16 elements, in chunks; rows of 40000 in pieces) against float64',
    run({ xe, random, record }) {
      const results = [];
      for (const [n, c] of [
        [80, 1000],
        [2, 40000],
      ]) {
        const what = `${n} x ${c}`;
        const o = { classes: c };
        const x = randomLogits(random, n * c, 12);
        const labels = Int32Array.from({ length: n }, () => Math.floor(random() * c));
        labels[1] = -100; // ignored: the mean is over the other n - 1 rows
        const logp = logSoftmaxRows(x, c);
        const p = logp.map(Math.exp);
        const softmax = xe.softmax(x, o);
        close(softmax, p, `softmax ${what}`, { atol: 1e-12 });
        const logSoftmax = xe.logSoftmax(x, o);
        close(logSoftmax, logp, `logSoftmax ${what}`, { atol: 1e-5 });
        // Loss and gradient: -log p_y averaged over kept rows; (p - onehot) / (n - 1), 0 for the ignored row.
        const { loss, grad } = xe.crossEntropyWithGrad(x, labels, o);
        let refLoss = 0;
        const refGrad = new Float64Array(n * c);
        for (let i = 0; i < n; i++) {
          if (labels[i] < 0) continue;
          refLoss -= logp[i * c + labels[i]] / (n - 1);
          for (let j = 0; j < c; j++) refGrad[i * c + j] = (p[i * c + j] - (j === labels[i] ? 1 : 0)) / (n - 1);
        }
        close(loss, refLoss, `crossEntropyWithGrad ${what}: loss`);
        close(grad, refGrad, `crossEntropyWithGrad ${what}: grad`, { atol: 1e-12 });
        // softmaxBackward: p (g - <p, g>) per row.
        const g = randomLogits(random, n * c, 1);
        const backward = xe.softmaxBackward(softmax, g, o);
        const refBackward = new Float64Array(n * c);
        for (let i = 0; i < n * c; i += c) {
          let dot = 0;
          for (let j = i; j < i + c; j++) dot += p[j] * g[j];
          for (let j = i; j < i + c; j++) refBackward[j] = p[j] * (g[j] - dot);
        }
        close(backward, refBackward, `softmaxBackward ${what}`, { atol: 1e-9 });
        const target = tabulate(Float32Array, x.length, (i) => (i % 3 === 0 ? 1 : 0));
        const bce = xe.binaryCrossEntropyWithGrad(x, target);
        close(bce.loss, mean(refBceLogits(x, target)), `binaryCrossEntropyWithGrad ${what}: loss`);
        const refBceGrad = tabulate(Float64Array, x.length, (i) => (refSigmoid(x[i]) - target[i]) / x.length);
        close(bce.grad, refBceGrad, `binaryCrossEntropyWithGrad ${what}: grad`, { atol: 1e-12 });
        // evaluate on every row: the loss, and top-1 / top-5 from each label's rank in its row.
        const kept = labels.map((v) => Math.max(v, 0));
        const scored = xe.evaluate(x, kept, { ...o, topK: [1, 5] });
        let [evalLoss, top1, top5] = [0, 0, 0];
        for (let i = 0; i < n; i++) {
          const own = logp[i * c + kept[i]];
          let rank = 0;
          for (let j = i * c; j < (i + 1) * c; j++) rank += logp[j] > own ? 1 : 0;
          evalLoss -= own / n;
          top1 += rank < 1 ? 1 / n : 0;
          top5 += rank < 5 ? 1 / n : 0;
        }
        close(scored.loss, evalLoss, `evaluate ${what}: loss`);
        close(scored.accuracy, top1, `evaluate ${what}: accuracy`, { atol: 1e-12 });
        close(scored.topK[5], top5, `evaluate ${what}: top-5`, { atol: 1e-12 });
        results.push(softmax, logSoftmax, loss, grad, backward, bce.loss, bce.grad, scored.loss);
      }
      record(digest(results));
    },
  },
  {
    name: 'Float16Array inputs: the bits of float32 for the same values, close to float64',
    when: () => (typeof Float16Array === 'function' ? '' : 'no Float16Array in this engine'),
    run({ xe, random, record }) {
      // The engine's own Float16Array first: IEEE binary16, round to nearest, ties to even.
      equal(Float16Array.of(1 + 2 ** -11)[0], 1, 'Float16Array.of(1 + 2^-11), a tie, to even');
      equal(Float16Array.of(1 + 3 * 2 ** -11)[0], 1 + 2 ** -9, 'Float16Array.of(1 + 3 * 2^-11), a tie, up');
      equal(Float16Array.of(2 ** -24)[0], 2 ** -24, 'the smallest subnormal half');
      equal(Float16Array.of(65520)[0], Infinity, 'Float16Array.of(65520)');
      // Inputs k / 64 for integers |k| <= 640: at most 10 significant bits, exactly representable in half.
      const halves = (n, scale = 1) => {
        const k = tabulate(Int32Array, n, () => Math.round((random() * 2 - 1) * 640 * scale));
        const h = tabulate(Float16Array, n, (i) => k[i] / 64);
        for (let i = 0; i < n; i++) if (h[i] !== k[i] / 64) equal(h[i], k[i] / 64, `Float16Array holds ${k[i]}/64`);
        return h;
      };
      const results = [];
      // Each call with the halves and with a Float32Array of the same values: the same bits, and the
      // float64 reference computed from those values.
      const both = (what, x16, call, expected, tol) => {
        const result = call(x16);
        identical(result, call(Float32Array.from(x16)), `${what}: Float16Array against Float32Array`);
        if (typeof expected === 'object' && 'grad' in expected) {
          close(result.loss, expected.loss, `${what}: loss`, tol);
          close(result.grad, expected.grad, `${what}: grad`, tol);
          results.push(result.loss, result.grad);
        } else {
          close(result, expected, what, tol);
          results.push(result);
        }
      };
      const [n, c] = [7, 9];
      const o = { classes: c };
      const x = halves(n * c);
      const labels = Int32Array.from({ length: n }, () => Math.floor(random() * c));
      const logp = rows(x, c).map(refLogSoftmax);
      const p = logp.flat().map(Math.exp);
      both('softmax', x, (v) => xe.softmax(v, o), p);
      both('softmax, temperature 0.7', x, (v) => xe.softmax(v, { ...o, temperature: 0.7 }), [
        ...rows(x, c).flatMap((row) => refSoftmax(row.map((v) => v / 0.7))),
      ]);
      both('logSoftmax', x, (v) => xe.logSoftmax(v, o), logp.flat(), { atol: 1e-5 });
      const ce = refCrossEntropy(x, Array.from(labels), o);
      both('crossEntropy', x, (v) => xe.crossEntropy(v, labels, o), ce);
      const perRow = refCrossEntropy(x, Array.from(labels), { ...o, reduction: 'none' });
      both("crossEntropy, reduction 'none'", x, (v) => xe.crossEntropy(v, labels, { ...o, reduction: 'none' }), perRow);
      const grad = p.map((v, k) => (v - (k % c === labels[Math.floor(k / c)] ? 1 : 0)) / n);
      both('crossEntropyWithGrad', x, (v) => xe.crossEntropyWithGrad(v, labels, o), { loss: ce, grad });
      const focal = mean(Array.from(labels, (y, i) => -((1 - Math.exp(logp[i][y])) ** 2) * logp[i][y]));
      both('focalLoss, gamma 2', x, (v) => xe.focalLoss(v, labels, { ...o, gamma: 2 }), focal);
      const t = tabulate(Float32Array, x.length, (i) => (i % 3 === 0 ? 1 : 0));
      const bceGrad = Array.from(x, (v, i) => (refSigmoid(v) - t[i]) / x.length);
      const bce = { loss: mean(refBceLogits(x, t)), grad: bceGrad };
      both('binaryCrossEntropyWithGrad', x, (v) => xe.binaryCrossEntropyWithGrad(v, t), bce, { atol: 1e-9 });
      both('sigmoid', x, (v) => xe.sigmoid(v), Array.from(x, refSigmoid), { atol: 1e-7 });
      both('evaluate: loss', x, (v) => xe.evaluate(v, labels, o).loss, ce);
      // Probabilities rounded to half (rows sum to 1 within a few 2^-11): none below 2^-14, no subnormals.
      const q16 = Float16Array.from(rows(halves(n * c, 1 / 4), c).flatMap(refSoftmax));
      const q = Array.from(q16);
      both("crossEntropy from: 'probs'", q16, (v) => xe.crossEntropy(v, labels, { ...o, from: 'probs' }), [
        mean(Array.from(labels, (y, i) => -Math.log(q[i * c + y]))),
      ]);
      const h = rows(q, c).map((row) => -sum(row.map((v) => v * Math.log(v))));
      both('entropy', q16, (v) => xe.entropy(v, o), h);
      const r = Float32Array.from(p);
      const kl = mean(rows(q, c).map((row, i) => sum(row.map((v, j) => v * (Math.log(v) - Math.log(r[i * c + j]))))));
      both('klDivergence', q16, (v) => xe.klDivergence(v, r, o), kl, { atol: 2e-6 });
      const gOut = randomLogits(random, n * c);
      const backward = rows(q, c).flatMap((row, i) => {
        const dot = sum(row.map((v, j) => v * gOut[i * c + j]));
        return row.map((v, j) => v * (gOut[i * c + j] - dot));
      });
      both('softmaxBackward', q16, (v) => xe.softmaxBackward(v, gOut, o), backward);
      // Large enough for the threads where there are some (> 2^16 elements): 80 x 1000 halves.
      const big = halves(80 * 1000);
      const bigLabels = Int32Array.from({ length: 80 }, (_, i) => (i * 37) % 1000);
      const bigLogp = logSoftmaxRows(big, 1000);
      const bigO = { classes: 1000 };
      both('softmax 80 x 1000', big, (v) => xe.softmax(v, bigO), bigLogp.map(Math.exp), { atol: 1e-12 });
      const bigLoss = -mean(Array.from(bigLabels, (y, i) => bigLogp[i * 1000 + y]));
      both('crossEntropy 80 x 1000', big, (v) => xe.crossEntropy(v, bigLabels, bigO), bigLoss);
      // A float16 WasmArray: any input, never an out (results are float32).
      const w = xe.alloc(n * c, { dtype: 'float16' });
      try {
        equal(w.dtype, 'float16', "alloc(n, { dtype: 'float16' }).dtype");
        if (!(w.array instanceof Float16Array)) throw new Error('a float16 WasmArray has a Float16Array .array');
        w.array.set(x);
        both(
          'crossEntropyWithGrad of a float16 WasmArray',
          x,
          (v) => xe.crossEntropyWithGrad(v === x ? w : v, labels, o),
          {
            loss: ce,
            grad,
          },
        );
        throwsA(() => xe.softmax(x, { ...o, out: w }), TypeError, /softmax/, 'a float16 WasmArray as out');
      } finally {
        w.free();
      }
      record(digest(results));
    },
  },
  {
    name: "threads: 'auto' is min(cores, 8) where there is shared memory, else 1; threads: 2 without it says why",
    once: true,
    async run({ xe, xentropy, cores }) {
      const reason = threadsUnavailable();
      const expected = reason ? 1 : Math.max(1, Math.min(8, cores));
      equal(xe.threads, expected, `xe.threads for threads: 'auto' (${reason || `shared memory, ${cores} cores`})`);
      if (!reason || reason.startsWith('Firefox worker')) return; // there a number of threads still works
      let error;
      try {
        (await xentropy.load({ threads: 2 })).dispose();
      } catch (e) {
        error = e;
      }
      if (!(error instanceof RangeError)) {
        const got = error ? `${error.name}: ${error.message}` : 'it loaded';
        throw new Error(`load({ threads: 2 }) where ${reason}: ${got}, expected a RangeError`);
      }
      // Not isolated: the message names the headers; isolated without shared memory (WebKitGTK): the engine.
      const isolated = globalThis.crossOriginIsolated === true;
      const says = globalThis.Deno ? /Deno/ : isolated ? /engine does not offer/ : /Cross-Origin-Opener-Policy/;
      if (!says.test(error.message)) throw new Error(`load({ threads: 2 }): "${error.message}" does not match ${says}`);
    },
  },
  {
    name: 'threads: 2 and 3 give the bits of 1 (kernels, long rows, float16, Classifier.fit)',
    once: true,
    when: () => threadsUnavailable(),
    async run({ xentropy, random }) {
      const xes = [];
      for (const threads of [1, 2, 3]) xes.push(await xentropy.load({ threads }));
      equal(xes.map((xe) => xe.threads).join(' '), '1 2 3', 'xe.threads for threads: 1, 2, 3');
      const [one, ...many] = xes;
      const same = (what, compute) => {
        const expected = compute(one);
        for (const xe of many) identical(compute(xe), expected, `${what}: ${xe.threads} threads against 1`);
        return expected;
      };
      for (const [n, c] of [
        [256, 1000],
        [3, 40000],
      ]) {
        const o = { classes: c };
        const at = ` ${n} x ${c}`;
        const x = randomLogits(random, n * c, 12);
        const labels = Int32Array.from({ length: n }, () => Math.floor(random() * c));
        labels[2] = -100;
        const p = same(`softmax${at}`, (xe) => xe.softmax(x, o));
        const row = refSoftmax(Array.from(x.subarray(0, c)));
        close(p.subarray(0, c), row, `softmax${at}, row 0, against float64`, { atol: 1e-12 });
        same(`softmax, temperature 0.7${at}`, (xe) => xe.softmax(x, { ...o, temperature: 0.7 }));
        same(`logSoftmax${at}`, (xe) => xe.logSoftmax(x, o));
        same(`softmaxBackward${at}`, (xe) => xe.softmaxBackward(p, x, o));
        for (const reduction of ['mean', 'sum', 'none']) {
          const opts = { ...o, reduction, labelSmoothing: 0.1 };
          same(`crossEntropyWithGrad ${reduction}${at}`, (xe) => xe.crossEntropyWithGrad(x, labels, opts));
          same(`crossEntropy from probs ${reduction}${at}`, (xe) =>
            xe.crossEntropy(p, labels, { ...o, reduction, from: 'probs' }),
          );
        }
        const kept = labels.map((v) => Math.max(v, 0));
        same(`evaluate${at}`, (xe) => {
          const scored = xe.evaluate(x, kept, { ...o, topK: [1, 5] });
          return { loss: scored.loss, accuracy: scored.accuracy, top5: scored.topK[5] };
        });
        const t = tabulate(Float32Array, x.length, (i) => (i % 3 === 0 ? 1 : 0));
        same(`binaryCrossEntropyWithGrad${at}`, (xe) => xe.binaryCrossEntropyWithGrad(x, t));
        if (typeof Float16Array === 'function') {
          const h = Float16Array.from(x);
          same(`softmax of a Float16Array${at}`, (xe) => xe.softmax(h, o));
          same(`crossEntropyWithGrad of a Float16Array${at}`, (xe) => xe.crossEntropyWithGrad(h, labels, o));
        }
      }
      // A Classifier on batches large enough for threads (products of 256 x 32 x 64): the same weights
      // after fit on 1, 2 and 3 threads, and it learns 8 separated blobs in 32 dimensions.
      const [features, classes, n] = [32, 8, 2048];
      const centers = Array.from({ length: classes }, () => randomLogits(random, features, 2));
      const y = Int32Array.from({ length: n }, (_, i) => i % classes);
      const data = Float32Array.from({ length: n * features }, (_, k) => {
        return centers[y[Math.floor(k / features)]][k % features] + random() - 0.5;
      });
      same('Classifier.fit: the weights', (xe) => {
        const model = new xe.Classifier({ features, classes, hidden: [64], activation: 'relu', seed: 5 });
        try {
          model.fit(data, y, { epochs: 3, batchSize: 256, learningRate: 0.01, optimizer: 'adam' });
          const { accuracy } = model.evaluate(data, y);
          if (!(accuracy >= 0.9)) throw new Error(`Classifier on ${xe.threads} thread(s): accuracy ${accuracy} < 0.9`);
          return Float32Array.from(model.toJSON().layers.flatMap((l) => [...l.weights, ...l.bias]));
        } finally {
          model.dispose();
        }
      });
      many[0].dispose();
      throwsA(() => many[0].softmax([1, 2], { classes: 2 }), Error, /dispose/, 'a call after dispose()');
      // The others stay running: a runtime must still exit by itself (the driver kills one that does not).
    },
  },
];

/** The options every engine runs: both builds by name, and the automatic choice (the once-checks' run). */
export const SIMD_OPTIONS = [true, false, 'auto'];
const ONCE = 'auto';

/** The name of every check the report for `simd` lists (as passed, failed or skipped), in order. */
export function checkNames(simd) {
  return CHECKS.filter((check) => !check.once || simd === ONCE).map((check) => check.name);
}

/**
 * Why xentropy's threads cannot run in this scope, or '' where they can: found here from the engine (not
 * asked of the library, whose choice the threads checks then compare with it).
 */
export function threadsUnavailable() {
  const g = globalThis;
  if (g.Deno) {
    return "Deno: 'auto' is one thread by design, Emscripten 3.1.6's pthread worker script cannot run in Deno's workers (README, Threads)";
  }
  const runtime = typeof g.process === 'object' && typeof g.process.versions?.node === 'string';
  if (!runtime && g.crossOriginIsolated !== true) {
    return 'not cross-origin isolated (served without COOP/COEP): no shared memory';
  }
  if (typeof g.WorkerGlobalScope === 'function' && /\bFirefox\//.test(g.navigator?.userAgent ?? '')) {
    return "Firefox worker: 'auto' is one thread by design, Firefox's `new Worker()` inside a worker sometimes never returns (README, Threads)";
  }
  if (typeof g.SharedArrayBuffer === 'function' && typeof g.Atomics === 'object') return '';
  let posting;
  try {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    const channel = new MessageChannel();
    try {
      channel.port1.postMessage(memory.buffer);
      posting = 'posting shared wasm memory to a port works';
    } finally {
      channel.port1.close();
      channel.port2.close();
    }
  } catch (error) {
    posting = `posting shared wasm memory to a port throws ${error?.name}`;
  }
  const who = runtime ? 'this runtime' : 'cross-origin isolated, but this engine';
  return `${who} has no SharedArrayBuffer global (${posting})`;
}

/** The .wasm URLs this scope fetched since `mark` (browsers list them in the resource timeline). */
function wasmFetchedSince(mark) {
  const entries = globalThis.performance?.getEntriesByType?.('resource') ?? [];
  return entries
    .slice(mark)
    .map((e) => new URL(e.name, 'http://x/').pathname)
    .filter((path) => path.endsWith('.wasm'));
}

/**
 * Loads `xentropy` with `{ simd }` and runs every check for that option.
 * @param {{ load: Function, simdSupported: Function, version: string }} xentropy the module namespace
 * @param {{ simd: boolean | 'auto', seed?: number, cores?: number, progress?: (text: string) => void }}
 *   options cores: the machine's (a runtime passes os.availableParallelism(); a browser's is
 *   navigator.hardwareConcurrency); progress: told each check's name as it starts (for a page to show)
 */
export async function runChecks(xentropy, { simd, seed = 20261202, cores, progress } = {}) {
  cores ??= globalThis.navigator?.hardwareConcurrency;
  const report = {
    engine: describeEngine(),
    scope: typeof document === 'object' ? 'page' : typeof WorkerGlobalScope === 'function' ? 'worker' : 'runtime',
    option: simd,
    build: undefined,
    threads: undefined,
    version: xentropy.version,
    features: {
      float16: typeof Float16Array === 'function',
      crossOriginIsolated: globalThis.crossOriginIsolated,
      threadsUnavailable: threadsUnavailable(),
      cores,
    },
    passed: [],
    failed: [],
    skipped: [],
    digests: {},
  };
  const mark = globalThis.performance?.getEntriesByType?.('resource').length ?? 0;
  let xe;
  try {
    progress?.(`simd: ${String(simd)}: load`);
    xe = await xentropy.load({ simd });
    report.build = xe.simd ? 'simd' : 'scalar';
    report.threads = xe.threads;
  } catch (error) {
    report.failed.push({ name: 'load', message: `${error?.name}: ${error?.message}` });
    return report;
  }
  const fetched = () => wasmFetchedSince(mark);
  for (const check of CHECKS) {
    if (check.once && simd !== ONCE) continue;
    progress?.(`simd: ${String(simd)}: ${check.name}`);
    const record = (hex) => (report.digests[check.name] = hex);
    const ctx = { xe, xentropy, simd, cores, fetched, record, random: rng(seed) };
    const reason = check.when?.(ctx);
    if (reason) {
      report.skipped.push({ name: check.name, reason });
      continue;
    }
    try {
      await check.run(ctx);
      report.passed.push(check.name);
    } catch (error) {
      report.failed.push({ name: check.name, message: `${error?.name}: ${error?.message}` });
    }
  }
  return report;
}

/** runChecks for each of SIMD_OPTIONS, in order. */
export async function runAll(xentropy, options = {}) {
  const reports = [];
  for (const simd of SIMD_OPTIONS) reports.push(await runChecks(xentropy, { ...options, simd }));
  return reports;
}
