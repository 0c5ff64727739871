// Conformance against PyTorch: every case of tests/fixtures/torch.json (written by
// tests/fixtures/generate.py with torch 1.13 in float64 from float32 inputs) in both builds, with a mixed
// tolerance |a - b| <= atol + rtol * |ref| and NaN / +-Infinity required in exactly the same places.
// XE_TORCH_REPORT=1 also prints, per build and tolerance class, how close the worst case came to its
// bound (1 = at the bound).
import assert from 'node:assert/strict';
import test, { after } from 'node:test';

import { load } from '../web/index.js';
import { close, worstRatio } from './lib/tolerance.mjs';
import { loadTorchFixtures } from './lib/torch-fixtures.mjs';

// Tolerances, from the error budget of float32 computation with float64 reductions (2^-24 = 6e-8 is one
// float32 rounding; the library's exp is good to ~4 ulp including the normalisation, measured over
// [-87, 0]). The measured worst case of each class sits 5x (prob) to 25x below its bound in both builds
// (XE_TORCH_REPORT=1 prints them).
const TOL = {
  // softmax, sigmoid (float32 out). x - max is itself rounded to float32 (as in torch's float32 kernel):
  // 0.5 ulp of |x - max| / T in the exponent, i.e. a relative error up to 87 * 6e-8 = 5.2e-6 for the
  // smallest probabilities that do not underflow, plus ~4 ulp (2.4e-7): rtol 1e-5. atol only covers
  // results below float32's smallest normal number (1.18e-38), which the exp flushes to 0.
  prob: { rtol: 1e-5, atol: 1e-37 },
  // logSoftmax: (x - max) / T - log(sum) in float32: a few ulp of |y| (rtol), and log(sum) carries the
  // exponentials' 4 ulp (2.4e-7 absolute) plus its own float32 rounding (2.4e-7 at log(sum) ~ 7): atol.
  logProb: { rtol: 1e-6, atol: 1e-6 },
  // Gradients (softmaxBackward, cross-entropy, BCE), float32 out: A * p_j - a_j at the target class, with
  // p_j near 1, cancels to an absolute error of a few ulp(1) = 1.2e-7 times the reduction's scale (up to
  // ~3 here with weights and base 2): atol 1e-6. Elsewhere a few float32 roundings of p, k and products,
  // and the same x - max rounding as softmax: rtol 1e-5.
  grad: { rtol: 1e-5, atol: 1e-6 },
  // Losses returned as numbers, accumulated in float64: per row log(sum exp) carries the exponentials'
  // ~4 ulp (2.4e-7 absolute, times the row's coefficient sum); the m - z_t terms and probability inputs
  // are exact in float64.
  loss: { rtol: 1e-6, atol: 1e-6 },
  // Per-row losses ('none', entropy, KL): the same float64 row value, then one float32 rounding (6e-8).
  rowLoss: { rtol: 1e-6, atol: 1e-6 },
  // Losses near 1e-6 (confident rows: log(1 + sum of tiny exponentials)): float64 sums keep their
  // exponentials' relative accuracy, float32 sums would keep ~2 digits. Used where a case asks for it.
  smallLoss: { rtol: 1e-5, atol: 1e-12 },
  // evaluate's accuracy / top-k: ratios of counts, identical up to the 9 digits stored in the fixture.
  ratio: { rtol: 1e-8, atol: 0 },
};

const fixtures = loadTorchFixtures();
const REPORT = process.env.XE_TORCH_REPORT === '1';
let current = ''; // the case being run, for the report
let override = {}; // the case's own tolerance classes, { class: class to use instead }

// `tol` defaults to the class's entry of TOL (or the one the case asks for instead).
function check(worst, got, expected, tolClass, what, tol) {
  const tolName = override[tolClass] ?? tolClass;
  tol ??= TOL[tolName];
  if (REPORT) {
    const r = worstRatio(got, expected, tol);
    if (!(r <= (worst[tolName]?.ratio ?? -1))) worst[tolName] = { ratio: r, what: `${what}, ${current}` };
  }
  close(got, expected, { ...tol, what });
}

function isArrayResult(v) {
  return v instanceof Float32Array;
}

// A loss: a number for 'mean' / 'sum', a Float32Array of per-row values for 'none'.
function checkLoss(worst, got, expected, what) {
  if (typeof expected === 'number') {
    assert.equal(typeof got, 'number', `${what}: expected a number`);
    check(worst, got, expected, 'loss', what);
  } else {
    assert.ok(isArrayResult(got), `${what}: expected a Float32Array`);
    check(worst, got, expected, 'rowLoss', what);
  }
}

function checkArray(worst, got, expected, tolName, what) {
  assert.ok(isArrayResult(got), `${what}: expected a Float32Array, got ${got?.constructor?.name}`);
  check(worst, got, expected, tolName, what);
}

function checkMetrics(worst, got, e, what) {
  assert.equal(got.count, e.count, `${what}.count`);
  check(worst, got.loss, e.loss, 'loss', `${what}.loss`);
  // perplexity = exp(loss): an absolute loss error d is a relative perplexity error d.
  const perplexity = { rtol: TOL.loss.atol + TOL.loss.rtol * Math.abs(e.loss), atol: 0 };
  check(worst, got.perplexity, e.perplexity, 'perplexity', `${what}.perplexity`, perplexity);
  check(worst, got.bits, e.bits, 'loss', `${what}.bits`);
  check(worst, got.accuracy, e.accuracy, 'ratio', `${what}.accuracy`);
  assert.deepEqual(Object.keys(got.topK).sort(), Object.keys(e.topK).sort(), `${what}.topK keys`);
  for (const k of Object.keys(e.topK)) check(worst, got.topK[k], e.topK[k], 'ratio', `${what}.topK[${k}]`);
}

function runCase(xe, c, worst) {
  const { fn, args, opts, expect } = c;
  switch (fn) {
    case 'softmax':
    case 'sigmoid':
      return checkArray(worst, xe[fn](...args, opts), expect, 'prob', fn);
    case 'logSoftmax':
      return checkArray(worst, xe[fn](...args, opts), expect, 'logProb', fn);
    case 'softmaxBackward':
      return checkArray(worst, xe[fn](...args, opts), expect, 'grad', fn);
    case 'entropy':
    case 'klDivergence':
      return checkLoss(worst, xe[fn](...args, opts), expect, fn);
    case 'crossEntropy':
    case 'binaryCrossEntropy': {
      checkLoss(worst, xe[fn](...args, opts), expect.loss, `${fn} loss`);
      const both = xe[`${fn}WithGrad`](...args, opts);
      checkLoss(worst, both.loss, expect.loss, `${fn}WithGrad loss`);
      return checkArray(worst, both.grad, expect.grad, 'grad', `${fn}WithGrad grad`);
    }
    case 'evaluate': {
      const [logits, labels] = args;
      checkMetrics(worst, xe.evaluate(logits, labels, opts), expect, 'evaluate');
      // The streaming evaluator over the same rows in two batches gives the same result.
      const n = labels.length,
        classes = opts.classes,
        half = n >> 1;
      const ev = xe.evaluator(opts);
      ev.add(logits.subarray(0, half * classes), labels.subarray(0, half));
      ev.add(logits.subarray(half * classes), labels.subarray(half));
      return checkMetrics(worst, ev.result(), expect, 'evaluator (2 batches)');
    }
    default:
      throw new Error(`torch.json: unknown function ${fn}`);
  }
}

test('torch.json: generated by tests/fixtures/generate.py, every case decoded', () => {
  assert.equal(fixtures.meta.generator, 'tests/fixtures/generate.py');
  assert.equal(fixtures.cases.length, fixtures.meta.cases);
  assert.ok(fixtures.cases.length > 500);
});

for (const simd of [false, true]) {
  const build = simd ? 'simd' : 'scalar';
  const xe = await load({ simd });
  const worst = {};

  test(`${build}: the ${build} build is loaded`, () => {
    assert.equal(xe.simd, simd);
  });

  // Hand-checked: -ln 0.7 = 0.35667494 nats = 0.51457317 bits (the inputs are float32, so 0.7 is
  // 0.699999988: 1.7e-8 further, within the atol).
  test(`${build}: seed case, p = [0.7, 0.2, 0.1], class 0: 0.35667494 nats, 0.51457317 bits`, () => {
    const tol = { rtol: 0, atol: 1e-7 };
    const p = [0.7, 0.2, 0.1];
    const z = p.map(Math.log);
    for (const [from, x] of [
      ['probs', p],
      ['logits', z],
    ]) {
      for (const target of [[0], Int32Array.of(0), [1, 0, 0]]) {
        const what = `crossEntropy from ${from}, target ${target.constructor.name} [${target}]`;
        close(xe.crossEntropy(x, target, { classes: 3, from }), 0.35667494, { ...tol, what: `${what}, nats` });
        close(xe.crossEntropy(x, target, { classes: 3, from, base: 2 }), 0.51457317, { ...tol, what: `${what}, bits` });
      }
      const { loss, grad } = xe.crossEntropyWithGrad(x, [0], { classes: 3, from, base: 2 });
      close(loss, 0.51457317, { ...tol, what: `crossEntropyWithGrad from ${from}, bits` });
      // d/dz = (softmax - onehot) / ln 2; d/dp = -onehot / (p ln 2).
      const g = from === 'logits' ? [-0.3, 0.2, 0.1] : [-1 / 0.7, 0, 0];
      close(
        grad,
        g.map((v) => v / Math.LN2),
        { rtol: 1e-6, atol: 1e-7, what: `crossEntropyWithGrad from ${from}, grad` },
      );
    }
    const m = xe.evaluate(z, [0], { classes: 3 });
    close(m.loss, 0.35667494, { ...tol, what: 'evaluate loss' });
    close(m.bits, 0.51457317, { ...tol, what: 'evaluate bits' });
    assert.equal(m.accuracy, 1);
  });

  for (const [group, cases] of fixtures.groups) {
    test(`${build}: torch ${group} (${cases.length} cases)`, () => {
      const failures = [];
      for (const c of cases) {
        try {
          current = `${group}: ${c.name}`;
          override = c.tol ?? {};
          runCase(xe, c, worst);
        } catch (err) {
          failures.push(`  ${c.fn} ${c.name}: ${err.message}`);
        }
      }
      if (failures.length) {
        const shown = failures.slice(0, 15).join('\n');
        const more = failures.length > 15 ? `\n  ... and ${failures.length - 15} more` : '';
        const head = `${failures.length} of ${cases.length} ${group} cases differ from torch (${build} build)`;
        assert.fail(`${head}:\n${shown}${more}`);
      }
    });
  }

  // A report, not a test: printed once every case has run.
  if (REPORT) {
    after(() => {
      for (const [name, { ratio, what }] of Object.entries(worst)) {
        console.log(`${build} ${name.padEnd(8)} worst ${ratio.toExponential(2)} of the bound (${what})`);
      }
    });
  }
}
