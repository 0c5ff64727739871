// Helpers for the packaging tests: `npm pack` the repository and install the tarball into a fresh app.
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The repository root. */
export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** The installed devDependencies of the repository (bundlers, TypeScript), used by file path. */
export const devModules = join(repoRoot, 'node_modules');

// npm must neither phone home nor prompt; stderr warnings (e.g. about user config) are ignored.
const npmEnv = (cache) => ({
  ...process.env,
  npm_config_update_notifier: 'false',
  npm_config_fund: 'false',
  npm_config_audit: 'false',
  ...(cache ? { npm_config_cache: cache } : {}),
});

function npm(args, { cwd, cache }) {
  return run('npm', args, { cwd, env: npmEnv(cache), maxBuffer: 64 << 20, timeout: 120_000 });
}

/**
 * The files `npm pack` would put into the tarball, without writing one.
 * @returns {Promise<string[]>} paths relative to the package root, sorted.
 */
export async function packedFileList() {
  const { stdout } = await npm(['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: repoRoot });
  return JSON.parse(stdout)[0]
    .files.map((file) => file.path)
    .sort();
}

/**
 * Runs `npm pack` into `dir`.
 * @returns {Promise<{ tarball: string, files: string[], name: string, version: string }>}
 */
export async function pack(dir) {
  const { stdout } = await npm(['pack', '--json', '--ignore-scripts', '--pack-destination', dir], {
    cwd: repoRoot,
    cache: join(dir, 'npm-cache'),
  });
  const [info] = JSON.parse(stdout);
  return {
    tarball: join(dir, info.filename),
    files: info.files.map((file) => file.path).sort(),
    name: info.name,
    version: info.version,
  };
}

/**
 * Creates `appDir` as a private ES-module app and installs the tarball into it, as a user would:
 * `npm install <tarball> --no-audit --no-fund --ignore-scripts`. xentropy has no dependencies, so this needs
 * no network; `--offline` makes npm fail at once instead of waiting if it ever wanted some. Should npm fail
 * anyway, the tarball is extracted into node_modules/xentropy instead (what npm does for a dependency-free
 * package), and `how` says so.
 * @returns {Promise<{ how: 'npm install' | 'extracted', warning?: string }>}
 */
export async function installInto(appDir, tarball, { cache } = {}) {
  await mkdir(appDir, { recursive: true });
  await writeFile(
    join(appDir, 'package.json'),
    `${JSON.stringify({ name: 'xentropy-consumer', version: '1.0.0', private: true, type: 'module' }, null, 2)}\n`,
  );
  try {
    await npm(['install', tarball, '--no-audit', '--no-fund', '--ignore-scripts', '--offline'], { cwd: appDir, cache });
    const installed = JSON.parse(await readFile(join(appDir, 'package.json'), 'utf8'));
    if (!installed.dependencies?.xentropy) throw new Error('npm install did not record the dependency');
    return { how: 'npm install' };
  } catch (error) {
    const target = join(appDir, 'node_modules', 'xentropy');
    await mkdir(target, { recursive: true });
    await run('tar', ['-xzf', tarball, '-C', target, '--strip-components=1']);
    return { how: 'extracted', warning: `npm install failed, extracted the tarball instead: ${error.message}` };
  }
}

/** Runs `node file` in `cwd` and returns its stdout. */
export async function runNode(file, { cwd, args = [] }) {
  const { stdout } = await run(process.execPath, [file, ...args], { cwd, maxBuffer: 16 << 20, timeout: 60_000 });
  return stdout;
}

/** Runs TypeScript's tsc from the repository's devDependencies. Rejects with its output on errors. */
export async function runTsc(args, { cwd }) {
  const tsc = join(devModules, 'typescript', 'bin', 'tsc');
  try {
    return (await run(process.execPath, [tsc, ...args], { cwd, maxBuffer: 16 << 20, timeout: 60_000 })).stdout;
  } catch (error) {
    throw new Error(`tsc ${args.join(' ')} failed:\n${error.stdout ?? ''}${error.stderr ?? ''}`);
  }
}
