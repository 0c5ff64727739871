// What binary cross-entropy and sigmoid focal loss share: the per-element terms of BCE with logits
// (logit_terms), the loop that runs an element function four at a time and sums its losses in float64
// (elementwise_loss), and the call around it: float16 spans, chunks on the thread pool and the reduction
// (elementwise_call). Each op supplies only its own element function, a scalar and a vector twin.
#pragma once

#include <cmath>
#include <cstddef>

#include "../call.h"
#include "../parallel.h"
#include "../simd/rows.h"
#include "../simd/vmath.h"

namespace xe {

// One element's loss and gradient (times its weight; the reduction's scale is applied by the loop).
struct Terms {
  float loss, dx;
};

// BCE with logits of one element, x the logit, pos and neg the coefficients of -log p and -log(1 - p),
// p = sigmoid(x). With e = exp(-|x|) and l = log(1 + e):
//   ce = neg softplus(x) + pos softplus(-x),  softplus(+-x) = max(+-x, 0) + l (never overflows),
//   sig = p and cosig = 1 - p, as 1 / (1 + e) and e / (1 + e) (both tails keep full relative precision),
//   dce = d ce / d x = sig neg - cosig pos, a difference without the cancellation of sig - 1 near 1.
// A zero coefficient contributes exactly 0, even at x = +-Infinity; a NaN x gives NaN ce and dce (the
// max()es would drop it). l keeps its relative precision, so a confidently right prediction still gets its
// small loss to a few ulp. The scalar and vector versions are the same operations in the same order.
// sp and sn are softplus(x) = -log(1 - p) and softplus(-x) = -log p.
struct Logit {
  float ce, dce, sig, cosig, sp, sn;
};
inline Logit logit_terms(float x, float pos, float neg) {
  const float e = exp_nonpos(-std::fabs(x)), l = log1p_unit(e);
  const float sp = (x > 0.0f ? x : 0.0f) + l, sn = (x < 0.0f ? -x : 0.0f) + l;
  float ce = 0.0f;
  if (neg != 0.0f) ce += neg * sp;
  if (pos != 0.0f) ce += pos * sn;
  const float r = 1.0f / (1.0f + e), er = e * r;
  const float sig = x >= 0.0f ? r : er, cosig = x >= 0.0f ? er : r;
  const float dce = sig * neg - cosig * pos;
  if (x != x) return {x, x, sig, cosig, sp, sn};
  return {ce, dce, sig, cosig, sp, sn};
}

#ifdef __wasm_simd128__
struct Terms4 {
  v128_t loss, dx;
};
struct Logit4 {
  v128_t ce, dce, sig, cosig, sp, sn;
};
// The constants of logit_terms, loaded once per call.
struct LogitConsts {
  ExpConsts e;
  Log1pConsts l;
  v128_t zero = wasm_f32x4_splat(0.0f);
};
inline Logit4 logit_terms(v128_t x, v128_t pos, v128_t neg, const LogitConsts& k) {
  const v128_t zero = k.zero;
  const v128_t e = exp_nonpos(wasm_f32x4_neg(wasm_f32x4_abs(x)), k.e), l = log1p_unit(e, k.l);
  const v128_t sp = wasm_f32x4_add(wasm_f32x4_pmax(zero, x), l);                  // softplus(x)
  const v128_t sn = wasm_f32x4_add(wasm_f32x4_pmax(zero, wasm_f32x4_neg(x)), l);  // softplus(-x)
  const v128_t ce = wasm_f32x4_add(wasm_v128_and(wasm_f32x4_mul(neg, sp), wasm_f32x4_ne(neg, zero)),
                                   wasm_v128_and(wasm_f32x4_mul(pos, sn), wasm_f32x4_ne(pos, zero)));
  const v128_t r = wasm_f32x4_div(k.l.one, wasm_f32x4_add(k.l.one, e)), er = wasm_f32x4_mul(e, r);
  const v128_t ge = wasm_f32x4_ge(x, zero);
  const v128_t sig = wasm_v128_bitselect(r, er, ge), cosig = wasm_v128_bitselect(er, r, ge);
  const v128_t dce = wasm_f32x4_sub(wasm_f32x4_mul(sig, neg), wasm_f32x4_mul(cosig, pos));
  const v128_t nan = wasm_f32x4_ne(x, x);  // all-ones bits are a NaN
  return {wasm_v128_or(ce, nan), wasm_v128_or(dce, nan), sig, cosig, sp, sn};
}
#endif

// Four elements at a time through vec(x, y, w) when `vector` holds (the SIMD build; len is then a multiple
// of 4, as elementwise_call passes it), else one at a time through the scalar twin one(x, y, w). Where
// `vector` is the constant true, the SIMD build has no scalar copy of the element function. x, y, weight,
// loss_out, grad: (len); weight, loss_out and grad may be null; grad may alias x, y or weight (each element
// is read before it is written).
template <class Vec, class One>
double elementwise_loss(const float* x, const float* y, const float* weight, float* loss_out, float* grad,
                        size_t len, float out_scale, float grad_scale, [[maybe_unused]] bool vector,
                        [[maybe_unused]] Vec vec, One one) {
  size_t i = 0;
  double total = 0.0;
#ifdef __wasm_simd128__
  if (vector) {
    const v128_t ones = wasm_f32x4_splat(1.0f);
    const v128_t vout = wasm_f32x4_splat(out_scale), vgrad = wasm_f32x4_splat(grad_scale);
    v128_t lo = wasm_f64x2_splat(0.0), hi = lo;
    for (; i + 4 <= len; i += 4) {
      const v128_t w = weight ? wasm_v128_load(weight + i) : ones;
      const Terms4 t = vec(wasm_v128_load(x + i), wasm_v128_load(y + i), w);
      add_f64(t.loss, lo, hi);
      if (loss_out) wasm_v128_store(loss_out + i, wasm_f32x4_mul(t.loss, vout));
      if (grad) wasm_v128_store(grad + i, wasm_f32x4_mul(t.dx, vgrad));
    }
    return hsum_f64(lo, hi);
  }
#endif
  for (; i < len; i++) {
    const Terms t = one(x[i], y[i], weight ? weight[i] : 1.0f);
    total += t.loss;
    if (loss_out) loss_out[i] = t.loss * out_scale;
    if (grad) grad[i] = t.dx * grad_scale;
  }
  return total;
}

// A whole element-wise call: x (k.length(), of k.dtype), y, weight, loss_out, grad as elementwise_loss.
// span(context, x, y, weight, loss_out, grad, n, out_scale, grad_scale) computes n elements (the pointers
// already offset; weight, loss_out and grad possibly null) and returns their summed loss in nats; in the
// SIMD build n is a multiple of 4: the last n mod 4 elements of a call go through a padded copy, whose
// extra lanes (x = y = 0, weight 0) add exactly 0 and are not written out. Chunks
// of kChunkElements = kSpan elements (a multiple of 4: the same vectors as one pass) run on any thread
// (parallel.h), their sums added in chunk order, so the result does not depend on the number of threads. A
// chunk is one span: float16 x widens into the work buffer's part of the thread that runs it, kSpan floats
// per thread (web/run.js inputSpans). Returns the mean (over every element) or the sum, times base_scale.
// Not a template: one copy of the chunking and the widening serves every element-wise loss
// (binary_cross_entropy.cc defines it).
using SpanFn = double (*)(const void* context, const float* x, const float* y, const float* weight,
                          float* loss_out, float* grad, size_t n, float out_scale, float grad_scale);
double elementwise_call(const Call& k, const void* input, const float* y, const float* weight,
                        float* loss_out, float* grad, SpanFn span, const void* context);

}  // namespace xe
