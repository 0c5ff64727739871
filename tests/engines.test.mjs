// xentropy wherever users run it: the same engine-neutral checks (tests/engines/checks.mjs: every result
// against a float64 reference computed in plain JavaScript, both builds and the automatic choice, which
// build loaded, a Classifier trained, Float16Array inputs, large inputs cut into chunks, and threads: 'auto'
// as the engine allows, 1, 2 and 3 threads giving the same bits) in
//   - each browser (Chromium, Firefox ESR, WebKitGTK's MiniBrowser): in a page, in a module Web Worker, in a
//     page under a strict Content-Security-Policy, and in a cross-origin-isolated page and module worker
//     (COOP/COEP: threads); WebKitGTK, whose JavaScriptCore keeps SharedArrayBuffer off, also with it on as
//     Safari has it (tests/lib/webkit.mjs); and the demo trains the spiral to test accuracy >= 0.9
//     (tests/lib/demo-spiral.mjs);
//   - each runtime (Node 18, 20, 22, 24, Deno, Bun): the packed tarball installed into a fresh app and
//     imported by its package name (tests/engines/runtime.mjs); the process, threads left running, must exit
//     by itself (it is killed, and the test fails, if it does not).
// Every browser and runtime prints its version, its thread counts and which checks ran and which were
// skipped, and why. A check may be skipped only where EXPECTED_SKIPS says so, with the reason it gives:
// anywhere else a skip fails the run, as a failed check does. The results' bits (checks.mjs's digests) must
// be the same in every engine and scope, for each build. One browser or runtime that cannot start fails with
// the reason; leaving one out takes XENTROPY_SKIP (tests/lib/skip.mjs), and the run says what it skipped.
// The browsers come from apt and the runtimes from tests/runtimes/package.json, both installed by
// scripts/setup.sh test.
import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createHandler, repoRoot } from '../scripts/server.mjs';
import { BROWSERS, waitFor } from './lib/browsers.mjs';
import { DEMO_METRICS, DEMO_READY, SPIRAL_HASH, SPIRAL_TRAINED } from './lib/demo-spiral.mjs';
import { installInto, pack } from './lib/pkg-pack.mjs';
import { BROWSER_IDS, ENGINES, RUNTIME_IDS, skipReason, skipped, skipSummary } from './lib/skip.mjs';
import { checkNames, SIMD_OPTIONS } from './engines/checks.mjs';

const run = promisify(execFile);
const TIMEOUT = 60_000; // a browser start, a page's checks
const TRAIN_TIMEOUT = 90_000; // the demo's spiral to test accuracy >= 0.9
const RUN_TIMEOUT = 180_000; // one runtime's whole script
const EXIT_TIMEOUT = 20_000; // from a runtime's printed result to its exit: threads must not keep it alive
const { version } = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8'));

// What each engine printed, for the summary at the end.
const summary = [];
console.log(skipSummary());
after(() => {
  console.log('engines and runtimes tested:');
  for (const line of summary) console.log(`  ${line}`);
  for (const id of skipped) console.log(`  ${ENGINES[id]}: SKIPPED (XENTROPY_SKIP)`);
});

// ---- expected skips -----------------------------------------------------------------------------------

const FLOAT16 = 'Float16Array inputs';
const THREADS = 'threads: 2 and 3';

/**
 * The checks (by name prefix) that engine `id` may skip in a scope, each with the reason it must give; any
 * other skip fails the run, so a check cannot quietly stop running where the engine has what it needs.
 * Measured 2026-12-02: Float16Array in Chromium 156, Firefox 153 ESR, WebKitGTK 2.50, Node 24, Deno 2.9,
 * Bun 1.4 (not Node 18-22); shared memory in Node and Bun, in cross-origin-isolated pages and workers of
 * Chromium and Firefox, and in WebKitGTK's only with JSC's SharedArrayBuffer on.
 */
function expectedSkips(id, { isolated = false, sharedMemory = false, scope } = {}) {
  const skips = [];
  if (['node18', 'node20', 'node22'].includes(id)) skips.push([FLOAT16, /^no Float16Array in this engine$/]);
  if (id === 'deno') skips.push([THREADS, /^Deno: 'auto' is one thread by design/]);
  if (BROWSER_IDS.includes(id) && !isolated) skips.push([THREADS, /^not cross-origin isolated/]);
  if (id === 'firefox' && isolated && scope === 'worker')
    skips.push([THREADS, /^Firefox worker: 'auto' is one thread/]);
  if (id === 'webkit' && isolated && !sharedMemory) {
    skips.push([
      THREADS,
      /^cross-origin isolated, but this engine has no SharedArrayBuffer global \(posting shared wasm memory to a port throws DataCloneError\)$/,
    ]);
  }
  return skips;
}

// ---- bits ---------------------------------------------------------------------------------------------

// checks.mjs digests the bits of some checks' results. The same wasm must give the same bits in every
// engine, scope and thread count, for each build: build / check -> digest -> where it was computed.
const digests = new Map();
function collectDigests(report, where) {
  for (const [name, hex] of Object.entries(report.digests ?? {})) {
    const key = `${report.build} build: ${name}`;
    if (!digests.has(key)) digests.set(key, new Map());
    const seen = digests.get(key);
    if (!seen.has(hex)) seen.set(hex, []);
    seen.get(hex).push(`${where} (simd: ${String(report.option)}, ${report.threads} thread(s))`);
  }
}

/**
 * Asserts a page's (or runtime's) reports: no check failed, every check ran or was skipped as expected,
 * simd: true and 'auto' loaded the SIMD build (every engine tested here has SIMD128) and false the scalar
 * one. Collects the digests. Returns { line, short, skips }: a one-line account (and a shorter one), and
 * each skip with its reason.
 */
function assertReports(result, { what, scope, id, isolated, sharedMemory }) {
  assert.ok(result.ok !== false, `${what}: the checks threw: ${result.error}`);
  assert.deepEqual(
    result.reports.map((r) => r.option),
    SIMD_OPTIONS,
    `${what}: one report per simd option`,
  );
  const expected = expectedSkips(id, { isolated, sharedMemory, scope });
  for (const report of result.reports) {
    const where = `${what}, simd: ${String(report.option)}`;
    assert.deepEqual(report.failed, [], `${where}: failed checks`);
    assert.equal(report.scope, scope, `${where}: ran in the ${scope}`);
    assert.equal(report.build, report.option === false ? 'scalar' : 'simd', `${where}: the build that loaded`);
    assert.equal(report.version, version, `${where}: version`);
    assert.deepEqual(
      [...report.passed, ...report.skipped.map((s) => s.name)].sort(),
      checkNames(report.option).sort(),
      `${where}: every check ran or was skipped`,
    );
    for (const { name, reason } of report.skipped) {
      const rule = expected.find(([prefix]) => name.startsWith(prefix));
      assert.ok(rule, `${where}: "${name}" was skipped (${reason}), but it must run here`);
      assert.match(reason, rule[1], `${where}: "${name}" was skipped for an unexpected reason`);
    }
    collectDigests(report, what);
  }
  const passed = result.reports.map((r) => r.passed.length).join('+');
  const threads = result.reports.map((r) => r.threads).join('/');
  const skips = [...new Set(result.reports.flatMap((r) => r.skipped.map((s) => `${s.name} (${s.reason})`)))];
  const line = `${passed} checks passed (simd: true, false, auto; threads ${threads})`;
  return { line, short: `${passed} passed, threads ${threads}`, skips };
}

// ---- browsers ---------------------------------------------------------------------------------------------

// The strictest policy a wasm library can live with: scripts only from the origin, wasm compilation
// allowed, no eval. The library is built with -sDYNAMIC_EXECUTION=0 and must need nothing more.
const CSP = "default-src 'self'; img-src 'self' data:; script-src 'self' 'wasm-unsafe-eval'";

/**
 * The repository on 127.0.0.1, port 0 (scripts/server.mjs), with the CSP header on csp.html only; with
 * `isolated`, every response carries COOP/COEP (a cross-origin-isolated origin: shared memory, threads).
 */
async function serve(t, { isolated = false } = {}) {
  const handler = createHandler(repoRoot, { isolated });
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

// Where each browser runs the checks: [name, path, scope, isolated].
const SCOPES = [
  ['page', 'tests/browser/page.html?where=page', 'page', false],
  ['module worker', 'tests/browser/page.html?where=worker', 'worker', false],
  ['strict CSP page', 'tests/browser/csp.html', 'page', false],
  ['isolated page', 'tests/browser/page.html?where=page', 'page', true],
  ['isolated module worker', 'tests/browser/page.html?where=worker', 'worker', true],
];

// Scopes a browser does not run, with the reason: known faults, written up for whoever owns them. (Firefox's
// isolated module worker was here: `new Worker()` inside a worker sometimes never returns in Firefox 153
// ESR, and the pool's threads were such workers. 'auto' is now one thread in a Firefox worker, web/threads.js.)
const NOT_RUN = {};

/** Opens `path` in the session, asserts its reports; returns { line, skips }. */
async function checkScope(t, session, { base, where, path, scope, id, isolated, sharedMemory }) {
  const tab = await session.open(new URL(path, base).href);
  t.after(() => tab.close());
  const result = await waitFor(tab, 'window.__result', { timeout: TIMEOUT, what: `the ${where}'s checks` }).catch(
    async (error) => {
      const shown = await tab.evaluate(`document.getElementById('out')?.textContent`).catch(() => '');
      throw new Error(`${error.message}; the page shows "${shown}"; problems: ${tab.problems.join('; ') || 'none'}`);
    },
  );
  const what = `${BROWSERS[id].label} ${session.version}, ${where}`;
  const account = assertReports(result, { what, scope, id, isolated, sharedMemory });
  assert.deepEqual(result.errors, [], 'no uncaught errors in the page');
  if (result.violations) assert.deepEqual(result.violations, [], 'no CSP violations');
  assert.deepEqual(tab.problems, [], 'no console errors, page errors or failed requests');
  t.diagnostic(`${account.line}${account.skips.length ? `; skipped: ${account.skips.join('; ')}` : ''}`);
  return account;
}

for (const [id, { label, sharedMemory }] of Object.entries(BROWSERS)) {
  test(
    `${label}: checks in a page, a module worker, under a strict CSP, isolated (threads); the demo's spiral`,
    { skip: skipReason(id) },
    async (t) => {
      const started = Date.now();
      const bases = { false: await serve(t), true: await serve(t, { isolated: true }) };
      // Registered after the servers': t.after hooks run in order, so the browser closes first.
      const session = await BROWSERS[id].session(t, { timeout: TIMEOUT });
      t.diagnostic(`${session.name} ${session.version}`);
      const lines = [];
      const skips = new Map(); // what was skipped (check and reason) -> where
      const skip = (where, what) => skips.set(what, [...(skips.get(what) ?? []), where]);

      for (const [where, path, scope, isolated] of SCOPES) {
        const notRun = NOT_RUN[id]?.[where];
        if (notRun) skip(where, `every check (${notRun})`);
        await t.test(`${where}: engine-neutral checks, SIMD and scalar builds`, { skip: notRun }, async (t) => {
          const base = bases[isolated];
          const account = await checkScope(t, session, { base, where, path, scope, id, isolated });
          lines.push(`${where} ${account.short}`);
          account.skips.forEach((what) => skip(where, what));
        });
      }

      // A browser whose default build has no shared memory in isolated pages, with it on as its vendor ships
      // it (WebKitGTK: JSC's SharedArrayBuffer, as in Safari): the isolated scopes must then use threads.
      if (sharedMemory) {
        await t.test(`isolated page and module worker, ${sharedMemory.label}`, async (t) => {
          const other = await BROWSERS[id].session(t, { timeout: TIMEOUT, ...sharedMemory.options });
          for (const [where, path, scope, isolated] of SCOPES.filter((s) => s[3])) {
            const named = `${where} (${sharedMemory.label})`;
            const account = await checkScope(t, other, {
              base: bases.true,
              where: named,
              path,
              scope,
              id,
              isolated,
              sharedMemory: true,
            });
            lines.push(`${named} ${account.short}`);
            account.skips.forEach((what) => skip(named, what));
          }
        });
      }

      // The report page (demo/report*, once it exists) gets its own subtest here, like the demo's: open it
      // on a fixture and wait for its numbers, with expressions from a shared module as demo-spiral.mjs.
      await t.test('demo: the spiral reaches test accuracy >= 0.9', async (t) => {
        const tab = await session.open(new URL(`demo/${SPIRAL_HASH}`, bases.false).href);
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
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      summary.push(`${label} ${session.version}: ${lines.join('; ')} [${seconds} s]`);
      for (const [what, wheres] of skips) summary.push(`  skipped in ${wheres.join(', ')}: ${what}`);
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

/**
 * Runs `bin args` to its end. It must print its one line of JSON within RUN_TIMEOUT and then exit by itself
 * within EXIT_TIMEOUT (threads left running must not keep it alive): else it is killed and this rejects,
 * saying which. Resolves to { stdout, seconds } for an exit with status 0.
 */
function runToExit(bin, args, { cwd, env, what }) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(bin, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let [stdout, stderr, failure] = ['', '', null];
    const kill = (message) => {
      failure ??= message;
      child.kill('SIGKILL');
    };
    const overall = setTimeout(
      () => kill(`${what} printed no result within ${RUN_TIMEOUT / 1000} s (killed)`),
      RUN_TIMEOUT,
    );
    let exitTimer;
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (!exitTimer && /(^|\n)\{/.test(stdout)) {
        const message = `${what} printed its result but did not exit by itself within ${EXIT_TIMEOUT / 1000} s (killed): something (its threads?) keeps it alive`;
        exitTimer = setTimeout(() => kill(message), EXIT_TIMEOUT);
      }
    });
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', (error) => kill(`${what} cannot start (${bin}): ${error.message}`));
    child.on('close', (code, signal) => {
      clearTimeout(overall);
      clearTimeout(exitTimer);
      const output = `\n--- stdout\n${stdout}\n--- stderr\n${stderr}`;
      if (failure) reject(new Error(`${failure}${output}`));
      else if (code !== 0) reject(new Error(`${what} failed (exit ${code ?? signal})${output}`));
      else resolve({ stdout, seconds: (Date.now() - started) / 1000 });
    });
  });
}

const allRuntimesSkipped = RUNTIME_IDS.every((id) => skipped.has(id));
test(
  'runtimes: the packed tarball in a fresh app, imported by name, checks for both builds and threads, exits by itself',
  { skip: allRuntimesSkipped && 'every runtime skipped by XENTROPY_SKIP' },
  async (t) => {
    const tmp = await mkdtemp(join(tmpdir(), 'xentropy-runtimes-'));
    t.after(() => rm(tmp, { recursive: true, force: true, maxRetries: 3 }));
    const { tarball } = await pack(tmp);
    const app = join(tmp, 'app');
    const installed = await installInto(app, tarball, { cache: join(tmp, 'npm-cache') });
    if (installed.warning) t.diagnostic(installed.warning);
    for (const file of ['checks.mjs', 'reference.mjs', 'runtime.mjs']) {
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
        const what = `${ENGINES[id]} (${runtimeVersion})`;
        const { stdout, seconds } = await runToExit(bin, [...args, 'runtime.mjs'], { cwd: app, env, what });
        const result = JSON.parse(stdout.trim().split('\n').at(-1));
        const account = assertReports(result, { what, scope: 'runtime', id });
        const skips = account.skips.length ? `; skipped: ${account.skips.join('; ')}` : '';
        t.diagnostic(`${result.engine}: ${account.line}${skips}; exited by itself after ${seconds.toFixed(1)} s`);
        summary.push(
          `${ENGINES[id]} ${runtimeVersion} (${result.engine}): ${account.short}, exited in ${seconds.toFixed(1)} s`,
        );
        for (const what of account.skips) summary.push(`  skipped: ${what}`);
      });
    }
  },
);

// ---- the same bits everywhere -----------------------------------------------------------------------------

// Last (the tests of a file run in order): the digests every engine and scope above reported.
test('the same bits in every engine, scope and thread count, for each build', (t) => {
  if (digests.size === 0) return t.skip('no engine reported results');
  for (const [key, seen] of digests) {
    const where = [...seen].map(([hex, places]) => `${hex}: ${places.join(', ')}`);
    assert.equal(seen.size, 1, `${key}: different bits in different engines\n${where.join('\n')}`);
    const count = [...seen.values()][0].length;
    t.diagnostic(`${key}: ${[...seen.keys()][0]} in all ${count} runs`);
    summary.push(`same bits: ${key}: ${[...seen.keys()][0]} in all ${count} runs`);
  }
});
