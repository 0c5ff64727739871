// Threads: how many an instance uses, and the threaded build (SIMD + Emscripten pthreads on shared wasm
// memory) that provides them. The SIMD and scalar builds never load anything from here but the checks.
//
// The threaded build's pool is preloaded before its factory resolves (Module.xePoolSize workers), then
// core._xe_pool_start(n) starts n - 1 threads that wait on a futex for work (cpp/parallel.cc). Under Node the
// workers are unref()'d, so they never keep a process alive; dispose() stops and terminates them.
const isNode = typeof process === 'object' && typeof process.versions?.node === 'string';
// Deno passes for Node here (process.versions.node), but the threaded build's worker script, Emscripten
// 3.1.6's Node code, fails in Deno's workers (it assigns the worker's read-only `location`): one thread there.
const isDeno = typeof globalThis.Deno === 'object';
// Firefox (153 ESR) now and then never returns from `new Worker()` called inside a worker, which blocks that
// worker for good (about 0.4% per nested worker; reproduced without xentropy). The pool's threads are such
// nested workers when xentropy runs in a worker, so there 'auto' is one thread; a number still gets them.
const isFirefoxWorker =
  typeof globalThis.WorkerGlobalScope === 'function' &&
  globalThis instanceof globalThis.WorkerGlobalScope &&
  /\bFirefox\//.test(globalThis.navigator?.userAgent ?? '');

/** The most threads 'auto' picks: the kernels are bound by memory bandwidth well before this. */
const AUTO_MAX = 8;

/** How long the threaded build's workers may take to start before load() gives up on them (ms). */
const START_TIMEOUT = 20000;

/** True where wasm memory can be shared between threads: Node, and cross-origin-isolated pages and workers. */
export function sharedMemorySupported() {
  if (typeof SharedArrayBuffer !== 'function' || typeof Atomics !== 'object') return false;
  if (!isNode && globalThis.crossOriginIsolated !== true) return false;
  try {
    return new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }).buffer instanceof SharedArrayBuffer;
  } catch {
    return false;
  }
}

async function cores() {
  if (isNode) {
    const osName = 'node:os'; // in a variable so that bundlers do not try to resolve it
    const os = await import(/* webpackIgnore: true */ /* @vite-ignore */ osName);
    return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  }
  return globalThis.navigator?.hardwareConcurrency ?? 1;
}

/** Checks options.threads ('auto' or an integer >= 1) and says how many threads to use. */
export function checkThreads(threads) {
  if (threads === 'auto') return threads;
  if (typeof threads !== 'number') {
    throw new TypeError(`load: options.threads must be 'auto' or an integer >= 1, got ${String(threads)}`);
  }
  if (!Number.isInteger(threads) || threads < 1) {
    throw new RangeError(`load: options.threads = ${threads} must be 'auto' or an integer >= 1`);
  }
  if (threads > 1 && isDeno) {
    throw new RangeError(
      `load: options.threads = ${threads}: the threaded build's workers do not start in Deno (Emscripten 3.1.6's ` +
        "pthread worker script is written for Node and browsers). Use threads: 'auto', which is one thread there.",
    );
  }
  if (threads > 1 && !sharedMemorySupported()) {
    // An isolated page whose engine still has no shared memory (WebKitGTK leaves JSC's SharedArrayBuffer off).
    const why =
      globalThis.crossOriginIsolated === true
        ? 'which this engine does not offer even though the page is cross-origin isolated (no SharedArrayBuffer)'
        : 'which this page does not have: it must be cross-origin isolated (served with the headers ' +
          'Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)';
    throw new RangeError(
      `load: options.threads = ${threads} needs shared wasm memory, ${why}. Use threads: 'auto' to fall back to one thread.`,
    );
  }
  return threads;
}

/** The number of threads 'auto' means here: 1 without shared memory, on one core, in Deno or a Firefox worker. */
export async function autoThreads() {
  if (isDeno || isFirefoxWorker || !sharedMemorySupported()) return 1;
  return Math.max(1, Math.min(AUTO_MAX, await cores()));
}

/**
 * Creates the threaded build's core with `threads` threads (the caller's included) from a compiled
 * module, or throws. glue: the threaded build's module namespace.
 */
export async function createThreaded(glue, module, threads) {
  const hadWorker = Object.getOwnPropertyDescriptor(globalThis, 'Worker');
  let fail;
  const failed = new Promise((resolve, reject) => (fail = reject));
  let core;
  let memory; // the shared memory the glue made, which it imports: web/memory.js heap() reads its buffer
  try {
    const ready = glue.default({
      xePoolSize: threads - 1,
      instantiateWasm(imports, receive) {
        for (const names of Object.values(imports)) {
          memory ??= Object.values(names).find((value) => value instanceof WebAssembly.Memory);
        }
        WebAssembly.instantiate(module, imports)
          .then((instance) => receive(instance, module))
          .catch(fail);
        return {};
      },
    });
    // If the pool's workers never start, give up after START_TIMEOUT ('auto' then uses one thread). This
    // does not cover Firefox 153 ESR's hang in workers: there `new Worker()` itself sometimes never returns
    // (tests/engines.test.mjs, NOT_RUN), which blocks this thread and every timer with it.
    let timer;
    const late = new Promise((resolve, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(
              `load: the threaded build's ${threads - 1} workers did not start within ${START_TIMEOUT / 1000} s`,
            ),
          ),
        START_TIMEOUT,
      );
    });
    try {
      core = await Promise.race([ready, failed, late]);
    } finally {
      clearTimeout(timer);
    }
  } finally {
    // Emscripten's Node code sets globalThis.Worker (worker_threads') for its own use: put back what was.
    if (isNode) {
      if (hadWorker) Object.defineProperty(globalThis, 'Worker', hadWorker);
      else delete globalThis.Worker;
    }
  }
  core.xeWasmMemory = memory;
  const workers = () => [...core.PThread.unusedWorkers, ...core.PThread.runningWorkers];
  if (isNode) for (const worker of workers()) worker.unref();
  // Every thread the pool created may run chunks, started or not: run.js sizes the per-thread float16 work
  // buffers by this count, not by xe.threads.
  core.xePoolSize = 1 + core._xe_pool_start(threads);
  // The threads run as soon as their workers take the message; wait for them (a few ms) so that
  // xe.threads is true from the first call. Calls never wait for a thread that has not started.
  for (let waited = 0; core._xe_pool_threads() < threads - 1 && waited < 5000; waited += 2) {
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  core.xeThreads = 1 + core._xe_pool_threads();
  core.xeDispose = () => {
    core._xe_pool_stop();
    for (const worker of workers()) worker.terminate();
  };
  return core;
}
