// Builds the fixture app (tests/package/index.html + src/, copied into a temporary project that installed
// the packed tarball) with vite, webpack 5 and esbuild through their JS APIs, and serves it with vite's dev
// server, with exactly the configuration the README's "Bundlers" section tells users to write. The bundlers come from the repository's
// devDependencies (by file path); 'xentropy' resolves from the app's own node_modules.
import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { devModules } from './pkg-pack.mjs';

const importDev = (path) => import(pathToFileURL(join(devModules, path)).href);

/** The app's index.html with its entry <script> pointing at a bundle instead of src/main.js. */
async function writePage(appDir, outDir, scriptTag) {
  const html = await readFile(join(appDir, 'index.html'), 'utf8');
  const page = html.replace(/<script type="module" src="\.\/src\/main\.js"><\/script>/, scriptTag);
  if (page === html) throw new Error('index.html: the entry <script> was not found');
  await writeFile(join(outDir, 'index.html'), page);
}

/** vite: `vite build`, no configuration. */
export async function buildVite(appDir, outDir) {
  const { build, createLogger } = await importDev('vite/dist/node/index.js');
  const warnings = [];
  const logger = createLogger('warn');
  logger.warn = (message) => warnings.push(message);
  logger.warnOnce = (message) => warnings.push(message);
  logger.error = (message) => warnings.push(`error: ${message}`);
  await build({
    root: appDir,
    configFile: false,
    logLevel: 'warn',
    customLogger: logger,
    build: { outDir, emptyOutDir: true },
  });
  return { page: 'index.html', warnings };
}

/** webpack 5: mode production, default output (a classic-script bundle); no loaders or plugins. */
export async function buildWebpack(appDir, outDir) {
  const { default: webpack } = await importDev('webpack/lib/index.js');
  const config = {
    mode: 'production',
    context: appDir,
    entry: './src/main.js',
    output: { path: outDir, clean: true },
  };
  const stats = await new Promise((resolve, reject) =>
    webpack(config, (error, result) => (error ? reject(error) : resolve(result))),
  );
  const { errors, warnings } = stats.toJson({ all: false, errors: true, warnings: true });
  if (errors.length) throw new Error(`webpack: ${errors.map((e) => e.message).join('\n')}`);
  await writePage(appDir, outDir, '<script src="./main.js"></script>');
  return { page: 'index.html', warnings: warnings.map((w) => w.message) };
}

/** esbuild: bundle, format esm, splitting, and `loader: { '.wasm': 'file' }` for the imported .wasm URLs. */
export async function buildEsbuild(appDir, outDir) {
  const esbuild = await importDev('esbuild/lib/main.js');
  const result = await esbuild.build({
    absWorkingDir: appDir,
    entryPoints: { main: 'src/main-esbuild.js' },
    bundle: true,
    format: 'esm',
    splitting: true,
    loader: { '.wasm': 'file' },
    outdir: outDir,
    logLevel: 'silent',
  });
  await writePage(appDir, outDir, '<script type="module" src="./main.js"></script>');
  return { page: 'index.html', warnings: result.warnings.map((w) => w.text) };
}

export const bundlers = { vite: buildVite, webpack: buildWebpack, esbuild: buildEsbuild };

/**
 * vite's dev server, with the one setting it needs: `optimizeDeps: { exclude: ['xentropy'] }`. (Its dependency
 * pre-bundling moves the loader into node_modules/.vite/deps/, where `new URL('../dist/…wasm', import.meta.url)`
 * points at nothing: the server answers index.html and WebAssembly.compile fails on "magic word".)
 * Served in middleware mode on a node:http server on 127.0.0.1, port 0.
 * @returns {Promise<{ url: string, close: () => Promise<void> }>}
 */
export async function startViteDev(appDir) {
  const { createServer: createViteServer } = await importDev('vite/dist/node/index.js');
  const server = createServer();
  const vite = await createViteServer({
    root: appDir,
    configFile: false,
    logLevel: 'silent',
    optimizeDeps: { exclude: ['xentropy'] },
    server: { middlewareMode: true, hmr: { server } },
  });
  server.on('request', vite.middlewares);
  try {
    await new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
  } catch (error) {
    await vite.close();
    throw error;
  }
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    async close() {
      server.closeAllConnections?.();
      await vite.close();
      await new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
