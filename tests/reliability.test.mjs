// Hostile and unusual input, memory limits, several instances and threads, and what ships.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import test from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import { Worker } from 'node:worker_threads';

import { load } from '../web/index.js';
import { builds, rng, uniform } from './lib/builds.mjs';
import * as ref from './lib/reference.mjs';
import { close } from './lib/tolerance.mjs';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');

// The byte offset a fresh allocation of `n` floats gets, and the memory size: equal before and after
// means nothing was left allocated in between.
function probe(xe, n = 1024) {
  const a = xe.alloc(n);
  const where = [a.array.byteOffset, a.array.buffer.byteLength];
  a.free();
  return where;
}

for (const [simd, xe] of await builds()) {
  const build = simd ? 'simd' : 'scalar';

  test(`${build}: views with a byte offset, SharedArrayBuffers, -0 and subnormals`, () => {
    // Expected values for the logits [1, 2, 3], by hand: a view read from its start ([9, 9, 1]) differs.
    const lse = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));
    const logSoftmax123 = [1 - lse, 2 - lse, 3 - lse];
    const backing = new Float32Array([9, 9, 1, 2, 3, 9]);
    close(xe.softmax(backing.subarray(2, 5), { classes: 3 }), logSoftmax123.map(Math.exp));
    const labels = new Int32Array([7, 2, 7]).subarray(1, 2);
    close(xe.crossEntropy(backing.subarray(2, 5), labels, { classes: 3 }), lse - 3);
    const shared = new Float32Array(new SharedArrayBuffer(12));
    shared.set([1, 2, 3]);
    close(xe.logSoftmax(shared, { classes: 3 }), logSoftmax123);
    const out = new Float32Array(new SharedArrayBuffer(12));
    xe.sigmoid(shared, { out });
    close(
      out,
      [1, 2, 3].map((v) => 1 / (1 + Math.exp(-v))),
    );
    assert.ok(Object.is(xe.sigmoid([-0])[0] - 0.5, 0));
    const tiny = 1e-40; // float32 subnormal
    close(xe.softmax([tiny, -tiny], { classes: 2 }), [0.5, 0.5]);
    close(xe.crossEntropy([tiny, 0.5, 1 - tiny], [2], { classes: 3, from: 'probs' }), 0, { atol: 1e-7 });
  });

  test(`${build}: a detached buffer is a TypeError`, () => {
    const x = new Float32Array([1, 2, 3]);
    structuredClone(x.buffer, { transfer: [x.buffer] });
    assert.throws(() => xe.softmax(x, { classes: 3 }), {
      name: 'TypeError',
      message: 'softmax: x is backed by a detached ArrayBuffer',
    });
    const out = new Float32Array(3);
    structuredClone(out.buffer, { transfer: [out.buffer] });
    assert.throws(() => xe.softmax([1, 2, 3], { classes: 3, out }), {
      name: 'TypeError',
      message: /options.out is backed by a detached ArrayBuffer/,
    });
  });

  // Skipped under AddressSanitizer: its quarantine delays reusing freed blocks, and its shadow memory
  // takes an eighth of the address space the memory test fills.
  const sanitized = process.env.XE_SANITIZED && 'not under AddressSanitizer';

  test(`${build}: forgotten WasmArrays are reclaimed after garbage collection`, { skip: sanitized }, async () => {
    const before = probe(xe, 1 << 20);
    for (let i = 0; i < 20; i++) xe.alloc(1 << 20); // 80 MiB, never freed by hand
    for (let i = 0; i < 10 && probe(xe, 1 << 20)[0] !== before[0]; i++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal(probe(xe, 1 << 20)[0], before[0]);
  });

  test(`${build}: results are identical across instances and worker threads`, async () => {
    const random = rng(21);
    const x = uniform(random, 64 * 37, -5, 5);
    const y = Int32Array.from({ length: 64 }, () => Math.floor(random() * 37));
    const mine = xe.crossEntropyWithGrad(x, y, { classes: 37, labelSmoothing: 0.1 });
    // The results every other instance must reproduce bit for bit are themselves right (tolerances of the
    // torch tests, the gradient's atol scaled by the mean's 1/64).
    const expected = { classes: 37, labelSmoothing: 0.1 };
    close(mine.loss, ref.crossEntropy(x, y, expected).loss, { rtol: 1e-6, atol: 1e-6, what: 'loss' });
    close(mine.grad, ref.crossEntropyGrad(x, y, expected), { rtol: 1e-5, atol: 2e-8, what: 'grad' });
    const [a, b] = await Promise.all([load({ simd }), load({ simd })]);
    assert.deepEqual(a.crossEntropyWithGrad(x, y, { classes: 37, labelSmoothing: 0.1 }), mine);
    assert.deepEqual(b.softmax(x, { classes: 37 }), xe.softmax(x, { classes: 37 }));
    const source = `
      const { parentPort, workerData } = require('node:worker_threads');
      import(workerData.entry).then(async ({ load }) => {
        const xe = await load({ simd: workerData.simd });
        parentPort.postMessage(xe.crossEntropyWithGrad(workerData.x, workerData.y, { classes: 37, labelSmoothing: 0.1 }));
      });`;
    const entry = new URL('../web/index.js', import.meta.url).href;
    const results = await Promise.all(
      [0, 1].map(
        () =>
          new Promise((resolve, reject) => {
            const w = new Worker(source, { eval: true, workerData: { entry, simd, x, y } });
            w.once('message', (m) => resolve(m) || w.terminate());
            w.once('error', reject);
          }),
      ),
    );
    for (const r of results) assert.deepEqual(r, mine);
  });
}

// Memory past 2 GiB: one WasmArray of 2112 MiB, across byte 2^31, with crossEntropy and softmax run on it
// in place and checked against float64 (tests/lib/past-2gib.mjs says how). Each build runs in a worker
// thread of its own, both at once: each has to touch 2 GiB of fresh memory, which is slow on small VMs.
test(
  'memory: an array past the 2 GiB mark works in place, a copy of it is a RangeError, the instance goes on',
  { skip: process.env.XE_SANITIZED && 'not under AddressSanitizer', concurrency: true },
  async (t) => {
    const inWorker = (simd) =>
      new Promise((resolve, reject) => {
        const w = new Worker(new URL('./lib/past-2gib.mjs', import.meta.url), { workerData: { simd } });
        w.once('message', ({ result, error }) => {
          if (error) reject(Object.assign(new Error(error.message), { stack: error.stack }));
          else resolve(result);
        });
        w.once('error', reject);
        w.once('exit', (code) => reject(new Error(`the worker exited (code ${code}) without a result`)));
      });
    await Promise.all(
      [false, true].map((simd) =>
        t.test(`${simd ? 'simd' : 'scalar'} build`, async (t) => {
          const { start, end, ms } = await inWorker(simd);
          const at = (bytes) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
          t.diagnostic(`array at [${at(start)}, ${at(end)}); ms per step: ${JSON.stringify(ms)}`);
        }),
      ),
    );
  },
);

test(
  'what ships uses no eval or new Function (strict CSP)',
  { skip: process.env.XE_SANITIZED && 'checks the release build' },
  () => {
    const files = [
      ...readdirSync(new URL('../dist/', import.meta.url))
        .filter((f) => f.endsWith('.mjs'))
        .map((f) => `../dist/${f}`),
      ...readdirSync(new URL('../web/', import.meta.url))
        .filter((f) => f.endsWith('.js'))
        .map((f) => `../web/${f}`),
    ];
    assert.ok(files.length >= 4);
    for (const f of files) {
      const text = readFileSync(new URL(f, import.meta.url), 'utf8');
      assert.doesNotMatch(text, /\beval\s*\(|\bnew\s+Function\b|\bFunction\s*\(/, f);
    }
  },
);
