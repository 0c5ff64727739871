// topK: the k largest entries per position, with their probabilities or log-probabilities
// (cpp/kernels/topk.cc). One kernel call per input; the row is read once whatever `values` is. Results
// have the input's shape with shape[dim] replaced by k: (outer, k, inner), row-major.
import * as check from './check.js';

const VALUES = ['input', 'probs', 'logProbs'];

export function createTopK({ kernel, memory, call, withScratch, input }) {
  function topK(x, k, opts) {
    const fn = 'topK';
    const o = check.options(fn, opts, true);
    const X = check.floats(fn, 'x', x);
    const g = check.geometry(fn, o, 'x', X.length, -1);
    if (typeof k !== 'number') throw new TypeError(`${fn}: k must be a number, got ${check.describe(k)}`);
    if (!Number.isInteger(k) || k < 1 || k > g.classes) {
      throw new RangeError(`${fn}: k = ${k} must be an integer in [1, ${g.classes}]`);
    }
    const values = VALUES.indexOf(check.oneOf(fn, 'values', o.values, VALUES, 'input'));
    const t = check.number(fn, 'temperature', o.temperature, 1, { min: 0, minOpen: true });
    const length = g.positions * k;
    return withScratch(fn, (s) => {
      const dtype = input(s, X, g);
      const px = s.floats(X);
      const pi = s.alloc(length * 4);
      const pv = s.alloc(length * 4);
      const desc = { outer: g.outer, classes: g.classes, inner: g.inner, topK: k, values, invTemperature: 1 / t };
      kernel.topK(call(desc, dtype), px, pi, pv);
      return {
        indices: memory.i32.slice(pi >>> 2, (pi >>> 2) + length),
        values: memory.f32.slice(pv >>> 2, (pv >>> 2) + length),
      };
    });
  }

  return { topK };
}
