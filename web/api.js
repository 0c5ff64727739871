// The public API of one instance: checks every argument in JavaScript, then makes one wasm call per batch.
// Inputs are copied into scratch memory (WasmArrays are used in place), results are computed into
// scratch memory and copied to `out` only once the call has succeeded; scratch is freed in `finally`.
import * as check from './check.js';
import { createClassifier } from './classifier.js';
import { Memory, Scratch, WasmArray } from './memory.js';
import { createMetrics } from './metrics.js';
import { VERSION } from './version.js';

const REDUCTION = { none: 0, mean: 1, sum: 2 };
const REDUCTIONS = Object.keys(REDUCTION);
const FROM = ['logits', 'probs'];
const EPS = { min: 0, max: 1, minOpen: true, maxOpen: true };
// BCE clamps p to [eps, 1 - eps], which is empty above 1/2.
const BCE_EPS = { min: 0, max: 0.5, minOpen: true };

export function createApi(core) {
  const memory = new Memory(core);

  function withScratch(fn, body) {
    const scratch = new Scratch(memory, fn);
    try {
      return body(scratch);
    } finally {
      scratch.release();
    }
  }

  // Where an array result of `length` floats is computed: directly into a WasmArray `out` when no input
  // is that same array (or the kernel is safe in place), else into scratch memory. finish() copies the
  // result to `out` (or a new Float32Array) and returns it.
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

  // Row-wise kernels that may work in place (softmax, logSoftmax, sigmoid), given a JS input: rows go
  // through one scratch block of about 256 KiB at a time (copy in, compute in place, copy out). One
  // in-place buffer instead of an input and an output copy measured ~9% faster at 512x1000; the block
  // size itself measured within noise (2^13 to the whole array), and keeps scratch memory small.
  // kernel(ptr, rows) computes in place.
  const BLOCK_FLOATS = 1 << 16;
  function blockwise(s, X, out, n, c, kernel) {
    if (out instanceof WasmArray) {
      const p = out.ptr(s.fn, memory); // the input copied into out, and computed there
      memory.f32.set(X.data, p >>> 2);
      kernel(p, n);
      return out;
    }
    const dest = out ?? new Float32Array(n * c);
    const data = Array.isArray(X.data) ? Float32Array.from(X.data) : X.data;
    const rows = Math.max(1, Math.floor(BLOCK_FLOATS / c));
    const p = s.alloc(Math.min(n, rows) * c * 4);
    for (let r = 0; r < n; r += rows) {
      const k = Math.min(rows, n - r);
      memory.f32.set(data.subarray(r * c, (r + k) * c), p >>> 2);
      kernel(p, k);
      dest.set(memory.f32.subarray(p >>> 2, (p >>> 2) + k * c), r * c);
    }
    return dest;
  }

  // softmax and logSoftmax: (n, c) in, (n, c) out.
  function rowwise(fn, kernel) {
    return (x, opts) => {
      const o = check.options(fn, opts, true);
      const c = check.classes(fn, o.classes);
      const t = check.number(fn, 'temperature', o.temperature, 1, { min: 0, minOpen: true });
      const X = check.floats(fn, 'x', x);
      const n = check.rows(fn, 'x', X.length, c);
      const out = check.out(fn, o.out, X.length, memory);
      return withScratch(fn, (s) => {
        if (!X.wasm) return blockwise(s, X, out, n, c, (p, rows) => kernel(p, p, rows, c, 1 / t));
        const r = result(s, out, X.length, [X], true);
        kernel(s.floats(X), r.ptr, n, c, 1 / t);
        return r.finish();
      });
    };
  }

  function softmaxBackward(probs, gradOut, opts) {
    const fn = 'softmaxBackward';
    const o = check.options(fn, opts, true);
    const c = check.classes(fn, o.classes);
    const P = check.floats(fn, 'probs', probs);
    const n = check.rows(fn, 'probs', P.length, c);
    const G = check.sameLength(fn, 'gradOut', check.floats(fn, 'gradOut', gradOut), P.length);
    const out = check.out(fn, o.out, P.length, memory);
    return withScratch(fn, (s) => {
      const pp = s.floats(P);
      const pg = s.floats(G);
      const r = result(s, out, P.length, [P, G], true);
      core.softmaxBackward(pp, pg, r.ptr, n, c);
      return r.finish();
    });
  }

  function sigmoid(x, opts) {
    const fn = 'sigmoid';
    const o = check.options(fn, opts, false);
    const X = check.floats(fn, 'x', x);
    const out = check.out(fn, o.out, X.length, memory);
    return withScratch(fn, (s) => {
      if (!X.wasm) return blockwise(s, X, out, X.length, 1, (p, n) => core.sigmoid(p, p, n));
      const r = result(s, out, X.length, [X], true);
      core.sigmoid(s.floats(X), r.ptr, X.length);
      return r.finish();
    });
  }

  // A target of length n holds class indices, of length n * c a distribution per row (with c = 1, indices).
  // Integer typed arrays are always indices; a WasmArray (float32) is always a distribution.
  function ceTarget(fn, target, n, c, ignoreIndex) {
    if (target instanceof WasmArray && target.length === n && c !== 1)
      return { labels: check.labels(fn, 'target', target) };
    const dense =
      target instanceof WasmArray || (!check.isIntArray(target) && target?.length === n * c && c !== 1 && n !== 0);
    if (dense) return { dense: check.sameLength(fn, 'target', check.floats(fn, 'target', target), n * c) };
    if (target?.length !== undefined && target.length !== n && !check.isIntArray(target)) {
      throw new RangeError(
        `${fn}: target has length ${target.length}, expected ${n} (class indices) or ${n * c} (a distribution per row)`,
      );
    }
    return { labels: check.labels(fn, 'target', target, n, c, ignoreIndex) };
  }

  function crossEntropyCall(fn, input, target, opts, withGrad) {
    const o = check.options(fn, opts, true);
    const c = check.classes(fn, o.classes);
    const from = check.oneOf(fn, 'from', o.from, FROM, 'logits');
    const reduction = check.oneOf(fn, 'reduction', o.reduction, REDUCTIONS, 'mean');
    const ignoreIndex = check.integer(fn, 'ignoreIndex', o.ignoreIndex, -100);
    const smoothing = check.number(fn, 'labelSmoothing', o.labelSmoothing, 0, { min: 0, max: 1 });
    const eps = check.number(fn, 'eps', o.eps, 1e-7, EPS);
    const scale = check.baseScale(fn, o.base);
    const X = check.floats(fn, 'input', input);
    const n = check.rows(fn, 'input', X.length, c);
    const W =
      o.weight === undefined
        ? null
        : check.sameLength(fn, 'options.weight', check.floats(fn, 'options.weight', o.weight), c);
    const { dense, labels } = ceTarget(fn, target, n, c, ignoreIndex);
    const out = withGrad || reduction === 'none' ? check.out(fn, o.out, withGrad ? n * c : n, memory) : undefined;
    return withScratch(fn, (s) => {
      const px = s.floats(X);
      const pt = dense ? s.floats(dense) : 0;
      const pl = labels ? s.labels(labels) : 0;
      const pw = W ? s.floats(W) : 0;
      const losses = reduction === 'none' ? result(s, withGrad ? undefined : out, n, [], false) : null;
      const grad = withGrad ? result(s, out, n * c, [X, dense, W], false) : null;
      const value = core.crossEntropy(
        px,
        pl,
        pt,
        pw,
        losses?.ptr ?? 0,
        grad?.ptr ?? 0,
        n,
        c,
        ignoreIndex,
        smoothing,
        from === 'probs',
        eps,
        REDUCTION[reduction],
        scale,
      );
      const loss = losses ? losses.finish() : value;
      return withGrad ? { loss, grad: grad.finish() } : loss;
    });
  }

  function bceCall(fn, input, target, opts, withGrad) {
    const o = check.options(fn, opts, false);
    const from = check.oneOf(fn, 'from', o.from, FROM, 'logits');
    const reduction = check.oneOf(fn, 'reduction', o.reduction, REDUCTIONS, 'mean');
    const eps = check.number(fn, 'eps', o.eps, 1e-7, BCE_EPS);
    const posWeight = check.number(fn, 'posWeight', o.posWeight, 1);
    const scale = check.baseScale(fn, o.base);
    const X = check.floats(fn, 'input', input);
    const Y = check.sameLength(fn, 'target', check.floats(fn, 'target', target), X.length);
    const W =
      o.weight === undefined
        ? null
        : check.sameLength(fn, 'options.weight', check.floats(fn, 'options.weight', o.weight), X.length);
    const out = withGrad || reduction === 'none' ? check.out(fn, o.out, X.length, memory) : undefined;
    return withScratch(fn, (s) => {
      const px = s.floats(X);
      const py = s.floats(Y);
      const pw = W ? s.floats(W) : 0;
      const losses = reduction === 'none' ? result(s, withGrad ? undefined : out, X.length, [], false) : null;
      // Element-wise, so the gradient may overwrite the input it was computed from.
      const grad = withGrad ? result(s, out, X.length, [X, Y, W], true) : null;
      const value = core.binaryCrossEntropy(
        px,
        py,
        pw,
        losses?.ptr ?? 0,
        grad?.ptr ?? 0,
        X.length,
        posWeight,
        from === 'probs',
        eps,
        REDUCTION[reduction],
        scale,
      );
      const loss = losses ? losses.finish() : value;
      return withGrad ? { loss, grad: grad.finish() } : loss;
    });
  }

  // entropy and klDivergence: per-row values, reduced or not.
  function perRow(fn, opts, defaultReduction, inputs, call) {
    const o = check.options(fn, opts, true);
    const c = check.classes(fn, o.classes);
    const reduction = check.oneOf(fn, 'reduction', o.reduction, REDUCTIONS, defaultReduction);
    const scale = check.baseScale(fn, o.base);
    const checked = inputs.map(([name, x]) => check.floats(fn, name, x));
    const n = check.rows(fn, inputs[0][0], checked[0].length, c);
    for (let i = 1; i < checked.length; i++) check.sameLength(fn, inputs[i][0], checked[i], n * c);
    const out = reduction === 'none' ? check.out(fn, o.out, n, memory) : undefined;
    return withScratch(fn, (s) => {
      const ptrs = checked.map((x) => s.floats(x));
      const values = reduction === 'none' ? result(s, out, n, [], false) : null;
      const value = call(o, ptrs, values?.ptr ?? 0, n, c, REDUCTION[reduction], scale);
      return values ? values.finish() : value;
    });
  }

  function entropy(p, opts) {
    return perRow('entropy', opts, 'none', [['p', p]], (o, [pp], pout, n, c, red, scale) =>
      core.entropy(pp, pout, n, c, red, scale),
    );
  }

  function klDivergence(p, q, opts) {
    const fn = 'klDivergence';
    const from = check.oneOf(fn, 'from', check.options(fn, opts, true).from, FROM, 'probs');
    return perRow(
      fn,
      opts,
      'mean',
      [
        ['p', p],
        ['q', q],
      ],
      (o, [pp, pq], pout, n, c, red, scale) => core.klDivergence(pp, pq, pout, n, c, from === 'logits', red, scale),
    );
  }

  function alloc(length) {
    if (typeof length !== 'number')
      throw new TypeError(`alloc: length must be a number, got ${check.describe(length)}`);
    if (!Number.isInteger(length) || length < 0)
      throw new RangeError(`alloc: length = ${length} must be an integer >= 0`);
    return new WasmArray(memory, length);
  }

  const { evaluate, evaluator } = createMetrics(core, memory, withScratch);

  return Object.freeze({
    simd: core.simdBuild(),
    version: VERSION,
    alloc,
    softmax: rowwise('softmax', core.softmax),
    logSoftmax: rowwise('logSoftmax', core.logSoftmax),
    softmaxBackward,
    sigmoid,
    crossEntropy: (input, target, opts) => crossEntropyCall('crossEntropy', input, target, opts, false),
    crossEntropyWithGrad: (input, target, opts) => crossEntropyCall('crossEntropyWithGrad', input, target, opts, true),
    binaryCrossEntropy: (input, target, opts) => bceCall('binaryCrossEntropy', input, target, opts, false),
    binaryCrossEntropyWithGrad: (input, target, opts) =>
      bceCall('binaryCrossEntropyWithGrad', input, target, opts, true),
    entropy,
    klDivergence,
    evaluate,
    evaluator,
    Classifier: createClassifier(core, memory, withScratch),
  });
}
