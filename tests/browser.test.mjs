// xentropy in Chromium: a page and a module Web Worker, for simd true, false and 'auto'.
// One headless Chromium (playwright-core, /usr/bin/chromium or $CHROMIUM_PATH) for the whole file; the
// repository root is served on 127.0.0.1, port 0, by scripts/server.mjs (what `npm start` uses).
// Fixtures: tests/browser/page.html (?simd=…&where=page|worker), check.js, worker.js.
import test from 'node:test';
import assert from 'node:assert/strict';
import { launchChromium } from './lib/chromium.mjs';
import { createServer } from 'node:http';
import { createHandler, repoRoot, startServer } from '../scripts/server.mjs';

const TIMEOUT = 60_000;

/** |a - b| <= atol + rtol * |b| elementwise (float32 results against float64 expectations). */
function close(actual, expected, { atol = 1e-6, rtol = 1e-5, what = 'value' } = {}) {
  const a = typeof actual === 'number' ? [actual] : actual;
  const e = typeof expected === 'number' ? [expected] : expected;
  assert.ok(
    Array.isArray(a) && a.length === e.length,
    `${what}: got ${JSON.stringify(actual)}, expected ${e.length} values`,
  );
  a.forEach((x, i) => {
    assert.ok(Math.abs(x - e[i]) <= atol + rtol * Math.abs(e[i]), `${what}[${i}] = ${x}, expected ${e[i]}`);
  });
}

// Hand-computed expectations.
const softmaxOf = (row) => {
  const m = Math.max(...row);
  const e = row.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
};
const SEED_NATS = -Math.log(0.7); // 0.35667494393873245
const SEED_BITS = -Math.log2(0.7); // 0.5145731728297583
const SOFTMAX_123 = softmaxOf([1, 2, 3]);
const ROWS = [
  [1, 2, 3],
  [0.5, -1, 0],
];
const LABELS = [2, 0];
const WITH_GRAD = {
  loss: ROWS.reduce((sum, row, i) => sum - Math.log(softmaxOf(row)[LABELS[i]]), 0) / ROWS.length,
  grad: ROWS.flatMap((row, i) => softmaxOf(row).map((p, j) => (p - (j === LABELS[i] ? 1 : 0)) / ROWS.length)),
};

function checkResult(value, { where, simd }) {
  assert.equal(value.scope, where, 'ran in the expected scope');
  assert.equal(value.simdSupported, true, 'Chromium supports wasm SIMD128 (simdSupported())');
  assert.equal(value.simd, simd === 'auto' ? true : simd, `xe.simd with { simd: ${String(simd)} }`);
  assert.equal(typeof value.version, 'string');
  assert.equal(value.version, value.exportedVersion);
  assert.ok(Math.abs(SEED_NATS - 0.35667494) < 1e-8 && Math.abs(SEED_BITS - 0.51457317) < 1e-8);
  close(value.ceNats, SEED_NATS, { what: 'crossEntropy nats' });
  close(value.ceBits, SEED_BITS, { what: 'crossEntropy bits' });
  assert.equal(value.softmaxIsFloat32, true, 'softmax returns a Float32Array');
  close(value.softmax, SOFTMAX_123, { what: 'softmax([1, 2, 3])' });
  close(value.softmaxWasmArray, SOFTMAX_123, { what: 'softmax(WasmArray, { out: same })' });
  assert.equal(value.withGrad.gradIsFloat32, true, 'grad is a Float32Array');
  close(value.withGrad.loss, WITH_GRAD.loss, { what: 'crossEntropyWithGrad loss' });
  close(value.withGrad.grad, WITH_GRAD.grad, { what: 'crossEntropyWithGrad grad' });
  assert.equal(value.secondInstanceSame, true, 'a second load() gives an independent, equal instance');
}

test('server: static files, application/wasm, no dotfiles', async (t) => {
  const server = await startServer({ host: '127.0.0.1', port: 0 });
  t.after(() => server.close());
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  assert.equal(server.root.replace(/\/$/, ''), repoRoot.replace(/\/$/, ''));

  const wasm = await fetch(new URL('dist/xentropy-simd.wasm', server.url));
  assert.equal(wasm.status, 200);
  assert.equal(wasm.headers.get('content-type'), 'application/wasm');
  assert.ok(WebAssembly.validate(new Uint8Array(await wasm.arrayBuffer())), 'served bytes are a valid module');

  const js = await fetch(new URL('web/index.js', server.url));
  assert.equal(js.status, 200);
  assert.match(js.headers.get('content-type'), /^text\/javascript/);
  await js.arrayBuffer();

  for (const path of ['.git/HEAD', '.ci/run', 'no/such/file.js']) {
    const res = await fetch(new URL(path, server.url));
    assert.equal(res.status, 404, path);
    await res.arrayBuffer();
  }
  const root = await fetch(server.url, { redirect: 'manual' });
  assert.equal(root.status, 302);
  assert.equal(root.headers.get('location'), '/demo/');
  const dir = await fetch(new URL('tests/browser?x=1', server.url), { redirect: 'manual' });
  assert.equal(dir.status, 301);
  assert.equal(dir.headers.get('location'), '/tests/browser/?x=1');
});

test('xentropy in Chromium: page and module worker', async (t) => {
  // t.after hooks run in the order they were registered: the browser closes before the server.
  const context = await launchChromium(t, { timeout: TIMEOUT });
  const server = await startServer({ host: '127.0.0.1', port: 0 });
  t.after(() => server.close());

  for (const where of ['page', 'worker']) {
    for (const simd of [true, false, 'auto']) {
      await t.test(`${where}, simd: ${String(simd)}`, async () => {
        const page = await context.newPage();
        const problems = [];
        const wasmTypes = [];
        // The page's console event also carries its workers' messages.
        page.on('console', (message) => {
          if (message.type() !== 'error') return;
          const origin = message.worker?.() ? 'worker' : 'page';
          const { url, lineNumber } = message.location();
          problems.push(`console.error in ${origin}: ${message.text()} (${url}:${lineNumber})`);
        });
        page.on('pageerror', (error) => problems.push(`page error: ${error.stack || error.message}`));
        page.on('requestfailed', (request) =>
          problems.push(`request failed: ${request.url()} ${request.failure()?.errorText}`),
        );
        page.on('response', (response) => {
          if (response.status() >= 400) problems.push(`HTTP ${response.status()} for ${response.url()}`);
          if (response.url().endsWith('.wasm')) wasmTypes.push(response.headers()['content-type']);
        });
        try {
          const url = new URL(`tests/browser/page.html?simd=${String(simd)}&where=${where}`, server.url);
          await page.goto(url.href);
          await page.waitForFunction(() => window.__result !== undefined);
          const result = await page.evaluate(() => window.__result);
          assert.ok(result.ok, `checks threw in the ${where}: ${result.error}`);
          checkResult(result.value, { where, simd });
          for (const type of wasmTypes) assert.equal(type, 'application/wasm');
          if (where === 'page') assert.ok(wasmTypes.length > 0, 'the page fetched a .wasm');
          assert.deepEqual(problems, [], 'no console errors, page errors or failed requests');
        } finally {
          await page.close();
        }
      });
    }
  }
});

// The strictest policy a wasm library can live with: scripts only from the origin, wasm compilation
// allowed, no eval. The library is built with -sDYNAMIC_EXECUTION=0 and must need nothing more.
const CSP = "default-src 'self'; img-src 'self' data:; script-src 'self' 'wasm-unsafe-eval'";

test("xentropy in Chromium under Content-Security-Policy: script-src 'self' 'wasm-unsafe-eval'", async (t) => {
  const context = await launchChromium(t, { timeout: TIMEOUT }); // closed first, then the server
  const handler = createHandler(repoRoot);
  const server = createServer((req, res) => {
    res.setHeader('Content-Security-Policy', CSP);
    handler(req, res);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => server.close(resolve)));
  for (const simd of [true, false]) {
    const page = await context.newPage();
    const errors = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    const response = await page.goto(`http://127.0.0.1:${server.address().port}/tests/browser/csp.html?simd=${simd}`);
    assert.equal(response.headers()['content-security-policy'], CSP);
    await page.waitForFunction(() => window.__result !== undefined);
    const result = await page.evaluate(() => window.__result);
    assert.ok(result.ok, `checks threw under the CSP: ${result.error}`);
    checkResult(result.value, { where: 'page', simd });
    assert.deepEqual(result.violations, [], 'no CSP violations');
    assert.deepEqual(errors, [], 'no console errors');
    await page.close();
  }
});
