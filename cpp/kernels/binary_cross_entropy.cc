// sigmoid and binary cross-entropy, element-wise.
//
// From logits x, with the positive term scaled by pos_weight (PyTorch's BCEWithLogits):
//   loss = w * (pos_weight * y * softplus(-x) + (1 - y) * softplus(x))
//   d loss / d x = w * (sigmoid(x) * (1 - y + pos_weight * y) - pos_weight * y)
// softplus(x) = max(x, 0) + log1p(exp(-|x|)) never overflows. From probabilities p, clamped to
// [eps, 1 - eps]: loss = -w * (pos_weight * y * log p + (1 - y) * log(1 - p)), with no gradient where the
// clamp is active. A term whose coefficient is zero contributes exactly 0, even at x = +-Infinity.
// Label smoothing eps (Keras) first replaces y by y * (1 - eps) + eps / 2, in float32; eps = 0 leaves y as
// it is (y * 1 + 0).
// The terms are computed in float32 (SIMD); the reduction accumulates in float64.
#include <cmath>

#include "../parallel.h"
#include "../simd/rows.h"
#include "../xentropy.h"
#include "elementwise.h"

namespace xe {

// x, y: (len); x of k.dtype. With e = exp(-|x|): sigmoid(x) = 1 / (1 + e) for x >= 0 and e / (1 + e)
// otherwise, so the exponential never overflows and both tails keep full relative precision. Spans of
// kSpan elements, so that float16 input widens into a bounded work buffer.
void sigmoid(const Call& call, const void* input, float* out) {
  const size_t len = call.length();
  const Input in(call, input);
  for (size_t at = 0; at < len; at += kSpan) {
    const size_t span = len - at < kSpan ? len - at : kSpan;
    const float* x = in.span(at, span);
    float* y = out + at;
    size_t j = 0;
#ifdef __wasm_simd128__
    const ExpConsts k;
    const v128_t one = wasm_f32x4_splat(1.0f), zero = wasm_f32x4_splat(0.0f);
    for (; j + 4 <= span; j += 4) {
      const v128_t v = wasm_v128_load(x + j);
      const v128_t e = exp_nonpos(wasm_f32x4_neg(wasm_f32x4_abs(v)), k);
      const v128_t r = wasm_f32x4_div(one, wasm_f32x4_add(one, e));
      wasm_v128_store(y + j, wasm_v128_bitselect(r, wasm_f32x4_mul(e, r), wasm_f32x4_ge(v, zero)));
    }
#endif
    for (; j < span; j++) {
      const float e = exp_nonpos(-std::fabs(x[j]));
      const float r = 1.0f / (1.0f + e);
      y[j] = x[j] >= 0.0f ? r : e * r;
    }
  }
}

namespace {

// From logits, in float32: the shared terms of elementwise.h (logit_terms), after label smoothing, with
// the positive coefficient scaled by pos_weight.
double bce_logits(const float* x, const float* y, const float* weight, float* loss_out, float* grad,
                  size_t len, float pos_weight, float smoothing, float out_scale, float grad_scale) {
  const float keep = 1.0f - smoothing, lift = smoothing * 0.5f;
  auto one = [=](float xi, float yi, float wi) {
    yi = yi * keep + lift;
    const Logit t = logit_terms(xi, pos_weight * yi, 1.0f - yi);
    return Terms{t.ce * wi, t.dce * wi};
  };
#ifdef __wasm_simd128__
  const LogitConsts k;
  const v128_t pw = wasm_f32x4_splat(pos_weight), vkeep = wasm_f32x4_splat(keep),
               vlift = wasm_f32x4_splat(lift);
  auto vec = [&](v128_t vx, v128_t vy, v128_t w) {
    vy = wasm_f32x4_add(wasm_f32x4_mul(vy, vkeep), vlift);
    const Logit4 t = logit_terms(vx, wasm_f32x4_mul(pw, vy), wasm_f32x4_sub(k.l.one, vy), k);
    return Terms4{wasm_f32x4_mul(t.ce, w), wasm_f32x4_mul(t.dce, w)};
  };
#else
  auto vec = nullptr;
#endif
  return elementwise_loss(x, y, weight, loss_out, grad, len, out_scale, grad_scale, true, vec, one);
}

// From probabilities, in float32. With u the smaller of x and 1 - x (1 - x is exact for x >= 1/2),
// clamped to >= eps, the two logs are log_pos(u) and log1p_unit(-u), so neither loses the relative
// precision of a small loss: -log(1 - 1e-6) is 1e-6 to a few ulp. This is the clamp of p to
// [eps, 1 - eps], with 1 - eps taken exactly. The gradient (1 - y) / (1 - x) - pw y / x flows only
// inside the clamp; a NaN x gives a NaN loss and no gradient.
Terms prob_terms(float x, float y, float w, float pos_weight, float eps, float keep, float lift) {
  y = y * keep + lift;
  const float pos = pos_weight * y, neg = 1.0f - y;
  const bool low = x <= 0.5f;
  const float u0 = low ? x : 1.0f - x;
  const float u = eps < u0 ? u0 : eps;
  const float ls = log_pos(u), lb = log1p_unit(-u);  // the logs of the smaller and the larger of p, 1 - p
  const float log_p = low ? ls : lb, log_q = low ? lb : ls;
  const float loss = -(pos * log_p + neg * log_q) * w;
  const bool inside = x >= eps && (low || 1.0f - x >= eps);
  const float dx = inside ? (neg / (1.0f - x) - pos / x) * w : 0.0f;
  return {x != x ? x : loss, dx};
}

// SIMD unless eps is subnormal (the vector log_pos takes normal numbers only).
double bce_probs(const float* x, const float* y, const float* weight, float* loss_out, float* grad,
                 size_t len, float pos_weight, float eps, float smoothing, float out_scale,
                 float grad_scale) {
  const float keep = 1.0f - smoothing, lift = smoothing * 0.5f;
  auto one = [=](float xi, float yi, float wi) {
    return prob_terms(xi, yi, wi, pos_weight, eps, keep, lift);
  };
#ifdef __wasm_simd128__
  const Log1pConsts k;
  const v128_t half = wasm_f32x4_splat(0.5f), pw = wasm_f32x4_splat(pos_weight), veps = wasm_f32x4_splat(eps);
  const v128_t vkeep = wasm_f32x4_splat(keep), vlift = wasm_f32x4_splat(lift);
  auto vec = [&](v128_t vx, v128_t vy, v128_t w) {
    vy = wasm_f32x4_add(wasm_f32x4_mul(vy, vkeep), vlift);
    const v128_t pos = wasm_f32x4_mul(pw, vy), neg = wasm_f32x4_sub(k.one, vy);
    const v128_t low = wasm_f32x4_le(vx, half), rest = wasm_f32x4_sub(k.one, vx);
    const v128_t u = wasm_f32x4_pmax(veps, wasm_v128_bitselect(vx, rest, low));
    const v128_t ls = log_pos(u, k), lb = log1p_unit(wasm_f32x4_neg(u), k);
    const v128_t log_p = wasm_v128_bitselect(ls, lb, low), log_q = wasm_v128_bitselect(lb, ls, low);
    const v128_t loss =
        wasm_f32x4_neg(wasm_f32x4_add(wasm_f32x4_mul(pos, log_p), wasm_f32x4_mul(neg, log_q)));
    const v128_t inside =
        wasm_v128_and(wasm_f32x4_ge(vx, veps), wasm_v128_or(low, wasm_f32x4_ge(rest, veps)));
    const v128_t dx = wasm_f32x4_sub(wasm_f32x4_div(neg, rest), wasm_f32x4_div(pos, vx));
    return Terms4{wasm_v128_or(wasm_f32x4_mul(loss, w), wasm_f32x4_ne(vx, vx)),  // all-ones bits: NaN
                  wasm_v128_and(wasm_f32x4_mul(dx, w), inside)};
  };
#else
  auto vec = nullptr;
#endif
  return elementwise_loss(x, y, weight, loss_out, grad, len, out_scale, grad_scale, eps >= 0x1p-126f, vec,
                          one);
}

}  // namespace

double elementwise_call(const Call& k, const void* input, const float* y, const float* weight,
                        float* loss_out, float* grad, SpanFn span, const void* context) {
  static_assert(kChunkElements == kSpan, "a chunk of elements is one span");
  const size_t len = k.length();
  const bool mean = k.reduction == kMean;
  if (mean && len == 0) return NAN;
  const double scale = k.base_scale / (mean ? static_cast<double>(len) : 1.0);
  const float out_scale = static_cast<float>(k.base_scale), grad_scale = static_cast<float>(scale);
  const Input in(k, input);
  const double total = parallel_sum_rows(len, 1, [&](size_t begin, size_t end) {
    const size_t n = end - begin;
    const float* x = in.span(begin, n);
#ifdef __wasm_simd128__
    const size_t body = n & ~size_t{3};
#else
    const size_t body = n;
#endif
    double sum =
        span(context, x, y + begin, weight ? weight + begin : nullptr, loss_out ? loss_out + begin : nullptr,
             grad ? grad + begin : nullptr, body, out_scale, grad_scale);
    if (body < n) {  // rows of b: x, y, weight, losses, gradient
      alignas(16) float b[5][4] = {};
      const size_t at = begin + body, rest = n - body;
      for (size_t j = 0; j < rest; j++) {
        b[0][j] = x[body + j];
        b[1][j] = y[at + j];
        b[2][j] = weight ? weight[at + j] : 1.0f;
      }
      sum += span(context, b[0], b[1], b[2], b[3], b[4], 4, out_scale, grad_scale);
      for (size_t j = 0; j < rest; j++) {
        if (loss_out) loss_out[at + j] = b[3][j];
        if (grad) grad[at + j] = b[4][j];
      }
    }
    return sum;
  });
  return total * (mean ? scale : k.base_scale);
}

// x, y, weight, loss_out, grad: (len), x of k.dtype; weight, loss_out and grad may be null.
double binary_cross_entropy(const Call& k, const void* input, const float* y, const float* weight,
                            float* loss_out, float* grad) {
  auto span = [](const void* context, const float* x, const float* yy, const float* w, float* lo, float* g,
                 size_t n, float out_scale, float grad_scale) {
    const Call& c = *static_cast<const Call*>(context);
    return c.from_probs
               ? bce_probs(x, yy, w, lo, g, n, c.pos_weight, c.eps, c.smoothing, out_scale, grad_scale)
               : bce_logits(x, yy, w, lo, g, n, c.pos_weight, c.smoothing, out_scale, grad_scale);
  };
  return elementwise_call(k, input, y, weight, loss_out, grad, span, &k);
}

}  // namespace xe
