// Seeded toy classification data sets, as in TensorFlow Playground and the CS231n notes:
// { x: Float32Array (n * 2), y: Int32Array (n), n }.
import { rng } from './builds.mjs';

function normal(random) {
  const u = 1 - random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

function dataset(n, point) {
  const x = new Float32Array(n * 2);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const [a, b, label] = point(i);
    x[2 * i] = a;
    x[2 * i + 1] = b;
    y[i] = label;
  }
  return { x, y, n };
}

/** Three Gaussian blobs (standard deviation 0.5) centred on a triangle of side ~3. */
export function blobs(n, seed) {
  const random = rng(seed);
  const centres = [
    [0, 1.5],
    [-1.3, -0.75],
    [1.3, -0.75],
  ];
  return dataset(n, (i) => {
    const label = i % 3;
    return [centres[label][0] + 0.5 * normal(random), centres[label][1] + 0.5 * normal(random), label];
  });
}

/** XOR: uniform points in [-1, 1]^2 away from the axes (|coordinate| >= 0.1), class 1 when signs differ. */
export function xor(n, seed) {
  const random = rng(seed);
  const coordinate = () => {
    const v = 0.1 + 0.9 * random();
    return random() < 0.5 ? -v : v;
  };
  return dataset(n, () => {
    const a = coordinate();
    const b = coordinate();
    return [a, b, a * b < 0 ? 1 : 0];
  });
}

/**
 * Three interleaved spiral arms of 1.5 turns each (TensorFlow Playground's spiral, with three arms): radius
 * t in [0, 1), angle 3 pi t + 2 pi k / 3, and Gaussian noise of 0.15 rad on the angle.
 */
export function spiral(n, seed) {
  const random = rng(seed);
  const perClass = Math.ceil(n / 3);
  return dataset(n, (i) => {
    const label = i % 3;
    const t = Math.floor(i / 3) / perClass;
    const angle = 3 * Math.PI * t + (2 * Math.PI * label) / 3 + 0.15 * normal(random);
    return [t * Math.sin(angle), t * Math.cos(angle), label];
  });
}
