// Compiled with `tsc --strict --noEmit` inside an app that installed the packed tarball: the types that
// ship in the package resolve through its exports map and describe ordinary use.
import { load, simdSupported, version } from 'xentropy';
import simdWasm from 'xentropy/xentropy-simd.wasm';
import scalarWasm from 'xentropy/xentropy-scalar.wasm';
import type { CrossEntropyOptions, WasmArray, Xentropy, Evaluation, Classifier, FitEntry } from 'xentropy';

const xe: Xentropy = await load({ simd: simdSupported() ? 'auto' : false });
// The README's esbuild pattern (with wasm.d.ts).
const simd = simdSupported();
const other: Xentropy = await load({ simd, wasm: new URL(simd ? simdWasm : scalarWasm, import.meta.url) });
const v: string = version;

const nats: number = xe.crossEntropy([0.7, 0.2, 0.1], [0], { classes: 3, from: 'probs' });
const options: CrossEntropyOptions = { classes: 3, reduction: 'none', labelSmoothing: 0.1, ignoreIndex: -100 };
const perRow: number | Float32Array = xe.crossEntropy(new Float32Array(6), new Int32Array([0, 2]), options);
const rows: Float32Array = xe.crossEntropy(new Float32Array(6), [0, 2], { classes: 3, reduction: 'none' });
const { loss, grad } = xe.crossEntropyWithGrad(new Float32Array(6), [0, 2], { classes: 3 });
const lossNumber: number = loss;
const gradArray: Float32Array = grad;
const probs: Float32Array = xe.softmax([1, 2, 3], { classes: 3, temperature: 2 });

const buffer: WasmArray = xe.alloc(3);
buffer.array.set([1, 2, 3]);
const same: WasmArray = xe.softmax(buffer, { classes: 3, out: buffer });
buffer.free();

const evaluation: Evaluation = xe.evaluate([1, 2, 3], [2], { classes: 3, topK: [1, 2] });
const bits: number = evaluation.bits;

const model: Classifier = new xe.Classifier({ features: 2, classes: 3, hidden: [8], activation: 'relu', seed: 1 });
const history: FitEntry[] = model.fit([0, 1, 1, 0], [0, 2], { epochs: 2, batchSize: 2, optimizer: 'adam' });
const restored: Classifier = xe.Classifier.fromJSON(JSON.stringify(model.toJSON()));
model.dispose();
restored.dispose();

// @ts-expect-error `shape` is an array of numbers
xe.softmax([1, 2, 3], { shape: 3 });
// @ts-expect-error `from` is 'logits' or 'probs'
xe.crossEntropy([1, 2, 3], [0], { classes: 3, from: 'softmax' });
// @ts-expect-error `simd` is 'auto' or a boolean
await load({ simd: 'yes' });

export { other, v, nats, perRow, rows, lossNumber, gradArray, probs, same, bits, history };
