// The public API of one instance. Each op's JS policy (argument checks, then one wasm call per batch)
// lives in the file named after its kernel: softmax.js, cross-entropy.js, binary-cross-entropy.js,
// focal.js, entropy.js, metrics.js (evaluate), topk.js, classifier.js. run.js holds what they share.
import * as check from './check.js';
import { createBinaryCrossEntropy } from './binary-cross-entropy.js';
import { createClassifier } from './classifier.js';
import { createCrossEntropy } from './cross-entropy.js';
import { createEntropy } from './entropy.js';
import { createFocal } from './focal.js';
import { DTYPES, WasmArray } from './memory.js';
import { createMetrics } from './metrics.js';
import { createRunner } from './run.js';
import { createSoftmax } from './softmax.js';
import { createTopK } from './topk.js';
import { VERSION } from './version.js';

export function createApi(core) {
  const runner = createRunner(core);
  const { memory, withScratch } = runner;

  function alloc(length, opts) {
    runner.checkLive('alloc');
    if (typeof length !== 'number')
      throw new TypeError(`alloc: length must be a number, got ${check.describe(length)}`);
    if (!Number.isInteger(length) || length < 0)
      throw new RangeError(`alloc: length = ${length} must be an integer >= 0`);
    const dtype = check.oneOf(
      'alloc',
      'dtype',
      check.options('alloc', opts, false).dtype,
      Object.keys(DTYPES),
      'float32',
    );
    if (DTYPES[dtype] === undefined) {
      throw new TypeError(`alloc: options.dtype = '${dtype}' needs Float16Array, which this runtime does not have`);
    }
    return new WasmArray(memory, length, dtype);
  }

  return Object.freeze({
    simd: core._xe_simd_build() !== 0,
    version: VERSION,
    threads: core.xeThreads ?? 1,
    alloc,
    dispose: runner.dispose,
    ...createSoftmax(runner),
    ...createCrossEntropy(runner),
    ...createBinaryCrossEntropy(runner),
    ...createFocal(runner),
    ...createEntropy(runner),
    ...createMetrics(runner),
    ...createTopK(runner),
    Classifier: createClassifier(core, memory, withScratch),
  });
}
