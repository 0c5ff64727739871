// From two sources (logits and labels) and the settings to a checked plan, and the streaming loop that feeds
// the evaluator batch by batch: read the next batch while this one is evaluated, convert, add, report progress.
// Pure JavaScript over sources.js, so the Node tests drive the same loop as the page's worker.
import { FileError, formatShape } from './errors.js';
import * as convert from './convert.js';

export const BATCH_BYTES = 8 * 2 ** 20; // logits bytes per batch (whole rows or samples)
export const MAX_SAMPLE_BYTES = 512 * 2 ** 20; // one (C, ...) sample of a class-axis-second layout
export const MAX_CONFUSION_CLASSES = 2048; // a C x C float64 confusion matrix of 32 MiB

/**
 * @param {object} logits a source (sources.js) of float outputs
 * @param {object} labels a source of integer class indices
 * @param {{ input: 'logits' | 'probs', axis: 'last' | 'second', temperature: number, ignoreIndex: number,
 *           bins: number, topK: number[] }} settings
 */
export function makePlan(logits, labels, settings) {
  if (!logits.dtype.float)
    throw new FileError(logits.name, `holds ${logits.dtype.name} values; outputs must be float16, float32 or float64`);
  if (labels.dtype.float)
    throw new FileError(
      labels.name,
      `holds ${labels.dtype.name} values; labels must be integers (int8 to int64, uint8 to uint32)`,
    );
  const shape = logits.shape;
  if (shape.length < 2)
    throw new FileError(
      logits.name,
      `has the shape ${formatShape(shape)}: outputs need a class axis and at least one sample, (N, C) or more`,
    );
  const dim = settings.axis === 'second' ? 1 : shape.length - 1;
  const classes = shape[dim];
  if (classes < 1) throw new FileError(logits.name, `has the shape ${formatShape(shape)}: no classes on axis ${dim}`);
  const labelShape = shape.filter((_, d) => d !== dim);
  const positions = labelShape.reduce((a, b) => a * b, 1);
  const labelsShape = labels.shape ?? (labels.count === positions ? labelShape : [labels.count]);
  if (formatShape(labelsShape) !== formatShape(labelShape)) {
    const axis = settings.axis === 'second' ? 'second' : 'last';
    throw new FileError(
      labels.name,
      `has the shape ${formatShape(labelsShape)}, but ${logits.name} ${formatShape(shape)} with the class axis ${axis} needs labels of shape ${formatShape(labelShape)}`,
    );
  }
  // A unit is what one batch holds a whole number of: a row of C (class axis last, or rank 2), or one sample
  // (C, d1, ..., dk) of an (N, C, d1, ..., dk) layout, which the evaluator reads with { shape, dim: 1 }.
  const strided = dim === 1 && shape.length > 2;
  const unitLabels = strided ? positions / shape[0] : 1;
  const unitElements = unitLabels * classes;
  const units = strided ? shape[0] : positions;
  const unitBytes = unitElements * logits.dtype.size;
  if (unitBytes > MAX_SAMPLE_BYTES)
    throw new FileError(
      logits.name,
      `has samples of ${(unitBytes / 2 ** 20).toFixed(0)} MiB each; at most ${MAX_SAMPLE_BYTES / 2 ** 20} MiB are streamed at a time`,
    );
  const perBatch = Math.max(1, Math.floor(BATCH_BYTES / Math.max(1, unitBytes)));
  const options = {
    ...(strided ? { shape: [...shape], dim: 1 } : { classes }),
    topK: settings.topK,
    ignoreIndex: settings.ignoreIndex,
    from: settings.input,
    ...(settings.input === 'logits' ? { temperature: settings.temperature } : {}),
    calibration: settings.bins,
    brier: true,
    confusion: classes <= MAX_CONFUSION_CLASSES,
  };
  return {
    logits,
    labels,
    classes,
    dim,
    shape,
    labelShape,
    units,
    unitElements,
    unitLabels,
    perBatch,
    options,
    languageModel: shape.length >= 3 && dim === shape.length - 1,
    totalBytes: logits.count * logits.dtype.size + positions * labels.dtype.size,
  };
}

/**
 * Streams the plan's files through `evaluator` (null: read only, for the benchmark). Calls
 * onProgress(doneBytes, totalBytes) after each batch, and stops with an AbortError when cancelled() is true.
 * Returns the evaluator's result, or null when reading only.
 */
export async function stream(plan, evaluator, { onProgress = () => {}, cancelled = () => false, half } = {}) {
  const { logits, labels, units, perBatch, unitElements, unitLabels } = plan;
  const batchBytes = unitElements * logits.dtype.size + unitLabels * labels.dtype.size;
  const read = (u) => {
    const end = Math.min(units, u + perBatch);
    const both = Promise.all([
      logits.read(u * unitElements, end * unitElements),
      labels.read(u * unitLabels, end * unitLabels),
    ]);
    both.catch(() => {}); // awaited below; never an unhandled rejection when the loop stops first
    return both;
  };
  let next = units > 0 ? read(0) : null;
  for (let u = 0; u < units; u += perBatch) {
    const [x, y] = await next;
    if (cancelled()) throw Object.assign(new Error('cancelled'), { name: 'AbortError' });
    next = u + perBatch < units ? read(u + perBatch) : null; // overlaps the evaluation below
    if (evaluator) {
      const checked = convert.labels(y, {
        name: labels.name,
        classes: plan.classes,
        ignoreIndex: plan.options.ignoreIndex,
        first: u * unitLabels,
        shape: plan.labelShape,
      });
      evaluator.add(convert.floats(x, logits.dtype, { half }), checked);
    }
    onProgress(Math.min(units, u + perBatch) * batchBytes, units * batchBytes);
  }
  if (!evaluator) return null;
  const result = evaluator.result();
  if (result.count > 0 && Number.isNaN(result.loss))
    throw new FileError(logits.name, 'holds NaN (or +Infinity) outputs: the loss is NaN; nothing was reported');
  return result;
}
