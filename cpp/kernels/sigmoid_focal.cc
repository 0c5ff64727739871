// Sigmoid focal loss, element-wise, as torchvision.ops.sigmoid_focal_loss: p = sigmoid(x), ce = BCE with
// logits, M = 1 - p_t = t (1 - p) + (1 - t) p,
//   loss = a_t ce M^g,   a_t = alpha t + (1 - alpha)(1 - t) when alpha >= 0, else 1,
//   d loss / d x = a_t (M^g (p - t) + g M^g (p (1 - p) / M) (1 - 2t) ce),
// using d ce / d x = p - t and d M / d x = (1 - 2t) p (1 - p). p and 1 - p come from e = exp(-|x|) without
// cancellation, ce from softplus (see binary_cross_entropy.cc), and M = t (1 - p) + (1 - t) p is a sum of
// non-negative terms. For integer g >= 1 the second term is g M^(g-1) p (1 - p) (1 - 2t) ce, products only
// (a division per element measured 40% of the kernel). Otherwise M^g (p (1 - p) / M), whose ratio is <= 1
// (p (1 - p) <= min(p, 1 - p) <= M), taken as 0 where it is 0 / 0; M^g is then exp(g log M) in float32,
// with M below 2^-126 giving 0 (a flush worth at most (2^-126)^g of the loss) so that the scalar and the SIMD
// builds agree. The second term is 0 wherever p (1 - p) is (x = +-Infinity: no 0 * Infinity).
#include <cmath>

#include "../simd/rows.h"
#include "../xentropy.h"
#include "elementwise.h"
#include "focal.h"

namespace xe {
namespace {

#ifdef __wasm_simd128__
// M^g for M in [0, 1], four lanes: products for integer g, else exp(g log M) with M < 2^-126 giving 0.
inline v128_t power4(v128_t M, const Gamma& g, v128_t vg, const ExpConsts& ek, const Log1pConsts& lk) {
  if (g.integer >= 0) {
    v128_t p = lk.one;
    for (int i = 0; i < g.integer; i++) p = wasm_f32x4_mul(p, M);
    return p;
  }
  const v128_t tiny = wasm_f32x4_splat(0x1p-126f);
  const v128_t p = exp_nonpos(wasm_f32x4_mul(vg, log_pos(wasm_f32x4_pmax(M, tiny), lk)), ek);
  return wasm_v128_and(p, wasm_f32x4_ge(M, tiny));
}
#endif

inline float power1(float M, const Gamma& g) {
  if (g.integer >= 0) {
    float p = 1.0f;
    for (int i = 0; i < g.integer; i++) p *= M;
    return p;
  }
  const float p = exp_nonpos(g.value * log_pos(M < 0x1p-126f ? 0x1p-126f : M));
  return M >= 0x1p-126f ? p : 0.0f;
}

// One element: x the logit, y the target in [0, 1], w its weight. The same operations as the vector form.
Terms sigmoid_focal_terms(float x, float y, float w, const Gamma& g, bool use_alpha, float alpha) {
  const float pos = y, neg = 1.0f - y;
  const float e = exp_nonpos(-std::fabs(x)), l = log1p_unit(e);
  float ce = 0.0f;
  if (neg != 0.0f) ce += neg * ((x > 0.0f ? x : 0.0f) + l);
  if (pos != 0.0f) ce += pos * ((x < 0.0f ? -x : 0.0f) + l);
  const float r = 1.0f / (1.0f + e), er = e * r;
  const float sig = x >= 0.0f ? r : er, cosig = x >= 0.0f ? er : r;
  const float M = pos * cosig + neg * sig, sc = sig * cosig;
  float pw, slope;  // M^g, and g M^g p (1 - p) / M (d M^g / d x = slope (1 - 2t))
  if (g.integer >= 1) {
    float pm1 = 1.0f;
    for (int i = 1; i < g.integer; i++) pm1 *= M;
    pw = pm1 * M;
    slope = g.value * pm1 * sc;
  } else if (g.integer == 0) {
    pw = 1.0f;
    slope = 0.0f;
  } else {
    pw = power1(M, g);
    slope = g.value * pw * (M != 0.0f ? sc / M : 0.0f);
  }
  const float dce = sig * neg - cosig * pos;  // p - y
  const float curve = sc != 0.0f ? slope * (neg - pos) * ce : 0.0f;
  // alpha t + (1 - alpha)(1 - t) as (1 - alpha) + (2 alpha - 1) t, times the weight.
  const float aw = (use_alpha ? (1.0f - alpha) + (alpha - (1.0f - alpha)) * pos : 1.0f) * w;
  if (x != x) return {x, x};
  return {aw * (ce * pw), aw * (pw * dce + curve)};
}

}  // namespace

double sigmoid_focal_loss(const Call& k, const float* x, const float* y, const float* weight, float* loss_out,
                          float* grad) {
  const size_t len = k.length();
  const bool mean = k.reduction == kMean;
  if (mean && len == 0) return NAN;
  const double scale = k.base_scale / (mean ? static_cast<double>(len) : 1.0);
  const float out_scale = static_cast<float>(k.base_scale), grad_scale = static_cast<float>(scale);
  const Gamma g(k.gamma);
  const bool use_alpha = k.alpha >= 0.0f;
  const float alpha = k.alpha;
  auto one = [&](float xi, float yi, float wi) {
    return sigmoid_focal_terms(xi, yi, wi, g, use_alpha, alpha);
  };
#ifdef __wasm_simd128__
  const ExpConsts ek;
  const Log1pConsts lk;
  const v128_t zero = wasm_f32x4_splat(0.0f), vg = wasm_f32x4_splat(g.value);
  const v128_t va = wasm_f32x4_splat(1.0f - alpha), vb = wasm_f32x4_splat(alpha - (1.0f - alpha));
  auto vec = [&](v128_t vx, v128_t pos, v128_t w) {
    const v128_t neg = wasm_f32x4_sub(lk.one, pos);
    const v128_t e = exp_nonpos(wasm_f32x4_neg(wasm_f32x4_abs(vx)), ek), l = log1p_unit(e, lk);
    const v128_t sp = wasm_f32x4_add(wasm_f32x4_pmax(zero, vx), l);                  // softplus(x)
    const v128_t sn = wasm_f32x4_add(wasm_f32x4_pmax(zero, wasm_f32x4_neg(vx)), l);  // softplus(-x)
    const v128_t ce = wasm_f32x4_add(wasm_v128_and(wasm_f32x4_mul(neg, sp), wasm_f32x4_ne(neg, zero)),
                                     wasm_v128_and(wasm_f32x4_mul(pos, sn), wasm_f32x4_ne(pos, zero)));
    const v128_t r = wasm_f32x4_div(lk.one, wasm_f32x4_add(lk.one, e)), er = wasm_f32x4_mul(e, r);
    const v128_t ge = wasm_f32x4_ge(vx, zero);
    const v128_t sig = wasm_v128_bitselect(r, er, ge), cosig = wasm_v128_bitselect(er, r, ge);
    const v128_t M = wasm_f32x4_add(wasm_f32x4_mul(pos, cosig), wasm_f32x4_mul(neg, sig));
    const v128_t sc = wasm_f32x4_mul(sig, cosig);
    v128_t pw, slope;
    if (g.integer >= 1) {
      v128_t pm1 = lk.one;
      for (int i = 1; i < g.integer; i++) pm1 = wasm_f32x4_mul(pm1, M);
      pw = wasm_f32x4_mul(pm1, M);
      slope = wasm_f32x4_mul(wasm_f32x4_mul(vg, pm1), sc);
    } else if (g.integer == 0) {
      pw = lk.one;
      slope = zero;
    } else {
      pw = power4(M, g, vg, ek, lk);
      const v128_t ratio = wasm_v128_and(wasm_f32x4_div(sc, M), wasm_f32x4_ne(M, zero));
      slope = wasm_f32x4_mul(wasm_f32x4_mul(vg, pw), ratio);
    }
    const v128_t dce = wasm_f32x4_sub(wasm_f32x4_mul(sig, neg), wasm_f32x4_mul(cosig, pos));
    const v128_t curve = wasm_v128_and(wasm_f32x4_mul(wasm_f32x4_mul(slope, wasm_f32x4_sub(neg, pos)), ce),
                                       wasm_f32x4_ne(sc, zero));
    const v128_t aw = use_alpha ? wasm_f32x4_mul(wasm_f32x4_add(va, wasm_f32x4_mul(vb, pos)), w) : w;
    const v128_t loss = wasm_f32x4_mul(aw, wasm_f32x4_mul(ce, pw));
    const v128_t dx = wasm_f32x4_mul(aw, wasm_f32x4_add(wasm_f32x4_mul(pw, dce), curve));
    const v128_t nan = wasm_f32x4_ne(vx, vx);  // all-ones bits are a NaN
    return Terms4{wasm_v128_or(loss, nan), wasm_v128_or(dx, nan)};
  };
#else
  auto vec = nullptr;
#endif
  const double total =
      elementwise_loss(x, y, weight, loss_out, grad, len, out_scale, grad_scale, true, vec, one);
  return total * (mean ? scale : k.base_scale);
}

}  // namespace xe
