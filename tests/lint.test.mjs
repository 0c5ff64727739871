// npm run lint, as a test: Prettier over the JavaScript, TypeScript, HTML and CSS, clang-format over the
// C++ (Google style, .clang-format; clang-format 14, see below). Fix with `npm run format`.
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

// The C++ is formatted by clang-format 14 (Debian bookworm's, installed by scripts/setup.sh test). Other
// versions format some constructs differently, so with only another version the check is skipped, saying so.
const CLANG_FORMAT_MAJOR = '14';
function clangFormat() {
  const found = [];
  for (const command of [`clang-format-${CLANG_FORMAT_MAJOR}`, 'clang-format']) {
    const r = spawnSync(command, ['--version'], { encoding: 'utf8' });
    if (r.error) continue;
    const version = r.stdout.match(/version (\d+)\.[\d.]+/);
    if (version?.[1] === CLANG_FORMAT_MAJOR) return { command };
    found.push(`${command} ${version?.[0] ?? r.stdout.trim()}`);
  }
  return {
    skip: `the C++ format check needs clang-format ${CLANG_FORMAT_MAJOR}, found ${found.length ? found.join(', ') : 'none'} (Debian: apt-get install clang-format-${CLANG_FORMAT_MAJOR})`,
  };
}

test('lint: clang-format finds nothing to reformat in cpp/', (t) => {
  const { command, skip } = clangFormat();
  if (skip) {
    console.log(`lint: skipped: ${skip}`);
    return t.skip(skip);
  }
  const files = readdirSync(new URL('../cpp', import.meta.url), { recursive: true })
    .filter((f) => /\.(cc|cpp|h)$/.test(f))
    .map((f) => `cpp/${f}`);
  assert.ok(files.length > 5, 'the C++ sources were found');
  const r = run(command, ['--dry-run', '--Werror', ...files]);
  assert.equal(r.status, 0, `${r.stderr}\nRun: npm run format`);
});
