// entropy and klDivergence, one value per position (cpp/kernels/entropy.cc).
import * as check from './check.js';
import { REDUCTION } from './call.js';

const FROM = ['logits', 'probs'];

export function createEntropy({ kernel, memory, call, withScratch, result, input }) {
  // inputs: [name, array] pairs of floats of one layout (the class axis `dim`, default 1); the first is the
  // main input (float16 crosses as halves), the others cross as float32. kernel(k, ...pointers, out)
  // returns the reduced value; per-position values go to out.
  function perRow(fn, o, defaultReduction, inputs, fields, kernel) {
    const reduction = check.oneOf(fn, 'reduction', o.reduction, check.REDUCTIONS, defaultReduction);
    const baseScale = check.baseScale(fn, o.base);
    const checked = inputs.map(([name, x]) => check.floats(fn, name, x));
    const g = check.geometry(fn, o, inputs[0][0], checked[0].length, 1);
    for (let i = 1; i < checked.length; i++) check.sameLength(fn, inputs[i][0], checked[i], checked[0].length);
    const n = g.positions;
    const out = check.resultOut(fn, o.out, reduction, n, memory, false);
    return withScratch(fn, (s) => {
      const dtype = input(s, checked[0], g);
      const ptrs = checked.map((x, i) => (i === 0 ? s.floats(x) : s.floats32(x)));
      const values = reduction === 'none' ? result(s, out, n, [], false) : null;
      const k = call(
        { outer: g.outer, classes: g.classes, inner: g.inner, reduction: REDUCTION[reduction], baseScale, ...fields },
        dtype,
      );
      const value = kernel(k, ...ptrs, values?.ptr ?? 0);
      return values ? values.finish() : value;
    });
  }

  function entropy(p, opts) {
    const o = check.options('entropy', opts, true);
    return perRow('entropy', o, 'none', [['p', p]], {}, kernel.entropy);
  }

  function klDivergence(p, q, opts) {
    const fn = 'klDivergence';
    const o = check.options(fn, opts, true);
    const from = check.oneOf(fn, 'from', o.from, FROM, 'probs');
    const inputs = [
      ['p', p],
      ['q', q],
    ];
    return perRow(fn, o, 'mean', inputs, { fromProbs: from === 'probs' }, kernel.klDivergence);
  }

  return { entropy, klDivergence };
}
