// The report page's readers against hostile files: thousands of seeded mutations of valid .npy and .json files
// (truncated, bytes flipped, wrong header lengths, absurd shapes, huge declared sizes, odd dtypes, ragged or deep
// JSON) each go through the page's whole reading path (openFile, makePlan, stream with a recording evaluator)
// and must end in a FileError or a consistent result: never another exception, a hang, or an allocation
// proportional to a declared size rather than to the bytes really there. Replay one seed with XE_SEED=<seed>.
import test from 'node:test';
import assert from 'node:assert/strict';
import { rng } from './lib/builds.mjs';
import { npy, headerOf, withHeader } from './lib/npy-writer.mjs';

// Every typed array and Blob read made while a case runs is recorded (the readers look these globals up at
// call time, so wrapping them here sees every allocation they make).
let largest = 0;
const note = (bytes) => (largest = Math.max(largest, bytes));
for (const name of [
  'Float32Array',
  'Float64Array',
  'Int32Array',
  'Uint8Array',
  'Uint16Array',
  'BigInt64Array',
  'ArrayBuffer',
]) {
  const Type = globalThis[name];
  globalThis[name] = new Proxy(Type, {
    construct(target, args, newTarget) {
      if (typeof args[0] === 'number') note(args[0] * (Type.BYTES_PER_ELEMENT ?? 1));
      return Reflect.construct(target, args, newTarget === globalThis[name] ? target : newTarget);
    },
  });
}
for (const method of ['arrayBuffer', 'text']) {
  const original = Blob.prototype[method];
  Blob.prototype[method] = function () {
    note(this.size);
    return original.call(this);
  };
}

const { openFile } = await import('../demo/report/sources.js');
const { makePlan, stream } = await import('../demo/report/plan.js');

const SEED = Number(process.env.XE_SEED ?? 20261202);
const CASES = { npy: 3000, json: 1500 };
const CASE_MS = 2000; // one case, a few KiB: far more than any needs
const SETTINGS = { input: 'logits', axis: 'last', temperature: 1, ignoreIndex: -100, bins: 15, topK: [1, 5] };

function recorder() {
  let count = 0;
  return {
    add(x, y) {
      assert.equal(x.length % y.length, 0, 'a batch holds whole rows');
      count += y.length;
    },
    result: () => ({ count, loss: 0 }),
  };
}

/** Runs one file pair through the page's reading path; returns 'report', or 'error' for a FileError. */
async function run(logitsBytes, labelsBytes, names, settings = SETTINGS) {
  try {
    const a = await openFile(new Blob([logitsBytes]), { name: names[0], role: 'logits' });
    const b = labelsBytes ? await openFile(new Blob([labelsBytes]), { name: names[1], role: 'labels' }) : {};
    const logits = a.logits;
    const labels = b.labels ?? a.labels;
    if (!logits || !labels) return 'error';
    const plan = makePlan(logits, labels, settings);
    const ev = recorder();
    const result = await stream(plan, ev);
    assert.equal(result.count, labels.count, 'every label was given to the evaluator once');
    return 'report';
  } catch (error) {
    if (error.name === 'FileError') return 'error';
    throw error;
  }
}

const pick = (random, list) => list[Math.floor(random() * list.length)];
const int = (random, n) => Math.floor(random() * n);

const ABSURD = [
  '(99999999999, 99999999)',
  '(9007199254740991, 2)',
  '(4294967296, 4294967296)',
  '()',
  '(0, 10)',
  '(10, 0)',
  '(-1, 3)',
  '(1e3, 2)',
  '(3)',
  '(3,,)',
  `(${Array(40).fill(1).join(', ')})`,
  '(2, 3, 4, 5, 6, 7)',
  '(268435456, 1000)',
  '(12345678901234567890,)',
  '(2L, 3L)',
  "('a', 2)",
];
const DESCRS = [
  '<f4',
  '<f2',
  '<f8',
  '>f4',
  '|f4',
  '<u8',
  '|b1',
  '<c8',
  '<i8',
  '|u1',
  "<f4'",
  'f4',
  '<f16',
  '',
  '<U3',
  'O',
];

function mutateNpy(random, bytes) {
  const out = Uint8Array.from(bytes);
  const { text } = headerOf(bytes);
  switch (int(random, 9)) {
    case 0: // truncated anywhere
      return out.subarray(0, int(random, out.length));
    case 1: // a few bytes flipped, mostly in the header
      for (let k = 1 + int(random, 6); k > 0; k--)
        out[int(random, Math.min(out.length, random() < 0.8 ? 140 : out.length))] ^= 1 + int(random, 255);
      return out;
    case 2: {
      // a wrong header length field
      const view = new DataView(out.buffer);
      const value = pick(random, [0, 1, 5, 0xffff, 0xfffe, int(random, 400), 0xffffffff, 2 ** 31, out.length]);
      if (out[6] === 1) view.setUint16(8, value & 0xffff, true);
      else view.setUint32(8, value >>> 0, true);
      return out;
    }
    case 3: // an absurd shape
      return withHeader(bytes, text.replace(/'shape': \([^)]*\)/, `'shape': ${pick(random, ABSURD)}`));
    case 4: // another dtype
      return withHeader(bytes, text.replace(/'descr': '[^']*'/, `'descr': '${pick(random, DESCRS)}'`));
    case 5: // Fortran order, or a broken bool
      return withHeader(bytes, text.replace('False', pick(random, ['True', 'false', '0', 'Fals'])));
    case 6: // bytes appended or removed from the data
      return random() < 0.5
        ? new Uint8Array([...out, ...new Uint8Array(1 + int(random, 16))])
        : out.subarray(0, out.length - 1 - int(random, 8));
    case 7: // the header text cut or garbled
      return withHeader(
        bytes,
        text.slice(0, int(random, text.length)) + pick(random, ['', '}', ')', "'", '\\', '\u00e9', '{', ', }']),
      );
    default: // another version byte
      out[6] = pick(random, [0, 1, 2, 3, 4, 255]);
      out[7] = random() < 0.8 ? 0 : 1;
      return out;
  }
}

function validNpy(random) {
  const n = 1 + int(random, 40);
  const c = 1 + int(random, 12);
  const version = 1 + int(random, 3);
  const [descr, Type] = pick(random, [
    ['<f4', Float32Array],
    ['<f2', Uint16Array],
    ['<f8', Float64Array],
  ]);
  const x = Type.from({ length: n * c }, () => (Type === Uint16Array ? 0x3c00 : random() * 4 - 2));
  const [ldescr, LType] = pick(random, [
    ['<i8', BigInt64Array],
    ['<i4', Int32Array],
    ['|u1', Uint8Array],
    ['<i2', Int16Array],
  ]);
  const y = LType.from({ length: n }, () => (LType === BigInt64Array ? BigInt(int(random, c)) : int(random, c)));
  return {
    logits: npy(x, { descr, shape: [n, c], version }),
    labels: npy(y, { descr: ldescr, shape: [n], version: 1 + int(random, 3) }),
  };
}

test(`${CASES.npy} mutated .npy files end in a FileError or a consistent report (seed ${SEED})`, async (t) => {
  const random = rng(SEED);
  const outcomes = { report: 0, error: 0 };
  for (let i = 0; i < CASES.npy; i++) {
    const { logits, labels } = validNpy(random);
    const which = random() < 0.7 ? 'logits' : 'labels';
    const files = { logits, labels };
    files[which] = mutateNpy(random, files[which]);
    largest = 0;
    const started = performance.now();
    const outcome = await run(files.logits, files.labels, ['x.npy', 'y.npy']).catch((error) => {
      error.message = `case ${i} (XE_SEED=${SEED}): ${error.message}`;
      throw error;
    });
    outcomes[outcome]++;
    const bound = 2 * (files.logits.length + files.labels.length) + 300 * 1024; // float16 widening; the half table
    assert.ok(
      largest <= bound,
      `case ${i}: an allocation of ${largest} bytes for files of ${files.logits.length + files.labels.length}`,
    );
    assert.ok(performance.now() - started < CASE_MS, `case ${i} took ${performance.now() - started} ms`);
  }
  t.diagnostic(`outcomes: ${JSON.stringify(outcomes)}`);
  assert.ok(
    outcomes.error > CASES.npy / 3 && outcomes.report > 50,
    `both outcomes are exercised: ${JSON.stringify(outcomes)}`,
  );
});

function mutateJson(random, text) {
  const at = int(random, text.length);
  switch (int(random, 8)) {
    case 0:
      return text.slice(0, at);
    case 1:
      return text.slice(0, at) + text.slice(at + 1 + int(random, 5));
    case 2: // a number replaced
      return text.replace(
        /-?\d+(\.\d+)?/,
        pick(random, ['null', '"7"', 'true', '1e999', '-1e400', '[]', '{}', '2.5', '9007199254740993', '-5']),
      );
    case 3: // a row lengthened a lot: a huge apparent shape over few bytes
      return text.replace('[[', `[[${'0,'.repeat(1 + int(random, 3000))}`);
    case 4: // deep nesting
      return '['.repeat(1 + int(random, 5000)) + text + ']'.repeat(int(random, 5000));
    case 5: // a row removed or duplicated
      return random() < 0.5 ? text.replace(/\[[^[\]]*\],?/, '') : text.replace(/(\[[^[\]]*\])/, '$1,$1');
    case 6: // another top level
      return pick(random, [
        '{}',
        '[]',
        '[[]]',
        'null',
        '"x"',
        '{"logits": 1}',
        '{"labels": []}',
        `{"logits": ${text}}`,
        '[[[]]]',
      ]);
    default:
      return text.slice(0, at) + pick(random, [',', ']', '[', '{', '"', '\u0000', 'NaN']) + text.slice(at);
  }
}

test(`${CASES.json} mutated .json files end in a FileError or a consistent report (seed ${SEED})`, async (t) => {
  const random = rng(SEED + 1);
  const outcomes = { report: 0, error: 0 };
  for (let i = 0; i < CASES.json; i++) {
    const n = 1 + int(random, 20);
    const c = 1 + int(random, 8);
    const logits = Array.from({ length: n }, () =>
      Array.from({ length: c }, () => Math.round(random() * 400 - 200) / 100),
    );
    const labels = Array.from({ length: n }, () => int(random, c));
    const together = random() < 0.5;
    const text = mutateJson(random, JSON.stringify(together ? { logits, labels } : logits));
    const bytes = new TextEncoder().encode(text);
    largest = 0;
    const started = performance.now();
    const outcome = await run(bytes, together ? null : new TextEncoder().encode(JSON.stringify(labels)), [
      'x.json',
      'y.json',
    ]).catch((error) => {
      error.message = `case ${i} (XE_SEED=${SEED}): ${error.message}\n${text.slice(0, 200)}`;
      throw error;
    });
    outcomes[outcome]++;
    assert.ok(
      largest <= 2 * bytes.length + 4096,
      `case ${i}: an allocation of ${largest} bytes for ${bytes.length} bytes of JSON`,
    );
    assert.ok(performance.now() - started < CASE_MS, `case ${i} took ${performance.now() - started} ms`);
  }
  t.diagnostic(`outcomes: ${JSON.stringify(outcomes)}`);
  assert.ok(
    outcomes.error > CASES.json / 3 && outcomes.report > 50,
    `both outcomes are exercised: ${JSON.stringify(outcomes)}`,
  );
});
