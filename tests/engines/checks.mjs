// The engine-neutral checks: one module that every browser (page, module Web Worker, strict-CSP page) and
// every runtime (Node 18-24, Deno, Bun) runs unchanged. It imports nothing: the caller passes the xentropy
// module namespace (`web/index.js` in a browser, `import * as xentropy from 'xentropy'` in a runtime), and
// every expected value is computed here in plain float64 JavaScript (hand-written log-sum-exp), never by
// the library. A run never throws: it returns a report that the test drivers assert on and print.
//
//   import { runChecks } from './checks.mjs';
//   const report = await runChecks(xentropy, { simd: true });
//   // { engine, scope, option, build, simdSupported, version, passed: [names], failed: [{ name, message }],
//   //   skipped: [{ name, reason }] }
//
// To add a check: push onto CHECKS. A check that needs an engine feature (Float16Array inputs, threads in a
// cross-origin-isolated page, ...) gives `when: (ctx) => reason or ''`: a non-empty reason skips it, and the
// report lists it as skipped with that reason, so each engine's output says what it did not run.

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

// ---- float64 references -------------------------------------------------------------------------------

const rows = (x, c) => Array.from({ length: x.length / c }, (_, i) => Array.from(x.slice(i * c, (i + 1) * c)));

/** log(sum(exp(row))) in float64, max-shifted; -Infinity for an all-masked row. */
function logSumExp(row) {
  const m = Math.max(...row);
  if (m === -Infinity) return -Infinity;
  let s = 0;
  for (const v of row) s += Math.exp(v - m);
  return m + Math.log(s);
}
const refLogSoftmax = (row) => {
  const l = logSumExp(row);
  return row.map((v) => v - l);
};
const refSoftmax = (row) => refLogSoftmax(row).map(Math.exp);
const mean = (a) => a.reduce((s, v) => s + v, 0) / a.length;
const sum = (a) => a.reduce((s, v) => s + v, 0);

/** PyTorch F.cross_entropy with class indices, weight, ignoreIndex, labelSmoothing, in float64. */
function refCrossEntropy(
  x,
  labels,
  { classes: c, weight, ignoreIndex = -100, labelSmoothing: e = 0, reduction = 'mean' },
) {
  const w = weight ?? Array(c).fill(1);
  const losses = [];
  let denom = 0;
  rows(x, c).forEach((row, i) => {
    const y = labels[i];
    if (y === ignoreIndex) return losses.push(0);
    const lp = refLogSoftmax(row);
    let loss = -(1 - e) * w[y] * lp[y];
    if (e > 0) loss -= (e / c) * sum(lp.map((v, j) => w[j] * v));
    losses.push(loss);
    denom += w[y];
  });
  if (reduction === 'none') return losses;
  return reduction === 'sum' ? sum(losses) : sum(losses) / denom;
}

/** Cross-entropy against a distribution per row: mean over rows of -sum p log q. */
const refSoftCrossEntropy = (x, target, c) =>
  mean(
    rows(x, c).map(
      (row, i) => -sum(refLogSoftmax(row).map((lq, j) => (target[i * c + j] ? target[i * c + j] * lq : 0))),
    ),
  );

const refSigmoid = (v) => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v)));
/** BCE from logits, per element: max(x, 0) - x y + log1p(exp(-|x|)). */
const refBceLogits = (x, y) => Array.from(x, (v, i) => Math.max(v, 0) - v * y[i] + Math.log1p(Math.exp(-Math.abs(v))));
const refBceProbs = (p, y) => Array.from(p, (v, i) => -(y[i] * Math.log(v) + (1 - y[i]) * Math.log1p(-v)));

/** A seeded PRNG (mulberry32) and float32-exact random inputs, so the references see the same numbers. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const randomLogits = (random, n, scale = 4) => Float32Array.from({ length: n }, () => (random() * 2 - 1) * scale);

// ---- comparison -----------------------------------------------------------------------------------------

/** |actual - expected| <= atol + rtol |expected| elementwise; equal infinities and NaNs match. */
function close(actual, expected, what, { atol = 1e-6, rtol = 2e-5 } = {}) {
  const a = typeof actual === 'number' ? [actual] : Array.from(actual);
  const e = typeof expected === 'number' ? [expected] : Array.from(expected);
  if (a.length !== e.length) throw new Error(`${what}: ${a.length} values, expected ${e.length}`);
  for (let i = 0; i < a.length; i++) {
    const ok =
      Object.is(a[i], e[i]) ||
      (Number.isNaN(a[i]) && Number.isNaN(e[i])) ||
      Math.abs(a[i] - e[i]) <= atol + rtol * Math.abs(e[i]);
    if (!ok) throw new Error(`${what}[${i}] = ${a[i]}, expected ${e[i]} (float64 reference)`);
  }
}
function equal(actual, expected, what) {
  if (!Object.is(actual, expected)) throw new Error(`${what}: got ${String(actual)}, expected ${String(expected)}`);
}
function throwsA(fn, type, pattern, what) {
  try {
    fn();
  } catch (error) {
    if (!(error instanceof type)) throw new Error(`${what}: threw ${error?.name}, expected ${type.name}`);
    if (pattern && !pattern.test(error.message)) throw new Error(`${what}: message "${error.message}"`);
    return;
  }
  throw new Error(`${what}: did not throw`);
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
      const expected = xe.simd ? 'xentropy-simd.wasm' : 'xentropy-scalar.wasm';
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
  // Feature-gated checks go here, e.g. float16 inputs:
  //   { name: 'Float16Array inputs', when: () => (typeof Float16Array === 'undefined' ? 'no Float16Array' : ''),
  //     run({ xe }) { ... } },
  // and threads: when: () => (globalThis.crossOriginIsolated === false ? 'page not cross-origin isolated' : '').
];

/** The name of every check, in the order they run. */
export const CHECK_NAMES = CHECKS.map((check) => check.name);

/** The .wasm URLs this scope fetched since `mark` (browsers list them in the resource timeline). */
function wasmFetchedSince(mark) {
  const entries = globalThis.performance?.getEntriesByType?.('resource') ?? [];
  return entries
    .slice(mark)
    .map((e) => new URL(e.name, 'http://x/').pathname)
    .filter((path) => path.endsWith('.wasm'));
}

/**
 * Loads `xentropy` with `{ simd }` and runs every check.
 * @param {{ load: Function, simdSupported: Function, version: string }} xentropy the module namespace
 * @param {{ simd: boolean | 'auto', seed?: number }} options
 */
export async function runChecks(xentropy, { simd, seed = 20261202 } = {}) {
  const report = {
    engine: describeEngine(),
    scope: typeof document === 'object' ? 'page' : typeof WorkerGlobalScope === 'function' ? 'worker' : 'runtime',
    option: simd,
    build: undefined,
    version: xentropy.version,
    passed: [],
    failed: [],
    skipped: [],
  };
  const mark = globalThis.performance?.getEntriesByType?.('resource').length ?? 0;
  let xe;
  try {
    xe = await xentropy.load({ simd });
    report.build = xe.simd ? 'simd' : 'scalar';
  } catch (error) {
    report.failed.push({ name: 'load', message: `${error?.name}: ${error?.message}` });
    return report;
  }
  const fetched = () => wasmFetchedSince(mark);
  for (const check of CHECKS) {
    const ctx = { xe, xentropy, simd, fetched, random: rng(seed) };
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

/** The options every engine runs: both builds by name, and the automatic choice. */
export const SIMD_OPTIONS = [true, false, 'auto'];

/** runChecks for each of SIMD_OPTIONS, in order. */
export async function runAll(xentropy) {
  const reports = [];
  for (const simd of SIMD_OPTIONS) reports.push(await runChecks(xentropy, { simd }));
  return reports;
}
