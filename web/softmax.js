// softmax, logSoftmax and softmaxBackward over rows of C classes (cpp/kernels/softmax.cc).
import * as check from './check.js';

export function createSoftmax({ core, memory, call, withScratch, result, blockwise, input }) {
  // softmax and logSoftmax: (outer, c, inner) in and out, the class axis `dim` (default the last); the
  // kernels may work in place on float32.
  function rowwise(fn, kernel) {
    return (x, opts) => {
      const o = check.options(fn, opts, true);
      const t = check.number(fn, 'temperature', o.temperature, 1, { min: 0, minOpen: true });
      const X = check.floats(fn, 'x', x);
      const g = check.geometry(fn, o, 'x', X.length, -1);
      const out = check.out(fn, o.out, X.length, memory);
      const size = g.classes * g.inner;
      const fields = { classes: g.classes, inner: g.inner, invTemperature: 1 / t };
      return withScratch(fn, (s) => {
        const dtype = input(s, X, g);
        const run = (px, py, outer) => kernel(call({ ...fields, ...dtype, outer }), px, py);
        if (X.data && X.dtype === 'float32') return blockwise(s, X, out, g.outer, size, (p, n) => run(p, p, n));
        const r = result(s, out, X.length, [X], X.dtype === 'float32');
        run(s.floats(X), r.ptr, g.outer);
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
