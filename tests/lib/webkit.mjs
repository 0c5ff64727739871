// WebKit (Safari's engine) as WebKitGTK's MiniBrowser, driven by selenium-webdriver through Debian's
// WebKitWebDriver (package webkit2gtk-driver). MiniBrowser has no headless mode, so this starts its own Xvfb
// (package xvfb) on a display number Xvfb picks itself (-displayfd), and stops it afterwards. Every cleanup
// is registered with t.after before the resource it cleans up is started: the browser session, then the
// driver, then Xvfb go, whatever failed.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Builder } from 'selenium-webdriver';
import remote from 'selenium-webdriver/remote/index.js';

export const WEBKIT_DRIVER = process.env.WEBKIT_DRIVER_PATH || '/usr/bin/WebKitWebDriver';
export const MINIBROWSER = process.env.MINIBROWSER_PATH || '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';
export const XVFB = '/usr/bin/Xvfb';

const INSTALL = 'run `bash scripts/setup.sh test` (apt-get install webkit2gtk-driver xvfb), or XENTROPY_SKIP=webkit';

/** Starts Xvfb on a free display; resolves to ':N'. Stopped by a t.after hook. */
async function startXvfb(t, timeout) {
  const xvfb = spawn(XVFB, ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
  });
  t.after(() => {
    if (xvfb.exitCode === null && xvfb.signalCode === null) xvfb.kill('SIGTERM');
  });
  let stderr = '';
  xvfb.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Xvfb did not start in ${timeout} ms: ${stderr}`)), timeout);
    let out = '';
    xvfb.stdio[3].on('data', (chunk) => {
      out += chunk;
      if (out.includes('\n')) {
        clearTimeout(timer);
        resolve(`:${out.trim()}`);
      }
    });
    xvfb.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`Xvfb could not start: ${error.message}`));
    });
    xvfb.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`Xvfb exited (${signal ?? code}) before it was ready: ${stderr}`));
    });
  });
}

/**
 * WebKitGTK's JavaScriptCore leaves SharedArrayBuffer off (JSC option useSharedArrayBuffer), even in a
 * cross-origin-isolated page: there is no SharedArrayBuffer global and posting shared wasm memory to a worker
 * throws DataCloneError, so xentropy's threads cannot start. Safari turns that option on in its WebContent
 * process (WebKit's XPC service bootstrap, "enable-shared-array-buffer"), as do Bun and Playwright's WebKit;
 * this environment does the same for WebKitGTK (JSC reads options from JSC_* variables), so that threads can
 * be tested in WebKit as Safari runs them. The default session tests WebKitGTK as it ships.
 */
export const WEBKIT_SHARED_MEMORY = { JSC_useSharedArrayBuffer: '1' };

/**
 * The engine-neutral session of tests/lib/browsers.mjs on WebKitGTK (see chromiumSession). `env`: extra
 * environment variables for the driver, the browser and its web processes (e.g. WEBKIT_SHARED_MEMORY).
 */
export async function webkitSession(t, { timeout = 60_000, env = {} } = {}) {
  for (const [path, what] of [
    [WEBKIT_DRIVER, 'WebKitWebDriver'],
    [MINIBROWSER, 'MiniBrowser'],
    [XVFB, 'Xvfb'],
  ]) {
    assert.ok(existsSync(path), `${what} not found at ${path}: ${INSTALL}`);
  }
  const display = await startXvfb(t, timeout);
  const service = new remote.DriverService.Builder(WEBKIT_DRIVER)
    .setLoopback(true)
    .setEnvironment({ ...process.env, ...env, DISPLAY: display })
    .build();
  let driver; // set once the session exists: quit() on a session still being created would wait for it
  t.after(async () => {
    // quit() throws synchronously once the session has ended (a tab's close() may have ended it): await it
    // inside try, so that either way the service is killed.
    try {
      await driver?.quit();
    } catch (error) {
      if (error.name !== 'NoSuchSessionError') console.error('closing MiniBrowser:', error);
    }
    await service.kill(); // also ends a session request still waiting for a browser that never came up
  });
  const url = await service.start(timeout);
  const starting = new Builder()
    .usingServer(url)
    .withCapabilities({
      browserName: 'MiniBrowser',
      'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] },
    })
    .build();
  starting.catch(() => {}); // its failure is reported by the race below
  let timer;
  driver = await Promise.race([
    starting,
    new Promise((resolve, reject) => {
      timer = setTimeout(
        () => reject(new Error(`MiniBrowser (${MINIBROWSER}) did not start within ${timeout} ms on ${display}`)),
        timeout,
      );
    }),
  ]).finally(() => clearTimeout(timer));
  await driver.manage().setTimeouts({ script: timeout, pageLoad: timeout });
  const capabilities = await driver.getCapabilities();
  return {
    name: 'WebKitGTK MiniBrowser',
    version: capabilities.get('browserVersion'),
    display,
    // One window: the tests open one tab at a time, and closing it goes back to a blank page.
    async open(pageUrl) {
      await driver.get(pageUrl);
      return {
        evaluate: (expression) => driver.executeScript(`return (${expression});`),
        problems: [], // WebKitWebDriver reports no console events: the fixtures record their own errors
        // After the session's own cleanup (t.after hooks run in the order they were added) there is no
        // session left to go back to a blank page in, and nothing to close.
        async close() {
          try {
            await driver.get('about:blank');
          } catch (error) {
            if (error.name !== 'NoSuchSessionError') throw error;
          }
        },
      };
    },
  };
}
