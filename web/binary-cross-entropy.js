// sigmoid, binaryCrossEntropy and binaryCrossEntropyWithGrad, element-wise over any length
// (cpp/kernels/binary_cross_entropy.cc).
import * as check from './check.js';
import { REDUCTION } from './call.js';

const FROM = ['logits', 'probs'];
// BCE clamps p to [eps, 1 - eps], which is empty above 1/2.
const BCE_EPS = { min: 0, max: 0.5, minOpen: true };

export function createBinaryCrossEntropy({ kernel, memory, call, withScratch, result, blockwise, inputSpans }) {
  function sigmoid(x, opts) {
    const fn = 'sigmoid';
    const o = check.options(fn, opts, false);
    const X = check.floats(fn, 'x', x);
    const out = check.out(fn, o.out, X.length, memory);
    return withScratch(fn, (s) => {
      const dtype = inputSpans(s, X);
      const run = (px, py, length) => kernel.sigmoid(call({ outer: length }, dtype), px, py);
      if (X.data) return blockwise(s, X, out, X.length, 1, 1, run);
      const r = result(s, out, X.length, [X], true); // y may alias x (float32; a float16 array is never an out)
      run(s.floats(X), r.ptr, X.length);
      return r.finish();
    });
  }

  function run(fn, input, target, opts, withGrad) {
    const o = check.options(fn, opts, false);
    const from = check.oneOf(fn, 'from', o.from, FROM, 'logits');
    const reduction = check.oneOf(fn, 'reduction', o.reduction, check.REDUCTIONS, 'mean');
    const eps = check.number(fn, 'eps', o.eps, 1e-7, BCE_EPS);
    const posWeight = check.number(fn, 'posWeight', o.posWeight, 1);
    const smoothing = check.number(fn, 'labelSmoothing', o.labelSmoothing, 0, { min: 0, max: 1 });
    const baseScale = check.baseScale(fn, o.base);
    const { X, Y, W, out } = check.elementwise(fn, input, target, o, reduction, memory, withGrad);
    return withScratch(fn, (s) => {
      const dtype = inputSpans(s, X);
      const px = s.floats(X); // float16 crosses as halves; the target and weights as float32
      const py = s.floats32(Y);
      const pw = W ? s.floats32(W) : 0;
      const losses = reduction === 'none' ? result(s, withGrad ? undefined : out, X.length, [], false) : null;
      // Element-wise: grad may alias x, y or weight (cpp/xentropy.h).
      const grad = withGrad ? result(s, out, X.length, [X, Y, W], true) : null;
      const k = call(
        {
          outer: X.length,
          reduction: REDUCTION[reduction],
          fromProbs: from === 'probs',
          eps,
          posWeight,
          smoothing,
          baseScale,
        },
        dtype,
      );
      const value = kernel.binaryCrossEntropy(k, px, py, pw, losses?.ptr ?? 0, grad?.ptr ?? 0);
      const loss = losses ? losses.finish() : value;
      return withGrad ? { loss, grad: grad.finish() } : loss;
    });
  }

  return {
    sigmoid,
    binaryCrossEntropy: (input, target, opts) => run('binaryCrossEntropy', input, target, opts, false),
    binaryCrossEntropyWithGrad: (input, target, opts) => run('binaryCrossEntropyWithGrad', input, target, opts, true),
  };
}
