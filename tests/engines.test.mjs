// xentropy wherever users run it: the same engine-neutral checks (tests/engines/checks.mjs: every result
// against a float64 reference computed in plain JavaScript, both builds and the automatic choice, which
// build loaded, a Classifier trained) in
//   - each browser (Chromium, Firefox ESR, WebKitGTK's MiniBrowser): in a page, in a module Web Worker and
//     in a page under a strict Content-Security-Policy; and the demo trains the spiral to test accuracy
//     >= 0.9 (tests/lib/demo-spiral.mjs);
//   - each runtime (Node 18, 20, 22, 24, Deno, Bun): the packed tarball installed into a fresh app and
//     imported by its package name (tests/engines/runtime.mjs); the process must exit by itself.
// Every browser and runtime prints its version. One that cannot start fails with the reason; leaving one
// out takes XENTROPY_SKIP (tests/lib/skip.mjs), and the run says what it skipped. The browsers come from
// apt and the runtimes from tests/runtimes/package.json, both installed by scripts/setup.sh test.
import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createHandler, repoRoot } from '../scripts/server.mjs';
import { BROWSERS, waitFor } from './lib/browsers.mjs';
import { DEMO_METRICS, DEMO_READY, SPIRAL_HASH, SPIRAL_TRAINED } from './lib/demo-spiral.mjs';
import { installInto, pack } from './lib/pkg-pack.mjs';
import { ENGINES, RUNTIME_IDS, skipReason, skipped, skipSummary } from './lib/skip.mjs';
import { CHECK_NAMES, SIMD_OPTIONS } from './engines/checks.mjs';

const run = promisify(execFile);
const TIMEOUT = 60_000; // a browser start, a page's checks
const TRAIN_TIMEOUT = 90_000; // the demo's spiral to test accuracy >= 0.9
const RUN_TIMEOUT = 120_000; // one runtime's whole script
const { version } = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8'));

// What each engine printed, for the summary at the end.
const summary = [];
console.log(skipSummary());
after(() => {
  console.log('engines and runtimes tested:');
  for (const line of summary) console.log(`  ${line}`);
  for (const id of skipped) console.log(`  ${ENGINES[id]}: SKIPPED (XENTROPY_SKIP)`);
});

/**
 * Asserts a page's (or runtime's) reports: no check failed, every check ran or was skipped with a reason,
 * simd: true and 'auto' loaded the SIMD build (every engine tested here has SIMD128) and false the scalar
 * one. Returns a one-line account.
 */
function assertReports(result, { what, scope }) {
  assert.ok(result.ok !== false, `${what}: the checks threw: ${result.error}`);
  assert.deepEqual(
    result.reports.map((r) => r.option),
    SIMD_OPTIONS,
    `${what}: one report per simd option`,
  );
  for (const report of result.reports) {
    const where = `${what}, simd: ${String(report.option)}`;
    assert.deepEqual(report.failed, [], `${where}: failed checks`);
    assert.equal(report.scope, scope, `${where}: ran in the ${scope}`);
    assert.equal(report.build, report.option === false ? 'scalar' : 'simd', `${where}: the build that loaded`);
    assert.equal(report.version, version, `${where}: version`);
    assert.deepEqual(
      [...report.passed, ...report.skipped.map((s) => s.name)].sort(),
      [...CHECK_NAMES].sort(),
      `${where}: every check ran or was skipped`,
    );
  }
  const passed = result.reports.map((r) => r.passed.length);
  const skips = [...new Set(result.reports.flatMap((r) => r.skipped.map((s) => `${s.name} (${s.reason})`)))];
  return `${passed.join('+')} checks passed (simd: true, false, auto)${skips.length ? `; skipped: ${skips.join('; ')}` : ''}`;
}

// ---- browsers ---------------------------------------------------------------------------------------------

// The strictest policy a wasm library can live with: scripts only from the origin, wasm compilation
// allowed, no eval. The library is built with -sDYNAMIC_EXECUTION=0 and must need nothing more.
const CSP = "default-src 'self'; img-src 'self' data:; script-src 'self' 'wasm-unsafe-eval'";

/** The repository on 127.0.0.1, port 0 (scripts/server.mjs), with the CSP header on csp.html only. */
async function serve(t) {
  const handler = createHandler(repoRoot);
  const server = createServer((req, res) => {
    if (req.url.startsWith('/tests/browser/csp.html')) res.setHeader('Content-Security-Policy', CSP);
    handler(req, res);
  });
  t.after(
    () =>
      new Promise((resolve) => {
        server.close(resolve);
        server.closeAllConnections();
      }),
  );
  await new Promise((resolve, reject) => server.listen(0, '127.0.0.1', resolve).once('error', reject));
  return `http://127.0.0.1:${server.address().port}/`;
}

for (const [id, { label }] of Object.entries(BROWSERS)) {
  test(
    `${label}: checks in a page, a module worker and under a strict CSP; the demo trains the spiral`,
    { skip: skipReason(id) },
    async (t) => {
      const started = Date.now();
      const base = await serve(t);
      // Registered after the server's: t.after hooks run in order, so the browser closes first.
      const session = await BROWSERS[id].session(t, { timeout: TIMEOUT });
      t.diagnostic(`${session.name} ${session.version}`);
      const lines = [];

      for (const [where, path, scope] of [
        ['page', 'tests/browser/page.html?where=page', 'page'],
        ['module worker', 'tests/browser/page.html?where=worker', 'worker'],
        ['strict CSP page', 'tests/browser/csp.html', 'page'],
      ]) {
        await t.test(`${where}: engine-neutral checks, SIMD and scalar builds`, async (t) => {
          const tab = await session.open(new URL(path, base).href);
          t.after(() => tab.close());
          const result = await waitFor(tab, 'window.__result', { timeout: TIMEOUT, what: `the ${where}'s checks` });
          const line = assertReports(result, { what: `${label}, ${where}`, scope });
          assert.deepEqual(result.errors, [], 'no uncaught errors in the page');
          if (result.violations) assert.deepEqual(result.violations, [], 'no CSP violations');
          assert.deepEqual(tab.problems, [], 'no console errors, page errors or failed requests');
          t.diagnostic(line);
          lines.push(`${where} ${line.split(' checks')[0]}`);
        });
      }

      // The report page (demo/report*, once it exists) gets its own subtest here, like the demo's: open it
      // on a fixture and wait for its numbers, with expressions from a shared module as demo-spiral.mjs.
      await t.test('demo: the spiral reaches test accuracy >= 0.9', async (t) => {
        const tab = await session.open(new URL(`demo/${SPIRAL_HASH}`, base).href);
        t.after(() => tab.close());
        await waitFor(tab, DEMO_READY, { timeout: TIMEOUT, what: 'the demo to be ready' });
        const hash = await tab.evaluate('location.hash');
        assert.match(hash, /dataset=spiral/);
        assert.match(hash, /classes=3/);
        const playedAt = Date.now();
        await tab.evaluate(`document.querySelector('#play').click()`);
        await waitFor(tab, SPIRAL_TRAINED, { timeout: TRAIN_TIMEOUT, interval: 100, what: 'test accuracy >= 0.9' });
        const seconds = (Date.now() - playedAt) / 1000;
        const metrics = await tab.evaluate(DEMO_METRICS);
        await tab.evaluate(`document.querySelector('#play').click()`); // Pause
        assert.ok(metrics['train-accuracy'] > 0.8, `train accuracy ${metrics['train-accuracy']}`);
        assert.deepEqual(await tab.evaluate('window.__errors ?? []'), [], 'no uncaught errors');
        assert.deepEqual(tab.problems, [], 'no console errors, page errors or failed requests');
        const line = `test accuracy ${metrics['test-accuracy']} after ${seconds.toFixed(1)} s (epoch ${metrics.epoch})`;
        t.diagnostic(line);
        lines.push(`demo spiral: ${line}`);
      });
      summary.push(
        `${label} ${session.version}: ${lines.join('; ')} [${((Date.now() - started) / 1000).toFixed(1)} s]`,
      );
    },
  );
}

// ---- runtimes ---------------------------------------------------------------------------------------------

const runtimes = join(repoRoot, 'tests', 'runtimes', 'node_modules');
const RUNTIMES = {
  node18: { bin: join(runtimes, 'node18', 'bin', 'node'), args: [] },
  node20: { bin: process.execPath, args: [] },
  node22: { bin: join(runtimes, 'node22', 'bin', 'node'), args: [] },
  node24: { bin: join(runtimes, 'node24', 'bin', 'node'), args: [] },
  deno: { bin: join(runtimes, '.bin', 'deno'), args: ['run', '--allow-read'] },
  bun: { bin: join(runtimes, '.bin', 'bun'), args: [] },
};

const allRuntimesSkipped = RUNTIME_IDS.every((id) => skipped.has(id));
test(
  'runtimes: the packed tarball in a fresh app, imported by name, checks for both builds, exits by itself',
  { skip: allRuntimesSkipped && 'every runtime skipped by XENTROPY_SKIP' },
  async (t) => {
    const tmp = await mkdtemp(join(tmpdir(), 'xentropy-runtimes-'));
    t.after(() => rm(tmp, { recursive: true, force: true, maxRetries: 3 }));
    const { tarball } = await pack(tmp);
    const app = join(tmp, 'app');
    const installed = await installInto(app, tarball, { cache: join(tmp, 'npm-cache') });
    if (installed.warning) t.diagnostic(installed.warning);
    for (const file of ['checks.mjs', 'runtime.mjs']) {
      await copyFile(join(repoRoot, 'tests', 'engines', file), join(app, file));
    }
    // No runtime writes caches, lock files or update checks outside the temporary folder.
    const env = {
      ...process.env,
      DENO_DIR: join(tmp, 'deno'),
      DENO_NO_UPDATE_CHECK: '1',
      BUN_INSTALL_CACHE_DIR: join(tmp, 'bun'),
      DO_NOT_TRACK: '1',
      NO_COLOR: '1',
    };

    for (const id of RUNTIME_IDS) {
      await t.test(ENGINES[id], { skip: skipReason(id) }, async (t) => {
        const { bin, args } = RUNTIMES[id];
        const versionOut = await run(bin, ['--version'], { env, timeout: 30_000 }).catch((error) => {
          throw new Error(
            `${ENGINES[id]} cannot start (${bin}): ${error.message}\nRun \`bash scripts/setup.sh test\` (it installs tests/runtimes/package.json), or set XENTROPY_SKIP=${id}`,
          );
        });
        const runtimeVersion = versionOut.stdout.trim().split('\n')[0];
        t.diagnostic(`${ENGINES[id]}: ${runtimeVersion} (${bin})`);
        const started = Date.now();
        let stdout;
        try {
          ({ stdout } = await run(bin, [...args, 'runtime.mjs'], {
            cwd: app,
            env,
            timeout: RUN_TIMEOUT,
            maxBuffer: 16 << 20,
          }));
        } catch (error) {
          if (error.killed) {
            assert.fail(
              `${ENGINES[id]} did not exit by itself within ${RUN_TIMEOUT / 1000} s (killed)\n${error.stdout}`,
            );
          }
          assert.fail(`${ENGINES[id]} failed (exit ${error.code}):\n${error.stdout}\n${error.stderr}`);
        }
        const seconds = (Date.now() - started) / 1000;
        const result = JSON.parse(stdout.trim().split('\n').at(-1));
        const line = assertReports(result, { what: ENGINES[id], scope: 'runtime' });
        t.diagnostic(`${result.engine}: ${line}; exited by itself after ${seconds.toFixed(1)} s`);
        summary.push(
          `${ENGINES[id]} ${runtimeVersion} (${result.engine}): ${line.split(' (')[0]}, exited in ${seconds.toFixed(1)} s`,
        );
      });
    }
  },
);
