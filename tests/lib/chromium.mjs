// One headless Debian Chromium (playwright-core) for a test: closed, and its fresh profile removed, by a
// t.after hook registered before the launch, so that a failed launch leaves nothing behind either.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

// The only network here is the loopback: no background requests, component updates or first-run work.
const ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-gpu',
];

/** A persistent context of a new Chromium; `options` go to launchPersistentContext (e.g. `viewport`). */
export async function launchChromium(t, { timeout = 60_000, ...options } = {}) {
  assert.ok(
    existsSync(CHROMIUM),
    `Chromium not found at ${CHROMIUM}: run \`bash scripts/setup.sh test\` or set CHROMIUM_PATH`,
  );
  const profile = await mkdtemp(join(tmpdir(), 'xentropy-chromium-'));
  let context;
  t.after(async () => {
    await context?.close().catch((error) => console.error('closing Chromium:', error));
    await rm(profile, { recursive: true, force: true, maxRetries: 3 });
  });
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    timeout,
    ...options,
  });
  context.setDefaultTimeout(timeout);
  return context;
}

/**
 * The engine-neutral session of tests/lib/browsers.mjs on Chromium: `{ name, version, open(url) }`, where
 * `open` gives a tab `{ evaluate(expression), problems, close() }`; problems collects console errors,
 * page errors, failed requests and HTTP errors, of the page and its workers.
 */
export async function chromiumSession(t, { timeout = 60_000 } = {}) {
  const context = await launchChromium(t, { timeout });
  return {
    name: 'Chromium',
    version: context.browser()?.version() ?? 'unknown', // the full version; the user agent's is reduced
    async open(url) {
      const page = await context.newPage();
      const problems = [];
      page.on('console', (message) => {
        if (message.type() !== 'error') return;
        const origin = message.worker?.() ? 'worker' : 'page';
        problems.push(`console.error in ${origin}: ${message.text()} (${message.location().url})`);
      });
      page.on('pageerror', (error) => problems.push(`page error: ${error.stack || error.message}`));
      page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
      page.on('response', (r) => r.status() >= 400 && problems.push(`HTTP ${r.status()} for ${r.url()}`));
      await page.goto(url);
      return { evaluate: (expression) => page.evaluate(expression), problems, close: () => page.close() };
    },
  };
}
