// Property tests: thousands of seeded random cases per run, every option combination of the contract with
// special values mixed in, against the float64 references of tests/lib/reference.mjs, in both builds.
// A failure names its seed; replay one with XE_SEED=<seed> node --test tests/property.test.mjs.
import test from 'node:test';

import { builds, rng } from './lib/builds.mjs';
import { close } from './lib/tolerance.mjs';
import * as ref from './lib/reference.mjs';

const CASES = Number(process.env.XE_CASES ?? 1500);
const FIRST = Number(process.env.XE_SEED ?? 1);
const ONLY = process.env.XE_SEED !== undefined;

function pick(random, list) {
  return list[Math.floor(random() * list.length)];
}

// Logits with specials: mostly uniform, some rows large (90..100 or +-1e4), some -Infinity masks and NaN.
function logits(random, n, c) {
  const x = new Float32Array(n * c);
  for (let i = 0; i < n; i++) {
    const kind = random();
    for (let j = 0; j < c; j++) {
      let v = kind < 0.1 ? 90 + 10 * random() : kind < 0.15 ? (random() - 0.5) * 2e4 : (random() - 0.5) * 16;
      const special = random();
      if (special < 0.03 && j > 0) v = -Infinity;
      else if (special < 0.035 && kind > 0.95) v = NaN;
      x[i * c + j] = v;
    }
  }
  return x;
}

function crossEntropyCase(random) {
  const n = Math.floor(random() * 65);
  const c = random() < 0.8 ? 1 + Math.floor(random() * 40) : 1 + Math.floor(random() * 2000);
  const from = random() < 0.75 ? 'logits' : 'probs';
  const dense = c > 1 && random() < 0.35;
  const opts = { classes: c, from, reduction: pick(random, ['mean', 'sum', 'none']) };
  if (random() < 0.3) opts.weight = Float32Array.from({ length: c }, () => (random() < 0.1 ? 0 : 2 * random()));
  if (random() < 0.3) opts.labelSmoothing = Math.fround(random() < 0.2 ? pick(random, [0, 1]) : random());
  if (random() < 0.2) opts.base = pick(random, [2, 10, 1.5]);
  if (!dense && random() < 0.3) opts.ignoreIndex = pick(random, [-100, 0, c - 1, -1]);
  let x;
  if (from === 'logits') {
    x = logits(random, n, c);
  } else {
    x = Float32Array.from({ length: n * c }, () => (random() < 0.05 ? pick(random, [0, 1e-9, 1, 1.5]) : random()));
  }
  let target;
  if (dense) {
    target = new Float32Array(n * c);
    for (let i = 0; i < n; i++) {
      const hard = random() < 0.3;
      let s = 0;
      for (let j = 0; j < c; j++) s += target[i * c + j] = hard ? 0 : random() < 0.2 ? 0 : random();
      if (hard || s === 0) target[i * c + Math.floor(random() * c)] = 1;
      else for (let j = 0; j < c; j++) target[i * c + j] /= s;
    }
  } else {
    const ignore = opts.ignoreIndex ?? -100;
    target = Int32Array.from({ length: n }, () => (random() < 0.1 ? ignore : Math.floor(random() * c)));
  }
  return { x, target, opts };
}

for (const [simd, xe] of await builds()) {
  const build = simd ? 'simd' : 'scalar';

  test(`${build}: ${ONLY ? `seed ${FIRST}` : `${CASES} random cross-entropy cases`} match the float64 reference`, () => {
    for (let seed = FIRST; seed < FIRST + (ONLY ? 1 : CASES); seed++) {
      const { x, target, opts } = crossEntropyCase(rng(seed));
      const where = `seed ${seed} (N=${target.length === x.length / opts.classes ? target.length : x.length / opts.classes}, ${JSON.stringify({ ...opts, weight: opts.weight && 'yes' })})`;
      const expected = ref.crossEntropy(x, target, opts).loss;
      const { loss, grad } = xe.crossEntropyWithGrad(x, target, opts);
      // Losses: float32 inputs, float64 sums; logits near 1e4 lose absolute precision ~1e-3 in float32.
      close(loss, expected, { rtol: 2e-5, atol: 1e-5, what: `loss, ${where}` });
      close(xe.crossEntropy(x, target, opts), expected, {
        rtol: 2e-5,
        atol: 1e-5,
        what: `loss without grad, ${where}`,
      });
      const g = ref.crossEntropyGrad(x, target, opts);
      // Gradients are float32 softmax values minus coefficients: absolute error relative to the scale.
      const scale = Math.max(1, ...Array.from(g, Math.abs).filter(Number.isFinite));
      close(grad, g, { rtol: 1e-4, atol: 2e-6 * scale, what: `grad, ${where}` });
    }
  });

  test(`${build}: random softmax, logSoftmax, sigmoid, BCE, entropy and KL cases match float64`, () => {
    for (let seed = FIRST; seed < FIRST + (ONLY ? 1 : CASES / 5); seed++) {
      const random = rng(seed + 1e6);
      const n = Math.floor(random() * 65);
      const c = 1 + Math.floor(random() * (random() < 0.8 ? 40 : 2000));
      const x = logits(random, n, c);
      const where = `seed ${seed} (N=${n}, C=${c})`;
      const logp = [];
      for (let i = 0; i < n; i++) logp.push(...ref.logSoftmaxRow(Array.from(x.subarray(i * c, i * c + c))));
      close(xe.logSoftmax(x, { classes: c }), logp, { rtol: 2e-6, atol: 2e-6, what: `logSoftmax ${where}` });
      close(xe.softmax(x, { classes: c }), logp.map(Math.exp), { rtol: 2e-5, atol: 1e-7, what: `softmax ${where}` });
      close(
        xe.sigmoid(x),
        Array.from(x, (v) => 1 / (1 + Math.exp(-v))),
        { rtol: 2e-6, atol: 1e-37, what: `sigmoid ${where}` },
      );
      const y = Float32Array.from(x, () => (random() < 0.5 ? Math.round(random()) : random()));
      const bceOpts = {
        from: 'logits',
        reduction: pick(random, ['mean', 'sum', 'none']),
        posWeight: random() < 0.3 ? 3 : 1,
      };
      close(xe.binaryCrossEntropy(x, y, bceOpts), ref.binaryCrossEntropy(x, y, bceOpts), {
        rtol: 1e-6,
        atol: 1e-6,
        what: `bce ${where}`,
      });
      const p = xe.softmax(x, { classes: c });
      const q = xe.softmax(logits(random, n, c), { classes: c });
      const h = [],
        kl = [];
      for (let i = 0; i < n; i++) {
        let hi = 0,
          di = 0;
        for (let j = i * c; j < i * c + c; j++) {
          if (p[j] === 0) continue;
          hi -= p[j] * Math.log(p[j]);
          di += p[j] * (Math.log(p[j]) - Math.log(q[j]));
        }
        h.push(hi);
        kl.push(di);
      }
      close(xe.entropy(p, { classes: c }), h, { rtol: 1e-5, atol: 1e-6, what: `entropy ${where}` });
      close(xe.klDivergence(p, q, { classes: c, reduction: 'none' }), kl, {
        rtol: 1e-5,
        atol: 1e-6,
        what: `kl ${where}`,
      });
    }
  });
}
