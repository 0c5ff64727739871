// The model report's speed target (issue #13): a report on a 256 MiB float32 .npy (65536 x 1000) with
// calibration and confusion takes at most 2.5x the time of only reading the file in the same page.
//
//   node scripts/bench-report.mjs [--rows 65536] [--classes 1000] [--rounds 3]
//
// Writes the two files to a temporary directory, opens demo/report.html in headless Chromium
// (playwright-core, /usr/bin/chromium or $CHROMIUM_PATH), selects them through the file inputs, then
// alternates read-only runs (the worker streams both files in the same batches and converts nothing) and
// full reports, and prints the medians of the worker's own timings. Not a test: the numbers go in the README.
import { mkdtemp, rm, open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { startServer } from './server.mjs';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '65536' },
    classes: { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '3' },
  },
});
const rows = Number(values.rows);
const classes = Number(values.classes);
const rounds = Number(values.rounds);

function header(descr, shape) {
  let dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  dict += ' '.repeat(63 - ((10 + dict.length) % 64)) + '\n';
  const out = new Uint8Array(10 + dict.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, dict.length & 0xff, dict.length >> 8]);
  out.set(new TextEncoder().encode(dict), 10);
  return out;
}

/** A seeded (rows, classes) float32 .npy written in 16 MiB pieces, and int64 labels. */
async function writeFiles(dir) {
  let s = 12345;
  const random = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const labels = BigInt64Array.from({ length: rows }, () => BigInt(Math.floor(random() * classes)));
  const logitsPath = join(dir, 'bench-logits.npy');
  const file = await open(logitsPath, 'w');
  await file.write(header('<f4', [rows, classes]));
  const perPiece = Math.max(1, Math.floor(2 ** 22 / classes));
  for (let r = 0; r < rows; r += perPiece) {
    const n = Math.min(perPiece, rows - r);
    const piece = new Float32Array(n * classes);
    for (let i = 0; i < piece.length; i++) piece[i] = random() * 8 - 4;
    for (let i = 0; i < n; i++) piece[i * classes + Number(labels[r + i])] += 3;
    await file.write(new Uint8Array(piece.buffer));
  }
  await file.close();
  const labelsPath = join(dir, 'bench-labels.npy');
  const lf = await open(labelsPath, 'w');
  await lf.write(header('<i8', [rows]));
  await lf.write(new Uint8Array(labels.buffer));
  await lf.close();
  return { logitsPath, labelsPath };
}

const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

const dir = await mkdtemp(join(tmpdir(), 'xentropy-bench-report-'));
const server = await startServer({ host: '127.0.0.1', port: 0 });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  args: ['--no-sandbox'],
});
try {
  const { logitsPath, labelsPath } = await writeFiles(dir);
  const page = await browser.newPage();
  await page.goto(new URL('demo/report.html', server.url).href);
  await page.locator('#evaluate:enabled').waitFor();
  await page.setInputFiles('#logits', logitsPath);
  await page.setInputFiles('#labels', labelsPath);
  const run = async (how) => {
    await page.evaluate(() => (document.querySelector('#progress-text').textContent = ''));
    if (how === 'read') await page.evaluate(() => window.xentropyReport.readOnly());
    else await page.getByRole('button', { name: 'Evaluate' }).click();
    await page.waitForFunction(
      () =>
        /^Done/.test(document.querySelector('#progress-text').textContent) ||
        document.querySelector('#alert').textContent,
      null,
      { timeout: 300_000 },
    );
    const alert = await page.locator('#alert').textContent();
    if (alert) throw new Error(alert);
    return page.evaluate(() => window.xentropyReport.lastMs);
  };
  const times = { read: [], report: [] };
  await run('read'); // warm-up: the file in the page cache, the worker's code compiled
  await run('report');
  for (let i = 0; i < rounds; i++) {
    times.read.push(await run('read'));
    times.report.push(await run('report'));
  }
  const shown = await page.evaluate(() =>
    [...document.querySelectorAll('#summary [data-metric]')].map((e) => e.dataset.metric),
  );
  const [read, report] = [median(times.read), median(times.report)];
  const mib = (rows * classes * 4) / 2 ** 20;
  console.log(
    `${rows} x ${classes} float32 (${mib.toFixed(0)} MiB) + int64 labels, Chromium ${browser.version()}, median of ${rounds}:`,
  );
  console.log(`  read only   ${read.toFixed(0)} ms  (${((mib / read) * 1000).toFixed(0)} MiB/s)`);
  console.log(`  full report ${report.toFixed(0)} ms  = ${(report / read).toFixed(2)}x reading (target <= 2.5x)`);
  console.log(`  metrics shown: ${shown.join(', ')}`);
} finally {
  await browser.close();
  await server.close();
  await rm(dir, { recursive: true, force: true });
}
