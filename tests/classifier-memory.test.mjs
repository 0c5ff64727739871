// The Classifier when wasm memory cannot grow: the constructor, fit, trainStep, a Trainer, predict and
// evaluate each throw a RangeError that names the function and what could not be allocated; nothing leaks,
// the model that failed goes on working, a disposed or collected model's memory is freed, and a new model
// trains.
//
// Memory runs out for real here, not by asking for more than wasm32 can address: the test runs itself in a
// child Node process with V8's --wasm-max-mem-pages=4096, so no wasm memory grows beyond 256 MiB. Every
// request below needs 300 MiB to 1 GiB, which the process never commits (a failed memory.grow allocates
// nothing), so the test is quick and light. tests/classifier.test.mjs covers the other kind: requests
// larger than malloc can extend the heap by at once, and configurations whose parameter count alone is
// out of range. The threaded build is left out (its shared memory is created with a 4 GiB maximum, which
// the flag forbids).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import test from 'node:test';
import { fileURLToPath } from 'node:url';

import { load } from '../web/index.js';

const PAGES = 4096; // 256 MiB of wasm memory at most
const LIMIT = PAGES * 65536;
const sanitized = process.env.XE_SANITIZED && 'the ASan build reserves its shadow memory up front';

const heap = (xe) => {
  const a = xe.alloc(0);
  const bytes = a.array.buffer.byteLength;
  a.free();
  return bytes;
};

// Every case: [what it does, the call, the exact message]. Each is run REPEAT times, so that a leak of its
// scratch copies (0.5 to 5 MiB each) would exhaust the 256 MiB and fail the calls after it.
const REPEAT = 60;

async function child(simd) {
  const xe = await load({ simd, threads: 1 });
  const random = (() => {
    let s = 7;
    return () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
  })();
  // 307 210 parameters (4.7 MiB with gradients and moments); 12 363 floats of workspace per row, so a
  // batch of 20 000 rows needs 943 MiB.
  const wide = new xe.Classifier({ features: 64, classes: 10, hidden: [4096], seed: 5 });
  const rows = 20000;
  const x = Float32Array.from({ length: rows * 64 }, () => random() * 2 - 1);
  const y = Int32Array.from({ length: rows }, () => Math.floor(random() * 10));
  // A hidden layer of 2^17 units: 3 * 2^17 floats per row, so predict's and evaluate's chunk of 256 rows
  // needs 384 MiB (the parameters are 8 MiB).
  const deep = new xe.Classifier({ features: 1, classes: 2, hidden: [2 ** 17], seed: 6 });
  const x256 = Float32Array.from({ length: 256 }, () => random());
  const y256 = Int32Array.from({ length: 256 }, (_, i) => i % 2);
  // 1000 classes and 100 000 rows: predict's 400 MB of probabilities.
  const many = new xe.Classifier({ features: 1, classes: 1000, seed: 7 });
  const x100k = Float32Array.from({ length: 100000 }, () => random());
  const trainer = wide.trainer(x, y, { batchSize: rows });

  const small = { x: x.subarray(0, 8 * 64), y: y.subarray(0, 8) };
  const before = {
    heap: heap(xe),
    wide: wide.predict(small.x),
    deep: deep.predict(x256.subarray(0, 4)),
  };
  const cases = [
    [
      'a hidden layer of 20 000 units (20 220 010 parameters, 309 MiB)',
      () => new xe.Classifier({ features: 1000, classes: 10, hidden: [20000] }),
      'Classifier: cannot allocate wasm memory for 20220010 parameters',
    ],
    [
      'fit over a batch of 20 000 rows',
      () => wide.fit(x, y, { batchSize: rows, epochs: 1 }),
      'Classifier.fit: cannot allocate wasm memory for a batch of 20000 rows',
    ],
    [
      'trainStep on 20 000 rows',
      () => wide.trainStep(x, y),
      'Classifier.trainStep: cannot allocate wasm memory for a batch of 20000 rows',
    ],
    [
      'a Trainer step of 20 000 rows',
      () => trainer.step(),
      'Trainer.step: cannot allocate wasm memory for a batch of 20000 rows',
    ],
    [
      "predict's forward pass",
      () => deep.predict(x256),
      'Classifier.predict: cannot allocate wasm memory for the forward pass',
    ],
    [
      "evaluate's forward pass",
      () => deep.evaluate(x256, y256),
      'Classifier.evaluate: cannot allocate wasm memory for the forward pass',
    ],
    [
      "predict's probabilities (381.5 MiB)",
      () => many.predict(x100k),
      /^Classifier\.predict: cannot allocate 381\.5 MiB of wasm memory: the heap is [\d.]+ MiB/,
    ],
  ];
  const results = [];
  for (const [what, call, message] of cases) {
    for (let i = 0; i < REPEAT; i++) {
      try {
        call();
        results.push({ what, error: null });
        break;
      } catch (e) {
        const ok =
          e instanceof RangeError && (typeof message === 'string' ? e.message === message : message.test(e.message));
        if (!ok || i === REPEAT - 1) {
          results.push({ what, error: e.constructor.name, message: e.message, ok });
          break;
        }
      }
    }
  }
  // The models that failed are unchanged and go on: the same predictions, then a training step.
  const after = { heap: heap(xe), wide: wide.predict(small.x), deep: deep.predict(x256.subarray(0, 4)) };
  const unchanged =
    after.wide.every((v, i) => v === before.wide[i]) && after.deep.every((v, i) => v === before.deep[i]);
  const steps = [wide.trainStep(small.x, small.y), deep.trainStep(x256.subarray(0, 4), y256.subarray(0, 4))];
  trainer.dispose();
  // Nothing leaked: 200 MiB still fit in the 256 MiB (the failed calls' scratch was freed each time).
  const big = xe.alloc((200 * 2 ** 20) / 4);
  big.free();
  // A model's wasm memory goes back when it is disposed, or when the model is garbage-collected (its
  // FinalizationRegistry): 10 models of 81 MiB each (5 055 010 parameters with gradients and moments, plus
  // a batch's workspace), one after the other, fit in the 256 MiB only if each one's memory is freed.
  const huge = { features: 1000, classes: 10, hidden: [5000], seed: 2 };
  const row = { x: x.subarray(0, 1000), y: y.subarray(0, 1).map((v) => v % 10) };
  const freed = { disposed: 0, collected: 0 };
  for (let i = 0; i < 10; i++) {
    const m = new xe.Classifier(huge);
    m.trainStep(row.x, row.y);
    m.dispose();
    freed.disposed++;
  }
  for (let i = 0, waits = 0; i < 10; i++) {
    try {
      new xe.Classifier(huge).trainStep(row.x, row.y); // unreachable at once
      freed.collected++;
    } catch (e) {
      // The registry frees after a collection, in a later task: collect and wait, a bounded number of times.
      if (!(e instanceof RangeError) || ++waits > 50) throw e;
      i--;
      globalThis.gc();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
  // A new model learns a separable toy problem: x0 > x1 is class 1.
  const model = new xe.Classifier({ features: 2, classes: 2, hidden: [8], seed: 1 });
  const px = Float32Array.from({ length: 400 }, () => random() * 2 - 1);
  const py = Int32Array.from({ length: 200 }, (_, i) => (px[2 * i] > px[2 * i + 1] ? 1 : 0));
  const untrained = model.evaluate(px, py);
  model.fit(px, py, { epochs: 30, learningRate: 0.05 });
  const trained = model.evaluate(px, py);
  return {
    results,
    freed,
    heapBefore: before.heap,
    heapAfter: after.heap,
    unchanged,
    steps,
    untrained,
    trained,
  };
}

if (process.env.XE_MEMORY_CHILD) {
  const out = await child(process.env.XE_MEMORY_CHILD === 'simd');
  process.stdout.write(JSON.stringify(out));
} else {
  for (const simd of [false, true]) {
    const build = simd ? 'SIMD' : 'scalar';
    test(
      `${build}: with wasm memory capped at 256 MiB, out-of-memory is a RangeError and nothing breaks`,
      { skip: sanitized },
      () => {
        const run = spawnSync(
          process.execPath,
          [`--wasm-max-mem-pages=${PAGES}`, '--expose-gc', fileURLToPath(import.meta.url)],
          {
            env: { ...process.env, XE_MEMORY_CHILD: simd ? 'simd' : 'scalar' },
            encoding: 'utf8',
            timeout: 300000,
          },
        );
        assert.equal(run.status, 0, `child failed:\n${run.stderr}`);
        const out = JSON.parse(run.stdout);
        for (const r of out.results) {
          assert.ok(r.error === 'RangeError' && r.ok, `${r.what}: expected its RangeError, got ${JSON.stringify(r)}`);
        }
        assert.equal(out.results.length, 7);
        assert.deepEqual(out.freed, { disposed: 10, collected: 10 }, 'models of 81 MiB, freed one after the other');
        // The heap stayed within the cap, and the failed requests did not grow it by more than scratch copies.
        assert.ok(out.heapAfter <= LIMIT, `heap ${out.heapAfter} above the cap`);
        assert.ok(out.unchanged, 'a failed call changed a model');
        for (const loss of out.steps) assert.ok(Number.isFinite(loss), `trainStep after the failures: ${loss}`);
        // The new model learns: its loss on the training set at least halves, and it gets 90% of it right.
        const { untrained, trained } = out;
        assert.ok(
          trained.loss < 0.5 * untrained.loss && trained.accuracy > 0.9,
          JSON.stringify({ untrained, trained }),
        );
      },
    );
  }
}
