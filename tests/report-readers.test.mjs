// The model report's file readers (demo/report/: npy.js, sources.js, convert.js, plan.js) in Node, on Blobs:
// every supported .npy dtype and version, .json and .bin, the streaming loop, and each error a user can meet,
// with a message that names the file. The fuzzing is in report-fuzz.test.mjs; the page in report.test.mjs.
import test from 'node:test';
import assert from 'node:assert/strict';
import { npy } from './lib/npy-writer.mjs';
import { openFile } from '../demo/report/sources.js';
import { makePlan, stream } from '../demo/report/plan.js';
import { floats, position } from '../demo/report/convert.js';

const SETTINGS = { input: 'logits', axis: 'last', temperature: 1, ignoreIndex: -100, bins: 15, topK: [1, 5] };

const open = async (bytes, name, role = 'logits', extra = {}) =>
  (await openFile(new Blob([bytes]), { name, role, ...extra }))[role];

/** An evaluator that records what it is given. */
function recorder() {
  const seen = { x: [], y: [], batches: 0 };
  return {
    seen,
    add(x, y) {
      seen.x.push(...Array.from(x));
      seen.y.push(...Array.from(y));
      seen.batches++;
    },
    result: () => ({ count: seen.y.length, loss: 0 }),
  };
}

async function rejects(promise, pattern) {
  await assert.rejects(promise, (error) => {
    assert.equal(error.name, 'FileError', `a FileError, got ${error.stack}`);
    assert.match(error.message, pattern);
    return true;
  });
}

test('every supported dtype and .npy version reads back its values', async () => {
  const cases = [
    ['<f4', Float32Array, [1.5, -2, 3.25, 0]],
    ['<f8', Float64Array, [1.5, -2, 3.25, 0]],
    ['|i1', Int8Array, [1, -2, 3, 0]],
    ['<i2', Int16Array, [1, -2, 3, 0]],
    ['<i4', Int32Array, [1, -2, 3, 0]],
    ['<i8', BigInt64Array, [1n, -2n, 3n, 0n]],
    ['|u1', Uint8Array, [1, 2, 3, 0]],
    ['<u2', Uint16Array, [1, 2, 3, 0]],
    ['<u4', Uint32Array, [1, 2, 3, 0]],
  ];
  for (const version of [1, 2, 3]) {
    for (const [descr, Type, values] of cases) {
      const bytes = npy(Type.from(values), { descr, shape: [2, 2], version });
      const source = await open(bytes, 'a.npy');
      assert.deepEqual(source.shape, [2, 2]);
      assert.deepEqual(Array.from(await source.read(1, 4)), values.slice(1), `${descr} v${version}`);
    }
  }
});

test('float16 widens exactly, with and without Float16Array', async () => {
  // 1, -2, 65504 (max), 2^-24 (smallest subnormal), -0, Infinity, NaN, 0.1 rounded to half
  const bits = Uint16Array.from([0x3c00, 0xc000, 0x7bff, 0x0001, 0x8000, 0x7c00, 0x7e00, 0x2e66]);
  const source = await open(npy(bits, { descr: '<f2', shape: [8] }), 'h.npy');
  const widened = floats(await source.read(0, 8), source.dtype, { half: null });
  assert.ok(widened instanceof Float32Array);
  assert.deepEqual(Array.from(widened), [1, -2, 65504, 2 ** -24, -0, Infinity, NaN, 0.0999755859375]);
  assert.ok(Object.is(widened[4], -0));
});

test('.json: nested arrays, one file with logits and labels, and ragged or non-numeric arrays', async () => {
  const both = await openFile(
    new Blob([
      JSON.stringify({
        logits: [
          [1, 2],
          [3, 4],
        ],
        labels: [1, 0],
      }),
    ]),
    {
      name: 'both.json',
      role: 'logits',
    },
  );
  assert.deepEqual(both.logits.shape, [2, 2]);
  assert.deepEqual(Array.from(await both.labels.read(0, 2)), [1, 0]);
  await rejects(open('[[1, 2], [3]]', 'r.json'), /r\.json: is not a rectangular array: \[1\] has length 1, expected 2/);
  await rejects(open('[[1, null]]', 'n.json'), /n\.json: has null at \[0, 1\], not a number \(JSON.stringify/);
  await rejects(open('[1, 2.5]', 'l.json', 'labels'), /l\.json: has the label 2.5 at \[1\]/);
  await rejects(open('{"x": 1}', 'o.json'), /o\.json: holds neither a nested array/);
  await rejects(open('[[1, 2]', 'bad.json'), /bad\.json: is not valid JSON/);
  // A long first row claims far more elements than the text holds: refused before allocating.
  await rejects(open(`[[${'0,'.repeat(5000)}0], ${'[0],'.repeat(4999)}[0]]`, 'big.json'), /not a rectangular array/);
});

test('.bin: float32 logits with a typed-in shape, int32 labels shaped by the plan', async () => {
  const logits = await open(new Float32Array(12), 'x.bin', 'logits', { binShape: [4, 3] });
  const labels = await open(Int32Array.from([0, 1, 2, -100]), 'y.bin', 'labels');
  const plan = makePlan(logits, labels, SETTINGS);
  assert.equal(plan.classes, 3);
  await rejects(
    open(new Float32Array(12), 'x.bin', 'logits', { binShape: [5, 3] }),
    /x\.bin: has 48 bytes, but \(5, 3\) float32 needs 60/,
  );
  await rejects(open(new Float32Array(12), 'x.bin', 'logits'), /x\.bin: is a raw \.bin file: type its shape/);
  await rejects(open(new Uint8Array(7), 'y.bin', 'labels'), /y\.bin: has 7 bytes, not a whole number of int32/);
});

test('broken .npy files are clear errors that name the file', async () => {
  const f32 = (shape, extra = {}) =>
    npy(new Float32Array(shape.reduce((a, b) => a * b, 1)), { descr: '<f4', shape, ...extra });
  await rejects(open(f32([2, 3], { fortran: true }), 'f.npy'), /f\.npy: is in Fortran order/);
  await rejects(
    open(npy(new Float32Array(6), { descr: '>f4', shape: [2, 3] }), 'b.npy'),
    /b\.npy: big-endian data \('>f4'\)|big-endian data \(">f4"\)/,
  );
  await rejects(
    open(npy(new BigUint64Array(2), { descr: '<u8', shape: [2] }), 'u.npy'),
    /u\.npy: unsupported dtype "<u8"/,
  );
  await rejects(
    open(npy(new Uint8Array(2), { descr: '|b1', shape: [2] }), 'b1.npy'),
    /unsupported dtype "\|b1" \(bool/,
  );
  await rejects(
    open(f32([2, 3]).subarray(0, 140), 't.npy'),
    /t\.npy: is truncated: \(2, 3\) float32 needs 24 bytes of data, only \d+ follow/,
  );
  await rejects(open(new Uint8Array([...f32([1]), 0, 0]), 'x.npy'), /x\.npy: has 2 bytes after the data/);
  await rejects(
    open(npy(new Float32Array(0), { descr: '<f4', shape: [1e6, 1e6] }), 'h.npy'),
    /h\.npy: is truncated: \(1000000, 1000000\) float32 needs 4000000000000 bytes/,
  );
  await rejects(
    open(npy(new Float32Array(0), { descr: '<f4', shape: [2 ** 40, 2 ** 40] }), 'a.npy'),
    /more elements than any file can hold/,
  );
  await rejects(
    open(new TextEncoder().encode('hello'), 'hello.txt'),
    /hello\.txt: is not a \.npy, \.json or \.bin file/,
  );
  await rejects(open(new TextEncoder().encode('hello'), 'hello.npy'), /hello\.npy: is not a \.npy file/);
  const wrongVersion = f32([2]);
  wrongVersion[6] = 4;
  await rejects(open(wrongVersion, 'v.npy'), /v\.npy: has \.npy format version 4\.0/);
});

test('the plan checks shapes and dtypes across the two files', async () => {
  const logits = await open(npy(new Float32Array(24), { descr: '<f4', shape: [2, 3, 4] }), 'x.npy');
  const lm = makePlan(
    logits,
    await open(npy(new Int32Array(6), { descr: '<i4', shape: [2, 3] }), 'y.npy', 'labels'),
    SETTINGS,
  );
  assert.deepEqual([lm.classes, lm.units, lm.languageModel, lm.options.classes], [4, 6, true, 4]);
  const seg = makePlan(logits, await open(npy(new Int32Array(8), { descr: '<i4', shape: [2, 4] }), 'y.npy', 'labels'), {
    ...SETTINGS,
    axis: 'second',
  });
  assert.deepEqual(
    [seg.classes, seg.units, seg.unitElements, seg.options.shape, seg.options.dim],
    [3, 2, 12, [2, 3, 4], 1],
  );
  const wrong = await open(npy(new Int32Array(6), { descr: '<i4', shape: [6] }), 'y.npy', 'labels');
  assert.throws(
    () => makePlan(logits, wrong, SETTINGS),
    /y\.npy: has the shape \(6,\), but x\.npy \(2, 3, 4\) with the class axis last needs labels of shape \(2, 3\)/,
  );
  const floatLabels = await open(npy(new Float32Array(6), { descr: '<f4', shape: [2, 3] }), 'y.npy', 'labels');
  assert.throws(() => makePlan(logits, floatLabels, SETTINGS), /y\.npy: holds float32 values; labels must be integers/);
  const oneD = await open(npy(new Float32Array(3), { descr: '<f4', shape: [3] }), 'v.npy');
  assert.throws(() => makePlan(oneD, wrong, SETTINGS), /v\.npy: has the shape \(3,\): outputs need a class axis/);
});

test('stream: batches in order, labels checked with their position, cancel, NaN', async () => {
  const n = 3000;
  const c = 7;
  const x = Float32Array.from({ length: n * c }, (_, i) => Math.sin(i));
  const y = BigInt64Array.from({ length: n }, (_, i) => BigInt(i % c));
  const logits = await open(npy(x, { descr: '<f4', shape: [n, c] }), 'x.npy');
  const labels = await open(npy(y, { descr: '<i8', shape: [n] }), 'y.npy', 'labels');
  const plan = makePlan(logits, labels, SETTINGS);
  plan.perBatch = 256; // several batches
  const ev = recorder();
  const progress = [];
  await stream(plan, ev, { onProgress: (done, total) => progress.push([done, total]) });
  assert.equal(ev.seen.batches, Math.ceil(n / 256));
  assert.deepEqual(ev.seen.x, Array.from(x));
  assert.deepEqual(ev.seen.y, Array.from(y, Number));
  assert.deepEqual(progress.at(-1), [n * (c * 4 + 8), n * (c * 4 + 8)]);
  assert.ok(
    progress.every(([d], i) => i === 0 || d > progress[i - 1][0]),
    'progress only moves forward',
  );

  y[2900] = 7n;
  const bad = await open(npy(y, { descr: '<i8', shape: [n] }), 'y.npy', 'labels');
  await rejects(
    stream({ ...plan, labels: bad }, recorder()),
    /y\.npy: label 7 at \[2900\] is outside \[0, 7\) and is not the ignore index -100/,
  );
  y[2900] = -(2n ** 40n);
  const huge = await open(npy(y, { descr: '<i8', shape: [n] }), 'y.npy', 'labels');
  await rejects(stream({ ...plan, labels: huge }, recorder()), /label -1099511627776 at \[2900\] is outside/);

  let calls = 0;
  await assert.rejects(stream(plan, recorder(), { cancelled: () => ++calls > 2 }), { name: 'AbortError' });
  const nan = { ...recorder(), result: () => ({ count: 5, loss: NaN }) };
  await rejects(stream(plan, nan), /x\.npy: holds NaN/);
  assert.equal(position(2900 * 4 + 3, [n, 2, 2]), '[2900, 1, 1]');
});

test('a file the browser cannot read is a FileError that names it', async () => {
  const gone = { size: 100, slice: () => ({ arrayBuffer: () => Promise.reject(new Error('the file is gone')) }) };
  await rejects(openFile(gone, { name: 'x.npy', role: 'logits' }), /x\.npy: could not be read \(the file is gone\)/);
});
