// tests/float16.test.mjs under Node 24, the one Node with Float16Array: the suite's own Node (20 on Debian)
// skips its float16 cases, so without this run `npm test` would never check them in Node. (A float16 copy
// block at an odd index overflowed its scratch allocation, and only this file's cases under Node 24 saw it.)
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { skipReason } from './lib/skip.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const node24 = fileURLToPath(new URL('./runtimes/node_modules/node24/bin/node', import.meta.url));

test('float16.test.mjs passes under Node 24, with its float16 cases run', { skip: skipReason('node24') }, () => {
  assert.ok(existsSync(node24), `Node 24 not found at ${node24}: run \`bash scripts/setup.sh test\``);
  const run = spawnSync(node24, ['--test', '--test-reporter=tap', 'tests/float16.test.mjs'], {
    cwd: root,
    env: Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_TEST_CONTEXT')), // its own run
    encoding: 'utf8',
    timeout: 300_000,
  });
  const out = `${run.stdout}\n${run.stderr}`;
  assert.equal(run.status, 0, `Node 24's float16 run failed:\n${out.slice(-4000)}`);
  const count = (name) => Number(out.match(new RegExp(`^# ${name} (\\d+)`, 'm'))?.[1] ?? NaN);
  // Only the two "without Float16Array" cases may skip; every float16 case must have run.
  assert.ok(count('pass') >= 14, `fewer float16 cases passed than expected:\n${out.slice(-2000)}`);
  assert.equal(count('fail'), 0, out.slice(-2000));
  assert.ok(count('skipped') <= 2, `float16 cases were skipped under Node 24:\n${out.slice(-2000)}`);
});
