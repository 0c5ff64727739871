// Firefox ESR (Debian's firefox-esr, or $FIREFOX_PATH) driven by puppeteer-core over WebDriver BiDi; no
// browser is downloaded. Closed by a t.after hook registered before the launch, so that a failed launch
// leaves nothing behind either; puppeteer removes the temporary profile it made.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import puppeteer from 'puppeteer-core';

export const FIREFOX = process.env.FIREFOX_PATH || '/usr/bin/firefox-esr';

/** The engine-neutral session of tests/lib/browsers.mjs on Firefox (see chromiumSession). */
export async function firefoxSession(t, { timeout = 60_000 } = {}) {
  assert.ok(
    existsSync(FIREFOX),
    `Firefox not found at ${FIREFOX}: run \`bash scripts/setup.sh test\` (apt-get install firefox-esr), set FIREFOX_PATH, or XENTROPY_SKIP=firefox`,
  );
  let browser;
  t.after(() => browser?.close().catch((error) => console.error('closing Firefox:', error)));
  browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    headless: true,
    timeout,
    protocolTimeout: timeout,
    // No update checks, telemetry or remote settings: the only network here is the loopback.
    extraPrefsFirefox: { 'app.update.enabled': false, 'datareporting.policy.dataSubmissionEnabled': false },
  });
  const version = await browser.version(); // e.g. "firefox/153.8.0esr"
  return {
    name: 'Firefox',
    version: version.replace(/^firefox\//i, ''),
    async open(url) {
      const page = await browser.newPage();
      page.setDefaultTimeout(timeout);
      const problems = [];
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(`console.error: ${message.text()}`);
      });
      page.on('pageerror', (error) => problems.push(`page error: ${error.stack || error.message}`));
      page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
      page.on('response', (r) => r.status() >= 400 && problems.push(`HTTP ${r.status()} for ${r.url()}`));
      await page.goto(url);
      return { evaluate: (expression) => page.evaluate(expression), problems, close: () => page.close() };
    },
  };
}
