// The model report page (demo/report.html) in headless Chromium: the committed fixtures
// (scripts/make-report-examples.py) uploaded through the file inputs give every data-metric within tolerance
// of the script's scikit-learn / NumPy references; a generated 64 MiB file streams with a moving progress bar;
// Cancel stops a run; each kind of bad input gives an alert naming the file; the JSON download matches the
// page. Saves test-results/report.png. The repository root is served on 127.0.0.1, port 0.
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium } from './lib/chromium.mjs';
import { npy } from './lib/npy-writer.mjs';
import { REFERENCE, close, compareMetrics } from './lib/report-page.mjs';
import { repoRoot, startServer } from '../scripts/server.mjs';

const TIMEOUT = 120_000;
const FIXTURES = join(repoRoot, 'tests', 'fixtures', 'report');
const reference = REFERENCE;

let context;
let baseUrl;
let scratch;

async function openReport(t) {
  const page = await context.newPage();
  t.after(() => page.close());
  const problems = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(`console.error: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`page error: ${e.stack || e.message}`));
  page.on('response', (r) => r.status() >= 400 && problems.push(`HTTP ${r.status()} for ${r.url()}`));
  page.problems = problems;
  await page.goto(new URL('demo/report.html', baseUrl).href);
  await page.locator('#evaluate:enabled').waitFor({ timeout: 30_000 });
  return page;
}

/** Sets the controls from a reference case's settings. */
async function configure(page, s) {
  await page.getByLabel('Input is').selectOption(s.input);
  await page.getByLabel('Class axis').selectOption(s.axis);
  if (s.input === 'logits') await page.getByLabel('Temperature').fill(String(s.temperature));
  await page.getByLabel('Ignore index').fill(String(s.ignoreIndex));
  await page.getByLabel('Calibration bins').fill(String(s.bins));
  await page.getByLabel('Top-k').fill(s.topK.join(', '));
}

/** Clicks Evaluate and waits for the run to end; returns the alert's text ('' after a success). */
async function evaluate(page, { timeout = 60_000 } = {}) {
  await page.evaluate(() => (document.querySelector('#progress-text').textContent = ''));
  await page.getByRole('button', { name: 'Evaluate' }).click();
  await page.waitForFunction(
    () =>
      /^(Done|Cancelled)/.test(document.querySelector('#progress-text').textContent) ||
      document.querySelector('#alert').textContent,
    null,
    { timeout },
  );
  return page.locator('#alert').textContent();
}

/** Every data-metric on the page, as numbers (a <data> element's value, else the text). */
const metrics = (page) =>
  page.evaluate(() =>
    Object.fromEntries(
      [...document.querySelectorAll('[data-metric]')].map((el) => [
        el.dataset.metric,
        Number(el.tagName === 'DATA' ? el.value : el.textContent),
      ]),
    ),
  );

async function upload(page, logits, labels, names) {
  await page.setInputFiles('#logits', logits);
  await page.setInputFiles('#labels', labels ?? []);
  await page.setInputFiles('#names', names ?? []);
}

test('the model report page in Chromium', async (t) => {
  const server = await startServer({ host: '127.0.0.1', port: 0 });
  t.after(() => server.close());
  baseUrl = server.url;
  scratch = await mkdtemp(join(tmpdir(), 'xentropy-report-'));
  t.after(() => rm(scratch, { recursive: true, force: true }));
  context = await launchChromium(t, {
    timeout: TIMEOUT,
    viewport: { width: 1200, height: 900 },
    acceptDownloads: true,
  });

  await t.test('loads cleanly, links to the playground and back, labels every control', loads);
  for (const name of Object.keys(reference))
    await t.test(`${name}: every data-metric matches the reference`, (t2) => matches(t2, name));
  await t.test('the downloaded JSON parses and matches the page and the reference', downloads);
  await t.test('each kind of bad input is an alert that names the file; the report stays', errors);
  await t.test('raw .bin files with a typed shape, and files dropped on the page', binAndDrop);
  await t.test('above 50 classes, the most confused pairs instead of a heatmap', manyClasses);
  await t.test('a 64 MiB .npy streams with a moving progress bar; Cancel stops a run', large);
  await t.test('Try an example: each synthetic example gives a report', examples);
});

async function loads(t) {
  const page = await openReport(t);
  assert.match(await page.title(), /xentropy model report/);
  const unlabelled = await page.evaluate(() =>
    [...document.querySelectorAll('input, select')].filter((el) => !el.labels?.length).map((el) => el.id),
  );
  assert.deepEqual(unlabelled, [], 'controls without a <label>');
  for (const label of [
    'Logits',
    'Labels',
    'Input is',
    'Class axis',
    'Temperature',
    'Ignore index',
    'Calibration bins',
    'Top-k',
  ])
    assert.equal(await page.getByLabel(label, { exact: true }).count(), 1, `one control labelled ${label}`);
  for (const name of ['Evaluate', 'Cancel', 'Try an example'])
    assert.equal(await page.getByRole('button', { name, exact: true }).count(), 1, `a button ${name}`);
  assert.equal(await page.getByLabel('Temperature').inputValue(), '1');
  assert.equal(await page.getByLabel('Ignore index').inputValue(), '-100');
  assert.equal(await page.getByLabel('Calibration bins').inputValue(), '15');
  assert.equal(await page.getByLabel('Top-k').inputValue(), '1, 5');
  assert.match(await page.locator('body').textContent(), /synthetic/i);
  await page.getByRole('link', { name: 'Playground' }).click();
  await page.waitForURL(/demo\/index\.html$/);
  await page.getByRole('link', { name: 'Model report' }).click();
  await page.waitForURL(/demo\/report\.html$/);
  assert.deepEqual(page.problems, []);
}

async function matches(t, name) {
  const page = await openReport(t);
  const ref = reference[name];
  await configure(page, ref.settings);
  const [logits, labels] = ref.files.map((f) => join(FIXTURES, f));
  await upload(
    page,
    logits,
    labels,
    name.startsWith('classifier') ? join(FIXTURES, 'classifier-names.txt') : undefined,
  );
  assert.equal(await evaluate(page), '', 'no alert');
  compareMetrics(await metrics(page), ref.metrics);
  if (name === 'lm') {
    const first = await page.locator('#summary [data-metric]').first().getAttribute('data-metric');
    assert.equal(first, 'perplexity', 'a language model leads with perplexity');
  }
  if (name === 'classifier') {
    await page.getByRole('button', { name: 'F1', exact: true }).click();
    const f1 = await page.$$eval('table.per-class tbody tr:not(.average) td:nth-child(4) data', (d) =>
      d.map((e) => Number(e.value)),
    );
    assert.deepEqual(
      f1,
      [...ref.perClass.f1].sort((a, b) => b - a),
      'the per-class table sorts by F1',
    );
    assert.equal(
      await page.locator('table.heatmap th.col').first().textContent(),
      'airplane',
      'class names label the matrix',
    );
    await mkdir(join(repoRoot, 'test-results'), { recursive: true });
    await page.screenshot({ path: join(repoRoot, 'test-results', 'report.png'), fullPage: true });
  }
  assert.deepEqual(page.problems, []);
}

async function downloads(t) {
  const page = await openReport(t);
  const ref = reference.classifier;
  await configure(page, ref.settings);
  await upload(page, join(FIXTURES, ref.files[0]), join(FIXTURES, ref.files[1]));
  assert.equal(await evaluate(page), '');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download report' }).click(),
  ]);
  const saved = JSON.parse(await readFile(await download.path(), 'utf8'));
  const shown = await metrics(page);
  assert.deepEqual(Object.keys(saved.summary).sort(), Object.keys(shown).sort(), 'the same metrics');
  for (const [k, v] of Object.entries(shown)) assert.equal(saved.summary[k], v, `summary.${k}`);
  assert.deepEqual(saved.settings.topK, [1, 5]);
  assert.deepEqual(
    saved.inputs.map((f) => [f.role, f.name, f.shape]),
    [
      ['logits', 'classifier-logits.npy', '(1000, 10)'],
      ['labels', 'classifier-labels.npy', '(1000,)'],
    ],
  );
  assert.deepEqual(saved.confusion, ref.confusion, 'confusion counts');
  for (const key of ['precision', 'recall', 'f1', 'support'])
    saved.perClass[key].forEach((v, i) => close(`perClass.${key}[${i}]`, v, ref.perClass[key][i]));
  saved.calibration.count.forEach((v, i) => assert.equal(v, ref.calibration.count[i], `calibration.count[${i}]`));
}

async function errors(t) {
  const page = await openReport(t);
  const ref = reference.classifier;
  await upload(page, join(FIXTURES, ref.files[0]), join(FIXTURES, ref.files[1]));
  assert.equal(await evaluate(page), '');
  const before = await metrics(page);
  const file = async (name, bytes) => {
    const path = join(scratch, name);
    await writeFile(path, bytes);
    return path;
  };
  const x = join(FIXTURES, 'classifier-logits.npy');
  const y = join(FIXTURES, 'classifier-labels.npy');
  const labels = Int32Array.from({ length: 1000 }, (_, i) => i % 10);
  labels[417] = 10;
  const nan = new Float32Array(1000 * 10).fill(0.5);
  nan[4321] = NaN;
  const cases = [
    ['not a format', await file('notes.txt', 'hello, world\n'), y, /notes\.txt: is not a \.npy, \.json or \.bin file/],
    [
      'shapes disagree',
      x,
      join(FIXTURES, 'lm-labels.npy'),
      /lm-labels\.npy: has the shape \(4, 32\), but classifier-logits\.npy \(1000, 10\)/,
    ],
    [
      'label out of range',
      x,
      await file('bad-labels.npy', npy(labels, { descr: '<i4', shape: [1000] })),
      /bad-labels\.npy: label 10 at \[417\] is outside \[0, 10\)/,
    ],
    ['NaN logits', await file('nan.npy', npy(nan, { descr: '<f4', shape: [1000, 10] })), y, /nan\.npy: holds NaN/],
    [
      'unsupported dtype',
      await file('complex.npy', npy(new Float32Array(20), { descr: '<c8', shape: [10, 1] })),
      y,
      /complex\.npy: unsupported dtype "<c8"/,
    ],
    [
      'uint64 labels',
      x,
      await file('u64.npy', npy(new BigUint64Array(1000), { descr: '<u8', shape: [1000] })),
      /u64\.npy: unsupported dtype "<u8"/,
    ],
    [
      'Fortran order',
      await file('fortran.npy', npy(new Float32Array(1000 * 10), { descr: '<f4', shape: [1000, 10], fortran: true })),
      y,
      /fortran\.npy: is in Fortran order/,
    ],
    [
      'big-endian',
      await file('big.npy', npy(new Float32Array(1000 * 10), { descr: '>f4', shape: [1000, 10] })),
      y,
      /big\.npy: big-endian/,
    ],
    ['truncated', await file('cut.npy', (await readFile(x)).subarray(0, 20000)), y, /cut\.npy: is truncated/],
    ['bad JSON', await file('bad.json', '[[1, 2], [3'), y, /bad\.json: is not valid JSON/],
  ];
  await page.setInputFiles('#names', await file('names.txt', 'a\nb\nc\n'));
  await page.setInputFiles('#logits', x);
  await page.setInputFiles('#labels', y);
  assert.match(await evaluate(page), /names\.txt: has 3 class names, but the outputs have 10 classes/);
  await page.setInputFiles('#names', []);
  for (const [what, logits, labelsPath, pattern] of cases) {
    await upload(page, logits, labelsPath);
    const alert = await evaluate(page);
    assert.match(alert, pattern, what);
    assert.deepEqual(await metrics(page), before, `${what}: the previous report stays`);
  }
  await page.getByLabel('Top-k').fill('1, zero');
  await upload(page, x, y);
  assert.match(await evaluate(page), /Top-k: "1, zero" is not a list of integers >= 1/);
  assert.deepEqual(page.problems, []);
}

async function binAndDrop(t) {
  const page = await openReport(t);
  const ref = reference.classifier;
  const npyData = async (name) => {
    const bytes = await readFile(join(FIXTURES, name));
    return bytes.subarray(bytes.length - (name.includes('labels') ? 8000 : 40000));
  };
  const x = join(scratch, 'logits.bin');
  const y = join(scratch, 'labels.bin');
  await writeFile(x, await npyData('classifier-logits.npy'));
  const int64 = await npyData('classifier-labels.npy');
  const y64 = new BigInt64Array(int64.buffer.slice(int64.byteOffset, int64.byteOffset + int64.byteLength));
  await writeFile(y, new Uint8Array(Int32Array.from(y64, Number).buffer));
  await upload(page, x, y);
  assert.match(await evaluate(page), /logits\.bin: is a raw \.bin file: type its shape/);
  await page.getByLabel('Shape of a .bin file').fill('1000, 10');
  assert.equal(await evaluate(page), '');
  let shown = await metrics(page);
  for (const k of ['count', 'loss', 'accuracy', 'top-5-accuracy']) close(k, shown[k], ref.metrics[k]);
  await page.getByLabel('Shape of a .bin file').fill('');

  // Drop the two .npy files on the page, labels first: they are sorted out by name.
  await page.evaluate(async (base) => {
    const files = await Promise.all(
      ['classifier-labels.npy', 'classifier-logits.npy'].map(
        async (n) => new File([await (await fetch(base + n)).blob()], n),
      ),
    );
    const data = new DataTransfer();
    for (const f of files) data.items.add(f);
    document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
  }, new URL('tests/fixtures/report/', baseUrl).href);
  assert.equal(await page.locator('#logits').evaluate((el) => el.files[0]?.name), 'classifier-logits.npy');
  assert.equal(await page.locator('#labels').evaluate((el) => el.files[0]?.name), 'classifier-labels.npy');
  assert.equal(await evaluate(page), '');
  shown = await metrics(page);
  for (const k of ['count', 'loss', 'accuracy']) close(k, shown[k], ref.metrics[k]);
  assert.deepEqual(page.problems, []);
}

async function manyClasses(t) {
  const page = await openReport(t);
  const n = 600;
  const c = 60;
  const x = new Float32Array(n * c);
  const y = Int32Array.from({ length: n }, (_, i) => i % c);
  // Class k is predicted as k + 1 in its first row of 10 (class 59: never), else correctly.
  for (let i = 0; i < n; i++) x[i * c + (i < c && y[i] < c - 1 ? y[i] + 1 : y[i])] = 5 + (i % 7) / 8;
  const write = async (name, bytes) => {
    await writeFile(join(scratch, name), bytes);
    return join(scratch, name);
  };
  await upload(
    page,
    await write('many-logits.npy', npy(x, { descr: '<f4', shape: [n, c] })),
    await write('many-labels.npy', npy(y, { descr: '<i4', shape: [n] })),
  );
  assert.equal(await evaluate(page), '');
  assert.equal(await page.locator('table.heatmap').count(), 0, 'no heatmap above 50 classes');
  const rows = await page.$$eval('table.pairs tbody tr', (trs) =>
    trs.map((tr) => [...tr.cells].map((td) => td.textContent)),
  );
  assert.equal(rows.length, 25, 'the 25 most confused pairs');
  assert.deepEqual(rows[0], ['0', '1', '1', '10.0%']);
  close('accuracy', (await metrics(page)).accuracy, 1 - 59 / 600);
}

async function large(t) {
  const rows = 2 ** 20;
  const c = 16; // 64 MiB of float32 logits
  const x = new Float32Array(rows * c);
  const y = new Int32Array(rows);
  let loss = 0;
  let correct = 0;
  for (let i = 0; i < rows; i++) {
    y[i] = (i * 5) % c;
    let max = -Infinity;
    let arg = 0;
    for (let j = 0; j < c; j++) {
      const v = ((i * 7 + j * 13) % 17) / 4 - 2 + j / 64 + (j === y[i] ? 1.5 : 0); // exact, no ties
      x[i * c + j] = v;
      if (v > max) [max, arg] = [v, j];
    }
    let sum = 0;
    for (let j = 0; j < c; j++) sum += Math.exp(x[i * c + j] - max);
    loss += Math.log(sum) + max - x[i * c + y[i]];
    correct += arg === y[i] ? 1 : 0;
  }
  const logitsPath = join(scratch, 'large-logits.npy');
  const labelsPath = join(scratch, 'large-labels.npy');
  await writeFile(logitsPath, npy(x, { descr: '<f4', shape: [rows, c] }));
  await writeFile(labelsPath, npy(y, { descr: '<i4', shape: [rows] }));

  const page = await openReport(t);
  await upload(page, logitsPath, labelsPath);
  await page.evaluate(() => {
    window.seen = [];
    const bar = document.querySelector('#progress');
    new MutationObserver(() => window.seen.push([bar.value, bar.max])).observe(bar, { attributes: true });
    // The page keeps painting while the worker streams: the longest gap between animation frames. A coarse
    // bound: on this shared 2-core VM the worker, the browser's file reads and the test compete for the CPU
    // (gaps of 400 ms were seen); the whole run evaluated on the page's thread would stall it for seconds.
    window.frames = { last: performance.now(), longest: 0, count: 0 };
    const frame = (now) => {
      window.frames.longest = Math.max(window.frames.longest, now - window.frames.last);
      window.frames.last = now;
      window.frames.count++;
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  });
  assert.equal(await evaluate(page, { timeout: 120_000 }), '');
  const frames = await page.evaluate(() => window.frames);
  assert.ok(frames.count > 5 && frames.longest < 1000, `the page stayed responsive: ${JSON.stringify(frames)}`);
  const seen = (await page.evaluate(() => window.seen)).filter(([, max]) => max > 1);
  const [, total] = seen.at(-1);
  assert.ok(total > 64 * 2 ** 20, `the bar counts the bytes (${total})`);
  assert.ok(
    seen.some(([v]) => v > 0 && v < total),
    `the bar moved through intermediate values: ${JSON.stringify(seen.slice(0, 8))}`,
  );
  assert.deepEqual(seen.at(-1), [total, total], 'and completed');
  const shown = await metrics(page);
  close('count', shown.count, rows);
  close('loss', shown.loss, loss / rows);
  close('accuracy', shown.accuracy, correct / rows);

  // Cancel part-way through a second run: the run stops, the report stays, the page still works.
  await page.evaluate(() => (document.querySelector('#progress-text').textContent = ''));
  await page.getByRole('button', { name: 'Evaluate' }).click();
  await page.waitForFunction(() => document.querySelector('#progress').value > 0);
  await page.getByRole('button', { name: 'Cancel' }).click();
  await page.waitForFunction(() => /^Cancelled/.test(document.querySelector('#progress-text').textContent), null, {
    timeout: 10_000,
  });
  assert.equal(await page.locator('#alert').textContent(), '');
  assert.deepEqual(await metrics(page), shown, 'the previous report stays');
  await upload(page, join(FIXTURES, 'classifier-logits.npy'), join(FIXTURES, 'classifier-labels.npy'));
  assert.equal(await evaluate(page), '');
  close('count', (await metrics(page)).count, 1000);
  assert.deepEqual(page.problems, []);
}

async function examples(t) {
  const page = await openReport(t);
  for (const [value, count] of [
    ['classifier', 2000],
    ['segmentation', null],
    ['lm', 2 * 61],
  ]) {
    await page.getByLabel('Example').selectOption(value);
    await page.evaluate(() => (document.querySelector('#progress-text').textContent = ''));
    await page.getByRole('button', { name: 'Try an example' }).click();
    await page.waitForFunction(
      () =>
        /^Done/.test(document.querySelector('#progress-text').textContent) ||
        document.querySelector('#alert').textContent,
    );
    assert.equal(await page.locator('#alert').textContent(), '', value);
    const shown = await metrics(page);
    if (count !== null) assert.equal(shown.count, count, `${value}: count`);
    else assert.ok(shown.count > 0 && shown.count < 2 * 32 * 32, `${value}: ignored pixels are not counted`);
  }
  assert.deepEqual(page.problems, []);
}
