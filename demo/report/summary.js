// The report as data: the evaluator's result, the settings and the inputs, in the shape the page renders and
// the Download button saves (plain JSON: arrays instead of Float64Arrays, null for NaN).
import { formatShape } from './errors.js';

/** The summary's metrics in display order, with their labels; `lm` ones lead for language models. */
export function summaryOrder(report) {
  const lm = report.languageModel;
  const names = [
    ...(lm ? ['perplexity', 'bits'] : []),
    'count',
    'loss',
    ...(lm ? [] : ['bits', 'perplexity']),
    'accuracy',
    ...Object.keys(report.summary).filter((k) => /^top-\d+-accuracy$/.test(k)),
    'ece',
    'mce',
    'brier',
    'macro-f1',
    'weighted-f1',
    'mean-iou',
  ];
  return [...new Set(names)].filter((k) => k in report.summary);
}

export const LABELS = {
  count: 'Samples',
  loss: 'Loss (nats)',
  bits: 'Bits',
  perplexity: 'Perplexity',
  accuracy: 'Accuracy',
  ece: 'ECE',
  mce: 'MCE',
  brier: 'Brier score',
  'macro-f1': 'Macro F1',
  'weighted-f1': 'Weighted F1',
  'mean-iou': 'Mean IoU',
};

const list = (a) => (a ? Array.from(a, (v) => (Number.isNaN(v) ? null : v)) : undefined);

/** A plain-JSON report from an evaluator result. */
export function buildReport(result, { plan, settings, names, files, version }) {
  const summary = {
    count: result.count,
    loss: result.loss,
    bits: result.bits,
    perplexity: result.perplexity,
    accuracy: result.accuracy,
  };
  for (const k of settings.topK) if (result.topK?.[k] !== undefined) summary[`top-${k}-accuracy`] = result.topK[k];
  if (result.calibration) Object.assign(summary, { ece: result.calibration.ece, mce: result.calibration.mce });
  if (result.brier !== undefined) summary.brier = result.brier;
  if (result.macro) summary['macro-f1'] = result.macro.f1;
  if (result.weighted) summary['weighted-f1'] = result.weighted.f1;
  if (result.meanIoU !== undefined) summary['mean-iou'] = result.meanIoU;
  const c = plan.classes;
  const report = {
    generator: `xentropy ${version} model report`,
    created: new Date().toISOString(),
    languageModel: plan.languageModel,
    summary,
    classes: c,
    classNames: names ?? Array.from({ length: c }, (_, i) => String(i)),
    settings: { ...settings, evaluator: plan.options },
    inputs: files.map((f) => ({
      role: f.role,
      name: f.name,
      format: f.format,
      dtype: f.dtype.name,
      shape: f.shape ? formatShape(f.shape) : null,
      bytes: f.bytes,
    })),
  };
  if (result.calibration) {
    const k = result.calibration;
    report.calibration = {
      bins: k.bins,
      confidence: list(k.confidence),
      accuracy: list(k.accuracy),
      count: list(k.count),
    };
  }
  if (result.confusion) {
    report.confusion = Array.from({ length: c }, (_, i) => Array.from(result.confusion.subarray(i * c, (i + 1) * c)));
  }
  if (result.perClass) {
    const p = result.perClass;
    report.perClass = {
      precision: list(p.precision),
      recall: list(p.recall),
      f1: list(p.f1),
      iou: list(p.iou),
      support: list(p.support),
    };
    report.macro = result.macro;
    report.weighted = result.weighted;
  }
  return report;
}
