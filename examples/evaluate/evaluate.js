// Scores a model's logits client-side: loss, accuracy, top-5, perplexity and bits, streaming over batches
// so that a large file never has to be evaluated in one call. Works in a browser page and in Node.
import { load } from '../../web/index.js'; // in your app: import { load } from 'xentropy';

/**
 * @param {ArrayBuffer} logitsBuffer float32 logits, row-major N x C
 * @param {{ classes: number, labels: number[] }} meta
 */
export async function evaluateFile(logitsBuffer, { classes, labels }, batchRows = 256) {
  const xe = await load();
  const logits = new Float32Array(logitsBuffer);
  const evaluator = xe.evaluator({ classes, topK: [1, 5] });
  for (let row = 0; row < labels.length; row += batchRows) {
    const end = Math.min(labels.length, row + batchRows);
    evaluator.add(logits.subarray(row * classes, end * classes), labels.slice(row, end));
  }
  return evaluator.result();
}

export function format(r) {
  return [
    `rows        ${r.count}`,
    `loss        ${r.loss.toFixed(4)} nats (${r.bits.toFixed(4)} bits)`,
    `perplexity  ${r.perplexity.toFixed(3)}`,
    `accuracy    ${(100 * r.accuracy).toFixed(2)} %`,
    `top-5       ${(100 * r.topK[5]).toFixed(2)} %`,
  ].join('\n');
}
