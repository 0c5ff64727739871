// Compiled with `tsc --strict --noEmit` by tests/types.test.mjs: the shipped types must accept the
// documented usage and reject misuse (the @ts-expect-error lines fail the build if they compile).
import { load, simdSupported, version, type Xentropy, type WasmArray, type Evaluation } from 'xentropy';

async function main(): Promise<void> {
  const xe: Xentropy = await load({ simd: 'auto' });
  const simd: boolean = xe.simd && simdSupported();
  const v: string = xe.version + version;

  const logits = new Float32Array([2, 1, 0.1, 0.5, 2.5, 0.3]);
  const labels = new Int32Array([0, 1]);
  const probs: Float32Array = xe.softmax(logits, { classes: 3, temperature: 2 });
  const logp: Float32Array = xe.logSoftmax([1, 2, 3], { classes: 3 });
  const loss: number = xe.crossEntropy(logits, labels, { classes: 3, labelSmoothing: 0.1, weight: [1, 2, 1] });
  const perRow: Float32Array = xe.crossEntropy(logits, [0, 1], { classes: 3, reduction: 'none' });
  const bits: number = xe.crossEntropy(probs, probs, { classes: 3, from: 'probs', base: 2, reduction: 'sum' });
  const { loss: l2, grad } = xe.crossEntropyWithGrad(logits, labels, { classes: 3 });
  const g: Float32Array = grad;
  const wa: WasmArray = xe.alloc(6);
  wa.array.set(logits);
  const g2: WasmArray = xe.crossEntropyWithGrad(wa, labels, { classes: 3, out: wa }).grad;
  const back: Float32Array = xe.softmaxBackward(probs, g, { classes: 3 });
  const sig: Float32Array = xe.sigmoid([0, 1]);
  const bce: number = xe.binaryCrossEntropy([0.5, -1], [1, 0], { posWeight: 2 });
  const bceGrad: Float32Array = xe.binaryCrossEntropyWithGrad([0.5, -1], [1, 0], { labelSmoothing: 0.1 }).grad;
  const focal: number = xe.focalLoss(logits, labels, { classes: 3, gamma: 2, alpha: [0.25, 1, 1] });
  const focalRows: Float32Array = xe.focalLossWithGrad(logits, labels, { classes: 3, reduction: 'none' }).loss;
  const sfocal: number = xe.sigmoidFocalLoss([0.5, -1], [1, 0], { gamma: 2, alpha: 0.25 });
  const sfocalGrad: Float32Array = xe.sigmoidFocalLossWithGrad([0.5, -1], [1, 0]).grad;
  const zl: number = xe.crossEntropyWithGrad(logits, labels, { classes: 3, zLoss: 1e-4 }).loss;
  // @ts-expect-error focal loss takes alpha, not weight
  xe.focalLoss(logits, labels, { classes: 3, weight: [1, 1, 1] });
  const h: Float32Array = xe.entropy(probs, { classes: 3 });
  const hMean: number = xe.entropy(probs, { classes: 3, reduction: 'mean' });
  const kl: number = xe.klDivergence(probs, logits, { classes: 3, from: 'logits' });
  const ev: Evaluation = xe.evaluate(logits, labels, { classes: 3, topK: [1, 2] });
  const top2: number = ev.topK[2];
  const top5: number = xe.evaluate(logits, new Uint8ClampedArray([0, 1]), { classes: 3, topK: 5 }).topK[5];
  const stream = xe.evaluator({ classes: 3 }).add(logits, labels).add(logits, [1, 2]);
  const perplexity: number = stream.result().perplexity;
  wa.free();

  const model = new xe.Classifier({ features: 2, classes: 3, hidden: [16], activation: 'relu', seed: 1 });
  const x = new Float32Array([0, 0, 1, 1]);
  const stepLoss: number = model.trainStep(x, [0, 1], { learningRate: 0.05, optimizer: 'adam', l2: 0 });
  const history = model.fit(x, [0, 1], { epochs: 2, batchSize: 2, learningRate: 0.01, onEpoch: (e) => e.accuracy });
  const last: number = history[history.length - 1].loss;
  const p: Float32Array = model.predict(x);
  const m: { loss: number; accuracy: number } = model.evaluate(x, [0, 1]);
  const trainer = model.trainer(x, [0, 1], { batchSize: 1, shuffle: false, learningRate: 0.01 });
  const ended: number[] = trainer.step(3).map((e) => e.epoch);
  trainer.set({ learningRate: 0.001, optimizer: 'sgd' });
  const progress: number = trainer.epoch().loss + trainer.progress + trainer.epochs + trainer.steps;
  trainer.dispose();
  const probsOut = xe.alloc(6);
  const pw: WasmArray = model.predict(x, { out: probsOut });
  probsOut.free();
  const restored = xe.Classifier.fromJSON(JSON.parse(JSON.stringify(model.toJSON())));
  const savedVersion: 1 = model.toJSON().version;
  restored.dispose();
  model.dispose();

  // @ts-expect-error out applies to reduction 'none' only
  xe.crossEntropy(logits, labels, { classes: 3, reduction: 'sum', out: new Float32Array(2) });
  // @ts-expect-error reduction is one of 'mean' | 'sum' | 'none'
  xe.crossEntropy(logits, labels, { classes: 3, reduction: 'avg' });
  // @ts-expect-error a string is not an input
  xe.sigmoid('1, 2');
  // @ts-expect-error a Float32Array out gives a Float32Array back
  const wrongOut: WasmArray = model.predict(x, { out: new Float32Array(6) });
  // @ts-expect-error a trainer takes no epochs
  model.trainer(x, [0, 1], { epochs: 2 });
  // @ts-expect-error 'none' returns an array, not a number
  const wrong: number = xe.crossEntropy(logits, labels, { classes: 3, reduction: 'none' });

  // N-D inputs: shape and dim (segmentation logits (N, C, H, W), labels (N, H, W)).
  const seg = new Float32Array(2 * 4 * 3 * 3);
  const segLabels = new Uint8Array(2 * 3 * 3);
  const segLoss: number = xe.crossEntropy(seg, segLabels, { shape: [2, 4, 3, 3], dim: 1 });
  const segGrad: Float32Array = xe.crossEntropyWithGrad(seg, segLabels, { shape: [2, 4, 3, 3] }).grad;
  const segProbs: Float32Array = xe.softmax(seg, { shape: [2, 4, 3, 3], dim: 1 });
  const segH: Float32Array = xe.entropy(segProbs, { shape: [2, 4, 3, 3] });
  const half: WasmArray = xe.alloc(seg.length, { dtype: 'float16' });
  const dtype: 'float32' | 'float16' = half.dtype;
  // @ts-expect-error dtype is 'float32' or 'float16'
  xe.alloc(4, { dtype: 'float64' });
  // @ts-expect-error shape is an array of numbers
  xe.softmax(seg, { shape: '2,4,3,3' });
  console.log(
    simd,
    v,
    segLoss,
    segGrad,
    segH,
    dtype,
    probs,
    logp,
    loss,
    perRow,
    bits,
    l2,
    g2,
    back,
    sig,
    bce,
    bceGrad,
    h,
    hMean,
    kl,
    top2,
    top5,
    perplexity,
    stepLoss,
    last,
    p,
    m,
    wrong,
    ended,
    progress,
    pw,
    savedVersion,
    wrongOut,
  );
}

main();
