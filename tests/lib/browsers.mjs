// The browsers `npm test` drives, behind one small interface, so that every browser test is written once:
//
//   const session = await BROWSERS.firefox.session(t, { timeout });   // closed by t.after hooks
//   session.name, session.version
//   const tab = await session.open(url);      // { evaluate(expression), problems, close() }
//   await waitFor(tab, 'window.__result !== undefined', { timeout });
//
// `evaluate` takes a JavaScript expression as a string (the one form all three drivers share) and returns
// its JSON-like value. One driver module per browser: chromium.mjs (playwright-core), firefox.mjs
// (puppeteer-core, WebDriver BiDi), webkit.mjs (selenium-webdriver, WebKitWebDriver, Xvfb).
import { chromiumSession } from './chromium.mjs';
import { firefoxSession } from './firefox.mjs';
import { WEBKIT_SHARED_MEMORY, webkitSession } from './webkit.mjs';

// `sharedMemory`: for a browser whose default build keeps shared memory off even in a cross-origin-isolated
// page, the session options that turn it on as its vendor's browser does (see webkit.mjs), and why.
export const BROWSERS = {
  chromium: { label: 'Chromium', session: chromiumSession },
  firefox: { label: 'Firefox ESR', session: firefoxSession },
  webkit: {
    label: 'WebKitGTK MiniBrowser',
    session: webkitSession,
    sharedMemory: {
      options: { env: WEBKIT_SHARED_MEMORY },
      label: 'JSC_useSharedArrayBuffer=1, as in Safari',
    },
  },
};

/** Polls `expression` in the tab until it is truthy; returns its value. */
export async function waitFor(tab, expression, { timeout = 60_000, interval = 50, what = expression } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await tab.evaluate(expression);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}
