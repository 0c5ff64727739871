// How a checked call runs in wasm, shared by every op: scratch memory freed in `finally`, results
// computed into scratch (or straight into a WasmArray `out`) and copied out only once the call has
// succeeded, row blocks for in-place kernels, and the call description (web/call.js).
import { CallDescription, DTYPE } from './call.js';
import { Memory, Scratch, WasmArray } from './memory.js';

// In-place row kernels given a JS input take rows through one scratch block of about 256 KiB at a time
// (copy in, compute in place, copy out). One in-place buffer instead of an input and an output copy
// measured ~9% faster at 512x1000; the block size itself measured within noise (2^13 to the whole array).
const BLOCK_FLOATS = 1 << 16;
// Threaded instances take blocks of 2 MiB: a block of 2^16 floats woke the pool for four chunks (one row of
// 8 pieces at 8 x 128000), and at 64 x 32000 (two rows, under the pool's threshold) ran on one thread.
const THREADED_BLOCK_FLOATS = 1 << 19;
// The span element-wise kernels widen float16 input in: kSpan of cpp/simd/rows.h.
const SPAN = 16384;

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
   * A kernel over `n` slabs of `classes` x `inner` elements (rows when inner = 1) from a JS input X
   * (checked, { data, dtype }): through the blocks above, or into a WasmArray `out` directly.
   * kernel(px, py, slabs, inner) reads X's slabs at px and writes float32 results to py: in place (px = py)
   * for float32; float16 crosses into a block of halves of its own, and its results are still copied out
   * while they are in cache (a whole scratch output copied out at the end measured 10% slower at 64 x 32000).
   * A slab larger than a block (the class axis not last, e.g. (8, 21, 128, 128) with dim 1: 1.4 MB a slab)
   * goes through in column blocks, a run of positions at a time: each class's run is copied into a compact
   * (classes, w) block and back, and the kernel sees a slab of inner w. Positions are independent and w is a
   * multiple of 4, so the same positions take the kernel's scalar tail: the results are the bits of the
   * whole slab's (a whole slab at a time went out of cache: 1.9x the time of the same values classes last).
   */
  function blockwise(s, X, out, n, classes, inner, kernel) {
    const half = X.dtype === 'float16';
    const size = classes * inner;
    if (out instanceof WasmArray) {
      const p = out.ptr(s.fn, memory);
      if (half) kernel(s.floats(X), p, n, inner);
      else {
        memory.f32.set(X.data, p >>> 2);
        kernel(p, p, n, inner);
      }
      return out;
    }
    const dest = out ?? new Float32Array(n * size);
    let data = Array.isArray(X.data) ? Float32Array.from(X.data) : X.data;
    if (half) data = new Uint16Array(data.buffer, data.byteOffset, data.length);
    const floats = core.xeThreads > 1 ? THREADED_BLOCK_FLOATS : BLOCK_FLOATS;
    const width = inner > 1 && size > floats ? Math.max(4, Math.floor(floats / classes) & ~3) : inner;
    const slabs = width < inner ? 1 : Math.max(1, Math.floor(floats / size));
    const first = data.subarray(0, Math.min(n, slabs) * classes * width);
    const p = half ? s.alloc(first.length * 4) : s.allocFor(first);
    const px = half ? s.allocFor(first) : p;
    const into = half ? memory.u16 : memory.f32;
    const at = half ? px >>> 1 : p >>> 2;
    for (let r = 0; r < n; r += slabs) {
      const k = Math.min(slabs, n - r);
      if (width === inner) {
        into.set(data.subarray(r * size, (r + k) * size), at);
        kernel(px, p, k, inner);
        dest.set(memory.f32.subarray(p >>> 2, (p >>> 2) + k * size), r * size);
        continue;
      }
      for (let i = 0; i < inner; i += width) {
        const w = Math.min(width, inner - i);
        for (let j = 0, from = r * size + i; j < classes; j++, from += inner)
          into.set(data.subarray(from, from + w), at + j * w);
        kernel(px, p, 1, w);
        const f32 = memory.f32;
        for (let j = 0, to = r * size + i; j < classes; j++, to += inner) {
          dest.set(f32.subarray((p >>> 2) + j * w, (p >>> 2) + (j + 1) * w), to);
        }
      }
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
    evaluate: (k, x, l, rank, prediction, bins, brier) => core._xe_evaluate(k, x, l, rank, prediction, bins, brier),
    topK: (k, x, indices, values) => core._xe_top_k(k, x, indices, values),
  };

  return { core, kernel, memory, call, withScratch, result, blockwise, input, inputSpans, dispose, checkLive };
}
