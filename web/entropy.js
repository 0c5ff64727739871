// entropy and klDivergence, one value per row (cpp/kernels/entropy.cc).
import * as check from './check.js';
import { REDUCTION } from './call.js';

const FROM = ['logits', 'probs'];

export function createEntropy({ core, memory, call, withScratch, result }) {
  // inputs: [name, array] pairs of (n, c) floats; kernel(k, ...pointers, out) returns the reduced value.
  function perRow(fn, o, defaultReduction, inputs, fields, kernel) {
    const c = check.classes(fn, o.classes);
    const reduction = check.oneOf(fn, 'reduction', o.reduction, check.REDUCTIONS, defaultReduction);
    const baseScale = check.baseScale(fn, o.base);
    const checked = inputs.map(([name, x]) => check.floats(fn, name, x));
    const n = check.rows(fn, inputs[0][0], checked[0].length, c);
    for (let i = 1; i < checked.length; i++) check.sameLength(fn, inputs[i][0], checked[i], n * c);
    const out = check.resultOut(fn, o.out, reduction, n, memory, false);
    return withScratch(fn, (s) => {
      const ptrs = checked.map((x) => s.floats(x));
      const values = reduction === 'none' ? result(s, out, n, [], false) : null;
      const k = call({ outer: n, classes: c, reduction: REDUCTION[reduction], baseScale, ...fields });
      const value = kernel(k, ...ptrs, values?.ptr ?? 0);
      return values ? values.finish() : value;
    });
  }

  function entropy(p, opts) {
    const o = check.options('entropy', opts, true);
    return perRow('entropy', o, 'none', [['p', p]], {}, core.entropy);
  }

  function klDivergence(p, q, opts) {
    const fn = 'klDivergence';
    const o = check.options(fn, opts, true);
    const from = check.oneOf(fn, 'from', o.from, FROM, 'probs');
    const inputs = [
      ['p', p],
      ['q', q],
    ];
    return perRow(fn, o, 'mean', inputs, { fromProbs: from === 'probs' }, core.klDivergence);
  }

  return { entropy, klDivergence };
}
