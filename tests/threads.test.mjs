// Threads (API.md, Version 0.2, "Threads"): load({ threads }), xe.threads, bit-identical results for 1, 2
// and 3 threads on inputs large enough to be cut into many chunks (and single rows longer than a chunk),
// dispose(), and a Node process that exits by itself with threads running.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import test from 'node:test';
import { fileURLToPath } from 'node:url';

import { load } from '../web/index.js';
import { rng } from './lib/builds.mjs';
import { close } from './lib/tolerance.mjs';

const entry = fileURLToPath(new URL('../web/index.js', import.meta.url));
const xes = await Promise.all([1, 2, 3].map((threads) => load({ threads })));

test('threads: load({ threads }) uses that many, and says so', () => {
  assert.deepEqual(
    xes.map((xe) => xe.threads),
    [1, 2, 3],
  );
  for (const xe of xes) assert.equal(xe.simd, true);
});

test("threads: 'auto' uses more than one in Node on a machine with more than one core", async () => {
  const xe = await load();
  assert.equal(xe.threads > 1, availableParallelism() > 1);
  xe.dispose();
});

test('threads: bad values of options.threads', async () => {
  await assert.rejects(load({ threads: 0 }), { name: 'RangeError', message: /options\.threads = 0/ });
  await assert.rejects(load({ threads: 1.5 }), { name: 'RangeError' });
  await assert.rejects(load({ threads: 'two' }), { name: 'TypeError', message: /options\.threads/ });
  await assert.rejects(load({ threads: 2, simd: false }), { name: 'RangeError', message: /SIMD/ });
});

test('threads: without shared memory, auto is one thread and an integer > 1 says why', () => {
  // Node 20 can start without SharedArrayBuffer; Node 24 no longer has that flag, so there the script
  // removes the global itself, before the library is imported.
  const flag = spawnSync(process.execPath, ['--no-harmony-sharedarraybuffer', '-e', '']).status === 0;
  const script = `
    ${flag ? '' : 'delete globalThis.SharedArrayBuffer;'}
    const { load } = await import(${JSON.stringify(entry)});
    const xe = await load();
    let error = null;
    try { await load({ threads: 2 }); } catch (e) { error = e; }
    console.log(JSON.stringify({ threads: xe.threads, name: error?.name, message: error?.message }));`;
  const r = spawnSync(
    process.execPath,
    [...(flag ? ['--no-harmony-sharedarraybuffer'] : []), '--input-type=module', '-e', script],
    {
      encoding: 'utf8',
      timeout: 60000,
    },
  );
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.threads, 1);
  assert.equal(out.name, 'RangeError');
  assert.match(out.message, /Cross-Origin-Opener-Policy: same-origin/);
  assert.match(out.message, /Cross-Origin-Embedder-Policy: require-corp/);
});

test('threads: a Node process that loads with threads exits by itself', () => {
  const script = `
    const { load } = await import(${JSON.stringify(entry)});
    const xe = await load({ threads: 2 });
    console.log(xe.threads, xe.softmax(new Float32Array(1 << 18), { classes: 1024 }).length);`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60000 });
  assert.equal(r.signal, null, 'killed by the timeout: the threads kept Node alive');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), `2 ${1 << 18}`);
});

test('threads: dispose() ends the threads, then every call throws, alloc included', async () => {
  for (const threads of [1, 2]) {
    const xe = await load({ threads });
    const model = new xe.Classifier({ features: 2, classes: 2, hidden: [4], seed: 1 });
    const kept = xe.alloc(4);
    xe.dispose();
    xe.dispose(); // twice is fine
    assert.throws(() => xe.alloc(4), { name: 'Error', message: /alloc: .*disposed/ });
    assert.throws(() => xe.softmax([1, 2], { classes: 2 }), { message: /softmax: .*disposed/ });
    assert.throws(() => xe.crossEntropy(kept, [0], { classes: 4 }), { message: /disposed/ });
    assert.throws(() => xe.evaluator({ classes: 2 }).add([1, 2], [0]), { message: /disposed/ });
    assert.throws(() => model.predict([1, 2]), { message: /disposed/ });
  }
});

// Inputs of many chunks, and rows longer than one chunk (2^14 elements).
const SHAPES = [
  [300, 1000],
  [40, 5000],
  [6, 40000],
];

function bits(value) {
  if (typeof value === 'number') return [value];
  if (value instanceof Float32Array || value instanceof Float64Array || value instanceof Int32Array) {
    return Array.from(new Uint32Array(value.buffer, value.byteOffset, value.byteLength / 4));
  }
  return Object.entries(value).map(([k, v]) => [k, v && typeof v === 'object' ? bits(v) : v]);
}

function same(name, compute) {
  const [one, ...others] = xes.map(compute);
  for (const [i, other] of others.entries()) {
    assert.deepEqual(bits(other), bits(one), `${name}: ${i + 2} threads differ from 1`);
  }
}

for (const [n, c] of SHAPES) {
  test(`threads: bit-identical for 1, 2 and 3 threads, every function, ${n} x ${c}`, () => {
    const random = rng(n * 7 + c);
    const x = Float32Array.from({ length: n * c }, () => random() * 24 - 12);
    const p = Float32Array.from({ length: n * c }, () => random());
    const labels = Int32Array.from({ length: n }, (_, i) => (i % 7 === 3 ? -100 : Math.floor(random() * c)));
    const weight = Float32Array.from({ length: c }, () => 0.5 + random());
    const dist = xes[0].softmax(p, { classes: c });
    const o = { classes: c };
    for (const from of ['logits', 'probs']) {
      const input = from === 'probs' ? dist : x;
      for (const reduction of ['mean', 'sum', 'none']) {
        const opts = { ...o, from, reduction };
        same(`crossEntropy ${from} ${reduction}`, (xe) => xe.crossEntropy(input, labels, opts));
        same(`crossEntropy weighted smoothed ${from} ${reduction}`, (xe) =>
          xe.crossEntropy(input, labels, { ...opts, weight, labelSmoothing: 0.1 }),
        );
        same(`crossEntropy dense ${from} ${reduction}`, (xe) => xe.crossEntropy(input, dist, opts));
        same(`crossEntropyWithGrad ${from} ${reduction}`, (xe) => xe.crossEntropyWithGrad(input, labels, opts));
        same(`crossEntropyWithGrad dense ${from} ${reduction}`, (xe) => xe.crossEntropyWithGrad(input, dist, opts));
        if (from === 'logits') {
          // z-loss: each row's own float64 log and lse, whatever the chunks.
          same(`crossEntropyWithGrad zLoss ${reduction}`, (xe) =>
            xe.crossEntropyWithGrad(input, labels, { ...opts, zLoss: 1e-3 }),
          );
          same(`crossEntropyWithGrad zLoss dense weighted ${reduction}`, (xe) =>
            xe.crossEntropyWithGrad(input, dist, { ...opts, zLoss: 1e-3, weight }),
          );
        }
        same(`binaryCrossEntropy ${from} ${reduction}`, (xe) =>
          xe.binaryCrossEntropy(from === 'probs' ? p : x, p, { from, reduction }),
        );
        same(`binaryCrossEntropyWithGrad ${from} ${reduction}`, (xe) =>
          xe.binaryCrossEntropyWithGrad(from === 'probs' ? p : x, p, { from, reduction }),
        );
        // Focal loss: integer gamma (products) and not (exp of log1p), per-class alpha, dense targets.
        same(`focalLoss ${from} ${reduction}`, (xe) => xe.focalLoss(input, labels, opts));
        same(`focalLossWithGrad ${from} ${reduction}`, (xe) => xe.focalLossWithGrad(input, labels, opts));
        same(`focalLossWithGrad gamma 1.5 alpha smoothed ${from} ${reduction}`, (xe) =>
          xe.focalLossWithGrad(input, labels, { ...opts, gamma: 1.5, alpha: weight, labelSmoothing: 0.1 }),
        );
        same(`focalLossWithGrad dense ${from} ${reduction}`, (xe) => xe.focalLossWithGrad(input, dist, opts));
      }
    }
    for (const reduction of ['mean', 'sum', 'none']) {
      same(`sigmoidFocalLoss ${reduction}`, (xe) => xe.sigmoidFocalLoss(x, p, { reduction }));
      same(`sigmoidFocalLossWithGrad ${reduction}`, (xe) => xe.sigmoidFocalLossWithGrad(x, p, { reduction }));
      same(`sigmoidFocalLossWithGrad gamma 1.5 weighted ${reduction}`, (xe) =>
        xe.sigmoidFocalLossWithGrad(x, p, { reduction, gamma: 1.5, alpha: -1, weight: p }),
      );
    }
    same('softmax', (xe) => xe.softmax(x, o));
    same('softmax temperature', (xe) => xe.softmax(x, { ...o, temperature: 0.7 }));
    same('logSoftmax', (xe) => xe.logSoftmax(x, o));
    same('softmaxBackward', (xe) => xe.softmaxBackward(dist, x, o));
    same('evaluate', (xe) => xe.evaluate(x, labels, { ...o, topK: [1, 5] }));
    // The report's extras: loss and Brier terms per chunk, bins and confusion counts in position order.
    const report = { ...o, topK: [1, 5], calibration: 10, brier: true, confusion: c <= 5000 }; // C^2 doubles
    same('evaluate report', (xe) => xe.evaluate(x, labels, report));
    same('evaluate report from probs', (xe) => xe.evaluate(dist, labels, { ...report, from: 'probs' }));
    for (const values of ['logProbs', 'probs']) {
      same(`topK 5 ${values}`, (xe) => xe.topK(x, 5, { ...o, values }));
      same(`topK 70 ${values}`, (xe) => xe.topK(x, 70, { ...o, values })); // above the running selection's 64
    }
    const q = xes[0].softmax(x, o);
    for (const reduction of ['mean', 'sum', 'none']) {
      same(`entropy ${reduction}`, (xe) => xe.entropy(dist, { ...o, reduction }));
      same(`klDivergence logits ${reduction}`, (xe) => xe.klDivergence(dist, x, { ...o, from: 'logits', reduction }));
      same(`klDivergence probs ${reduction}`, (xe) => xe.klDivergence(dist, q, { ...o, reduction }));
    }
    same('zero-copy crossEntropyWithGrad', (xe) => {
      const X = xe.alloc(n * c);
      const G = xe.alloc(n * c);
      X.array.set(x);
      const loss = xe.crossEntropyWithGrad(X, labels, { ...o, out: G }).loss;
      const grad = G.array.slice();
      X.free();
      G.free();
      return { loss, grad };
    });
  });
}

// Large copied inputs, through softmax's blocks and scratch copies: a chunk that read stale rows would see
// the previous call's input, which the same scratch address still holds. So each instance gets input a,
// then b, then b from an array 4 bytes off an 8-byte boundary (copied to an address equally off, memory.js
// allocFor), and every result must match one thread's for it.
test('threads: large copied inputs, in blocks and whole, aligned or not', () => {
  for (const [size, c, o] of [
    [512 * 1000, 1000, { classes: 1000 }],
    [4 * 70000, 70000, { classes: 70000 }], // rows in pieces
    [16 * 500 * 20, 500, { shape: [16, 500, 20], dim: 1 }], // the class axis not last
  ]) {
    const random = rng(size);
    const a = Float32Array.from({ length: size }, () => random() * 24 - 12);
    const b = Float32Array.from({ length: size }, () => random() * 24 - 12);
    const off = new Float32Array(size + 1).subarray(1);
    off.set(b);
    const labels = Int32Array.from({ length: size / c }, (_, i) => (i * 7) % c);
    for (const [name, x] of [
      ['a', a],
      ['b', b],
      ['b, 4 bytes off', off],
    ]) {
      same(`crossEntropy ${size} ${name}`, (xe) => xe.crossEntropy(x, labels, o));
      same(`crossEntropyWithGrad ${size} ${name}`, (xe) => xe.crossEntropyWithGrad(x, labels, o));
      same(`softmax ${size} ${name}`, (xe) => xe.softmax(x, o));
      same(`logSoftmax ${size} ${name}`, (xe) => xe.logSoftmax(x, o));
      same(`softmax into a Float32Array ${size} ${name}`, (xe) => xe.softmax(x, { ...o, out: new Float32Array(size) }));
      same(`softmax into a WasmArray ${size} ${name}`, (xe) => {
        const out = xe.alloc(size);
        const y = xe.softmax(x, { ...o, out }).array.slice();
        out.free();
        return y;
      });
    }
  }
});

// A chunk on a pool thread may grow the memory (its scratch: here the column path's cache tiles, 4.8 MB
// a chunk at C = 100000, with the 16 MiB heap nearly full), and the glue then replaces the heap views on
// that thread only. The next call's memory lies past the calling thread's old views: reading or writing
// it through them threw (6 runs in 10 before the fix), so each run uses a fresh instance.
test('threads: memory grown by a pool thread is usable by the next call', async () => {
  const n = 6,
    c = 100000,
    inner = 2;
  const x = Float32Array.from({ length: n * c * inner }, (_, i) => Math.sin(i * 0.37) * 4);
  const labels = Int32Array.from({ length: n * inner }, (_, i) => (i * 7919) % c);
  const expected = xes[0].crossEntropy(x, labels, { shape: [n, c, inner], dim: 1 });
  for (let run = 0; run < 8; run++) {
    const xe = await load({ threads: 3 });
    try {
      assert.equal(xe.crossEntropy(x, labels, { shape: [n, c, inner], dim: 1 }), expected);
      const w = xe.alloc(4e6); // 16 MB: it ends past the first 16 MiB
      w.array.fill(3);
      // Equal logits: the loss of every row is ln(1000).
      assert.ok(Math.abs(xe.crossEntropy(w, new Int32Array(4000), { classes: 1000 }) - Math.log(1000)) < 1e-6);
      assert.deepEqual(xe.softmax(w, { classes: 1000 }).subarray(-2), Float32Array.of(1e-3, 1e-3));
    } finally {
      xe.dispose();
    }
  }
});

test('threads: rows split into pieces (C >= 32768) match a float64 reference, masks and all', () => {
  const n = 3,
    c = 70000;
  const random = rng(5);
  const x = Float32Array.from({ length: n * c }, () => random() * 40 - 20);
  x.fill(-Infinity, 20000, 40000); // row 0: a whole piece of masks
  x.fill(-Infinity, c + 100, 2 * c - 7); // row 1: almost all masked
  x[2 * c + 65000] = 200; // row 2: one logit far above the rest (the others flush to 0)
  for (let i = 0; i < n; i++) {
    const row = Array.from(x.subarray(i * c, (i + 1) * c));
    const m = Math.max(...row.filter((v) => v > -Infinity));
    const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
    for (const xe of xes) {
      close(
        xe.softmax(x, { classes: c }).subarray(i * c, (i + 1) * c),
        row.map((v) => Math.exp(v - lse)),
        {
          atol: 1e-9,
          what: `softmax row ${i}, ${xe.threads} threads`,
        },
      );
      close(
        xe.logSoftmax(x, { classes: c }).subarray(i * c, (i + 1) * c),
        row.map((v) => v - lse),
        {
          what: `logSoftmax row ${i}, ${xe.threads} threads`,
        },
      );
    }
  }
});

test("threads: bit-identical for 1, 2 and 3 threads, the Classifier's fit weights", () => {
  const random = rng(11);
  const n = 2048,
    features = 64,
    classes = 10;
  const x = Float32Array.from({ length: n * features }, () => random() * 2 - 1);
  const y = Int32Array.from({ length: n }, () => Math.floor(random() * classes));
  same('Classifier.fit', (xe) => {
    const model = new xe.Classifier({ features, classes, hidden: [128], activation: 'relu', seed: 3 });
    model.fit(x, y, { epochs: 2, batchSize: 256, optimizer: 'adam' });
    const json = model.toJSON();
    model.dispose();
    return Float32Array.from(json.layers.flatMap((l) => [...l.weights, ...l.bias]));
  });
});

// The class axis not last (shape, dim): chunks are whole (classes, inner) slabs. Large enough (> 2^16
// elements, several chunks) to run on every thread.
const ND = [
  ['shape [8, 50, 40, 30] dim 1 (inner 1200)', { shape: [8, 50, 40, 30], dim: 1 }, [8, 50, 1200]],
  ['shape [600, 24, 9] dim 1 (inner 9)', { shape: [600, 24, 9], dim: 1 }, [600, 24, 9]],
  ['shape [7, 3000, 5] dim 0 (inner 15000)', { shape: [7, 3000, 5], dim: 0 }, [1, 7, 15000]],
];

test('threads: bit-identical for 1, 2 and 3 threads, class axis not last', () => {
  for (const [name, geo, [outer, c, inner]] of ND) {
    const random = rng(outer * 31 + c);
    const size = outer * c * inner;
    const x = Float32Array.from({ length: size }, () => random() * 24 - 12);
    const g = Float32Array.from({ length: size }, () => random() * 2 - 1);
    const labels = Int32Array.from({ length: outer * inner }, (_, i) => (i % 11 === 4 ? -100 : (i * 7) % c));
    const probs = xes[0].softmax(x, geo);
    for (const fn of ['softmax', 'logSoftmax']) same(`${fn} ${name}`, (xe) => xe[fn](x, geo));
    same(`softmaxBackward ${name}`, (xe) => xe.softmaxBackward(probs, g, geo));
    for (const reduction of ['mean', 'none']) {
      const o = { ...geo, reduction };
      same(`crossEntropyWithGrad ${reduction} ${name}`, (xe) => xe.crossEntropyWithGrad(x, labels, o));
      same(`crossEntropy smoothed ${reduction} ${name}`, (xe) =>
        xe.crossEntropy(x, labels, { ...o, labelSmoothing: 0.1 }),
      );
      same(`crossEntropy probs ${reduction} ${name}`, (xe) => xe.crossEntropy(probs, labels, { ...o, from: 'probs' }));
      same(`entropy ${reduction} ${name}`, (xe) => xe.entropy(probs, o));
      same(`klDivergence logits ${reduction} ${name}`, (xe) => xe.klDivergence(probs, x, { ...o, from: 'logits' }));
      same(`focalLossWithGrad ${reduction} ${name}`, (xe) => xe.focalLossWithGrad(x, labels, o));
      same(`focalLossWithGrad dense gamma 0.5 ${reduction} ${name}`, (xe) =>
        xe.focalLossWithGrad(x, probs, { ...o, gamma: 0.5 }),
      );
    }
    const report = { ...geo, topK: [1, 3], calibration: 10, brier: true, confusion: true };
    same(`evaluate report ${name}`, (xe) => xe.evaluate(x, labels, report));
    same(`topK 3 logProbs ${name}`, (xe) => xe.topK(x, 3, { ...geo, values: 'logProbs' }));
  }
});

// float16 input widens into a work buffer per thread (cpp/simd/rows.h, web/run.js): with several chunks
// running at once, each thread must widen into its own. Results equal float32's bit for bit, on 1 and on
// 2 threads. Rows stay below 32768 classes: longer float32 rows are split into pieces, float16 rows are not.
const HAVE_HALF = typeof Float16Array !== 'undefined';
const NO_HALF = 'no Float16Array in this runtime (Node >= 24 has it: /tmp/n24 or npm package node@24)';

test(
  'threads: float16 input bit-identical to float32 on 1 and 2 threads, class axis last and not last',
  {
    skip: HAVE_HALF ? false : NO_HALF,
  },
  () => {
    const layouts = [['rows 200 x 1000', { classes: 1000 }, [200, 1000, 1]], ...ND];
    const check = (what, a, b) => assert.deepEqual(bits(a), bits(b), what);
    for (const [name, geo, [outer, c, inner]] of layouts) {
      const random = rng(outer * 13 + c);
      const size = outer * c * inner;
      const h = Float16Array.from({ length: size }, () => random() * 16 - 8);
      const x = Float32Array.from(h);
      const ph = Float16Array.from({ length: size }, () => random());
      const p = Float32Array.from(ph);
      const g = Float32Array.from({ length: size }, () => random() * 2 - 1);
      const labels = Int32Array.from({ length: outer * inner }, (_, i) => (i % 11 === 4 ? -100 : (i * 7) % c));
      const dense = xes[0].softmax(p, geo);
      for (const xe of xes.slice(0, 2)) {
        const at = `${name}, ${xe.threads} thread(s)`;
        for (const fn of ['softmax', 'logSoftmax']) check(`${fn} ${at}`, xe[fn](h, geo), xes[0][fn](x, geo));
        check(`softmaxBackward ${at}`, xe.softmaxBackward(ph, g, geo), xes[0].softmaxBackward(p, g, geo));
        for (const reduction of ['mean', 'none']) {
          const o = { ...geo, reduction };
          check(
            `crossEntropyWithGrad ${reduction} ${at}`,
            xe.crossEntropyWithGrad(h, labels, o),
            xes[0].crossEntropyWithGrad(x, labels, o),
          );
          check(
            `crossEntropyWithGrad zLoss ${reduction} ${at}`,
            xe.crossEntropyWithGrad(h, labels, { ...o, zLoss: 1e-3 }),
            xes[0].crossEntropyWithGrad(x, labels, { ...o, zLoss: 1e-3 }),
          );
          check(
            `crossEntropy dense ${reduction} ${at}`,
            xe.crossEntropy(h, dense, o),
            xes[0].crossEntropy(x, dense, o),
          );
          check(
            `crossEntropy probs ${reduction} ${at}`,
            xe.crossEntropy(ph, labels, { ...o, from: 'probs' }),
            xes[0].crossEntropy(p, labels, { ...o, from: 'probs' }),
          );
          // Element-wise: spans of 2^14 elements, one per chunk.
          check(
            `binaryCrossEntropyWithGrad ${reduction} ${at}`,
            xe.binaryCrossEntropyWithGrad(h, p, { reduction }),
            xes[0].binaryCrossEntropyWithGrad(x, p, { reduction }),
          );
          check(
            `binaryCrossEntropy probs ${reduction} ${at}`,
            xe.binaryCrossEntropy(ph, p, { from: 'probs', reduction }),
            xes[0].binaryCrossEntropy(p, p, { from: 'probs', reduction }),
          );
        }
        for (const reduction of ['mean', 'none']) {
          const o = { ...geo, reduction };
          check(
            `focalLossWithGrad ${reduction} ${at}`,
            xe.focalLossWithGrad(h, labels, o),
            xes[0].focalLossWithGrad(x, labels, o),
          );
          check(
            `focalLossWithGrad dense ${reduction} ${at}`,
            xe.focalLossWithGrad(h, dense, o),
            xes[0].focalLossWithGrad(x, dense, o),
          );
          check(
            `sigmoidFocalLossWithGrad ${reduction} ${at}`,
            xe.sigmoidFocalLossWithGrad(h, p, { reduction }),
            xes[0].sigmoidFocalLossWithGrad(x, p, { reduction }),
          );
        }
        // Zero-copy: a float16 WasmArray input.
        const H = xe.alloc(size, { dtype: 'float16' });
        H.array.set(h);
        check(
          `zero-copy crossEntropyWithGrad ${at}`,
          xe.crossEntropyWithGrad(H, labels, geo),
          xes[0].crossEntropyWithGrad(x, labels, geo),
        );
        H.free();
      }
    }
  },
);

test.after(() => {
  for (const xe of xes) xe.dispose();
});
