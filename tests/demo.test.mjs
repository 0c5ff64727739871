// The demo page (demo/) in headless Chromium: it loads cleanly, trains the spiral to >= 0.9 test accuracy
// in a worker while the page keeps painting, keeps every setting in the URL hash, and its cross-entropy
// explainer shows the values a float64 computation here gives. Saves a screenshot to test-results/demo.png.
// One Chromium (playwright-core, /usr/bin/chromium or $CHROMIUM_PATH) for the file; the repository root is
// served on 127.0.0.1, port 0, by scripts/server.mjs. What "trained" means is shared with the other browsers'
// run of the demo in tests/engines.test.mjs (tests/lib/demo-spiral.mjs).
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { launchChromium } from './lib/chromium.mjs';
import { close } from './lib/tolerance.mjs';
import { DEMO_REPORTED, SPIRAL_TRAINED } from './lib/demo-spiral.mjs';
import { repoRoot, startServer } from '../scripts/server.mjs';

const TIMEOUT = 60_000;
const TRAIN_TIMEOUT = 60_000; // Play to test accuracy >= 0.9

let context;
let baseUrl;

/** Opens the demo (with an optional hash) and collects console errors, page errors and failed requests. */
async function openDemo(t, hash = '') {
  const page = await context.newPage();
  t.after(() => page.close());
  const problems = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console.error: ${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.stack || error.message}`));
  page.on('requestfailed', (request) =>
    problems.push(`request failed: ${request.url()} ${request.failure()?.errorText}`),
  );
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()} for ${response.url()}`);
  });
  page.problems = problems;
  await page.goto(baseUrl + hash);
  await ready(page);
  return { page, problems };
}

/** The page is ready when the worker has loaded (Play enabled) and the first report is shown. */
async function ready(page) {
  try {
    await page
      .getByRole('button', { name: 'Play', exact: true })
      .and(page.locator(':enabled'))
      .waitFor({ timeout: 30_000 });
    await page.waitForFunction(DEMO_REPORTED, null, { timeout: 30_000 });
  } catch (error) {
    const state = await page
      .evaluate(() => ({
        build: document.querySelector('#build').textContent,
        status: document.querySelector('#status').textContent,
        playDisabled: document.querySelector('#play').disabled,
        trainLoss: document.querySelector('[data-metric="train-loss"]').textContent,
      }))
      .catch((e) => e.message);
    error.message += `\npage state: ${JSON.stringify(state)}\nproblems: ${JSON.stringify(page.problems)}`;
    throw error;
  }
}

const metric = (page, name) => page.locator(`[data-metric="${name}"]`).textContent().then(Number);

test('the demo page in Chromium', async (t) => {
  const server = await startServer({ host: '127.0.0.1', port: 0 });
  t.after(() => server.close());
  baseUrl = new URL('demo/', server.url).href;
  context = await launchChromium(t, { timeout: TIMEOUT, viewport: { width: 1200, height: 900 } });

  await t.test('loads without console errors and writes its settings to the hash', loads);
  await t.test('Spiral with 3 classes: Play reaches test accuracy >= 0.9 while the page keeps painting', trains);
  await t.test('every setting round-trips through the URL hash', roundTrips);
  await t.test("the explainer's numbers match float64", explains);
  await t.test('Speed paces training, from the hash and from its control', paces);
  await t.test('focal loss: the loss and class-share controls train, the explainer draws the focal curves', focal);
});

async function loads(t) {
  const { page, problems } = await openDemo(t);
  assert.match(await page.title(), /xentropy/);
  const hash = await page.evaluate(() => location.hash);
  for (const key of [
    'dataset=',
    'classes=',
    'hidden=',
    'activation=',
    'optimizer=',
    'lr=',
    'batch=',
    'smoothing=',
    'l2=',
  ]) {
    assert.ok(hash.includes(key), `hash ${hash} has ${key}`);
  }
  // Every control has a label.
  const unlabelled = await page.evaluate(() =>
    [...document.querySelectorAll('input, select, button')]
      .filter((el) => !el.labels?.length && el.tagName !== 'BUTTON')
      .map((el) => el.id),
  );
  assert.deepEqual(unlabelled, [], 'controls without a <label>');
  for (const name of ['Play', 'Step', 'Reset']) {
    assert.equal(await page.getByRole('button', { name, exact: true }).count(), 1, `one button named ${name}`);
  }
  for (const name of ['train-loss', 'train-accuracy', 'test-loss', 'test-accuracy', 'epoch']) {
    const value = await metric(page, name);
    assert.ok(Number.isFinite(value), `data-metric="${name}" holds a number`);
  }
  // Step trains exactly one epoch.
  await page.getByRole('button', { name: 'Step', exact: true }).click();
  await page.waitForFunction(() => document.querySelector('[data-metric="epoch"]').textContent === '1');
  assert.deepEqual(problems, [], 'no console errors, page errors or failed requests');
}

async function trains(t) {
  const { page, problems } = await openDemo(t);
  await page.getByLabel('Dataset', { exact: true }).selectOption({ label: 'Spiral' });
  await page.getByLabel('Classes', { exact: true }).selectOption('3');
  await page.waitForFunction(() => location.hash.includes('dataset=spiral') && location.hash.includes('classes=3'));
  assert.equal(await page.locator('#legend li').count(), 3, 'three classes in the legend');

  // Count animation frames and heatmap repaints from here on.
  await page.evaluate(() => {
    window.__frames = 0;
    const tick = () => {
      window.__frames++;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  const counts = () =>
    page.evaluate(() => ({
      frames: window.__frames,
      paints: Number(document.querySelector('#heatmap').dataset.paints),
    }));

  const started = Date.now();
  await page.getByRole('button', { name: 'Play', exact: true }).click();
  await page.getByRole('button', { name: 'Pause', exact: true }).waitFor();
  await page.waitForFunction(SPIRAL_TRAINED, null, { timeout: TRAIN_TIMEOUT, polling: 50 });
  const seconds = (Date.now() - started) / 1000;
  const epochs = await metric(page, 'epoch');
  t.diagnostic(`test accuracy >= 0.9 ${seconds.toFixed(2)} s after Play (epoch ${epochs})`);

  // The page keeps painting while the worker trains (it still is): headless Chromium runs ~60 frames a second.
  const before = await counts();
  await page.waitForTimeout(1000);
  const after = await counts();
  const epochsLater = await metric(page, 'epoch');
  t.diagnostic(
    `in 1 s of training (${epochsLater - epochs} epochs): ${after.frames - before.frames} animation frames, ${after.paints - before.paints} heatmap repaints`,
  );
  assert.ok(epochsLater > epochs, 'still training');
  assert.ok(
    after.frames - before.frames >= 10,
    `animation frames kept coming while training (${after.frames - before.frames} in 1 s)`,
  );
  assert.ok(
    after.paints - before.paints >= 3,
    `the heatmap was repainted while training (${after.paints - before.paints} in 1 s)`,
  );
  assert.ok(epochs >= 1);
  assert.ok((await metric(page, 'train-accuracy')) >= 0.9);
  assert.ok((await metric(page, 'test-loss')) > 0);

  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  await page.getByRole('button', { name: 'Play', exact: true }).waitFor();
  const paused = await metric(page, 'epoch');
  await page.waitForTimeout(300);
  assert.ok((await metric(page, 'epoch')) - paused <= 1, 'Pause stops training');

  // Hovering a data point shows its predicted distribution and its loss.
  const canvas = await page.locator('#heatmap').boundingBox();
  const tooltip = page.locator('#tooltip');
  let found = false;
  for (let dy = 0; dy <= 60 && !found; dy += 4) {
    for (let dx = 0; dx <= 60 && !found; dx += 4) {
      await page.mouse.move(canvas.x + canvas.width * 0.5 + dx, canvas.y + canvas.height * 0.4 + dy);
      found = await tooltip.isVisible();
    }
  }
  assert.ok(found, 'a tooltip appears over some data point');
  const text = await tooltip.textContent();
  assert.match(text, /(Training|Test) point, class [ABC]/);
  assert.match(text, /loss −ln q\([ABC]\) = \d+\.\d{4} nats/);

  await mkdir(join(repoRoot, 'test-results'), { recursive: true });
  await page.screenshot({ path: join(repoRoot, 'test-results', 'demo.png'), fullPage: true });
  assert.deepEqual(problems, [], 'no console errors, page errors or failed requests');
}

async function roundTrips(t) {
  const { page, problems } = await openDemo(t);
  const settings = {
    Dataset: { select: 'moons' },
    Noise: { fill: '0.3' },
    'Training data (%)': { fill: '70' },
    Seed: { fill: '7' },
    'Share of class A': { select: '10' },
    'Hidden layers': { fill: '8,4' },
    Activation: { select: 'tanh' },
    Optimizer: { select: 'momentum' },
    Loss: { select: 'focal' },
    'Focal γ': { fill: '3' },
    'Learning rate': { fill: '0.05' },
    'Batch size': { fill: '16' },
    'Label smoothing': { fill: '0.1' },
    'L2 penalty': { fill: '0.001' },
    'True class': { select: 'soft' },
  };
  for (const [label, action] of Object.entries(settings)) {
    const control = page.getByLabel(label, { exact: true });
    if (action.select) await control.selectOption(action.select);
    else {
      await control.fill(action.fill);
      await control.blur(); // text and number fields apply on change (blur or Enter)
    }
  }
  await page.locator('#q-B').fill('0.5');
  await page.locator('#p-C').fill('0.4');

  const read = (on) =>
    on.evaluate(() =>
      Object.fromEntries(
        [...document.querySelectorAll('input, select')].map((el) => [
          el.id,
          el.type === 'checkbox' ? el.checked : el.value,
        ]),
      ),
    );
  const chosen = await read(page);
  assert.equal(chosen['ctl-dataset'], 'moons');
  assert.equal(chosen['ctl-classes'], '2', 'moons has two classes');
  assert.equal(chosen['ctl-hidden'], '8,4');
  assert.equal(chosen['q-B'], '0.5');
  const hash = await page.evaluate(() => location.hash);
  assert.match(hash, /dataset=moons/);
  assert.match(hash, /hidden=8,4/);
  assert.match(hash, /target=soft/);

  await page.reload();
  await ready(page);
  assert.deepEqual(await read(page), chosen, 'reload restores every control');
  assert.equal(await page.evaluate(() => location.hash), hash);

  // The same link in a new page is the same setup.
  const other = await openDemo(t, hash);
  assert.deepEqual(await read(other.page), chosen, 'a shared link restores every control');

  // Editing the hash applies it; malformed values fall back to their defaults and the hash is rewritten.
  await page.evaluate(() => (location.hash = '#dataset=blobs&classes=5&hidden=abc&lr=-1'));
  await page.waitForFunction(() => document.querySelector('#ctl-dataset').value === 'blobs');
  const edited = await read(page);
  assert.equal(edited['ctl-classes'], '5');
  assert.equal(edited['ctl-hidden'], '32,32');
  assert.ok(Number(edited['ctl-lr']) > 0);
  assert.match(await page.evaluate(() => location.hash), /hidden=32,32/);
  await page.waitForFunction(() => document.querySelectorAll('#legend li').length === 5);
  assert.deepEqual([...problems, ...other.problems], [], 'no console errors, page errors or failed requests');
}

async function explains(t) {
  const { page, problems } = await openDemo(t, '#target=A&q=0.7,0.2,0.1');
  const shown = (name) => page.locator(`[data-explainer="${name}"]`).textContent();
  // The worked example: q = [0.7, 0.2, 0.1], class A.
  assert.equal(await shown('example-nats'), '0.3567');
  assert.equal(await shown('example-bits'), '0.5146');
  assert.equal(await shown('ce-nats'), '0.3567');
  assert.equal(await shown('ce-bits'), '0.5146');

  const cases = [
    { q: ['0.3', '0.9', '0.5'], target: 'C' },
    { q: ['0.2', '0.6', '1'], target: 'soft', p: ['0.5', '0.3', '0.2'] },
    { q: ['0.01', '1', '1'], target: 'A' },
  ];
  for (const c of cases) {
    for (const [k, v] of c.q.entries()) await page.locator(`#q-${'ABC'[k]}`).fill(v);
    await page.getByLabel('True class').selectOption(c.target);
    for (const [k, v] of (c.p ?? []).entries()) await page.locator(`#p-${'ABC'[k]}`).fill(v);

    // Expected in float64, here: q and p normalised to sum to 1, as the page reads them; 0 log 0 = 0.
    const norm = (w) => {
      const s = w.reduce((a, b) => a + b, 0);
      return w.map((x) => x / s);
    };
    const qn = norm(c.q.map(Number));
    const index = 'ABC'.indexOf(c.target);
    const pn = c.target === 'soft' ? norm(c.p.map(Number)) : [0, 1, 2].map((k) => (k === index ? 1 : 0));
    const expected = {};
    for (const [unit, base] of [
      ['nats', Math.E],
      ['bits', 2],
    ]) {
      const ln = Math.log(base);
      expected[`ce-${unit}`] = -pn.reduce((s, p, k) => s + (p && p * Math.log(qn[k])), 0) / ln;
      expected[`entropy-${unit}`] = -pn.reduce((s, p) => s + (p && p * Math.log(p)), 0) / ln;
      expected[`kl-${unit}`] = pn.reduce((s, p, k) => s + (p && p * Math.log(p / qn[k])), 0) / ln;
    }
    qn.forEach((v, k) => (expected[`surprise-${'ABC'[k]}`] = -Math.log(v)));
    for (const [name, value] of Object.entries(expected)) {
      const text = await shown(name);
      // Shown to 4 decimals of a float32 computation: within half a unit of the last digit, plus 1e-6.
      const what = `${name} for ${JSON.stringify(c)}, shown "${text}"`;
      assert.match(text, /^\d+\.\d{4}$/, what);
      close(Number(text), value, { rtol: 0, atol: 5e-5 + 1e-6, what });
    }
    for (const [k, v] of qn.entries()) assert.equal(await shown(`q-${'ABC'[k]}`), v.toFixed(3), `q-${'ABC'[k]}`);
    // H(p, q) = H(p) + KL(p ‖ q), as shown.
    const [ce, h, kl] = await Promise.all(['ce-nats', 'entropy-nats', 'kl-nats'].map((n) => shown(n).then(Number)));
    close(ce, h + kl, { rtol: 0, atol: 2e-4, what: `H(p, q) = H(p) + KL = ${h} + ${kl}, as shown` });
  }
  assert.deepEqual(problems, [], 'no console errors, page errors or failed requests');
}

// At 3 epochs a second the worker trains one epoch per slice and waits out the rest of 1/3 s: an upper
// bound that holds however slow the machine is (the lower bound only asks that it moves at all).
async function paces(t) {
  const { page, problems } = await openDemo(t, '#pace=3');
  assert.equal(await page.getByLabel('Speed', { exact: true }).inputValue(), '3');
  await page.getByRole('button', { name: 'Play', exact: true }).click();
  const started = Date.now();
  await page.waitForTimeout(2000);
  const epochs = await metric(page, 'epoch');
  const seconds = (Date.now() - started) / 1000;
  t.diagnostic(`${epochs} epochs in ${seconds.toFixed(2)} s at 3 epochs/s`);
  assert.ok(epochs >= 1 && epochs <= Math.ceil(3 * seconds) + 1, `${epochs} epochs in ${seconds.toFixed(2)} s`);
  await page.getByLabel('Speed', { exact: true }).selectOption('max');
  await page.waitForFunction(() => location.hash.includes('pace=max'));
  await page.waitForFunction(
    (e) => Number(document.querySelector('[data-metric="epoch"]').textContent) > e + 6,
    epochs,
  );
  assert.deepEqual(problems, [], 'no console errors, page errors or failed requests');
}

// The focal-loss controls (issue #12): class A at 5% of two blobs, focal loss with γ 2, trains (reports a
// finite loss and an accuracy), the settings are in the hash, and the explainer's focal curve marks the
// worked example's prediction q = 0.7 with -(1 - 0.7)^2 ln 0.7 = 0.0321 nats (float64 here).
async function focal(t) {
  const { page, problems } = await openDemo(t, '#dataset=blobs&classes=2&share=5&loss=focal&gamma=2&pace=max');
  assert.equal(await page.getByLabel('Loss', { exact: true }).inputValue(), 'focal');
  assert.equal(await page.getByLabel('Share of class A', { exact: true }).inputValue(), '5');
  assert.equal(await page.getByLabel('Focal γ', { exact: true }).isEnabled(), true);
  await page.getByRole('button', { name: 'Play', exact: true }).click();
  await page.waitForFunction(
    () => Number(document.querySelector('[data-metric="train-accuracy"]').textContent) > 0.9,
    null,
    {
      timeout: TRAIN_TIMEOUT,
    },
  );
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  assert.ok(Number.isFinite(await metric(page, 'train-loss')));
  await page.getByLabel('Loss', { exact: true }).selectOption('crossEntropy');
  assert.equal(await page.getByLabel('Focal γ', { exact: true }).isEnabled(), false, 'γ applies to focal loss only');
  assert.match(page.url(), /loss=crossEntropy/);
  assert.match(page.url(), /share=5/);

  await page.locator('#q-A').fill('0.7');
  await page.locator('#q-B').fill('0.2');
  await page.locator('#q-C').fill('0.1');
  await page.getByLabel('True class').selectOption('A');
  const q = Number(await page.locator('[data-explainer="focal-q"]').textContent());
  const loss = Number(await page.locator('[data-explainer="focal-loss"]').textContent());
  close(q, 0.7, { rtol: 0, atol: 5e-4, what: 'focal-q' });
  close(loss, -((1 - 0.7) ** 2) * Math.log(0.7), { rtol: 0, atol: 1e-4, what: 'focal loss at q = 0.7, γ = 2' });
  const painted = await page.locator('#focal-curve').evaluate((canvas) => {
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    let ink = 0;
    for (let i = 3; i < data.length; i += 4) ink += data[i] > 0;
    return ink;
  });
  assert.ok(painted > 1000, `the focal curves are drawn (${painted} painted pixels)`);
  assert.deepEqual(problems, []);
}
