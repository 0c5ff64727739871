// The report as data (demo/report/summary.js), in Node: an evaluator result shaped as API.md's "Evaluation
// report" becomes the plain JSON the page renders and downloads (NaN as null, Float64Arrays as arrays, the
// confusion matrix as rows), with perplexity and bits first for language-model-shaped inputs.
import test from 'node:test';
import assert from 'node:assert/strict';
import { buildReport, summaryOrder } from '../demo/report/summary.js';

const result = {
  count: 4,
  loss: 0.5,
  bits: 0.5 / Math.LN2,
  perplexity: Math.exp(0.5),
  accuracy: 0.75,
  topK: { 1: 0.75, 2: 1 },
  calibration: {
    bins: 2,
    ece: 0.1,
    mce: 0.2,
    confidence: Float64Array.of(NaN, 0.8),
    accuracy: Float64Array.of(NaN, 0.75),
    count: Float64Array.of(0, 4),
  },
  brier: 0.3,
  confusion: Float64Array.of(2, 0, 1, 1),
  perClass: {
    precision: Float64Array.of(2 / 3, 1),
    recall: Float64Array.of(1, 0.5),
    f1: Float64Array.of(0.8, 2 / 3),
    iou: Float64Array.of(2 / 3, 0.5),
    support: Float64Array.of(2, 2),
  },
  macro: { precision: 5 / 6, recall: 0.75, f1: 11 / 15 },
  weighted: { precision: 5 / 6, recall: 0.75, f1: 11 / 15 },
  meanIoU: 7 / 12,
};
const settings = { input: 'logits', axis: 'last', temperature: 1, ignoreIndex: -100, bins: 2, topK: [1, 2] };
const file = (role, name, shape) => ({ role, name, format: 'npy', dtype: { name: 'float32' }, shape, bytes: 100 });

test('buildReport: every summary number, plain arrays, NaN as null after JSON', () => {
  const plan = { classes: 2, languageModel: false, options: { classes: 2 } };
  const report = buildReport(result, {
    plan,
    settings,
    names: ['cat', 'dog'],
    files: [file('logits', 'x.npy', [4, 2])],
    version: '0.2.0',
  });
  assert.deepEqual(Object.keys(report.summary), [
    'count',
    'loss',
    'bits',
    'perplexity',
    'accuracy',
    'top-1-accuracy',
    'top-2-accuracy',
    'ece',
    'mce',
    'brier',
    'macro-f1',
    'weighted-f1',
    'mean-iou',
  ]);
  assert.equal(report.summary['mean-iou'], 7 / 12);
  assert.deepEqual(report.confusion, [
    [2, 0],
    [1, 1],
  ]);
  const saved = JSON.parse(JSON.stringify(report));
  assert.deepEqual(saved.calibration, { bins: 2, confidence: [null, 0.8], accuracy: [null, 0.75], count: [0, 4] });
  assert.deepEqual(saved.perClass.support, [2, 2]);
  assert.deepEqual(saved.inputs, [
    { role: 'logits', name: 'x.npy', format: 'npy', dtype: 'float32', shape: '(4, 2)', bytes: 100 },
  ]);
  assert.deepEqual(saved.classNames, ['cat', 'dog']);
  assert.deepEqual(saved.settings.evaluator, { classes: 2 });
});

test('summaryOrder: language models lead with perplexity and bits; an older result shows what it has', () => {
  const lm = buildReport(result, {
    plan: { classes: 2, languageModel: true, options: {} },
    settings,
    files: [],
    version: '',
  });
  assert.deepEqual(summaryOrder(lm).slice(0, 3), ['perplexity', 'bits', 'count']);
  const { calibration, brier, confusion, perClass, macro, weighted, meanIoU, ...basic } = result;
  const old = buildReport(basic, {
    plan: { classes: 2, languageModel: false, options: {} },
    settings,
    files: [],
    version: '',
  });
  assert.deepEqual(summaryOrder(old), [
    'count',
    'loss',
    'bits',
    'perplexity',
    'accuracy',
    'top-1-accuracy',
    'top-2-accuracy',
  ]);
  assert.equal(old.confusion, undefined);
  assert.deepEqual(old.classNames, ['0', '1']);
});
