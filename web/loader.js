// Picks the SIMD or the scalar build, compiles its .wasm and hands the compiled module to the Emscripten
// glue through instantiateWasm, so the glue never fetches or reads files itself. That one path works
// in a page, a module worker and Node, and with bundlers; no module-level state is kept.
import { createApi } from './api.js';

// The smallest module that uses a SIMD128 instruction (i32x4.splat), from wasm-feature-detect.
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);

/** True when this engine can run the SIMD build. */
export function simdSupported() {
  return typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
}

const isNode = typeof process === 'object' && typeof process.versions?.node === 'string';

async function readBytes(url) {
  if (isNode && url.protocol === 'file:') {
    const fsName = 'node:fs/promises'; // in a variable so that bundlers do not try to resolve it
    const { readFile } = await import(/* webpackIgnore: true */ /* @vite-ignore */ fsName);
    return readFile(url);
  }
  const response = await fetch(url, { credentials: 'same-origin' });
  if (!response.ok) throw new Error(`load: fetching ${url} failed: HTTP ${response.status}`);
  return response.arrayBuffer();
}

async function compile(source) {
  if (source instanceof WebAssembly.Module) return source;
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) return WebAssembly.compile(source);
  const url = new URL(source, isNode ? undefined : globalThis.location?.href);
  return WebAssembly.compile(await readBytes(url));
}

function checkOptions(options) {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`load: options must be an object, got ${options === null ? 'null' : typeof options}`);
  }
  const { simd = 'auto', wasm } = options;
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
  return { simd, wasm };
}

/**
 * Loads a new, independent xentropy instance.
 * @param {{ simd?: 'auto' | boolean, wasm?: URL | string | ArrayBuffer | Uint8Array | WebAssembly.Module }} [options]
 */
export async function load(options = {}) {
  const { simd, wasm } = checkOptions(options);
  const supported = simdSupported();
  if (simd === true && !supported) {
    throw new Error("load: this engine does not support WebAssembly SIMD128; use { simd: false } or 'auto'");
  }
  const useSimd = simd === 'auto' ? supported : simd;
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
  if (core.simdBuild() !== useSimd) {
    throw new RangeError(
      `load: options.wasm is the ${core.simdBuild() ? 'SIMD' : 'scalar'} build, but simd: ${String(simd)} chose the other`,
    );
  }
  return createApi(core);
}
