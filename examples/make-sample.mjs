// Writes evaluate/logits.f32 (float32 logits, row-major N x C) and evaluate/labels.json, a stand-in for a
// model's outputs on a validation set: 2,000 rows, 10 classes, seeded, about 60 % top-1 accurate.
import { writeFileSync } from 'node:fs';

const N = 2000,
  C = 10;
let s = 12345;
const random = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
const logits = new Float32Array(N * C);
const labels = [];
for (let i = 0; i < N; i++) {
  const label = Math.floor(random() * C);
  labels.push(label);
  for (let j = 0; j < C; j++) logits[i * C + j] = 5 * (random() - 0.5) + (j === label ? 2.5 : 0);
}
writeFileSync(new URL('./evaluate/logits.f32', import.meta.url), new Uint8Array(logits.buffer));
writeFileSync(new URL('./evaluate/labels.json', import.meta.url), JSON.stringify({ classes: C, labels }));
