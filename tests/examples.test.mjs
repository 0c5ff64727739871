// Every example runs, and says what an independent computation says.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import test from 'node:test';

import { close } from './lib/tolerance.mjs';

const run = (file, ...args) =>
  execFileSync(process.execPath, [fileURLToPath(new URL(`../examples/${file}`, import.meta.url)), ...args], {
    encoding: 'utf8',
  });

// The sample file's metrics computed here in float64, without the library: per row the loss
// max + log(sum exp(x - max)) - x[label], and the label's rank, the number of logits above it plus the
// equal ones at a lower index (the contract's tie-break: the first largest entry is the prediction).
function evaluateReference() {
  const bytes = readFileSync(new URL('../examples/evaluate/logits.f32', import.meta.url));
  const x = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  const { classes: c, labels } = JSON.parse(readFileSync(new URL('../examples/evaluate/labels.json', import.meta.url)));
  assert.equal(x.length, labels.length * c);
  let loss = 0;
  const hits = { 1: 0, 5: 0 };
  for (let i = 0; i < labels.length; i++) {
    const row = x.subarray(i * c, (i + 1) * c);
    const y = labels[i];
    const max = Math.max(...row);
    let sum = 0,
      rank = 0;
    for (let j = 0; j < c; j++) {
      sum += Math.exp(row[j] - max);
      rank += row[j] > row[y] || (row[j] === row[y] && j < y);
    }
    loss += max + Math.log(sum) - row[y];
    for (const k of [1, 5]) hits[k] += rank < k;
  }
  const n = labels.length;
  loss /= n;
  const topK = { 1: hits[1] / n, 5: hits[5] / n };
  return { loss, bits: loss / Math.LN2, perplexity: Math.exp(loss), accuracy: topK[1], topK, count: n };
}
const expected = evaluateReference();

// Losses: a float64 mean of row terms that are each good to a few float32 roundings (rtol 1e-6); an
// absolute loss error d is a relative perplexity error d (rtol 1e-5 at a loss of 1.19). Counts and hit
// rates are ratios of the same integers: exact.
function matchesReference(result, what) {
  close(result.loss, expected.loss, { rtol: 1e-6, what: `${what}.loss` });
  close(result.bits, expected.bits, { rtol: 1e-6, what: `${what}.bits` });
  close(result.perplexity, expected.perplexity, { rtol: 1e-5, what: `${what}.perplexity` });
  assert.equal(result.count, expected.count, `${what}.count`);
  assert.equal(result.accuracy, expected.accuracy, `${what}.accuracy`);
  assert.deepEqual(result.topK, expected.topK, `${what}.topK`);
}

test('examples/node-evaluate.mjs: the streamed metrics match a float64 evaluation of the file', () => {
  assert.equal(expected.count, 2000);
  // The sample is the stand-in make-sample.mjs says it is (about 60 % top-1), so top-1 and top-5 differ.
  assert.ok(expected.accuracy > 0.5 && expected.accuracy < 0.7, `top-1 ${expected.accuracy}`);
  assert.ok(expected.topK[5] > expected.topK[1] && expected.topK[5] < 1, `top-5 ${expected.topK[5]}`);
  const lines = run('node-evaluate.mjs').trim().split('\n');
  matchesReference(JSON.parse(lines.at(-1)), 'node-evaluate.mjs');
  const shown = lines[1].match(/^loss\s+(\d\.\d{4}) nats \((\d\.\d{4}) bits\)$/);
  assert.ok(shown, lines[1]);
  // Printed to 4 decimals: within half a unit of the last digit.
  close(Number(shown[1]), expected.loss, { rtol: 0, atol: 5.1e-5, what: 'printed loss (nats)' });
  close(Number(shown[2]), expected.bits, { rtol: 0, atol: 5.1e-5, what: 'printed loss (bits)' });
});

test('examples/zero-copy-training.mjs: the loss falls and the blobs are separated', () => {
  const out = run('zero-copy-training.mjs');
  const losses = [...out.matchAll(/loss (\d+\.\d+)/g)].map((m) => Number(m[1]));
  close(losses[0], Math.log(3), { atol: 1e-4 }); // zero weights: uniform prediction
  for (let i = 1; i < losses.length; i++) assert.ok(losses[i] < losses[i - 1], out);
  const accuracy = Number(out.match(/accuracy (\d+\.\d) %/)[1]);
  assert.ok(accuracy >= 95, out);
});

// In Chromium against the release build only (npm run test:asan copies no server or browser set-up).
const releaseOnly = { skip: process.env.XE_SANITIZED && 'browser examples run against the release build' };

test(
  'browser examples in Chromium: evaluate a logits file, train a classifier in a module worker',
  releaseOnly,
  async (t) => {
    const { launchChromium } = await import('./lib/chromium.mjs');
    const { startServer } = await import('../scripts/server.mjs');
    const context = await launchChromium(t);
    const server = await startServer({ host: '127.0.0.1', port: 0 });
    t.after(() => server.close());
    const open = async (path) => {
      const page = await context.newPage();
      const problems = [];
      page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
      page.on('pageerror', (e) => problems.push(e.message));
      await page.goto(new URL(path, server.url).href);
      await page.waitForFunction(() => window.__result !== undefined, null, { timeout: 60_000 });
      const result = await page.evaluate(() => window.__result);
      assert.deepEqual(problems, [], `${path}: no console errors`);
      await page.close();
      return result;
    };

    matchesReference(await open('examples/evaluate/'), 'examples/evaluate/ in Chromium');

    const trained = await open('examples/worker-training/');
    assert.equal(trained.type, 'done', trained.message);
    assert.equal(trained.history.length, 60);
    assert.ok(trained.history.at(-1).loss < trained.history[0].loss / 4, JSON.stringify(trained.history.at(-1)));
    assert.ok(trained.test.accuracy >= 0.9, `test accuracy ${trained.test.accuracy}`);
  },
);

// examples/lm-logprobs: (B, T, V) logits scored with shape and dim -1, against float64 here: per position
// the log-softmax of the float32 logits in float64, perplexity exp(mean of -log p(target)), and the top 5 by
// a stable descending sort (ties: lower index). Tolerances: log-probabilities are float32 results of a
// float64-accurate computation (a few float32 roundings of values up to ~10: atol 2e-6); perplexity from a
// float64 mean of row losses each within 1e-6 (rtol 1e-5).
test('examples/lm-logprobs: perplexity, per-token log-probs and top-5 alternatives match float64', async () => {
  const { toyOutput } = await import('../examples/lm-logprobs/toy-model.mjs');
  const { logits, targets } = toyOutput();
  const [B, T, V] = logits.dims;
  const got = JSON.parse(run('lm-logprobs/main.mjs').trim().split('\n').at(-1));
  let nll = 0;
  const want = { tokenLogProbs: [], indices: [], values: [] };
  for (let i = 0; i < B * T; i++) {
    const row = Array.from(logits.data.subarray(i * V, (i + 1) * V));
    const max = Math.max(...row);
    const lse = max + Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0));
    want.tokenLogProbs.push(row[targets[i]] - lse);
    nll -= row[targets[i]] - lse;
    const order = row.map((v, j) => [v, j]).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
    for (const [v, j] of order.slice(0, 5)) {
      want.indices.push(j);
      want.values.push(v - lse);
    }
  }
  close(got.perplexity, Math.exp(nll / (B * T)), { rtol: 1e-5, what: 'perplexity' });
  close(got.tokenLogProbs, want.tokenLogProbs, { rtol: 1e-6, atol: 2e-6, what: 'tokenLogProbs' });
  assert.deepEqual(got.top5.indices, want.indices);
  close(got.top5.values, want.values, { rtol: 1e-6, atol: 2e-6, what: 'top5 values' });
});

// examples/evaluate-segmentation: (N, C, H, W) logits with dim 1, against float64 here, reading the
// logits in NCHW order by hand: per pixel the loss max + log(sum exp(x - max)) - x[label] (0 for void
// pixels), the prediction as the first largest logit, the confusion counts, pixel accuracy and mean IoU
// (tp / (support + predicted - tp), averaged over the classes that occur). Tolerances: per-pixel losses
// are float32 results of a float64-accurate computation of values below ~10 (a few float32 roundings:
// rtol 1e-6, atol 2e-6); the mean loss is a float64 mean of them (rtol 1e-6); counts, accuracy and IoU are
// ratios of the same integers, computed in the same order: exact.
test('examples/evaluate-segmentation: per-pixel loss, pixel accuracy, confusion and mean IoU match float64', async () => {
  const { toyOutput, VOID } = await import('../examples/evaluate-segmentation/toy-model.mjs');
  const { logits, labels } = toyOutput();
  const [N, C, H, W] = logits.dims;
  const got = JSON.parse(run('evaluate-segmentation/main.mjs').trim().split('\n').at(-1));
  const perPixel = new Float64Array(N * H * W);
  const confusion = new Array(C * C).fill(0);
  let loss = 0,
    count = 0,
    correct = 0;
  for (let n = 0; n < N; n++) {
    for (let p = 0; p < H * W; p++) {
      const label = labels[n * H * W + p];
      if (label === VOID) continue;
      const z = Array.from({ length: C }, (_, c) => logits.data[(n * C + c) * H * W + p]);
      const max = Math.max(...z);
      const l = max + Math.log(z.reduce((s, v) => s + Math.exp(v - max), 0)) - z[label];
      const pred = z.indexOf(max);
      perPixel[n * H * W + p] = l;
      loss += l;
      count++;
      correct += pred === label;
      confusion[label * C + pred]++;
    }
  }
  let ious = 0,
    present = 0;
  const iou = [];
  for (let c = 0; c < C; c++) {
    let support = 0,
      predicted = 0;
    for (let j = 0; j < C; j++) {
      support += confusion[c * C + j];
      predicted += confusion[j * C + c];
    }
    const union = support + predicted - confusion[c * C + c];
    iou.push(union === 0 ? NaN : confusion[c * C + c] / union);
    if (union !== 0) ((ious += iou[c]), present++);
  }
  // The sample is what its comment says: void borders, every class present, neither perfect nor chance.
  assert.ok(count > 0.6 * N * H * W && count < N * H * W, `${count} labelled pixels`);
  assert.ok(correct / count > 0.6 && correct / count < 0.95, `pixel accuracy ${correct / count}`);
  assert.equal(present, C);

  close(got.perPixel, perPixel, { rtol: 1e-6, atol: 2e-6, what: 'perPixel' });
  close(got.loss, loss / count, { rtol: 1e-6, what: 'loss' });
  assert.equal(got.count, count);
  assert.equal(got.accuracy, correct / count);
  assert.deepEqual(got.confusion, confusion);
  assert.deepEqual(got.iou, iou);
  assert.equal(got.meanIoU, ious / present);
});
