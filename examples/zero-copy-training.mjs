// A training loop on the zero-copy path: logits and their gradient live in wasm memory (WasmArray), so
// crossEntropyWithGrad copies nothing in or out. The model is a softmax regression written in plain JS
// on three Gaussian blobs; xentropy does the loss and its gradient.
import { load } from '../web/index.js'; // in your app: import { load } from 'xentropy';

const xe = await load();
const N = 300,
  F = 2,
  C = 3;
let s = 7;
const random = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
const gauss = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
const centers = [
  [-2, 0],
  [2, 0],
  [0, 2.5],
];
const x = new Float32Array(N * F);
const y = new Int32Array(N);
for (let i = 0; i < N; i++) {
  y[i] = i % C;
  x[i * F] = centers[y[i]][0] + 0.7 * gauss();
  x[i * F + 1] = centers[y[i]][1] + 0.7 * gauss();
}

const W = new Float32Array(F * C),
  b = new Float32Array(C);
const logits = xe.alloc(N * C); // wasm memory: written by JS, read by the loss without a copy
const grad = xe.alloc(N * C);
let loss;
for (let step = 0; step < 200; step++) {
  const z = logits.array; // re-read the view after any call: memory may grow
  for (let i = 0; i < N; i++)
    for (let c = 0; c < C; c++) z[i * C + c] = b[c] + x[i * F] * W[c] + x[i * F + 1] * W[C + c];
  ({ loss } = xe.crossEntropyWithGrad(logits, y, { classes: C, out: grad }));
  const g = grad.array; // d mean loss / d logits
  for (let c = 0; c < C; c++) {
    let gb = 0,
      g0 = 0,
      g1 = 0;
    for (let i = 0; i < N; i++) {
      gb += g[i * C + c];
      g0 += g[i * C + c] * x[i * F];
      g1 += g[i * C + c] * x[i * F + 1];
    }
    b[c] -= 0.5 * gb;
    W[c] -= 0.5 * g0;
    W[C + c] -= 0.5 * g1;
  }
  if (step % 50 === 0) console.log(`step ${step}: loss ${loss.toFixed(4)}`);
}
const { accuracy } = xe.evaluate(logits, y, { classes: C });
console.log(`final loss ${loss.toFixed(4)}, accuracy ${(accuracy * 100).toFixed(1)} %`);
logits.free();
grad.free();
