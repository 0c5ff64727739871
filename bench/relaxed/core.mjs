// The measurement of the relaxed-SIMD experiment (README.md here), shared by Node (ab.mjs) and the browser
// page (page.html): every op at every shape on every side, timed back to back with the sides' order rotating
// between rounds, so a busy neighbour slows all alike; each side's minimum over the rounds, in microseconds
// per call. Zero-copy calls (logits and output in wasm memory, labels copied), one thread.
// sides: { simd14, simd19, relaxed19 } xentropy instances; now(): milliseconds.
export const OPS = ['softmax', 'logSoftmax', 'crossEntropy', 'crossEntropyWithGrad'];
export const SHAPES = [
  [256, 10],
  [512, 1000],
  [64, 32000],
  [8, 128000],
];

export function abRun(sides, { rounds = 60, shapes = SHAPES, ops = OPS, work = 4e6, now, log }) {
  const names = Object.keys(sides);
  let seed = 12345;
  const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const cases = [];
  for (const [n, c] of shapes) {
    const x = Float32Array.from({ length: n * c }, () => rand() * 16 - 8);
    const labels = Int32Array.from({ length: n }, () => Math.floor(rand() * c));
    const calls = Math.max(1, Math.round(work / (n * c))); // about `work` elements per timing
    const per = {};
    for (const name of names) {
      const xe = sides[name];
      const wx = xe.alloc(n * c);
      wx.array.set(x);
      const out = xe.alloc(n * c);
      per[name] = {
        softmax: () => xe.softmax(wx, { classes: c, out }),
        logSoftmax: () => xe.logSoftmax(wx, { classes: c, out }),
        crossEntropy: () => xe.crossEntropy(wx, labels, { classes: c }),
        crossEntropyWithGrad: () => xe.crossEntropyWithGrad(wx, labels, { classes: c, out }),
        out,
      };
    }
    for (const op of ops) cases.push({ shape: `${n}x${c}`, op, calls, per, best: {} });
    log(`softmax ${n}x${c}: ${accuracy(x, n, c, names, per)}`);
  }

  let sink = 0;
  const time = (k, name) => {
    const f = k.per[name][k.op];
    const t0 = now();
    for (let i = 0; i < k.calls; i++) sink += f() === undefined ? 1 : 0;
    const us = ((now() - t0) * 1e3) / k.calls;
    if (!(us >= k.best[name])) k.best[name] = us;
  };
  for (const k of cases) for (const name of names) for (let i = 0; i < 3; i++) time(k, name); // warm-up
  for (let r = 0; r < rounds; r++) {
    const order = names.slice(r % names.length).concat(names.slice(0, r % names.length));
    for (const k of cases) for (const name of order) time(k, name);
  }
  if (sink) throw new Error('an op returned undefined');

  log(`min of ${rounds} rounds, us per call`);
  log('| shape | op | simd14 | simd19 | relaxed19 | relaxed19/simd19 | relaxed19/simd14 |');
  log('|---|---|---:|---:|---:|---:|---:|');
  for (const { shape, op, best: b } of cases) {
    log(
      `| ${shape} | ${op} | ${b.simd14.toFixed(1)} | ${b.simd19.toFixed(1)} | ${b.relaxed19.toFixed(1)} | ` +
        `${(b.relaxed19 / b.simd19).toFixed(3)} | ${(b.relaxed19 / b.simd14).toFixed(3)} |`,
    );
  }
}

// Softmax's largest relative error against a float64 reference for each side, and how the sides' bits differ.
function accuracy(x, n, c, names, per) {
  const ref = new Float64Array(n * c);
  for (let i = 0; i < n; i++) {
    let m = -Infinity;
    for (let j = 0; j < c; j++) m = Math.max(m, x[i * c + j]);
    let s = 0;
    for (let j = 0; j < c; j++) s += Math.exp(x[i * c + j] - m);
    for (let j = 0; j < c; j++) ref[i * c + j] = Math.exp(x[i * c + j] - m) / s;
  }
  const got = {};
  const errors = names.map((name) => {
    per[name].softmax();
    const y = (got[name] = Float32Array.from(per[name].out.array));
    let rel = 0;
    for (let k = 0; k < ref.length; k++) if (ref[k] > 1e-30) rel = Math.max(rel, Math.abs(y[k] - ref[k]) / ref[k]);
    return `${name} ${rel.toExponential(2)}`;
  });
  const ulps = (a, b) => {
    const ia = new Int32Array(a.buffer);
    const ib = new Int32Array(b.buffer);
    let worst = 0;
    let differ = 0;
    for (let k = 0; k < ia.length; k++) {
      if (ia[k] !== ib[k]) differ++;
      worst = Math.max(worst, Math.abs(ia[k] - ib[k]));
    }
    return `${((100 * differ) / ia.length).toFixed(1)}% of elements differ, by at most ${worst} ulp`;
  };
  // A hash of the relaxed build's bits, to compare across engines (same CPU): FNV-1a over the words.
  let hash = 0x811c9dc5;
  for (const word of new Int32Array(got.relaxed19.buffer)) hash = Math.imul(hash ^ word, 0x01000193);
  return (
    `largest rel. error vs float64: ${errors.join(', ')}; simd14 vs simd19: ${ulps(got.simd14, got.simd19)}; ` +
    `simd19 vs relaxed19: ${ulps(got.simd19, got.relaxed19)}; relaxed19 bits hash ${(hash >>> 0).toString(16)}`
  );
}
