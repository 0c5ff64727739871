// The browser side of `npm run bench -- --browser chromium|firefox` (bench/run.mjs): bundles
// bench/browser-entry.mjs into bench/build/browser.js, serves the repository cross-origin isolated
// (COOP/COEP, scripts/server.mjs) and drives Debian's Chromium or Firefox ESR through the test drivers
// (tests/lib/browsers.mjs). Each (implementation, cells) batch gets a fresh page, as each gets a fresh
// process in Node.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { repoRoot, startServer } from '../scripts/server.mjs';
import { BROWSERS, waitFor } from '../tests/lib/browsers.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const BENCH_BROWSERS = ['chromium', 'firefox'];

/** Opens `name`; resolves to { label, version, env, run(impl, cells, timing), close() }. */
export async function openBrowser(name, { timeout = 900_000 } = {}) {
  if (!BENCH_BROWSERS.includes(name))
    throw new Error(`bench: --browser must be one of ${BENCH_BROWSERS.join(', ')}, got ${name}`);
  await build({
    entryPoints: [path.join(here, 'browser-entry.mjs')],
    outfile: path.join(here, 'build', 'browser.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    external: ['node:*'],
    logLevel: 'error',
  });
  const server = await startServer({ root: repoRoot, isolated: true });
  const hooks = [];
  const closeAll = async () => {
    for (const hook of hooks.reverse()) await hook();
    await server.close();
  };
  try {
    const session = await BROWSERS[name].session({ after: (fn) => hooks.push(fn) }, { timeout });
    const url = `${server.url}bench/browser.html`;
    const open = async () => {
      const tab = await session.open(url);
      await waitFor(tab, 'window.benchReady === true', { timeout: 60_000, what: 'the bench page' });
      return tab;
    };
    const probe = await open();
    const env = await probe.evaluate('window.benchEnv');
    await probe.close();
    if (!env.crossOriginIsolated) throw new Error(`bench: ${url} is not cross-origin isolated in ${name}`);
    return {
      label: BROWSERS[name].label,
      version: session.version,
      env,
      async run(impl, cells, timing) {
        const tab = await open();
        try {
          const out = [];
          for (const { op, shape } of cells) {
            const r = await tab.evaluate(`benchCell(${JSON.stringify({ impl, op, shape, timing })})`);
            const problems = tab.problems.filter((p) => !/favicon/.test(p));
            if (problems.length && r.status === 'ok') r.problems = problems.slice(0, 3);
            out.push(r);
          }
          return out;
        } catch (e) {
          return cells.map(() => ({ status: 'error', why: String(e?.message ?? e) }));
        } finally {
          await tab.close().catch(() => {});
        }
      },
      close: closeAll,
    };
  } catch (e) {
    await closeAll();
    throw e;
  }
}
