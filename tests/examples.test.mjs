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
