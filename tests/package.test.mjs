// The published package in real projects: `npm pack`, install the tarball into a fresh app, then use it
// from Node (ESM), from strict TypeScript, and from a browser app bundled by vite, webpack 5 and esbuild
// (and served by vite's dev server), run in one headless Chromium. Fixture sources: tests/package/ (index.html + src/ for the browser app,
// node-check.mjs, usage.ts), copied into the app that installed the tarball.
// The bundler configurations are the ones the README's "Bundlers" section gives (tests/lib/pkg-bundlers.mjs).
import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../scripts/server.mjs';
import { installInto, pack, repoRoot, runNode, runTsc } from './lib/pkg-pack.mjs';
import { bundlers, startViteDev } from './lib/pkg-bundlers.mjs';
import { launchChromium } from './lib/chromium.mjs';
import { close } from './lib/tolerance.mjs';

const BROWSER_TIMEOUT = 60_000;
const fixtures = fileURLToPath(new URL('./package/', import.meta.url));
const { version } = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8'));

const SEED_NATS = -Math.log(0.7); // 0.35667494 nats
const SOFTMAX_123 = [1, 2, 3].map((v) => Math.exp(v - 3) / (Math.exp(-2) + Math.exp(-1) + 1));

// These check that the package loads and computes in each setting, not the numerics (tests/core and
// tests/torch do): atol 1e-6, far above float32 error and far below any wrong result.
const TOL = { rtol: 0, atol: 1e-6 };

function checkSeed(run, what) {
  close(run.seed, SEED_NATS, { ...TOL, what: `${what}: crossEntropy` });
  close(SEED_NATS, 0.35667494, { rtol: 0, atol: 1e-8, what: 'the README value' });
  close(run.softmax, SOFTMAX_123, { ...TOL, what: `${what}: softmax` });
  assert.equal(run.version, version, `${what}: xe.version`);
}

// One temporary directory for the tarball, the app and the bundles; removed at the end.
let tmp;
let tarball;
let packedFiles;
let appDir;
before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'xentropy-package-'));
  ({ tarball, files: packedFiles } = await pack(tmp));
  appDir = join(tmp, 'app');
  const installed = await installInto(appDir, tarball, { cache: join(tmp, 'npm-cache') });
  if (installed.warning) console.log(`# ${installed.warning}`);
  await cp(fixtures, appDir, { recursive: true });
});
after(() => tmp && rm(tmp, { recursive: true, force: true, maxRetries: 3 }));

test('npm pack ships the package and nothing else', () => {
  const required = [
    'package.json',
    'README.md',
    'LICENSE',
    'web/index.js',
    'web/loader.js',
    'web/api.js',
    'web/index.d.ts',
    'dist/xentropy.mjs',
    'dist/xentropy-simd.wasm',
    'dist/xentropy-scalar.wasm',
    'dist/xentropy-threads.mjs',
    'dist/xentropy-threads.wasm',
    'dist/xentropy-threads.worker.js',
    'dist/package.json',
  ];
  for (const file of required) assert.ok(packedFiles.includes(file), `the tarball lacks ${file}`);
  const forbidden =
    /^(cpp|tests|demo|bench|scripts|build|build-asan|dist-asan|examples|node_modules|test-results)\/|(^|\/)\.|\.map$/;
  assert.deepEqual(
    packedFiles.filter((file) => forbidden.test(file)),
    [],
    'files that must not ship',
  );
  // Every module the entry point can reach ships (web/*.js); nothing but these and the metadata.
  const other = packedFiles.filter(
    (file) => !required.includes(file) && !/^web\/[a-z-]+\.js$/.test(file) && file !== 'CHANGELOG.md',
  );
  assert.deepEqual(other, [], 'unexpected files in the tarball');
});

test('installed package: Node ESM `import { load } from "xentropy"`, both builds', async () => {
  const output = JSON.parse(await runNode('node-check.mjs', { cwd: appDir }));
  assert.equal(output.simdSupported, true, 'Node 20 runs wasm SIMD');
  assert.equal(output.version, version);
  assert.equal(output.packageVersion, version, "'xentropy/package.json' is exported");
  assert.deepEqual(
    output.runs.map((run) => run.simd),
    [true, false],
  );
  for (const run of output.runs) checkSeed(run, `Node, simd: ${run.simd}`);
  close(output.wasmOption, SEED_NATS, { ...TOL, what: "load({ wasm: 'xentropy/xentropy-scalar.wasm' })" });
  assert.equal(output.internals, 'ERR_PACKAGE_PATH_NOT_EXPORTED', 'internals stay private');
});

test('installed package: strict TypeScript against the shipped types (NodeNext and Bundler resolution)', async () => {
  await runTsc(['-p', 'tsconfig.json'], { cwd: appDir });
  await runTsc(['-p', 'tsconfig.bundler.json'], { cwd: appDir });
});

test(
  'installed package in browser apps: vite build, vite dev server, webpack 5, esbuild (Chromium)',
  { timeout: 180_000 },
  async (t) => {
    const wasmSizes = {};
    for (const build of ['simd', 'scalar']) {
      wasmSizes[build] = (await stat(join(appDir, 'node_modules', 'xentropy', 'dist', `xentropy-${build}.wasm`))).size;
    }
    // Build first (no browser or server open while the bundlers use both cores).
    const targets = [];
    for (const [name, build] of Object.entries(bundlers)) {
      const outDir = join(tmp, `out-${name}`);
      await mkdir(outDir, { recursive: true });
      const { page, warnings } = await build(appDir, outDir);
      targets.push({ name, page, warnings, serve: () => startServer({ host: '127.0.0.1', port: 0, root: outDir }) });
      if (name === 'vite') {
        targets.push({ name: 'vite dev server', page: '', warnings: [], serve: () => startViteDev(appDir) });
      }
    }

    const context = await launchChromium(t, { timeout: BROWSER_TIMEOUT });

    for (const { name, page: pagePath, warnings, serve } of targets) {
      await t.test(name, async (t) => {
        assert.deepEqual(warnings, [], `${name} built without warnings`);
        const server = await serve();
        t.after(() => server.close());
        for (const scalar of [false, true]) {
          const page = await context.newPage();
          t.after(() => page.close());
          const problems = [];
          const wasm = []; // byte lengths of the fetched .wasm files
          page.on('console', (message) => {
            if (message.type() === 'error')
              problems.push(`console.error: ${message.text()} (${message.location().url})`);
          });
          page.on('pageerror', (error) => problems.push(`page error: ${error.stack || error.message}`));
          page.on('requestfailed', (request) =>
            problems.push(`request failed: ${request.url()} ${request.failure()?.errorText}`),
          );
          page.on('response', (response) => {
            if (response.status() >= 400) problems.push(`HTTP ${response.status()} for ${response.url()}`);
            if (/\.wasm$/.test(new URL(response.url()).pathname))
              wasm.push(response.body().then((body) => body.length));
          });
          await page.goto(new URL(`${pagePath}${scalar ? '?scalar' : ''}`, server.url).href);
          await page.waitForFunction(() => window.__result !== undefined);
          const result = await page.evaluate(() => window.__result);
          const what = `${name}${scalar ? ', scalar' : ''}`;
          assert.equal(result.error, undefined, `${what}: the app threw: ${result.error}`);
          assert.equal(result.simd, !scalar, `${what}: xe.simd`);
          checkSeed(result, what);
          assert.equal(wasm.length, 1, `${what}: fetched exactly one .wasm`);
          assert.equal(
            await wasm[0],
            wasmSizes[scalar ? 'scalar' : 'simd'],
            `${what}: fetched the ${scalar ? 'scalar' : 'SIMD'} .wasm`,
          );
          assert.deepEqual(problems, [], `${what}: no console errors, page errors or failed requests`);
        }
      });
    }
  },
);
