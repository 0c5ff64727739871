// What the package ships, gzipped at level 9: the files of `npm pack` that are JS or wasm, and what a
// browser fetches for one build. Used by tests/size.test.mjs (the budget) and bench/size.mjs (the table,
// with TensorFlow.js and onnxruntime-web for comparison).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { constants, gzipSync } from 'node:zlib';

import { packedFileList, repoRoot } from './pkg-pack.mjs';

export const KiB = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;

/** { raw, gzip } bytes of one file. */
export function gzipped(path) {
  const bytes = readFileSync(path);
  return { raw: bytes.length, gzip: gzipSync(bytes, { level: constants.Z_BEST_COMPRESSION }).length };
}

const sum = (items) => items.reduce((a, b) => ({ raw: a.raw + b.raw, gzip: a.gzip + b.gzip }), { raw: 0, gzip: 0 });

/** The threaded build's own files: its glue, its worker script and its .wasm. */
export const THREADED_FILES = [
  'dist/xentropy-threads.mjs',
  'dist/xentropy-threads.worker.js',
  'dist/xentropy-threads.wasm',
];

/**
 * The shipped JS and wasm files with their sizes, their total, and per build what one page load fetches:
 * the API (web/*.js), the glue module the SIMD and scalar builds share and that build's .wasm; with
 * threads, the threaded build's own glue, worker script and .wasm instead.
 * @returns {Promise<{ files: Record<string, {raw: number, gzip: number}>, total,
 *   downloads: { simd, scalar, threads } }>}
 */
export async function packageSizes() {
  const list = (await packedFileList()).filter((file) => /\.(m?js|wasm)$/.test(file));
  const files = Object.fromEntries(list.map((file) => [file, gzipped(join(repoRoot, file))]));
  const web = sum(list.filter((file) => file.startsWith('web/')).map((file) => files[file]));
  const downloads = {};
  for (const build of ['simd', 'scalar']) {
    const parts = [files['dist/xentropy.mjs'], files[`dist/xentropy-${build}.wasm`]];
    downloads[build] = parts.every(Boolean) ? sum([web, ...parts]) : undefined;
  }
  const threaded = THREADED_FILES.map((file) => files[file]);
  downloads.threads = threaded.every(Boolean) ? sum([web, ...threaded]) : undefined;
  return { files, total: sum(Object.values(files)), downloads };
}

/** What TensorFlow.js (core + wasm backend) and onnxruntime-web ship to a browser, from node_modules. */
export function peerSizes() {
  const peers = {
    'TensorFlow.js (tfjs-core + tfjs-backend-wasm, SIMD)': [
      '@tensorflow/tfjs-core/dist/tf-core.min.js',
      '@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.min.js',
      '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm',
    ],
    'onnxruntime-web (wasm-only entry)': [
      'onnxruntime-web/dist/ort.wasm.min.mjs',
      'onnxruntime-web/dist/ort-wasm-simd-threaded.mjs',
      'onnxruntime-web/dist/ort-wasm-simd-threaded.wasm',
    ],
  };
  return Object.entries(peers).map(([name, paths]) => {
    const missing = paths.filter((path) => !existsSync(join(repoRoot, 'node_modules', path)));
    if (missing.length) return { name, missing };
    const files = Object.fromEntries(paths.map((path) => [path, gzipped(join(repoRoot, 'node_modules', path))]));
    return { name, files, total: sum(Object.values(files)) };
  });
}

const row = (name, { raw, gzip }) => `${name.padEnd(64)} ${KiB(raw).padStart(11)} ${KiB(gzip).padStart(11)}`;
const header = `${'file'.padEnd(64)} ${'raw'.padStart(11)} ${'gzip -9'.padStart(11)}`;

/** The package's sizes as a text table. */
export function packageTable({ files, total, downloads }) {
  const lines = ['xentropy, as shipped by npm pack:', header];
  for (const [file, size] of Object.entries(files)) lines.push(row(file, size));
  lines.push(row(`total (${Object.keys(files).length} files)`, total));
  for (const [build, size] of Object.entries(downloads)) {
    const parts = build === 'threads' ? '.mjs + .worker.js + .wasm' : '.mjs + .wasm';
    if (size) lines.push(row(`one page load, ${build} build (web/*.js + ${parts})`, size));
  }
  return lines.join('\n');
}

/** The peers' sizes as a text table. */
export function peerTable(peers) {
  const lines = ['for comparison, what other libraries ship to a browser:', header];
  for (const { name, files, total, missing } of peers) {
    if (missing) {
      lines.push(`${name}: not installed (${missing.join(', ')})`);
      continue;
    }
    for (const [path, size] of Object.entries(files)) lines.push(row(path, size));
    lines.push(row(`${name}, total`, total));
  }
  return lines.join('\n');
}
