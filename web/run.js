// How a checked call runs in wasm, shared by every op: scratch memory freed in `finally`, results
// computed into scratch (or straight into a WasmArray `out`) and copied out only once the call has
// succeeded, row blocks for in-place kernels, and the call description (web/call.js).
import { CallDescription, DTYPE } from './call.js';
import { Memory, Scratch, WasmArray } from './memory.js';

// In-place row kernels given a JS input take rows through one scratch block of about 256 KiB at a time
// (copy in, compute in place, copy out). One in-place buffer instead of an input and an output copy
// measured ~9% faster at 512x1000; the block size itself measured within noise (2^13 to the whole array).
const BLOCK_FLOATS = 1 << 16;
// The span element-wise kernels widen float16 input in: kSpan of cpp/simd/rows.h.
const SPAN = 16384;
// Threaded instances copy a large float32 JS input in while the pool already works on it (overlapped):
// from this many floats (the pool's threshold, cpp/parallel.cc), in pieces of COPY_FLOATS (a chunk's).
const OVERLAP_FLOATS = 1 << 16;
const COPY_FLOATS = 1 << 14;
// An in-place kernel (softmax) from a JS input to a JS output runs in up to MAX_PARTS parts of at least
// PART_FLOATS, each part's copy out overlapping the next's kernel.
const MAX_PARTS = 4;
const PART_FLOATS = 1 << 17;
// The kernels xe_post starts (cpp/bindings.cpp).
const POSTED = { softmax: 0, logSoftmax: 1, crossEntropy: 2 };

export function createRunner(core) {
  const memory = new Memory(core);
  const description = new CallDescription(core, memory);

  let disposed = false;
  /** Ends the instance's threads (if any); every later call throws. */
  function dispose() {
    if (disposed) return;
    disposed = true;
    core.xeDispose?.();
  }
  function checkLive(fn) {
    if (disposed) throw new Error(`${fn}: this xentropy instance has been disposed`);
  }

  /** Runs body(scratch) with a Scratch for `fn` that is released whatever happens. */
  function withScratch(fn, body) {
    checkLive(fn);
    const scratch = new Scratch(memory, fn);
    try {
      return body(scratch);
    } finally {
      scratch.release();
    }
  }

  /**
   * Where an array result of `length` floats is computed: directly into a WasmArray `out` when no input
   * is that same array (or the kernel may work in place, `inPlace`), else into scratch memory. finish()
   * copies the result to `out` (or a new Float32Array) and returns it.
   */
  function result(scratch, out, length, inputs, inPlace) {
    if (out instanceof WasmArray && (inPlace || !inputs.some((input) => input?.wasm === out))) {
      return { ptr: out.ptr(scratch.fn, memory), finish: () => out };
    }
    const ptr = scratch.alloc(length * 4);
    return {
      ptr,
      finish() {
        const view = memory.f32.subarray(ptr >>> 2, (ptr >>> 2) + length);
        if (out === undefined) return view.slice();
        (out instanceof WasmArray ? out.array : out).set(view);
        return out;
      },
    };
  }

  /**
   * Copies into shared wasm memory are about 1.8x slower than into plain memory (V8 copies word by word,
   * relaxed-atomic; no view type, alignment or piece size measured faster), and with the kernel split over
   * two threads they become most of a call. So a threaded instance overlaps them with the kernel: the
   * input X (checked) of a kernel that POSTED names, when it is a large float32 JS array, is copied by
   * overlapped(), which returns its data (else undefined, and the input is copied as usual).
   */
  const overlapping = (core.xeThreads ?? 1) > 1;
  function lateInput(X) {
    const data = X.data;
    return overlapping && data instanceof Float32Array && data.length >= OVERLAP_FLOATS ? data : undefined;
  }

  /**
   * Runs kernel `name` (of POSTED) with its arguments `args` (wasm addresses, its description first) while
   * copying `data` (from lateInput) to wasm address `ptr`: a pool thread starts the kernel at once, its
   * chunks waiting at the input gate for the rows they read (cpp/parallel.h wait_input), which each piece
   * copied opens further; then this thread runs `during()` (when given) and chunks too. Returns the
   * kernel's value.
   */
  function overlapped(name, args, data, ptr, during) {
    const gate = core._xe_input_gate() >>> 2;
    core._xe_post(POSTED[name], ...args); // closes the gate
    const f32 = memory.f32;
    const i32 = memory.i32;
    for (let i = 0; i < data.length; i += COPY_FLOATS) {
      const end = Math.min(data.length, i + COPY_FLOATS);
      f32.set(data.subarray(i, end), (ptr >>> 2) + i);
      Atomics.store(i32, gate, end);
    }
    during?.();
    return core._xe_join(); // opens the gate
  }

  /**
   * An in-place kernel over `n` slabs of `size` floats (rows, or (classes, inner) blocks) from a float32
   * JS input X (checked, { data }): through the blocks above, or copied into a WasmArray `out` and
   * computed there. kernel(ptr, slabs) computes in place; post(ptr, data, slabs, during), when given, runs
   * it overlapped with the copy of a lateInput, in a few parts (not blocks: each would wake the pool, and a
   * block of a few long rows, one chunk each, would run on one thread) so that each part's copy out
   * overlaps the next part's kernel. Slabs are independent: any split gives the same bits.
   */
  function blockwise(s, X, out, n, size, kernel, post) {
    const late = post && lateInput(X);
    if (late) {
      const wasm = out instanceof WasmArray;
      const p = wasm ? out.ptr(s.fn, memory) : s.allocFor(late);
      const dest = wasm ? null : (out ?? new Float32Array(late.length));
      const parts = wasm ? 1 : Math.min(MAX_PARTS, Math.max(1, Math.floor(late.length / PART_FLOATS)));
      const per = Math.ceil(n / parts);
      let done = [0, 0]; // floats [begin, end) computed and not yet copied out
      const copyOut = ([begin, end]) => dest.set(memory.f32.subarray((p >>> 2) + begin, (p >>> 2) + end), begin);
      for (let r = 0; r < n; r += per) {
        const [begin, end] = [r * size, Math.min(n, r + per) * size];
        const previous = done;
        post(
          p + begin * 4,
          late.subarray(begin, end),
          Math.min(per, n - r),
          wasm ? undefined : () => copyOut(previous),
        );
        done = [begin, end];
      }
      if (!wasm) copyOut(done);
      return wasm ? out : dest;
    }
    if (out instanceof WasmArray) {
      const p = out.ptr(s.fn, memory);
      memory.f32.set(X.data, p >>> 2);
      kernel(p, n);
      return out;
    }
    const dest = out ?? new Float32Array(n * size);
    const data = Array.isArray(X.data) ? Float32Array.from(X.data) : X.data;
    const slabs = Math.max(1, Math.floor(BLOCK_FLOATS / size));
    const p = s.alloc(Math.min(n, slabs) * size * 4);
    for (let r = 0; r < n; r += slabs) {
      const k = Math.min(slabs, n - r);
      memory.f32.set(data.subarray(r * size, (r + k) * size), p >>> 2);
      kernel(p, k);
      dest.set(memory.f32.subarray(p >>> 2, (p >>> 2) + k * size), r * size);
    }
    return dest;
  }

  /**
   * The call fields of the main float input X (checked) of geometry g: its dtype, and for float16 the work
   * buffer the kernel widens one (classes, inner) slab into, one slab per thread of the instance (chunks
   * run at once; thread i widens at i * classes * inner floats, Input in cpp/simd/rows.h).
   */
  const FLOAT32 = { dtype: DTYPE.float32, work: 0 };
  const threads = core.xePoolSize ?? 1;
  function input(s, X, g) {
    if (X.dtype !== 'float16') return FLOAT32;
    return { dtype: DTYPE.float16, work: s.alloc(g.classes * g.inner * 4 * threads) };
  }

  /**
   * As input, for element-wise kernels, which widen spans of at most SPAN elements (kSpan,
   * cpp/simd/rows.h), one span per thread (thread i at i * kSpan floats; a shorter input is one chunk, on
   * the calling thread).
   */
  function inputSpans(s, X) {
    if (X.dtype !== 'float16') return FLOAT32;
    return { dtype: DTYPE.float16, work: s.alloc(Math.max(1, Math.min(X.length, SPAN)) * 4 * threads) };
  }

  /**
   * Writes the description of one kernel call (fields of cpp/call.h, camelCase; `dtype`, the result of
   * input() or inputSpans(), for the main input's fields) and returns its address.
   */
  const call = (fields, dtype) => description.set(fields, dtype);

  // The kernels (cpp/bindings.cpp): wasm exports called directly, each looked up on `core` at the call (the
  // glue's first call of an export replaces its lazy wrapper on `core` with the export itself).
  const kernel = {
    softmax: (k, x, y) => core._xe_softmax(k, x, y),
    logSoftmax: (k, x, y) => core._xe_log_softmax(k, x, y),
    softmaxBackward: (k, p, g, dx) => core._xe_softmax_backward(k, p, g, dx),
    sigmoid: (k, x, y) => core._xe_sigmoid(k, x, y),
    crossEntropy: (k, x, l, t, w, loss, grad) => core._xe_cross_entropy(k, x, l, t, w, loss, grad),
    binaryCrossEntropy: (k, x, y, w, loss, grad) => core._xe_binary_cross_entropy(k, x, y, w, loss, grad),
    focalLoss: (k, x, l, t, a, loss, grad) => core._xe_focal_loss(k, x, l, t, a, loss, grad),
    sigmoidFocalLoss: (k, x, y, w, loss, grad) => core._xe_sigmoid_focal_loss(k, x, y, w, loss, grad),
    entropy: (k, p, loss) => core._xe_entropy(k, p, loss),
    klDivergence: (k, p, q, loss) => core._xe_kl_divergence(k, p, q, loss),
    evaluate: (k, x, l, work, rank, confusion, bins, brier) =>
      core._xe_evaluate(k, x, l, work, rank, confusion, bins, brier),
    topK: (k, x, work, indices, values) => core._xe_top_k(k, x, work, indices, values),
  };

  return {
    core,
    kernel,
    memory,
    call,
    withScratch,
    result,
    blockwise,
    lateInput,
    overlapped,
    input,
    inputSpans,
    dispose,
    checkLive,
  };
}
