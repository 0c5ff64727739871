// Seeded 2-D data sets for the demo, in the square [-1, 1]² (noise may push a few points outside).
// Every generator takes the same seeded random source, so one seed always gives the same points.

/** mulberry32: a small, fast 32-bit PRNG; returns floats in [0, 1). */
export function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  next.uniform = (lo, hi) => lo + (hi - lo) * next();
  // Box-Muller; the second value is thrown away to keep the stream simple.
  next.normal = (sd = 1) => sd * Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  return next;
}

// classes: [min, max] the data set allows.
export const DATASETS = {
  blobs: { label: 'Blobs', classes: [2, 5] },
  circles: { label: 'Circles', classes: [2, 2] },
  xor: { label: 'XOR', classes: [2, 2] },
  moons: { label: 'Moons', classes: [2, 2] },
  spiral: { label: 'Spiral', classes: [2, 5] },
};

/** The number of classes a data set can have, closest to `wanted`. */
export function classesFor(dataset, wanted) {
  const [lo, hi] = DATASETS[dataset].classes;
  return Math.min(hi, Math.max(lo, wanted));
}

// Each generator pushes n points of class k: push(x, y). `noise` is in [0, 0.5].
const GENERATORS = {
  blobs(r, k, K, n, noise, push) {
    const angle = (2 * Math.PI * k) / K + Math.PI / 4;
    const cx = 0.55 * Math.cos(angle);
    const cy = 0.55 * Math.sin(angle);
    const sd = 0.06 + 0.45 * noise;
    for (let i = 0; i < n; i++) push(cx + r.normal(sd), cy + r.normal(sd));
  },
  circles(r, k, K, n, noise, push) {
    const [r0, r1] = k === 0 ? [0, 0.4] : [0.6, 0.95];
    for (let i = 0; i < n; i++) {
      const radius = r.uniform(r0, r1);
      const angle = r.uniform(0, 2 * Math.PI);
      push(radius * Math.cos(angle) + r.normal(0.25 * noise), radius * Math.sin(angle) + r.normal(0.25 * noise));
    }
  },
  xor(r, k, K, n, noise, push) {
    // Class 0: quadrants where x·y > 0; a small margin keeps points off the axes.
    for (let i = 0; i < n; i++) {
      const sx = r() < 0.5 ? -1 : 1;
      const sy = k === 0 ? sx : -sx;
      const x = sx * r.uniform(0.05, 0.95);
      const y = sy * r.uniform(0.05, 0.95);
      push(x + r.normal(0.25 * noise), y + r.normal(0.25 * noise));
    }
  },
  moons(r, k, K, n, noise, push) {
    // scikit-learn's make_moons, centred and scaled into the square.
    for (let i = 0; i < n; i++) {
      const t = r.uniform(0, Math.PI);
      const [x, y] = k === 0 ? [Math.cos(t), Math.sin(t)] : [1 - Math.cos(t), 0.5 - Math.sin(t)];
      push(0.6 * (x - 0.5) + r.normal(0.25 * noise), 0.6 * (y - 0.25) + r.normal(0.25 * noise));
    }
  },
  spiral(r, k, K, n, noise, push) {
    // K arms of one and a half turns each, starting at angles 2πk/K.
    for (let i = 0; i < n; i++) {
      const s = i / n;
      const radius = 0.08 + 0.85 * s;
      const angle = (2 * Math.PI * k) / K + 1.5 * 2 * Math.PI * s;
      push(radius * Math.cos(angle) + r.normal(0.2 * noise), radius * Math.sin(angle) + r.normal(0.2 * noise));
    }
  },
};

/**
 * Generates a data set and splits it into train and test.
 * @param {{ dataset: string, classes: number, noise: number, points: number, trainFraction: number, seed: number }} o
 * @returns {{ classes: number, xTrain: Float32Array, yTrain: Int32Array, xTest: Float32Array, yTest: Int32Array }}
 */
export function generate({ dataset, classes, noise, points, trainFraction, seed, shareA }) {
  const K = classesFor(dataset, classes);
  const r = rng(seed);
  // shareA (a fraction, or undefined for an even split): class A gets that share, the others the rest evenly.
  const count = (k) => {
    if (shareA === undefined) return Math.floor(points / K);
    const a = Math.max(1, Math.round(points * shareA));
    return k === 0 ? a : Math.floor((points - a) / (K - 1));
  };
  const xs = [];
  const ys = [];
  for (let k = 0; k < K; k++) {
    GENERATORS[dataset](r, k, K, count(k), noise, (x, y) => {
      xs.push(x, y);
      ys.push(k);
    });
  }
  // Seeded Fisher-Yates shuffle, then the first part is the training set.
  const order = ys.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const nTrain = Math.max(1, Math.min(order.length - 1, Math.round(order.length * trainFraction)));
  const pick = (idx) => {
    const x = new Float32Array(idx.length * 2);
    const y = new Int32Array(idx.length);
    idx.forEach((j, i) => {
      x[2 * i] = xs[2 * j];
      x[2 * i + 1] = xs[2 * j + 1];
      y[i] = ys[j];
    });
    return { x, y };
  };
  const train = pick(order.slice(0, nTrain));
  const test = pick(order.slice(nTrain));
  return { classes: K, xTrain: train.x, yTrain: train.y, xTest: test.x, yTest: test.y };
}
