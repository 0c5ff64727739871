// The error contract: TypeError / RangeError naming the function, argument and value; `out` untouched on
// error; no wasm memory leaked by throwing calls.
import assert from 'node:assert/strict';
import test from 'node:test';

import { load } from '../web/index.js';
import { builds } from './lib/builds.mjs';

const x6 = [1, 2, 3, 4, 5, 6];

function withArray(xe, length, body) {
  const a = xe.alloc(length);
  try {
    return body(a);
  } finally {
    a.free();
  }
}

// [description, call(xe, out), error class, message]
const cases = [
  [
    'classes missing',
    (xe) => xe.softmax(x6, {}),
    TypeError,
    'softmax: options.classes must be a number, got undefined',
  ],
  ['options missing', (xe) => xe.logSoftmax(x6), TypeError, /logSoftmax: options must be an object with classes/],
  [
    'classes a string',
    (xe) => xe.crossEntropy(x6, [0], { classes: '3' }),
    TypeError,
    /crossEntropy: options.classes must be a number, got "3"/,
  ],
  [
    'classes 0',
    (xe) => xe.softmax(x6, { classes: 0 }),
    RangeError,
    'softmax: options.classes = 0 must be an integer >= 1',
  ],
  ['classes fractional', (xe) => xe.entropy(x6, { classes: 1.5 }), RangeError, /entropy: options.classes = 1.5/],
  [
    'length not a multiple of classes',
    (xe, out) => xe.softmax(x6, { classes: 4, out }),
    RangeError,
    'softmax: x has length 6, which is not a multiple of classes = 4',
  ],
  [
    'input a string',
    (xe, out) => xe.softmax('123', { classes: 1, out }),
    TypeError,
    /softmax: x must be a Float32Array, Float64Array, (Float16Array, )?number\[\] or WasmArray, got "123"/,
  ],
  [
    'input with a string element',
    (xe, out) => xe.sigmoid([1, 'a', 3, 4, 5, 6], { out }),
    TypeError,
    'sigmoid: x[1] = "a" is not a number',
  ],
  [
    'input with a hole',
    (xe, out) => xe.sigmoid([1, , 3, 4, 5, 6], { out }),
    TypeError,
    'sigmoid: x[1] = undefined is not a number',
  ], // eslint-disable-line no-sparse-arrays
  [
    'temperature 0',
    (xe, out) => xe.softmax(x6, { classes: 3, temperature: 0, out }),
    RangeError,
    /softmax: options.temperature = 0/,
  ],
  [
    'temperature Infinity',
    (xe) => xe.softmax(x6, { classes: 3, temperature: Infinity }),
    RangeError,
    /temperature = Infinity/,
  ],
  [
    'out a Float64Array',
    (xe) => xe.softmax(x6, { classes: 3, out: new Float64Array(6) }),
    TypeError,
    /softmax: options.out must be a Float32Array or WasmArray/,
  ],
  [
    'out too short',
    (xe) => xe.softmax(x6, { classes: 3, out: new Float32Array(5) }),
    RangeError,
    'softmax: options.out has length 5, expected 6',
  ],
  [
    'label out of range',
    (xe, out) => xe.crossEntropyWithGrad(x6, [0, 7], { classes: 3, out }),
    RangeError,
    'crossEntropyWithGrad: target[1] = 7 is outside [0, 3)',
  ],
  [
    'negative label',
    (xe, out) => xe.crossEntropyWithGrad(x6, [-1, 0], { classes: 3, out }),
    RangeError,
    'crossEntropyWithGrad: target[0] = -1 is outside [0, 3)',
  ],
  [
    'fractional label',
    (xe, out) => xe.crossEntropyWithGrad(x6, [0.5, 0], { classes: 3, out }),
    RangeError,
    /target\[0\] = 0.5 is not an integer/,
  ],
  ['NaN label', (xe) => xe.crossEntropy(x6, [NaN, 0], { classes: 3 }), RangeError, /target\[0\] = NaN/],
  [
    'label a string',
    (xe) => xe.crossEntropy(x6, ['1', 0], { classes: 3 }),
    TypeError,
    /target\[0\] = "1" is not a number/,
  ],
  [
    'target of wrong length',
    (xe, out) => xe.crossEntropyWithGrad(x6, [0, 1, 2], { classes: 3, out }),
    RangeError,
    /target has length 3, expected 2 \(class indices\) or 6/,
  ],
  ['target an object', (xe) => xe.crossEntropy(x6, {}, { classes: 3 }), TypeError, /crossEntropy: target must be/],
  [
    'labels in a WasmArray',
    (xe) => withArray(xe, 2, (t) => xe.crossEntropy(x6, t, { classes: 3 })),
    TypeError,
    /crossEntropy: target: class indices cannot be a WasmArray/,
  ],
  [
    'reduction unknown',
    (xe) => xe.crossEntropy(x6, [0, 1], { classes: 3, reduction: 'avg' }),
    RangeError,
    /crossEntropy: options.reduction = "avg" must be one of 'none', 'mean', 'sum'/,
  ],
  [
    'reduction a number',
    (xe) => xe.crossEntropy(x6, [0, 1], { classes: 3, reduction: 1 }),
    TypeError,
    /options.reduction must be a string/,
  ],
  [
    'from unknown',
    (xe) => xe.crossEntropy(x6, [0, 1], { classes: 3, from: 'softmax' }),
    RangeError,
    /options.from = "softmax"/,
  ],
  [
    'labelSmoothing > 1',
    (xe) => xe.crossEntropy(x6, [0, 1], { classes: 3, labelSmoothing: 1.5 }),
    RangeError,
    /labelSmoothing = 1.5/,
  ],
  ['base 1', (xe) => xe.crossEntropy(x6, [0, 1], { classes: 3, base: 1 }), RangeError, /options.base = 1/],
  [
    'base a string',
    (xe) => xe.crossEntropy(x6, [0, 1], { classes: 3, base: 'e' }),
    TypeError,
    /options.base must be a number/,
  ],
  ['eps 0', (xe) => xe.crossEntropy(x6, [0, 1], { classes: 3, from: 'probs', eps: 0 }), RangeError, /options.eps = 0/],
  [
    'BCE eps above 1/2 (an empty clamp)',
    (xe) => xe.binaryCrossEntropy([0.3], [1], { from: 'probs', eps: 0.6 }),
    RangeError,
    /binaryCrossEntropy: options.eps = 0.6/,
  ],
  [
    'weight of wrong length',
    (xe, out) => xe.crossEntropyWithGrad(x6, [0, 1], { classes: 3, weight: [1, 2], out }),
    RangeError,
    'crossEntropyWithGrad: options.weight has length 2, expected 3',
  ],
  [
    'ignoreIndex fractional',
    (xe) => xe.crossEntropy(x6, [0, 1], { classes: 3, ignoreIndex: 0.5 }),
    RangeError,
    /ignoreIndex = 0.5/,
  ],
  [
    'bce target length',
    (xe, out) => xe.binaryCrossEntropyWithGrad(x6, [1, 0], { out }),
    RangeError,
    'binaryCrossEntropyWithGrad: target has length 2, expected 6',
  ],
  [
    'bce posWeight a string',
    (xe) => xe.binaryCrossEntropy(x6, x6, { posWeight: '2' }),
    TypeError,
    /posWeight must be a number/,
  ],
  [
    'softmaxBackward gradOut length',
    (xe, out) => xe.softmaxBackward(x6, [1, 2], { classes: 3, out }),
    RangeError,
    /softmaxBackward: gradOut has length 2, expected 6/,
  ],
  [
    'kl q length',
    (xe) => xe.klDivergence(x6, [1, 2, 3], { classes: 3 }),
    RangeError,
    /klDivergence: q has length 3, expected 6/,
  ],
  [
    'evaluate topK 0',
    (xe) => xe.evaluate(x6, [0, 1], { classes: 3, topK: [0] }),
    RangeError,
    /evaluate: options.topK\[0\] = 0 must be an integer >= 1/,
  ],
  [
    'evaluate label',
    (xe) => xe.evaluate(x6, [0, 3], { classes: 3 }),
    RangeError,
    'evaluate: labels[1] = 3 is outside [0, 3)',
  ],
  ['evaluator classes', (xe) => xe.evaluator({}), TypeError, /evaluator: options.classes must be a number/],
  ['alloc negative', (xe) => xe.alloc(-1), RangeError, 'alloc: length = -1 must be an integer >= 0'],
  ['alloc a string', (xe) => xe.alloc('4'), TypeError, /alloc: length must be a number/],
  ['alloc too large', (xe) => xe.alloc(2 ** 31), RangeError, /alloc: cannot allocate 8192.0 MiB of wasm memory/],
];

for (const [simd, xe] of await builds()) {
  const build = simd ? 'simd' : 'scalar';

  for (const [what, call, type, message] of cases) {
    test(`${build}: ${what} throws ${type.name}, leaving out untouched`, () => {
      const out = new Float32Array(6).fill(42);
      assert.throws(
        () => call(xe, out),
        (e) => {
          assert.equal(e.constructor, type, `${e.name}: ${e.message}`);
          if (typeof message === 'string') assert.equal(e.message, message);
          else assert.match(e.message, message);
          return true;
        },
      );
      assert.deepEqual(Array.from(out), new Array(6).fill(42));
    });
  }

  test(`${build}: a WasmArray out is untouched by a failing call`, () => {
    const out = xe.alloc(6);
    out.array.fill(42);
    assert.throws(() => xe.crossEntropyWithGrad(x6, [0, 9], { classes: 3, out }), RangeError);
    assert.deepEqual(Array.from(out.array), new Array(6).fill(42));
    out.free();
  });

  test(`${build}: an option getter that throws propagates its error`, () => {
    const opts = {
      classes: 3,
      get reduction() {
        throw new Error('boom');
      },
    };
    assert.throws(() => xe.crossEntropy(x6, [0, 1], opts), /boom/);
  });

  test(`${build}: a WasmArray of another instance is refused`, async () => {
    const other = await load({ simd });
    const a = other.alloc(6);
    assert.throws(() => xe.softmax(a, { classes: 3 }), { name: 'TypeError', message: /another xentropy instance/ });
    a.free();
  });

  // Skipped under AddressSanitizer (npm run test:asan): its quarantine deliberately delays reusing
  // freed blocks, so the address probe cannot work there.
  test(
    `${build}: thousands of calls, failing and not, leave wasm memory as it was`,
    { skip: process.env.XE_SANITIZED && 'quarantine' },
    () => {
      const probe = () => {
        const a = xe.alloc(1024);
        const where = [a.array.byteOffset, a.array.buffer.byteLength];
        a.free();
        return where;
      };
      const before = probe();
      const x = new Float32Array(3000).fill(1);
      for (let i = 0; i < 3000; i++) {
        for (const [, call] of cases) {
          try {
            call(xe, new Float32Array(6));
          } catch {}
        }
        xe.crossEntropyWithGrad(x, new Int32Array(300), { classes: 10 });
        xe.evaluate(x, new Int32Array(300), { classes: 10, topK: [1, 5] });
      }
      assert.deepEqual(probe(), before);
    },
  );
}

test('load: bad options are refused', async () => {
  await assert.rejects(load({ simd: 'yes' }), {
    name: 'TypeError',
    message: /load: options.simd must be 'auto', true or false, got yes/,
  });
  await assert.rejects(load({ wasm: 42 }), { name: 'TypeError', message: /load: options.wasm must be/ });
  await assert.rejects(load(null), TypeError);
});

test('load: a caller-supplied wasm as bytes, Module or URL', async () => {
  const { readFile } = await import('node:fs/promises');
  const url = new URL('../dist/xentropy-scalar.wasm', import.meta.url);
  const bytes = await readFile(url);
  for (const wasm of [
    url,
    url.href,
    new Uint8Array(bytes),
    bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length),
    await WebAssembly.compile(bytes),
  ]) {
    const xe = await load({ simd: false, wasm });
    assert.equal(xe.simd, false);
  }
  // The release builds share their glue, so the mismatch is detected and named; the sanitizer builds'
  // glue differs, and there the wasm fails to start, which must reject too.
  const mismatch = process.env.XE_SANITIZED
    ? Error
    : { name: 'RangeError', message: /options.wasm is the scalar build/ };
  await assert.rejects(load({ simd: true, wasm: bytes }), mismatch);
});
