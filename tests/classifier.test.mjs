// xe.Classifier in both builds: gradients of every layer against float64 central finite differences (read
// off one SGD step with learning rate 1, so the real training path is what is checked), the momentum and
// Adam updates, determinism, accuracy on seeded toy data, toJSON / fromJSON, and the error contract.
//
// Tolerances: the wasm forward and backward passes are float32 (products accumulated in float32), and the
// gradient is read back as w_before - w_after, which is exact to an ulp of the weight (~1e-7); gradients
// of up to ~1 in size match the float64 finite differences within 1e-6 + 1e-4 * |g| (observed: < 2e-7).
import assert from 'node:assert/strict';
import test from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';

import { builds, rng } from './lib/builds.mjs';
import { close } from './lib/tolerance.mjs';
import * as data from './lib/mlp-datasets.mjs';
import * as ref from './lib/mlp-reference.mjs';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');
const sanitized = process.env.XE_SANITIZED && 'ASan quarantine delays reuse of freed memory';

// Layer widths around the SIMD width (4, 8) and its tails, every activation, and the loss options.
const GRADIENT_CASES = [
  [{ features: 7, classes: 3, hidden: [] }, {}],
  [{ features: 5, classes: 4, hidden: [9, 6], activation: 'relu' }, { l2: 0.01 }],
  [{ features: 3, classes: 5, hidden: [17], activation: 'tanh' }, { labelSmoothing: 0.1 }],
  [
    { features: 8, classes: 2, hidden: [4, 5], activation: 'sigmoid' },
    { weight: [0.5, 2], labelSmoothing: 0.2, l2: 0.05 },
  ],
  [{ features: 16, classes: 10, hidden: [33, 8], activation: 'tanh' }, { weight: [1, 2, 0.5, 1, 1, 3, 1, 1, 0.25, 1] }],
];

function batch(random, n, features, classes) {
  return {
    x: Float32Array.from({ length: n * features }, () => 4 * random() - 2),
    y: Int32Array.from({ length: n }, () => Math.floor(random() * classes)),
  };
}

/** The gradient a step of plain SGD with learning rate 1 applied: w_before - w_after. */
function sgdGradient(model, x, y, options) {
  const before = ref.flatParams(model.toJSON());
  const loss = model.trainStep(x, y, { ...options, learningRate: 1, optimizer: 'sgd' });
  const after = ref.flatParams(model.toJSON());
  return { loss, grad: before.map((w, i) => w - after[i]) };
}

function refOptions(o) {
  return { weight: o.weight, smoothing: o.labelSmoothing ?? 0, l2: o.l2 ?? 0 };
}

function argmaxAccuracy(probs, y, c) {
  let hits = 0;
  for (let i = 0; i < y.length; i++) {
    const row = Array.from(probs.subarray(i * c, i * c + c));
    if (row.indexOf(Math.max(...row)) === y[i]) hits++;
  }
  return hits / y.length;
}

function probe(xe) {
  const a = xe.alloc(1 << 18);
  const where = [a.array.byteOffset, a.array.buffer.byteLength];
  a.free();
  return where;
}

const all = await builds();

test('the scalar and SIMD builds train to the same weights up to float32 rounding', () => {
  const { x, y } = data.spiral(120, 6);
  const [scalar, simd] = all.map(([, xe]) => {
    const m = new xe.Classifier({ features: 2, classes: 3, hidden: [19, 9], activation: 'tanh', seed: 5 });
    m.fit(x, y, { epochs: 3, batchSize: 20, learningRate: 0.01, optimizer: 'momentum' });
    const json = m.toJSON();
    m.dispose();
    return json;
  });
  // Only the dot products of the backward pass to the hidden layers are summed in another order.
  close(ref.flatParams(simd), ref.flatParams(scalar), { atol: 1e-6, rtol: 1e-5, what: 'weights' });
});

for (const [simd, xe] of all) {
  const build = simd ? 'simd' : 'scalar';

  test(`${build}: loads the requested build`, () => {
    assert.equal(xe.simd, simd);
  });

  test(`${build}: gradients of every layer match float64 central finite differences`, () => {
    const random = rng(3);
    for (const [config, options] of GRADIENT_CASES) {
      const what = JSON.stringify({ ...config, ...options });
      const model = new xe.Classifier({ ...config, seed: 7 });
      const n = 13;
      const { x, y } = batch(random, n, config.features, config.classes);
      const start = model.toJSON();
      const expected = ref.lossAndGrad(start, x, y, n, refOptions(options));
      const fd = ref.finiteDifferences(start, x, y, n, refOptions(options));
      // The reference's own backward pass against the finite differences, tightly, in float64.
      close(ref.flatGrads(expected.grads), fd, { atol: 1e-8, rtol: 1e-5, what: `reference ${what}` });
      const { loss, grad } = sgdGradient(model, x, y, options);
      // trainStep returns the cross-entropy of the forward pass before the update (not the L2 penalty).
      close(loss, expected.loss, { atol: 0, rtol: 1e-5, what: `loss ${what}` });
      close(grad, fd, { atol: 1e-6, rtol: 1e-4, what: `gradient ${what}` });
      // Every layer's weights and biases received a gradient.
      const index = ref.parameterIndex(start);
      for (let l = 0; l < start.layers.length; l++) {
        for (const key of ['weights', 'bias']) {
          assert.ok(
            index.some(([m, k], i) => m === l && k === key && grad[i] !== 0),
            `${what}: layer ${l} ${key} moved`,
          );
        }
      }
      model.dispose();
    }
  });

  test(`${build}: momentum and Adam updates, with state kept across steps and reset by a new optimizer`, () => {
    const random = rng(5);
    const config = { features: 6, classes: 3, hidden: [10], activation: 'relu', seed: 2 };
    const n = 11;
    const { x, y } = batch(random, n, config.features, config.classes);
    const grad = (json) => ref.flatGrads(ref.lossAndGrad(json, x, y, n).grads);

    // momentum (PyTorch, no dampening): v1 = g1, v2 = 0.9 g1 + g2, w -= lr v.
    const m = new xe.Classifier(config);
    const lr = 0.5;
    const w0 = m.toJSON();
    const g1 = grad(w0);
    m.trainStep(x, y, { learningRate: lr, optimizer: 'momentum' });
    const w1 = m.toJSON();
    close(
      ref.flatParams(w1),
      ref.flatParams(w0).map((w, i) => w - lr * g1[i]),
      { atol: 2e-6, rtol: 1e-5, what: 'momentum step 1' },
    );
    const g2 = grad(w1);
    m.trainStep(x, y, { learningRate: lr, optimizer: 'momentum' });
    close(
      ref.flatParams(m.toJSON()),
      ref.flatParams(w1).map((w, i) => w - lr * (0.9 * g1[i] + g2[i])),
      { atol: 2e-6, rtol: 1e-5, what: 'momentum step 2' },
    );
    m.dispose();

    // Adam, bias-corrected: step t moves w by lr * mhat / (sqrt(vhat) + 1e-8).
    const a = new xe.Classifier(config);
    const alr = 0.01;
    const adam = (ws, gs) => {
      let mt = gs[0].map(() => 0);
      let vt = gs[0].map(() => 0);
      gs.forEach((g) => {
        mt = mt.map((v, i) => 0.9 * v + 0.1 * g[i]);
        vt = vt.map((v, i) => 0.999 * v + 0.001 * g[i] * g[i]);
      });
      const t = gs.length;
      return ws.map((w, i) => w - (alr * mt[i]) / (1 - 0.9 ** t) / (Math.sqrt(vt[i] / (1 - 0.999 ** t)) + 1e-8));
    };
    // Compared where the gradient is not tiny: the float32 gradient's relative error grows as it shrinks.
    const check = (actual, expected, gs, what) => {
      const big = gs.at(-1).map((g) => Math.abs(g) > 1e-4);
      close(
        actual.filter((_, i) => big[i]),
        expected.filter((_, i) => big[i]),
        { atol: alr * 1e-3, rtol: 0, what },
      );
      close(
        actual.map((w, i) => Math.abs(w - expected[i]) <= 2.01 * alr),
        actual.map(() => true),
        { what: `${what}, bounded` },
      );
    };
    const a0 = ref.flatParams(a.toJSON());
    const ga = grad(a.toJSON());
    a.trainStep(x, y, { learningRate: alr }); // adam is the default
    const a1 = ref.flatParams(a.toJSON());
    check(a1, adam(a0, [ga]), [ga], 'adam step 1');
    const gb = grad(a.toJSON());
    a.trainStep(x, y, { learningRate: alr, optimizer: 'adam' });
    const a2 = ref.flatParams(a.toJSON());
    check(a2, adam(a1, [ga, gb]), [ga, gb], 'adam step 2');
    // sgd in between: the next Adam step starts afresh (t = 1, zero moments).
    a.trainStep(x, y, { learningRate: 1e-9, optimizer: 'sgd' });
    const a3 = ref.flatParams(a.toJSON());
    const gc3 = grad(a.toJSON());
    a.trainStep(x, y, { learningRate: alr, optimizer: 'adam' });
    check(ref.flatParams(a.toJSON()), adam(a3, [gc3]), [gc3], 'adam after a switch');
    a.dispose();
  });

  test(`${build}: the same seed and data give the same weights; another seed does not`, () => {
    const { x, y } = data.spiral(90, 4);
    const run = (seed) => {
      const m = new xe.Classifier({ features: 2, classes: 3, hidden: [12, 7], activation: 'tanh', seed });
      const history = m.fit(x, y, { epochs: 5, batchSize: 16, learningRate: 0.02, l2: 1e-3, labelSmoothing: 0.05 });
      m.trainStep(x, y, { learningRate: 0.1, optimizer: 'momentum' });
      const json = m.toJSON();
      m.dispose();
      return { history, json };
    };
    const a = run(11);
    assert.deepEqual(run(11), a);
    assert.notDeepEqual(run(12).json.layers, a.json.layers);
    // The initialisation alone: He bounds for relu, Glorot for tanh and sigmoid, zero biases.
    for (const activation of ['relu', 'tanh', 'sigmoid']) {
      const m = new xe.Classifier({ features: 30, classes: 4, hidden: [50], activation, seed: 3 });
      const [l0, l1] = m.toJSON().layers;
      const bound = activation === 'relu' ? Math.sqrt(6 / 30) : Math.sqrt(6 / 80);
      assert.ok(
        l0.weights.every((w) => Math.abs(w) <= bound),
        activation,
      );
      assert.ok(Math.max(...l0.weights.map(Math.abs)) > 0.95 * bound, activation);
      const variance = l0.weights.reduce((s, w) => s + w * w, 0) / l0.weights.length;
      close(variance, (bound * bound) / 3, { atol: 0, rtol: 0.1, what: `${activation} variance` });
      assert.ok(l0.bias.every((b) => b === 0) && l1.bias.every((b) => b === 0));
      m.dispose();
    }
  });

  test(`${build}: training reaches 95% on blobs and XOR and 90% on a 3-class spiral`, () => {
    const cases = [
      ['blobs', data.blobs, 3, { hidden: [8] }, { epochs: 10, learningRate: 0.05 }, 0.95],
      ['xor', data.xor, 2, { hidden: [8], activation: 'tanh' }, { epochs: 30, learningRate: 0.05 }, 0.95],
      [
        'xor (sigmoid, momentum)',
        data.xor,
        2,
        { hidden: [8], activation: 'sigmoid' },
        { epochs: 100, learningRate: 0.5, optimizer: 'momentum' },
        0.95,
      ],
      ['spiral', data.spiral, 3, { hidden: [32, 32] }, { epochs: 100, learningRate: 0.01 }, 0.9],
    ];
    for (const [name, make, classes, config, fit, target] of cases) {
      const train = make(300, 1);
      const held = make(300, 2);
      const model = new xe.Classifier({ features: 2, classes, seed: 1, ...config });
      const entries = [];
      const history = model.fit(train.x, train.y, { batchSize: 32, onEpoch: (e) => entries.push(e), ...fit });
      assert.deepEqual(entries, history);
      assert.deepEqual(
        history.map((e) => e.epoch),
        Array.from({ length: fit.epochs }, (_, i) => i + 1),
      );
      assert.ok(
        history.at(-1).loss < history[0].loss / 4,
        `${name}: loss ${history[0].loss} -> ${history.at(-1).loss}`,
      );
      assert.ok(
        history.at(-1).accuracy >= target,
        `${name}: training accuracy during the last epoch ${history.at(-1).accuracy}`,
      );
      for (const [set, d] of [
        ['training', train],
        ['held-out', held],
      ]) {
        const { accuracy, loss } = model.evaluate(d.x, d.y);
        assert.ok(accuracy >= target, `${name}: ${set} accuracy ${accuracy} < ${target}`);
        close(accuracy, argmaxAccuracy(model.predict(d.x), d.y, classes), { what: `${name} accuracy` });
        const probs = ref.predict(model.toJSON(), d.x, d.n);
        const refLoss = -Array.from(d.y).reduce((s, t, i) => s + Math.log(probs[i * classes + t]), 0) / d.n;
        close(loss, refLoss, { atol: 1e-5, rtol: 1e-4, what: `${name} ${set} loss` });
      }
      model.dispose();
    }
    // Softmax regression cannot separate the spiral: the hidden layers are doing the work.
    const train = data.spiral(300, 1);
    const linear = new xe.Classifier({ features: 2, classes: 3 });
    linear.fit(train.x, train.y, { epochs: 30, learningRate: 0.05 });
    assert.ok(linear.evaluate(train.x, train.y).accuracy < 0.6);
    linear.dispose();
  });

  test(`${build}: predict matches the float64 reference, in chunks, into out, from a WasmArray`, () => {
    const random = rng(8);
    const model = new xe.Classifier({ features: 5, classes: 7, hidden: [13], activation: 'sigmoid', seed: 9 });
    const { x, y } = batch(random, 40, 5, 7);
    model.fit(x, y, { epochs: 3, batchSize: 8, learningRate: 0.05 });
    const n = 600; // more than one 256-row chunk
    const big = batch(random, n, 5, 7);
    const p = model.predict(big.x);
    assert.ok(p instanceof Float32Array && p.length === n * 7);
    close(p, ref.predict(model.toJSON(), big.x, n), { atol: 1e-6, rtol: 1e-5, what: 'predict' });
    for (let i = 0; i < n; i++)
      close(
        p.subarray(i * 7, i * 7 + 7).reduce((s, v) => s + v, 0),
        1,
        { rtol: 1e-6 },
      );
    assert.deepEqual(model.predict(Array.from(big.x)), p);
    assert.deepEqual(model.predict(Float64Array.from(big.x)), p);
    const out = new Float32Array(n * 7);
    assert.equal(model.predict(big.x, { out }), out);
    assert.deepEqual(out, p);
    const wx = xe.alloc(n * 5);
    const wout = xe.alloc(n * 7);
    wx.array.set(big.x);
    assert.equal(model.predict(wx, { out: wout }), wout);
    assert.deepEqual(wout.array, p);
    assert.deepEqual(model.evaluate(wx, big.y), model.evaluate(big.x, big.y));
    wx.free();
    wout.free();
    // x and out the same WasmArray (features = classes): computed into scratch, then copied.
    const square = new xe.Classifier({ features: 3, classes: 3, seed: 1 });
    const w = xe.alloc(12);
    w.array.set([1, 2, 3, -1, 0, 1, 0.5, 0.5, 0.5, 3, 2, 1]);
    const expected = square.predict(w.array.slice());
    assert.equal(square.predict(w, { out: w }), w);
    assert.deepEqual(w.array, expected);
    w.free();
    square.dispose();
    // No rows.
    assert.deepEqual(model.predict([]), new Float32Array(0));
    const empty = model.evaluate([], []);
    assert.ok(Number.isNaN(empty.loss) && Number.isNaN(empty.accuracy));
    model.dispose();
  });

  test(`${build}: toJSON / fromJSON round trip predicts identically and trains on identically`, () => {
    const random = rng(10);
    const config = { features: 4, classes: 3, hidden: [6, 5], activation: 'tanh', seed: 21 };
    const model = new xe.Classifier(config);
    const { x, y } = batch(random, 30, 4, 3);
    model.fit(x, y, { epochs: 4, batchSize: 8 });
    const json = model.toJSON();
    assert.deepEqual(JSON.parse(JSON.stringify(json)), json);
    assert.equal(json.format, 'xentropy.Classifier');
    assert.deepEqual(
      [json.features, json.classes, json.hidden, json.activation, json.seed],
      [4, 3, [6, 5], 'tanh', 21],
    );
    assert.deepEqual(
      json.layers.map((l) => [l.weights.length, l.bias.length]),
      [
        [24, 6],
        [30, 5],
        [15, 3],
      ],
    );
    assert.equal(model.features, 4);
    assert.equal(model.classes, 3);
    for (const saved of [json, JSON.stringify(json)]) {
      const restored = xe.Classifier.fromJSON(saved);
      assert.deepEqual(restored.toJSON(), json);
      assert.deepEqual(restored.predict(x), model.predict(x));
      assert.deepEqual(restored.evaluate(x, y), model.evaluate(x, y));
      restored.dispose();
    }
    // Plain SGD has no state, so the restored model continues exactly as the original.
    const restored = xe.Classifier.fromJSON(json);
    const options = { learningRate: 0.1, optimizer: 'sgd', l2: 0.01 };
    assert.equal(restored.trainStep(x, y, options), model.trainStep(x, y, options));
    assert.deepEqual(restored.toJSON(), model.toJSON());
    restored.dispose();
    model.dispose();
  });

  test(`${build}: a Trainer stepped in uneven pieces gives fit's weights and history, bit for bit`, () => {
    const { x, y, n } = data.spiral(90, 7);
    const cases = [
      [
        { hidden: [12, 7], activation: 'tanh' },
        { batchSize: 16, learningRate: 0.02, l2: 1e-3, labelSmoothing: 0.05 },
      ],
      [{ hidden: [9] }, { batchSize: 7, optimizer: 'momentum', learningRate: 0.05, weight: [1, 2, 0.5] }],
      [
        { hidden: [5], activation: 'sigmoid' },
        { batchSize: 32, optimizer: 'sgd', learningRate: 0.5, shuffle: false },
      ],
      [{ hidden: [] }, { batchSize: 90 }], // one batch per epoch
    ];
    const epochs = 5;
    for (const [config, options] of cases) {
      const what = JSON.stringify({ ...config, ...options });
      const make = () => new xe.Classifier({ features: 2, classes: 3, seed: 5, ...config });
      const fitted = make();
      const initial = fitted.toJSON();
      const history = fitted.fit(x, y, { ...options, epochs });

      const stepped = make();
      const trainer = stepped.trainer(x, y, options);
      const total = epochs * Math.ceil(n / options.batchSize);
      const ended = [...trainer.step(2), trainer.epoch()];
      const pieces = [3, 0, 1, 5, 2, 7];
      for (let i = 0; trainer.steps < total; i++) {
        ended.push(...trainer.step(Math.min(pieces[i % pieces.length], total - trainer.steps)));
      }
      assert.deepEqual(stepped.toJSON(), fitted.toJSON(), what);
      assert.notDeepEqual(fitted.toJSON().layers, initial.layers, `${what}: training moved the weights`);
      assert.deepEqual(ended, history, what);
      assert.deepEqual([trainer.epochs, trainer.steps, trainer.progress], [epochs, total, epochs], what);
      trainer.dispose();
      fitted.dispose();
      stepped.dispose();
    }
  });

  test(`${build}: fit({ shuffle: false }) and Trainer.set() are trainStep on consecutive slices`, () => {
    const random = rng(12);
    const config = { features: 3, classes: 4, hidden: [6], seed: 8 };
    const { x, y } = batch(random, 10, 3, 4);
    const slice = (start, end) => [x.subarray(3 * start, 3 * end), y.subarray(start, end)];
    const hits = (model, xs, ys) => {
      const p = model.predict(xs);
      return argmaxAccuracy(p, ys, 4) * ys.length;
    };
    // batchSize 4 over 10 rows: [0, 4), [4, 8), [8, 10), in order every epoch.
    const options = { learningRate: 0.1, optimizer: 'momentum' };
    const fitted = new xe.Classifier(config);
    const history = fitted.fit(x, y, { ...options, epochs: 2, batchSize: 4, shuffle: false });
    const stepped = new xe.Classifier(config);
    const expected = [];
    for (let epoch = 1; epoch <= 2; epoch++) {
      let loss = 0;
      let correct = 0;
      for (const [start, end] of [
        [0, 4],
        [4, 8],
        [8, 10],
      ]) {
        const [xs, ys] = slice(start, end);
        correct += hits(stepped, xs, ys);
        loss += (end - start) * stepped.trainStep(xs, ys, options);
      }
      expected.push({ epoch, loss: loss / 10, accuracy: correct / 10 });
    }
    assert.deepEqual(fitted.toJSON(), stepped.toJSON());
    assert.deepEqual(history, expected);

    // set() changes the options from the next batch on, keeping the position in the epoch.
    const trainer = fitted.trainer(x, y, { ...options, batchSize: 4, shuffle: false });
    assert.deepEqual(trainer.step(1), []);
    assert.deepEqual([trainer.epochs, trainer.steps, trainer.progress], [0, 1, 0.4]);
    trainer.set({ learningRate: 0.5, optimizer: 'sgd' });
    trainer.step(1);
    trainer.set({ batchSize: 1 });
    assert.deepEqual(trainer.step(1), []);
    assert.deepEqual([trainer.epochs, trainer.steps, trainer.progress], [0, 3, 0.9]);
    stepped.trainStep(...slice(0, 4), options);
    stepped.trainStep(...slice(4, 8), { learningRate: 0.5, optimizer: 'sgd' });
    stepped.trainStep(...slice(8, 9), { learningRate: 0.5, optimizer: 'sgd' });
    assert.deepEqual(fitted.toJSON(), stepped.toJSON());
    // epoch() runs the one row left; its entry covers the whole epoch.
    assert.equal(trainer.epoch().epoch, 1);
    assert.deepEqual([trainer.epochs, trainer.steps, trainer.progress], [1, 4, 1]);
    trainer.dispose();
    fitted.dispose();
    stepped.dispose();
  });

  test(`${build}: fit({ epochs: 0 }) changes nothing, draws no shuffle, and calls no onEpoch`, () => {
    const { x, y } = data.blobs(40, 2);
    const config = { features: 2, classes: 3, hidden: [4], seed: 6 };
    const model = new xe.Classifier(config);
    const before = model.toJSON();
    let calls = 0;
    assert.deepEqual(model.fit(x, y, { epochs: 0, onEpoch: () => calls++ }), []);
    assert.equal(calls, 0);
    assert.deepEqual(model.toJSON(), before);
    // The shuffles that follow are those of a fresh model: epochs: 0 drew none.
    const fresh = new xe.Classifier(config);
    assert.deepEqual(model.fit(x, y, { epochs: 2, batchSize: 8 }), fresh.fit(x, y, { epochs: 2, batchSize: 8 }));
    assert.deepEqual(model.toJSON(), fresh.toJSON());
    model.dispose();
    fresh.dispose();
  });

  test(`${build}: Trainer errors name the method, the argument and the value`, () => {
    const model = new xe.Classifier({ features: 2, classes: 3, seed: 1 });
    const x = [0, 1, 1, 0, 2, 2];
    const y = [0, 1, 2];
    const trainer = model.trainer(x, y, { batchSize: 2 });
    const before = model.toJSON();
    const wx = xe.alloc(6);
    const freed = model.trainer(wx, y);
    wx.free();
    const cases = [
      [
        () => model.trainer(x, [0, 1]),
        RangeError,
        'Classifier.trainer: y has length 2, expected 3 (one label per row)',
      ],
      [() => model.trainer([], []), RangeError, 'Classifier.trainer: x has no rows'],
      [
        () => model.trainer(x, y, { batchSize: 0 }),
        RangeError,
        'Classifier.trainer: options.batchSize = 0 must be an integer >= 1',
      ],
      [
        () => model.trainer(x, y, { shuffle: 1 }),
        TypeError,
        'Classifier.trainer: options.shuffle must be a boolean, got 1',
      ],
      [
        () => model.trainer([0, Infinity, 1, 0, 2, 2], y),
        RangeError,
        'Classifier.trainer: x[1] = Infinity is not finite',
      ],
      [() => trainer.step(-1), RangeError, 'Trainer.step: batches = -1 must be an integer >= 0'],
      [() => trainer.step(1.5), RangeError, 'Trainer.step: batches = 1.5 must be an integer >= 0'],
      [() => trainer.step('2'), TypeError, 'Trainer.step: batches must be a number, got "2"'],
      [() => trainer.set({ learningRate: -1 }), RangeError, /^Trainer.set: options.learningRate = -1 is outside/],
      [() => trainer.set({ weight: [1, 1] }), RangeError, 'Trainer.set: options.weight has length 2, expected 3'],
      [() => trainer.set(null), TypeError, 'Trainer.set: options must be an object, got null'],
      [() => freed.step(), Error, 'Trainer.step: this WasmArray has already been freed'],
    ];
    for (const [call, type, message] of cases) {
      assert.throws(call, (e) => {
        assert.equal(e.constructor, type, `${e.message}`);
        if (typeof message === 'string') assert.equal(e.message, message);
        else assert.match(e.message, message);
        return true;
      });
    }
    assert.deepEqual(model.toJSON(), before);
    assert.deepEqual([trainer.steps, trainer.progress], [0, 0]);
    // A failed set() kept the options: the trainer still steps 2 rows at a time.
    trainer.step(1);
    assert.equal(trainer.progress, 2 / 3);
    freed.dispose();
    trainer.dispose();
    for (const [method, call] of [
      ['step', () => trainer.step()],
      ['epoch', () => trainer.epoch()],
      ['set', () => trainer.set({})],
      ['dispose', () => trainer.dispose()],
    ]) {
      assert.throws(call, { constructor: Error, message: `Trainer.${method}: this Trainer has been disposed` });
    }
    const orphan = model.trainer(x, y);
    model.dispose();
    assert.throws(() => orphan.epoch(), {
      constructor: Error,
      message: 'Trainer.epoch: this Classifier has been disposed',
    });
    orphan.dispose();
  });

  test(
    `${build}: batches and forward passes too large for wasm memory are RangeErrors; the model goes on`,
    { skip: sanitized },
    () => {
      // A hidden layer of 2^20 units: 12 MiB of workspace per row, so 200 rows (a batch) or 256 (predict's
      // chunk) need more than the 2 GiB malloc can extend the heap by at once; the parameters are 48 MiB.
      const model = new xe.Classifier({ features: 1, classes: 2, hidden: [2 ** 20], seed: 3 });
      const heap = () => {
        const a = xe.alloc(0);
        const bytes = a.array.buffer.byteLength;
        a.free();
        return bytes;
      };
      const small = [
        [0.5, -1],
        [0, 1],
      ];
      const before = [model.predict(small[0]), model.evaluate(...small), heap()];
      const x = new Float32Array(256);
      const y = new Int32Array(256);
      const trainer = model.trainer(x, y, { batchSize: 200 });
      const cases = [
        [() => model.trainStep(x.subarray(0, 200), y.subarray(0, 200)), 'Classifier.trainStep', 'a batch of 200 rows'],
        [() => model.fit(x, y, { batchSize: 200 }), 'Classifier.fit', 'a batch of 200 rows'],
        [() => trainer.step(), 'Trainer.step', 'a batch of 200 rows'],
        [() => model.predict(x), 'Classifier.predict', 'the forward pass'],
        [() => model.evaluate(x, y), 'Classifier.evaluate', 'the forward pass'],
      ];
      for (const [call, fn, what] of cases) {
        assert.throws(call, { constructor: RangeError, message: `${fn}: cannot allocate wasm memory for ${what}` });
      }
      // Nothing changed, and the heap did not grow for the failed requests.
      assert.deepEqual([model.predict(small[0]), model.evaluate(...small), heap()], before);
      assert.ok(Number.isFinite(model.trainStep(...small)));
      assert.notDeepEqual(model.predict(small[0]), before[0]);
      trainer.dispose();
      model.dispose();
    },
  );

  test(`${build}: errors name the method, the argument and the value; failed calls change nothing`, () => {
    const model = new xe.Classifier({ features: 2, classes: 3, hidden: [4], seed: 1 });
    const x = [0, 1, 1, 0, 2, 2, -1, 0.5];
    const y = [0, 1, 2, 1];
    const before = model.toJSON();
    const cases = [
      [
        () => new xe.Classifier(),
        TypeError,
        'Classifier: options must be an object with features and classes, got undefined',
      ],
      [
        () => new xe.Classifier({ features: 2 }),
        TypeError,
        'Classifier: options.classes must be a number, got undefined',
      ],
      [
        () => new xe.Classifier({ features: 0, classes: 2 }),
        RangeError,
        'Classifier: options.features = 0 must be an integer >= 1',
      ],
      [
        () => new xe.Classifier({ features: 2, classes: 2.5 }),
        RangeError,
        'Classifier: options.classes = 2.5 must be an integer >= 1',
      ],
      [
        () => new xe.Classifier({ features: 2, classes: 2, hidden: 4 }),
        TypeError,
        'Classifier: options.hidden must be an array of layer sizes, got 4',
      ],
      [
        () => new xe.Classifier({ features: 2, classes: 2, hidden: [4, 0] }),
        RangeError,
        'Classifier: options.hidden[1] = 0 must be an integer >= 1',
      ],
      [
        () => new xe.Classifier({ features: 2, classes: 2, activation: 'gelu' }),
        RangeError,
        `Classifier: options.activation = "gelu" must be one of 'relu', 'tanh', 'sigmoid'`,
      ],
      [
        () => new xe.Classifier({ features: 2, classes: 2, seed: -1 }),
        RangeError,
        'Classifier: options.seed = -1 must be an integer >= 0',
      ],
      [
        () => new xe.Classifier({ features: 2, classes: 2, seed: 2 ** 32 }),
        RangeError,
        'Classifier: options.seed = 4294967296 must be an integer <= 4294967295',
      ],
      [
        () => new xe.Classifier({ features: 2, classes: 2, seed: '1' }),
        TypeError,
        'Classifier: options.seed must be a number, got "1"',
      ],
      [
        () => new xe.Classifier({ features: 1e5, classes: 2, hidden: [1e5] }),
        RangeError,
        /Classifier: the model would have 10000300002 parameters/,
      ],
      [
        () => model.trainStep(x.slice(1), y),
        RangeError,
        'Classifier.trainStep: x has length 7, which is not a multiple of features = 2',
      ],
      [() => model.trainStep(x, [0, 1, 2, 7]), RangeError, 'Classifier.trainStep: y[3] = 7 is outside [0, 3)'],
      [() => model.trainStep(x, [0, 1, 2, -1]), RangeError, 'Classifier.trainStep: y[3] = -1 is outside [0, 3)'],
      [
        () => model.trainStep(x, [0, 1, 0.5, 1]),
        RangeError,
        'Classifier.trainStep: y[2] = 0.5 is not an integer class index',
      ],
      [
        () => model.trainStep(x, [0, 1, 2]),
        RangeError,
        'Classifier.trainStep: y has length 3, expected 4 (one label per row)',
      ],
      [() => model.trainStep(x, '0121'), TypeError, /Classifier.trainStep: y must be an Int32Array/],
      [
        () => model.trainStep('x', y),
        TypeError,
        /Classifier.trainStep: x must be a Float32Array, Float64Array, number\[\] or WasmArray, got "x"/,
      ],
      [
        () => model.trainStep([0, NaN, 1, 0, 2, 2, -1, 0.5], y),
        RangeError,
        'Classifier.trainStep: x[1] = NaN is not finite',
      ],
      [() => model.trainStep([], []), RangeError, 'Classifier.trainStep: x has no rows'],
      [() => model.trainStep(x, y, 0.1), TypeError, 'Classifier.trainStep: options must be an object, got 0.1'],
      [
        () => model.trainStep(x, y, { learningRate: 0 }),
        RangeError,
        'Classifier.trainStep: options.learningRate = 0 is outside the finite range (0, Infinity]',
      ],
      [
        () => model.trainStep(x, y, { learningRate: Infinity }),
        RangeError,
        /options.learningRate = Infinity is outside/,
      ],
      [() => model.trainStep(x, y, { learningRate: NaN }), RangeError, /options.learningRate = NaN is outside/],
      [
        () => model.trainStep(x, y, { learningRate: '0.1' }),
        TypeError,
        'Classifier.trainStep: options.learningRate must be a number, got "0.1"',
      ],
      [
        () => model.trainStep(x, y, { optimizer: 'rmsprop' }),
        RangeError,
        `Classifier.trainStep: options.optimizer = "rmsprop" must be one of 'sgd', 'momentum', 'adam'`,
      ],
      [() => model.trainStep(x, y, { l2: -1 }), RangeError, /Classifier.trainStep: options.l2 = -1 is outside/],
      [
        () => model.trainStep(x, y, { labelSmoothing: 1.5 }),
        RangeError,
        /Classifier.trainStep: options.labelSmoothing = 1.5 is outside/,
      ],
      [
        () => model.trainStep(x, y, { weight: [1, 1] }),
        RangeError,
        'Classifier.trainStep: options.weight has length 2, expected 3',
      ],
      [
        () => model.trainStep(x, y, { weight: [1, -1, 1] }),
        RangeError,
        'Classifier.trainStep: options.weight[1] = -1 must be finite and >= 0',
      ],
      [
        () => model.fit(x, y, { epochs: 1.5 }),
        RangeError,
        'Classifier.fit: options.epochs = 1.5 must be an integer >= 0',
      ],
      [
        () => model.fit(x, y, { epochs: -1 }),
        RangeError,
        'Classifier.fit: options.epochs = -1 must be an integer >= 0',
      ],
      [
        () => model.fit(x, y, { batchSize: 0 }),
        RangeError,
        'Classifier.fit: options.batchSize = 0 must be an integer >= 1',
      ],
      [
        () => model.fit(x, y, { shuffle: 'yes' }),
        TypeError,
        'Classifier.fit: options.shuffle must be a boolean, got "yes"',
      ],
      [() => model.fit(x, y, { onEpoch: 3 }), TypeError, 'Classifier.fit: options.onEpoch must be a function, got 3'],
      [() => model.fit(x, [0, 1, 2, 3]), RangeError, 'Classifier.fit: y[3] = 3 is outside [0, 3)'],
      [
        () => model.predict(x, { out: new Float32Array(11) }),
        RangeError,
        'Classifier.predict: options.out has length 11, expected 12',
      ],
      [
        () => model.predict(x, { out: new Float64Array(12) }),
        TypeError,
        /Classifier.predict: options.out must be a Float32Array or WasmArray/,
      ],
      [() => model.evaluate(x, [0, 1, 2, 5]), RangeError, 'Classifier.evaluate: y[3] = 5 is outside [0, 3)'],
      [
        () => xe.Classifier.fromJSON(null),
        TypeError,
        'Classifier.fromJSON: json must be a model saved by toJSON() (an object or its string), got null',
      ],
      [
        () => xe.Classifier.fromJSON('[1, 2]'),
        TypeError,
        'Classifier.fromJSON: json must be a model saved by toJSON() (an object or its string), got an array of length 2',
      ],
      [
        () => xe.Classifier.fromJSON({ ...before, version: 2 }),
        RangeError,
        'Classifier.fromJSON: json.version = 2 is not supported: this xentropy reads version 1',
      ],
      [
        () => xe.Classifier.fromJSON({ ...before, version: '1' }),
        TypeError,
        'Classifier.fromJSON: json.version must be a number, got "1"',
      ],
      [
        () => xe.Classifier.fromJSON({ ...before, version: undefined }),
        TypeError,
        'Classifier.fromJSON: json.version must be a number, got undefined',
      ],
      [
        () => xe.Classifier.fromJSON({ ...before, format: undefined }),
        TypeError,
        `Classifier.fromJSON: json.format must be the string 'xentropy.Classifier', got undefined`,
      ],
      // Saved JSON has every field: no defaults, unlike the constructor's options.
      [
        () => xe.Classifier.fromJSON({ ...before, seed: undefined }),
        TypeError,
        'Classifier.fromJSON: json.seed must be a number, got undefined',
      ],
      [
        () => xe.Classifier.fromJSON({ ...before, hidden: undefined }),
        TypeError,
        'Classifier.fromJSON: json.hidden must be an array of layer sizes, got undefined',
      ],
      [
        () => xe.Classifier.fromJSON({ ...before, activation: undefined }),
        TypeError,
        'Classifier.fromJSON: json.activation must be a string, got undefined',
      ],
      [
        () => xe.Classifier.fromJSON({ ...before, features: '2' }),
        TypeError,
        'Classifier.fromJSON: json.features must be a number, got "2"',
      ],
      [
        () => xe.Classifier.fromJSON({ ...before, hidden: [4.5] }),
        RangeError,
        'Classifier.fromJSON: json.hidden[0] = 4.5 must be an integer >= 1',
      ],
      [
        () => xe.Classifier.fromJSON({ ...before, layers: [null, before.layers[1]] }),
        TypeError,
        'Classifier.fromJSON: json.layers[0] must be an object with weights and bias, got null',
      ],
      [
        () =>
          xe.Classifier.fromJSON({ ...before, layers: [{ ...before.layers[0], bias: '0,0,0,0' }, before.layers[1]] }),
        TypeError,
        'Classifier.fromJSON: json.layers[0].bias must be an array of numbers, got "0,0,0,0"',
      ],
      [
        () => xe.Classifier.fromJSON({ ...before, layers: [before.layers[0], { ...before.layers[1], bias: [0, 0] }] }),
        RangeError,
        'Classifier.fromJSON: json.layers[1].bias has length 2, expected 3 (3)',
      ],
      [
        () =>
          xe.Classifier.fromJSON({
            ...before,
            layers: [before.layers[0], { ...before.layers[1], weights: before.layers[1].weights.slice(1) }],
          }),
        RangeError,
        'Classifier.fromJSON: json.layers[1].weights has length 11, expected 12 (4 x 3)',
      ],
      [() => xe.Classifier.fromJSON('{"features":'), TypeError, /Classifier.fromJSON: json is not valid JSON/],
      [
        () => xe.Classifier.fromJSON({ ...before, hidden: [5] }),
        RangeError,
        'Classifier.fromJSON: json.layers[0].weights has length 8, expected 10 (2 x 5)',
      ],
      [
        () => xe.Classifier.fromJSON({ ...before, layers: before.layers.slice(1) }),
        RangeError,
        'Classifier.fromJSON: json.layers has length 1, expected 2 (hidden.length + 1)',
      ],
      [
        () => xe.Classifier.fromJSON({ ...before, layers: undefined }),
        TypeError,
        'Classifier.fromJSON: json.layers must be an array, got undefined',
      ],
      [
        () =>
          xe.Classifier.fromJSON({
            ...before,
            layers: [
              before.layers[0],
              { weights: [...before.layers[1].weights.slice(1), null], bias: before.layers[1].bias },
            ],
          }),
        TypeError,
        'Classifier.fromJSON: json.layers[1].weights[11] = null is not a number',
      ],
      [
        () =>
          xe.Classifier.fromJSON({
            ...before,
            layers: [before.layers[0], { weights: before.layers[1].weights, bias: [0, 1e999, 0] }],
          }),
        RangeError,
        'Classifier.fromJSON: json.layers[1].bias[1] = Infinity is not finite',
      ],
      [
        () => xe.Classifier.fromJSON({ ...before, activation: 'elu' }),
        RangeError,
        /Classifier.fromJSON: json.activation = "elu"/,
      ],
      [
        () => xe.Classifier.fromJSON({ ...before, format: 'keras' }),
        RangeError,
        `Classifier.fromJSON: json.format = "keras", expected 'xentropy.Classifier'`,
      ],
    ];
    for (const [call, type, message] of cases) {
      assert.throws(call, (e) => {
        assert.equal(e.constructor, type, `${e.message}`);
        if (typeof message === 'string') assert.equal(e.message, message);
        else assert.match(e.message, message);
        return true;
      });
    }
    assert.deepEqual(model.toJSON(), before);
    // An onEpoch that throws stops fit after that epoch's updates.
    let calls = 0;
    assert.throws(
      () =>
        model.fit(x, y, {
          epochs: 5,
          onEpoch: () => {
            calls++;
            throw new Error('stop');
          },
        }),
      /^Error: stop$/,
    );
    assert.equal(calls, 1);
    // A model disposed inside onEpoch ends the fit with the disposed error.
    const other = new xe.Classifier({ features: 2, classes: 3 });
    assert.throws(() => other.fit(x, y, { epochs: 3, onEpoch: () => other.dispose() }), {
      constructor: Error,
      message: 'Classifier.fit: this Classifier has been disposed',
    });
    model.dispose();
    for (const [method, call] of [
      ['trainStep', () => model.trainStep(x, y)],
      ['fit', () => model.fit(x, y)],
      ['predict', () => model.predict(x)],
      ['evaluate', () => model.evaluate(x, y)],
      ['toJSON', () => model.toJSON()],
      ['dispose', () => model.dispose()],
    ]) {
      assert.throws(call, { constructor: Error, message: `Classifier.${method}: this Classifier has been disposed` });
    }
  });

  test(
    `${build}: creating, training and disposing models, failing and not, leaves wasm memory as it was`,
    { skip: sanitized },
    () => {
      const before = probe(xe);
      const { x, y } = data.blobs(60, 3);
      for (let i = 0; i < 200; i++) {
        const m = new xe.Classifier({ features: 2, classes: 3, hidden: [(i % 7) + 1, 5], seed: i });
        m.fit(x, y, { epochs: 1, batchSize: 7 + (i % 50) });
        const trainer = m.trainer(x, y, { batchSize: 5 + (i % 9), weight: [1, 2, 3] });
        trainer.step(i % 13);
        trainer.epoch();
        trainer.dispose();
        try {
          m.trainer(x, [...y.slice(1), 9]);
        } catch {}
        try {
          trainer.step();
        } catch {}
        m.predict(x);
        m.evaluate(x, y);
        xe.Classifier.fromJSON(m.toJSON()).dispose();
        try {
          m.trainStep(x, [...y.slice(1), 9]);
        } catch {}
        try {
          xe.Classifier.fromJSON({ ...m.toJSON(), layers: [] });
        } catch {}
        m.dispose();
      }
      assert.deepEqual(probe(xe), before);
    },
  );

  test(`${build}: forgotten models and trainers are freed after garbage collection`, { skip: sanitized }, async () => {
    const before = probe(xe);
    for (let i = 0; i < 20; i++) {
      // ~2 MiB of parameters and optimizer state each, never disposed.
      new xe.Classifier({ features: 256, classes: 10, hidden: [512] }).trainStep(new Float32Array(256), [0]);
      // ... and trainers, with their copy of the data (~1 MiB), never disposed.
      new xe.Classifier({ features: 2, classes: 2 }).trainer(new Float32Array(2 ** 17), new Int32Array(2 ** 16)).step();
    }
    for (let i = 0; i < 10 && probe(xe)[0] !== before[0]; i++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal(probe(xe)[0], before[0]);
  });
}
