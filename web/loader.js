// Picks the SIMD or the scalar build, compiles its .wasm and hands the compiled module to the Emscripten
// glue through instantiateWasm, so the glue never fetches or reads files itself. That one path works
// in a page, a module worker and Node, and with bundlers; no module-level state is kept.
import { createApi } from './api.js';
import { autoThreads, checkThreads, createThreaded } from './threads.js';

// The smallest module that uses a SIMD128 instruction (i32x4.splat), from wasm-feature-detect.
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);

/** True when this engine can run the SIMD build. */
export function simdSupported() {
  return typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
}

const isNode = typeof process === 'object' && typeof process.versions?.node === 'string';

async function readFile(path) {
  const fsName = 'node:fs/promises'; // in a variable so that bundlers do not try to resolve it
  const fs = await import(/* webpackIgnore: true */ /* @vite-ignore */ fsName);
  return fs.readFile(path);
}

// Where a string points: in Node, an absolute URL (file:, http:, data:) or else a file path; in a browser,
// a URL relative to the page.
function locate(source) {
  if (typeof source !== 'string') return source;
  if (!isNode) return new URL(source, globalThis.location?.href);
  let url = null;
  try {
    url = new URL(source);
  } catch {
    return source; // not a URL: a file path
  }
  return url.protocol.length > 2 ? url : source; // "C:" is a Windows drive, not a scheme
}

async function readBytes(where) {
  try {
    if (isNode && (typeof where === 'string' || where.protocol === 'file:')) return await readFile(where);
    const response = await fetch(where, { credentials: 'same-origin' });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return await response.arrayBuffer();
  } catch (error) {
    throw new Error(`load: cannot read the .wasm file ${String(where)}: ${error.message}`, { cause: error });
  }
}

async function compile(source) {
  if (source instanceof WebAssembly.Module) return source;
  const bytes = source instanceof ArrayBuffer || ArrayBuffer.isView(source) ? source : await readBytes(locate(source));
  try {
    return await WebAssembly.compile(bytes);
  } catch (error) {
    throw new Error(`load: options.wasm is not a valid WebAssembly module: ${error.message}`, { cause: error });
  }
}

function checkOptions(options) {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`load: options must be an object, got ${options === null ? 'null' : typeof options}`);
  }
  const { simd = 'auto', wasm, threads = 'auto' } = options;
  if (simd !== 'auto' && simd !== true && simd !== false) {
    throw new TypeError(`load: options.simd must be 'auto', true or false, got ${String(simd)}`);
  }
  const okWasm =
    wasm === undefined ||
    typeof wasm === 'string' ||
    wasm instanceof URL ||
    wasm instanceof ArrayBuffer ||
    wasm instanceof Uint8Array ||
    wasm instanceof WebAssembly.Module;
  if (!okWasm) {
    throw new TypeError('load: options.wasm must be a URL, string, ArrayBuffer, Uint8Array or WebAssembly.Module');
  }
  return { simd, wasm, threads: checkThreads(threads) };
}

// The threaded build's glue, hidden from bundlers (a computed URL): they emit the two other builds only,
// and a bundled 'auto' load falls back to one thread when this file is not there.
async function threadedGlue() {
  const url = new URL('../dist/xentropy-threads.mjs', import.meta.url).href;
  return import(/* webpackIgnore: true */ /* @vite-ignore */ url);
}

// The threaded build with `threads` threads, or null where 'auto' should quietly use one thread.
async function loadThreaded(wasm, threads, explicit) {
  try {
    const [glue, module] = await Promise.all([
      threadedGlue(),
      compile(wasm ?? new URL('../dist/xentropy-threads.wasm', import.meta.url)),
    ]);
    return await createThreaded(glue, module, threads);
  } catch (error) {
    if (explicit) throw error;
    return null;
  }
}

/**
 * Loads a new, independent xentropy instance.
 * @param {{ simd?: 'auto' | boolean, wasm?: URL | string | ArrayBuffer | Uint8Array | WebAssembly.Module,
 *           threads?: 'auto' | number }} [options]
 */
export async function load(options = {}) {
  const { simd, wasm, threads } = checkOptions(options);
  const supported = simdSupported();
  if (simd === true && !supported) {
    throw new Error("load: this engine does not support WebAssembly SIMD128; use { simd: false } or 'auto'");
  }
  const useSimd = simd === 'auto' ? supported : simd;
  if (threads !== 'auto' && threads > 1 && !useSimd) {
    throw new RangeError(
      `load: options.threads = ${threads} needs the SIMD build, but simd: ${String(simd)} chose the scalar one`,
    );
  }
  // More than one thread: the threaded build (SIMD). 'auto' with a caller's .wasm stays on the build it names.
  const count = threads === 'auto' ? (useSimd && wasm === undefined ? await autoThreads() : 1) : threads;
  if (count > 1) {
    const core = await loadThreaded(wasm, count, threads !== 'auto');
    if (core) return createApi(core);
  }
  // Both builds share one glue file. Literal URLs in each branch, so bundlers find and emit both .wasm files.
  const [glue, module] = await Promise.all([
    import('../dist/xentropy.mjs'),
    useSimd
      ? compile(wasm ?? new URL('../dist/xentropy-simd.wasm', import.meta.url))
      : compile(wasm ?? new URL('../dist/xentropy-scalar.wasm', import.meta.url)),
  ]);
  const create = glue[useSimd ? 'simd' : 'scalar'] ?? glue.default; // one per build only in sanitized test builds
  let fail;
  const failed = new Promise((resolve, reject) => (fail = reject));
  const ready = create({
    instantiateWasm(imports, receive) {
      WebAssembly.instantiate(module, imports)
        .then((instance) => receive(instance, module))
        .catch(fail);
      return {};
    },
  });
  const core = await Promise.race([ready, failed]);
  const simdBuild = core._xe_simd_build() !== 0;
  if (simdBuild !== useSimd) {
    throw new RangeError(
      `load: options.wasm is the ${simdBuild ? 'SIMD' : 'scalar'} build, but simd: ${String(simd)} chose the other`,
    );
  }
  return createApi(core);
}
