// crossEntropy and crossEntropyWithGrad (cpp/kernels/cross_entropy.cc), PyTorch's F.cross_entropy.
import * as check from './check.js';
import { REDUCTION } from './call.js';
import { WasmArray } from './memory.js';

const FROM = ['logits', 'probs'];

// A target of length n (the positions) holds class indices, of length n * c (the input's) a distribution
// per position in the input's layout (with c = 1, indices). Integer typed arrays are always indices; a
// WasmArray (float32 or float16) is always a distribution.
export function ceTarget(fn, target, n, c, ignoreIndex) {
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

export function createCrossEntropy({ kernel, memory, call, withScratch, result, input }) {
  function run(fn, x, target, opts, withGrad) {
    const o = check.options(fn, opts, true);
    const from = check.oneOf(fn, 'from', o.from, FROM, 'logits');
    const reduction = check.oneOf(fn, 'reduction', o.reduction, check.REDUCTIONS, 'mean');
    const ignoreIndex = check.integer(fn, 'ignoreIndex', o.ignoreIndex, -100);
    const smoothing = check.number(fn, 'labelSmoothing', o.labelSmoothing, 0, { min: 0, max: 1 });
    const eps = check.number(fn, 'eps', o.eps, 1e-7, check.OPEN_UNIT);
    const zLoss = check.number(fn, 'zLoss', o.zLoss, 0, { min: 0 });
    if (zLoss !== 0 && from !== 'logits') {
      throw new RangeError(
        `${fn}: options.zLoss = ${zLoss} needs logits (the log-sum-exp of the input), got from: '${from}'`,
      );
    }
    const baseScale = check.baseScale(fn, o.base);
    const X = check.floats(fn, 'input', x);
    const g = check.geometry(fn, o, 'input', X.length, 1);
    const c = g.classes;
    const n = g.positions;
    const W = o.weight === undefined ? null : check.classWeights(fn, 'options.weight', o.weight, c);
    const { dense, labels } = ceTarget(fn, target, n, c, ignoreIndex);
    const out = check.resultOut(fn, o.out, reduction, withGrad ? n * c : n, memory, withGrad);
    return withScratch(fn, (s) => {
      const dtype = input(s, X, g);
      const px = s.floats(X); // float16 crosses as halves; the target and weights as float32
      const pt = dense ? s.floats32(dense) : 0;
      const pl = labels ? s.labels(labels) : 0;
      const pw = W ? s.floats32(W) : 0;
      const losses = reduction === 'none' ? result(s, withGrad ? undefined : out, n, [], false) : null;
      // grad must not alias x, target or weight (cpp/xentropy.h).
      const grad = withGrad ? result(s, out, n * c, [X, dense, W], false) : null;
      const k = call(
        {
          outer: g.outer,
          classes: c,
          inner: g.inner,
          reduction: REDUCTION[reduction],
          ignoreIndex,
          fromProbs: from === 'probs',
          smoothing,
          eps,
          zLoss,
          baseScale,
        },
        dtype,
      );
      const value = kernel.crossEntropy(k, px, pl, pt, pw, losses?.ptr ?? 0, grad?.ptr ?? 0);
      const loss = losses ? losses.finish() : value;
      return withGrad ? { loss, grad: grad.finish() } : loss;
    });
  }

  return {
    crossEntropy: (input, target, opts) => run('crossEntropy', input, target, opts, false),
    crossEntropyWithGrad: (input, target, opts) => run('crossEntropyWithGrad', input, target, opts, true),
  };
}
