// softmax, logSoftmax and softmaxBackward over rows of C classes (cpp/kernels/softmax.cc).
import * as check from './check.js';

export function createSoftmax({ core, memory, call, withScratch, result, blockwise }) {
  // softmax and logSoftmax: (n, c) in, (n, c) out; the kernels may work in place.
  function rowwise(fn, kernel) {
    return (x, opts) => {
      const o = check.options(fn, opts, true);
      const c = check.classes(fn, o.classes);
      const t = check.number(fn, 'temperature', o.temperature, 1, { min: 0, minOpen: true });
      const X = check.floats(fn, 'x', x);
      const n = check.rows(fn, 'x', X.length, c);
      const out = check.out(fn, o.out, X.length, memory);
      const run = (px, py, rows) => kernel(call({ outer: rows, classes: c, invTemperature: 1 / t }), px, py);
      return withScratch(fn, (s) => {
        if (!X.wasm) return blockwise(s, X, out, n, c, (p, rows) => run(p, p, rows));
        const r = result(s, out, X.length, [X], true);
        run(s.floats(X), r.ptr, n);
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
      const r = result(s, out, P.length, [P, G], true); // dx may alias p or g (cpp/xentropy.h)
      core.softmaxBackward(call({ outer: n, classes: c }), pp, pg, r.ptr);
      return r.finish();
    });
  }

  return {
    softmax: rowwise('softmax', core.softmax),
    logSoftmax: rowwise('logSoftmax', core.logSoftmax),
    softmaxBackward,
  };
}
