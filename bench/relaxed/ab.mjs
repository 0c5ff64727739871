// node bench/relaxed/ab.mjs [--rounds=60] [--browser=chromium|firefox]
//
// The relaxed-SIMD experiment (README.md here), A/B/C in one process: this checkout's shipped SIMD build
// (dist/, clang 14 + wasm-opt: "simd14") against build-relaxed/pkg's clang 19 builds without ("simd19") and
// with relaxed SIMD ("relaxed19"). Run bash scripts/build.sh and bash bench/relaxed/build.sh first. The
// measurement is core.mjs's; with --browser it runs in page.html in Debian's Chromium or Firefox ESR.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { abRun } from './core.mjs';

const flags = Object.fromEntries(
  process.argv
    .slice(2)
    .filter((a) => a.startsWith('--'))
    .map((a) => /^--([^=]+)=(.*)$/.exec(a)?.slice(1) ?? [a.slice(2), 'true']),
);
const rounds = Number(flags.rounds ?? 60);
const here = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const pkg = path.join(here, 'build-relaxed/pkg');
const loadAvg = () => fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
console.log(`load average at the start: ${loadAvg()}`);

if (flags.browser) {
  const { startServer } = await import('../../scripts/server.mjs');
  const { BROWSERS, waitFor } = await import('../../tests/lib/browsers.mjs');
  const server = await startServer({ root: here, isolated: true }); // isolated: finer performance.now();
  const hooks = [];
  try {
    const session = await BROWSERS[flags.browser].session({ after: (fn) => hooks.push(fn) }, { timeout: 900_000 });
    console.log(`${BROWSERS[flags.browser].label} ${session.version}`);
    const tab = await session.open(`${server.url}bench/relaxed/page.html`);
    await waitFor(tab, 'window.abReady === true', { what: 'the A/B page' });
    const lines = await tab.evaluate(`abRun({ rounds: ${rounds} })`);
    console.log(lines.join('\n'));
    if (tab.problems.length) console.log('page problems:', tab.problems.slice(0, 5));
  } finally {
    for (const hook of hooks.reverse()) await hook();
    await server.close();
  }
} else {
  const relaxed = fs.readFileSync(path.join(pkg, 'dist/xentropy-relaxed.wasm'));
  const ok = WebAssembly.validate(relaxed);
  console.log(
    `node ${process.version} (V8 ${process.versions.v8}), flags: ${process.execArgv.join(' ') || 'none'}; ` +
      `relaxed SIMD ${ok ? 'validates' : 'does NOT validate'}`,
  );
  if (!ok) process.exit(1);
  const loadFrom = async (dir, wasm) =>
    (await import(pathToFileURL(path.join(dir, 'web/index.js')).href)).load({ simd: true, threads: 1, wasm });
  const sides = {
    simd14: await loadFrom(here),
    simd19: await loadFrom(pkg, path.join(pkg, 'dist/xentropy-simd.wasm')),
    relaxed19: await loadFrom(pkg, relaxed),
  };
  const now = () => Number(process.hrtime.bigint()) / 1e6;
  abRun(sides, { rounds, now, log: console.log });
}
console.log(`load average at the end: ${loadAvg()}`);
