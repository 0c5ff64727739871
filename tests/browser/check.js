// Browser fixture (not a test file): runs the engine-neutral checks of tests/engines/checks.mjs against
// the repository's web/index.js, for each build, in whatever scope imports it (a page or a module worker).
import * as xentropy from '../../web/index.js';
import { runAll } from '../engines/checks.mjs';

/**
 * Never throws: { ok: true, reports } or { ok: false, error }. `progress(text)` is told each check as it
 * starts, so that a page that hangs shows where.
 */
export async function settle(progress) {
  try {
    return { ok: true, reports: await runAll(xentropy, { progress }) };
  } catch (error) {
    return { ok: false, error: `${error?.name}: ${error?.message}\n${error?.stack ?? ''}` };
  }
}
