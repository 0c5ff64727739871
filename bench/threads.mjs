// 1 thread against 2 in one process, interleaved, the minimum of many rounds (robust to a busy neighbour):
//   node bench/threads.mjs              the benchmark's shapes, zero-copy loss, loss + grad, softmax
//   node bench/threads.mjs --copying    the same through the copying API (Float32Array in and out)
//   node bench/threads.mjs --fresh      zero-copy, but each call first writes new input into its WasmArray
//                                       (as the copying API does): the other threads then read lines that the
//                                       calling thread's core has just written
//   node bench/threads.mjs --threshold  where a second thread starts to pay: the pool's threshold set to 0,
//                                       softmax and loss + grad over growing inputs (C = 1000 and C = 10)
import { readFileSync } from 'node:fs';

import { createApi } from '../web/api.js';
import { load } from '../web/index.js';
import { createThreaded } from '../web/threads.js';

const args = new Set(process.argv.slice(2));
const ROUNDS = 40;

async function threaded(threshold) {
  const glue = await import('../dist/xentropy-threads.mjs');
  const module = await WebAssembly.compile(readFileSync(new URL('../dist/xentropy-threads.wasm', import.meta.url)));
  const core = await createThreaded(glue, module, 2);
  if (threshold !== undefined) core._xe_pool_set_threshold(threshold);
  return createApi(core);
}

function setup(xe, op, n, c) {
  const copying = args.has('--copying');
  const x = copying ? new Float32Array(n * c) : xe.alloc(n * c);
  const values = Float32Array.from({ length: n * c }, (_, i) => Math.sin(i * 0.7) * 8);
  (copying ? x : x.array).set(values);
  const labels = Int32Array.from({ length: n }, (_, i) => (i * 7) % c);
  const out = copying ? new Float32Array(n * c) : xe.alloc(n * c);
  const o = { classes: c };
  const call =
    op === 'loss'
      ? () => xe.crossEntropy(x, labels, o)
      : op === 'lossgrad'
        ? () => xe.crossEntropyWithGrad(x, labels, { ...o, out })
        : op === 'evaluate'
          ? () => xe.evaluate(x, labels, o)
          : () => xe.softmax(x, { ...o, out });
  if (!args.has('--fresh') || copying) return call;
  const inputs = [values, values.map((v) => -v)];
  let i = 0;
  return () => {
    x.array.set(inputs[(i ^= 1)]);
    return call();
  };
}

/** The minimum over ROUNDS interleaved rounds of the mean time per call of each run, in ms. */
function race(runs, n, c) {
  const perRound = Math.max(1, Math.round(2e6 / (n * c)));
  const best = runs.map(() => Infinity);
  for (let r = 0; r < ROUNDS; r++) {
    runs.forEach((run, i) => {
      const t0 = performance.now();
      for (let k = 0; k < perRound; k++) run();
      best[i] = Math.min(best[i], (performance.now() - t0) / perRound);
    });
  }
  return best;
}

const one = await load({ threads: 1 });
const fmt = (ms) => (ms < 0.1 ? ms.toFixed(4) : ms.toFixed(3));
if (args.has('--threshold')) {
  const two = await threaded(0);
  console.log('| op | C | elements | 1 thread ms | 2 threads ms | speedup |\n|---|---:|---:|---:|---:|---:|');
  for (const op of ['softmax', 'lossgrad']) {
    for (const c of [10, 1000]) {
      for (let elements = 1 << 12; elements <= 1 << 19; elements *= 2) {
        const n = Math.max(1, Math.round(elements / c));
        const [a, b] = race([setup(one, op, n, c), setup(two, op, n, c)], n, c);
        console.log(`| ${op} | ${c} | ${n * c} | ${fmt(a)} | ${fmt(b)} | ${(a / b).toFixed(2)}x |`);
      }
    }
  }
} else {
  const two = await load({ threads: 2 });
  console.log('| op | shape | 1 thread ms | 2 threads ms | speedup |\n|---|---|---:|---:|---:|');
  const shapes = [
    ['loss', 512, 1000],
    ['lossgrad', 512, 1000],
    ['softmax', 512, 1000],
    ['loss', 64, 32000],
    ['lossgrad', 64, 32000],
    ['softmax', 64, 32000],
    ['loss', 8, 128000],
    ['lossgrad', 8, 128000],
    ['softmax', 8, 128000],
    ['evaluate', 20000, 1000],
  ];
  for (const [op, n, c] of shapes) {
    const [a, b] = race([setup(one, op, n, c), setup(two, op, n, c)], n, c);
    console.log(`| ${op} | ${n}x${c} | ${fmt(a)} | ${fmt(b)} | ${(a / b).toFixed(2)}x |`);
  }
}
