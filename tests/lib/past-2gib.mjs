// One WasmArray across the 2 GiB mark, for tests/reliability.test.mjs, which runs this module as a worker
// thread per build (workerData: { simd }) so that the two builds take a core each.
//
// The array holds 2112 MiB of float32: it starts a few MiB into the heap and so ends about 69 MiB past
// byte 2^31, where an address read as a signed 32-bit integer turns negative. Rows below the mark, across
// it, past it and at the very end get random logits; the others stay 0, a uniform row, whose softmax is
// 1/1024 and whose loss is log 1024 whatever the label. crossEntropy and then softmax run over the whole
// array in place (zero-copy: a copy of it could not fit beside it in 4 GiB), against float64 references
// for every row. The same softmax without `out` would need a second 2112 MiB: a RangeError, after which
// the instance goes on, with everything it allocated freed.
//
// Most of the time is alloc's zero-fill of fresh memory: on the 2-core VM these tests were written on,
// the first touch of a page costs about 4.5 s of CPU per GiB (page faults, measured with a plain
// Uint8Array fill of wasm memory), so 2 GiB cost about 10 s of CPU per build before any kernel runs.
import assert from 'node:assert/strict';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';

import { load } from '../../web/index.js';
import { rng, uniform } from './builds.mjs';
import * as ref from './reference.mjs';
import { close } from './tolerance.mjs';

const MIB = 2 ** 20;

// The byte offset a fresh allocation of 1024 floats gets: the same before and after means everything
// allocated in between was freed.
function probe(xe) {
  const a = xe.alloc(1024);
  const where = a.array.byteOffset;
  a.free();
  return where;
}

/** Runs the checks in one instance of the chosen build; returns the layout and the time of each step. */
export async function arrayPast2GiB(simd) {
  const ms = {};
  let t = performance.now();
  const lap = (step) => {
    const now = performance.now();
    ms[step] = Math.round(now - t);
    t = now;
  };
  const xe = await load({ simd });
  assert.equal(xe.simd, simd);
  const before = probe(xe);
  const c = 1024;
  const big = xe.alloc(528 * MIB); // 2112 MiB of float32
  lap('alloc');
  const n = big.length / c;
  const start = big.array.byteOffset;
  const end = start + 4 * big.length;
  assert.ok(start < 2 ** 31 && end > 2 ** 31 + 64 * MIB, `the array spans [${start}, ${end}), across 2^31`);
  const mark = Math.floor((2 ** 31 - start) / 4 / c); // the row that holds byte 2^31 (or starts there)
  assert.ok(start + 4 * c * (mark + 1) >= 2 ** 31, 'rows from mark + 1 on lie wholly past 2^31');
  const randomRows = [0, mark - 1, mark, mark + 1, mark + 2, Math.floor((mark + n) / 2), n - 2, n - 1];

  const random = rng(31);
  const labels = Int32Array.from({ length: n }, (_, i) => (i * 7) % c);
  const logits = new Map(randomRows.map((r) => [r, uniform(random, c, -8, 8)]));
  const view = big.array;
  for (const [r, x] of logits) view.set(x, r * c);

  // Per-row losses: float64 row sums, one float32 rounding (the torch tests' rowLoss tolerance).
  const expectedLoss = new Float64Array(n).fill(Math.log(c));
  for (const [r, x] of logits) expectedLoss[r] = ref.crossEntropy(x, [labels[r]], { classes: c }).loss;
  const losses = xe.crossEntropy(big, labels, { classes: c, reduction: 'none' });
  lap('crossEntropy');
  close(losses, expectedLoss, { rtol: 1e-6, atol: 1e-6, what: 'crossEntropy per row' });

  assert.equal(xe.softmax(big, { classes: c, out: big }), big);
  lap('softmax');
  const p = big.array;
  for (const [r, x] of logits) {
    const expected = ref.logSoftmaxRow(Array.from(x)).map(Math.exp);
    close(p.subarray(r * c, (r + 1) * c), expected, { rtol: 2e-5, atol: 1e-7, what: `softmax row ${r}` });
  }
  // The uniform rows: 1/1024 to within 2e-5 of itself (the random rows' rtol). All of them from the mark
  // on, every 64th below it (the part of memory every other test already covers): a pass over all 554
  // million values would add a second of CPU.
  const u = 1 / c;
  let bad = 0,
    first = -1;
  for (let r = 0; r < n; r += r < mark - 1 ? 64 : 1) {
    if (logits.has(r)) continue;
    for (let j = r * c, e = j + c; j < e; j++) {
      if (!(Math.abs(p[j] - u) <= 2e-5 * u)) (bad++, first < 0 && (first = j));
    }
  }
  assert.equal(
    bad,
    0,
    `${bad} softmax values of uniform rows differ from 1/1024, the first at [${first}] = ${p[first]}`,
  );
  lap('check');

  assert.throws(() => xe.softmax(big, { classes: c }), {
    name: 'RangeError',
    message:
      /^softmax: cannot allocate 2112.0 MiB of wasm memory: the heap is \d+\.\d MiB and can grow to at most 4095.9 MiB$/,
  });
  big.free();
  assert.equal(probe(xe), before, 'everything allocated was freed');
  close(xe.softmax([0, 0], { classes: 2 }), [0.5, 0.5]);
  assert.throws(() => xe.alloc(2 ** 30), { name: 'RangeError', message: /alloc: cannot allocate 4096.0 MiB/ });
  return { start, end, mark, ms };
}

if (!isMainThread && workerData?.simd !== undefined) {
  arrayPast2GiB(workerData.simd).then(
    (result) => parentPort.postMessage({ result }),
    (err) => parentPort.postMessage({ error: { message: err.message, stack: err.stack } }),
  );
}
