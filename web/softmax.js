// softmax, logSoftmax and softmaxBackward along a class axis (cpp/kernels/softmax.cc).
import * as check from './check.js';

export function createSoftmax({ kernel, memory, call, withScratch, result, blockwise, input }) {
  // softmax and logSoftmax: (outer, c, inner) in and out, the class axis `dim` (default the last); the
  // kernels may work in place on float32.
  function rowwise(fn, kernel) {
    return (x, opts) => {
      const o = check.options(fn, opts, true);
      const t = check.number(fn, 'temperature', o.temperature, 1, { min: 0, minOpen: true });
      const X = check.floats(fn, 'x', x);
      const g = check.geometry(fn, o, 'x', X.length, -1);
      const out = check.out(fn, o.out, X.length, memory);
      return withScratch(fn, (s) => {
        const dtype = input(s, X, g);
        const run = (px, py, outer, inner) =>
          kernel(call({ outer, classes: g.classes, inner, invTemperature: 1 / t }, dtype), px, py);
        if (X.data) return blockwise(s, X, out, g.outer, g.classes, g.inner, run);
        const r = result(s, out, X.length, [X], X.dtype === 'float32');
        run(s.floats(X), r.ptr, g.outer, g.inner);
        return r.finish();
      });
    };
  }

  // softmaxBackward: probs (main input, float16 crosses as halves) and gradOut (float32) of the same layout.
  function softmaxBackward(probs, gradOut, opts) {
    const fn = 'softmaxBackward';
    const o = check.options(fn, opts, true);
    const P = check.floats(fn, 'probs', probs);
    const g = check.geometry(fn, o, 'probs', P.length, -1);
    const G = check.sameLength(fn, 'gradOut', check.floats(fn, 'gradOut', gradOut), P.length);
    const out = check.out(fn, o.out, P.length, memory);
    return withScratch(fn, (s) => {
      const dtype = input(s, P, g);
      const pp = s.floats(P);
      const pg = s.floats32(G);
      // dx may alias p or g (cpp/xentropy.h); a float16 array is never an out.
      const r = result(s, out, P.length, [P, G], true);
      kernel.softmaxBackward(call({ outer: g.outer, classes: g.classes, inner: g.inner }, dtype), pp, pg, r.ptr);
      return r.finish();
    });
  }

  return {
    softmax: rowwise('softmax', kernel.softmax),
    logSoftmax: rowwise('logSoftmax', kernel.logSoftmax),
    softmaxBackward,
  };
}
