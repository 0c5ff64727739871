// Threads in Chromium: the same page served with COOP/COEP (cross-origin isolated: shared memory, the
// threaded build) and without (one thread), computing the same things; the results must be bit-identical.
import assert from 'node:assert/strict';
import test from 'node:test';

import { startServer } from '../scripts/server.mjs';
import { launchChromium } from './lib/chromium.mjs';

async function run(t, context, isolated) {
  const server = await startServer({ isolated });
  t.after(() => server.close());
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${server.url}tests/browser/page.html`);
  const result = await page.evaluate(async () => {
    const { load } = await import('/web/index.js');
    const xe = await load();
    const hash = (array) => {
      let h = 0;
      for (const v of new Uint32Array(array.buffer, array.byteOffset, array.length)) h = (Math.imul(h, 31) + v) >>> 0;
      return h;
    };
    const out = { isolated: self.crossOriginIsolated, threads: xe.threads };
    for (const [n, c] of [
      [300, 1000],
      [4, 40000],
    ]) {
      const x = Float32Array.from({ length: n * c }, (_, i) => Math.sin(i * 0.37) * 10);
      const y = Int32Array.from({ length: n }, (_, i) => (i * 37) % c);
      const g = xe.crossEntropyWithGrad(x, y, { classes: c });
      out[`${n}x${c}`] = {
        loss: xe.crossEntropy(x, y, { classes: c }),
        lossWithGrad: g.loss,
        grad: hash(g.grad),
        softmax: hash(xe.softmax(x, { classes: c })),
        logSoftmax: hash(xe.logSoftmax(x, { classes: c })),
        evaluate: xe.evaluate(x, y, { classes: c, topK: [1, 5] }).loss,
        bce: xe.binaryCrossEntropy(
          x,
          x.map((v) => (v > 0 ? 1 : 0)),
        ),
      };
    }
    xe.dispose();
    try {
      xe.alloc(1);
      out.disposed = 'no error';
    } catch (error) {
      out.disposed = error.message;
    }
    return out;
  });
  await page.close();
  assert.deepEqual(errors, []);
  return result;
}

test('threads in Chromium: an isolated page uses more than one, with the same results as one', async (t) => {
  const context = await launchChromium(t);
  const plain = await run(t, context, false);
  const isolated = await run(t, context, true);
  assert.equal(plain.isolated, false);
  assert.equal(plain.threads, 1);
  assert.equal(isolated.isolated, true);
  assert.ok(isolated.threads > 1, `an isolated page uses ${isolated.threads} thread(s)`);
  assert.match(isolated.disposed, /disposed/);
  const { threads: _a, isolated: _b, ...one } = plain;
  const { threads: _c, isolated: _d, ...many } = isolated;
  assert.deepEqual(many, one);
});
