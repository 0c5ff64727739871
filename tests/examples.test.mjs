// Every example runs, and says what an independent computation says.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import test from 'node:test';

import { load } from '../web/index.js';
import { close } from './lib/tolerance.mjs';

const run = (file, ...args) =>
  execFileSync(process.execPath, [fileURLToPath(new URL(`../examples/${file}`, import.meta.url)), ...args], {
    encoding: 'utf8',
  });

test('examples/node-evaluate.mjs: streamed metrics equal one evaluate() over the whole file', async () => {
  const lines = run('node-evaluate.mjs').trim().split('\n');
  const streamed = JSON.parse(lines.at(-1));
  const bytes = readFileSync(new URL('../examples/evaluate/logits.f32', import.meta.url));
  const { classes, labels } = JSON.parse(readFileSync(new URL('../examples/evaluate/labels.json', import.meta.url)));
  const xe = await load();
  const whole = xe.evaluate(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4), labels, {
    classes,
    topK: [1, 5],
  });
  close(streamed.loss, whole.loss, { rtol: 1e-12 });
  assert.deepEqual({ ...streamed, loss: 0, bits: 0, perplexity: 0 }, { ...whole, loss: 0, bits: 0, perplexity: 0 });
  assert.equal(whole.count, 2000);
  assert.match(lines[1], /^loss\s+\d\.\d{4} nats \(\d\.\d{4} bits\)$/);
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

    const evaluated = await open('examples/evaluate/');
    const nodeResult = JSON.parse(run('node-evaluate.mjs').trim().split('\n').at(-1));
    close(evaluated.loss, nodeResult.loss, { rtol: 1e-12 });
    assert.equal(evaluated.count, 2000);
    assert.equal(evaluated.topK[5], nodeResult.topK[5]);

    const trained = await open('examples/worker-training/');
    assert.equal(trained.type, 'done', trained.message);
    assert.equal(trained.history.length, 60);
    assert.ok(trained.history.at(-1).loss < trained.history[0].loss / 4, JSON.stringify(trained.history.at(-1)));
    assert.ok(trained.test.accuracy >= 0.9, `test accuracy ${trained.test.accuracy}`);
  },
);
