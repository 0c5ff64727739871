// A segmentation model's output, scored client-side: the loss of every pixel, pixel accuracy, the
// confusion matrix and the mean intersection-over-union, straight from (N, C, H, W) logits.
//   node examples/evaluate-segmentation/main.mjs
// The logits come as onnxruntime-web gives them ({ data, dims }, classes on axis 1, PyTorch's layout), so
// nothing is transposed: `shape` and `dim: 1` tell xentropy where the class axis is.
import { load } from '../../web/index.js';
import { CLASSES, VOID, toyOutput } from './toy-model.mjs';

const xe = await load();
const { logits, labels } = toyOutput(); // replace with: const logits = (await session.run(feeds)).out;
const [N, C, H, W] = logits.dims;
const opts = { shape: logits.dims, dim: 1, ignoreIndex: VOID };

// The loss of every pixel, (N, H, W); void pixels get 0, as in PyTorch's reduction: 'none'.
const perPixel = xe.crossEntropy(logits.data, labels, { ...opts, reduction: 'none' });

// Pixel accuracy, the mean loss, the confusion matrix (rows: true class, columns: predicted) and the
// per-class intersection-over-union it gives, over the non-void pixels.
const report = xe.evaluate(logits.data, labels, { ...opts, confusion: true });

let worst = 0;
for (let i = 1; i < perPixel.length; i++) if (perPixel[i] > perPixel[worst]) worst = i;
const [n, y, x] = [Math.floor(worst / (H * W)), Math.floor(worst / W) % H, worst % W];

console.log(`${N} images of ${H}x${W} pixels, ${C} classes, ${report.count} labelled pixels`);
console.log(`pixel accuracy ${(100 * report.accuracy).toFixed(2)} %, mean loss ${report.loss.toFixed(4)} nats`);
console.log(
  `worst pixel: image ${n}, (${y}, ${x}), label ${CLASSES[labels[worst]]}, loss ${perPixel[worst].toFixed(3)}`,
);
console.log(`confusion (true \\ predicted): ${CLASSES.join(', ')}`);
for (let t = 0; t < C; t++) {
  const row = Array.from(report.confusion.subarray(t * C, (t + 1) * C), (v) => String(v).padStart(5));
  console.log(`  ${CLASSES[t].padEnd(10)} ${row.join('')}   IoU ${report.perClass.iou[t].toFixed(3)}`);
}
console.log(`mean IoU ${report.meanIoU.toFixed(4)}`);
console.log(
  JSON.stringify({
    perPixel: Array.from(perPixel),
    accuracy: report.accuracy,
    loss: report.loss,
    count: report.count,
    confusion: Array.from(report.confusion),
    iou: Array.from(report.perClass.iou),
    meanIoU: report.meanIoU,
  }),
);
