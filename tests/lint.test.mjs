// npm run lint, as a test: Prettier over the JavaScript, TypeScript, HTML and CSS, clang-format over the
// C++ (Google style, .clang-format). Fix with `npm run format`.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import test from 'node:test';

const root = fileURLToPath(new URL('..', import.meta.url));

function run(command, args) {
  const r = spawnSync(command, args, { cwd: root, encoding: 'utf8' });
  if (r.error) assert.fail(`${command}: ${r.error.message}`);
  return r;
}

test('lint: prettier --check finds nothing to reformat', () => {
  const r = run(process.execPath, ['node_modules/prettier/bin/prettier.cjs', '--check', '.']);
  assert.equal(r.status, 0, `${r.stdout}${r.stderr}\nRun: npm run format`);
});

test('lint: clang-format finds nothing to reformat in cpp/', () => {
  const files = readdirSync(new URL('../cpp', import.meta.url), { recursive: true })
    .filter((f) => /\.(cc|cpp|h)$/.test(f))
    .map((f) => `cpp/${f}`);
  assert.ok(files.length > 5, 'the C++ sources were found');
  const r = run('clang-format', ['--dry-run', '--Werror', ...files]);
  assert.equal(r.status, 0, `${r.stderr}\nRun: npm run format`);
});
