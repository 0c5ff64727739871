// focalLoss, focalLossWithGrad (multi-class) and sigmoidFocalLoss, sigmoidFocalLossWithGrad (element-wise)
// (cpp/kernels/focal.cc). Lin et al. 2017; the sigmoid form is torchvision.ops.sigmoid_focal_loss.
import * as check from './check.js';
import { REDUCTION } from './call.js';
import { ceTarget } from './cross-entropy.js';
import { WasmArray } from './memory.js';

const FROM = ['logits', 'probs'];
const GAMMA = { min: 0 }; // finite and >= 0

// Options of crossEntropy that focal loss does not take: a TypeError that says what to use instead, rather
// than a loss silently computed without them.
function refuse(fn, o, names) {
  for (const [name, instead] of names) {
    if (o[name] !== undefined) throw new TypeError(`${fn}: options.${name} is not an option of ${fn}${instead}`);
  }
}

export function createFocal({ kernel, memory, call, withScratch, result, input: inputFields }) {
  function multi(fn, input, target, opts, withGrad) {
    const o = check.options(fn, opts, true);
    refuse(fn, o, [
      ['weight', '; per-class weights are options.alpha'],
      ['zLoss', ''],
    ]);
    const from = check.oneOf(fn, 'from', o.from, FROM, 'logits');
    const reduction = check.oneOf(fn, 'reduction', o.reduction, check.REDUCTIONS, 'mean');
    const ignoreIndex = check.integer(fn, 'ignoreIndex', o.ignoreIndex, -100);
    const smoothing = check.number(fn, 'labelSmoothing', o.labelSmoothing, 0, { min: 0, max: 1 });
    const eps = check.number(fn, 'eps', o.eps, 1e-7, check.OPEN_UNIT);
    const gamma = check.number(fn, 'gamma', o.gamma, 2, GAMMA);
    const baseScale = check.baseScale(fn, o.base);
    const X = check.floats(fn, 'input', input);
    // (outer, C, inner) from classes, or from shape + dim (class axis 1 by default, PyTorch's (N, C, d1, ...)).
    const geo = check.geometry(fn, o, 'input', X.length, 1);
    const c = geo.classes;
    const n = geo.positions;
    // alpha: one number for every class, or one per class.
    const A =
      typeof o.alpha === 'number' || o.alpha === undefined ? null : check.classWeights(fn, 'options.alpha', o.alpha, c);
    const alpha = A ? 1 : check.number(fn, 'alpha', o.alpha, 1, { min: 0 });
    const { dense, labels } = ceTarget(fn, target, n, c, ignoreIndex);
    const out = check.resultOut(fn, o.out, reduction, withGrad ? X.length : n, memory, withGrad);
    return withScratch(fn, (s) => {
      const px = s.floats(X); // float16 crosses as halves, widened by the kernel a slab at a time
      const pt = dense ? s.floats32(dense) : 0;
      const pl = labels ? s.labels(labels) : 0;
      const pa = A ? s.floats32(A) : 0;
      const losses = reduction === 'none' ? result(s, withGrad ? undefined : out, n, [], false) : null;
      // grad must not alias x, target or alpha (cpp/xentropy.h).
      const grad = withGrad ? result(s, out, X.length, [X, dense, A], false) : null;
      const k = call(
        {
          outer: geo.outer,
          classes: c,
          inner: geo.inner,
          reduction: REDUCTION[reduction],
          ignoreIndex,
          fromProbs: from === 'probs',
          smoothing,
          eps,
          gamma,
          alpha,
          baseScale,
        },
        inputFields(s, X, geo),
      );
      const value = kernel.focalLoss(k, px, pl, pt, pa, losses?.ptr ?? 0, grad?.ptr ?? 0);
      const loss = losses ? losses.finish() : value;
      return withGrad ? { loss, grad: grad.finish() } : loss;
    });
  }

  function sigmoid(fn, input, target, opts, withGrad) {
    const o = check.options(fn, opts, false);
    const reduction = check.oneOf(fn, 'reduction', o.reduction, check.REDUCTIONS, 'mean');
    const gamma = check.number(fn, 'gamma', o.gamma, 2, GAMMA);
    // torchvision: alpha < 0 turns the class balance off; any finite number is accepted.
    const alpha = check.number(fn, 'alpha', o.alpha, 0.25);
    const baseScale = check.baseScale(fn, o.base);
    const { X, Y, W, out } = check.elementwise(fn, input, target, o, reduction, memory, withGrad);
    // Targets outside [0, 1] make the kernel's result NaN (cpp/kernels/sigmoid_focal.cc), and only then are
    // they searched here for the error, before any output is copied out. An output computed straight into
    // a WasmArray is checked first, so that it stays untouched.
    if (out instanceof WasmArray) check.unitValues(fn, 'target', Y);
    return withScratch(fn, (s) => {
      // Element-wise: a float16 input is widened to a float32 copy here (exactly, as the contract asks).
      const px = s.floats32(X);
      const py = s.floats32(Y);
      const pw = W ? s.floats32(W) : 0;
      const losses = reduction === 'none' ? result(s, withGrad ? undefined : out, X.length, [], false) : null;
      // Element-wise: grad may alias x, y or weight (cpp/xentropy.h).
      const grad = withGrad ? result(s, out, X.length, [X, Y, W], true) : null;
      const k = call({ outer: X.length, reduction: REDUCTION[reduction], gamma, alpha, baseScale });
      const value = kernel.sigmoidFocalLoss(k, px, py, pw, losses?.ptr ?? 0, grad?.ptr ?? 0);
      if (Number.isNaN(value)) check.unitValues(fn, 'target', Y);
      const loss = losses ? losses.finish() : value;
      return withGrad ? { loss, grad: grad.finish() } : loss;
    });
  }

  return {
    focalLoss: (input, target, opts) => multi('focalLoss', input, target, opts, false),
    focalLossWithGrad: (input, target, opts) => multi('focalLossWithGrad', input, target, opts, true),
    sigmoidFocalLoss: (input, target, opts) => sigmoid('sigmoidFocalLoss', input, target, opts, false),
    sigmoidFocalLossWithGrad: (input, target, opts) => sigmoid('sigmoidFocalLossWithGrad', input, target, opts, true),
  };
}
