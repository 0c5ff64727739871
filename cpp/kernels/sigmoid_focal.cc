// Sigmoid focal loss, element-wise, as torchvision.ops.sigmoid_focal_loss: p = sigmoid(x), ce = BCE with
// logits, M = 1 - p_t = t (1 - p) + (1 - t) p,
//   loss = a_t ce M^g,   a_t = alpha t + (1 - alpha)(1 - t) when alpha >= 0, else 1,
//   d loss / d x = a_t (M^g (p - t) + g M^g (p (1 - p) / M) (1 - 2t) ce),
// using d ce / d x = p - t and d M / d x = (1 - 2t) p (1 - p).
//
// One pass over the elements, loss and gradient together: ce, p - t, p and 1 - p are BCE's terms
// (logit_terms in elementwise.h, from e = exp(-|x|) without cancellation, ce from softplus), and the
// focal factor only multiplies them; the loop, the float64 sum of the losses, the chunks on the thread pool
// and the reduction are elementwise.h's too.
//
// M^g = (1 - p_t)^g. M = t (1 - p) + (1 - t) p is a sum of non-negative terms, each to float32 precision,
// so M has full relative precision both as p_t -> 1 (M -> 0, where the focal factor matters) and as
// p_t -> 0 (M -> 1). For integer g up to 4 (Gamma, focal.h) M^g is a product, exact at M = 0, and the
// second term is g M^(g-1) p (1 - p) (1 - 2t) ce, products only (a division per element measured 40% of
// the kernel). Otherwise M^g = exp(g log1p(-p_t)) = exp(g log M), and the second term M^g (p (1 - p) / M):
// - a hard target (t = 0 or 1, the usual case) has M = p or 1 - p, so log M = -softplus(-x) or
//   -softplus(x), which BCE's terms already hold to a few ulp at both ends (no log, no division), and
//   p (1 - p) / M = 1 - p or p;
// - a soft target takes log M from log_pos, within a few ulp of log1p(-p_t) at both ends; M below 2^-126
//   gives 0 (a flush worth at most (2^-126)^g of the loss) so that the scalar and the SIMD builds agree;
//   the ratio p (1 - p) / M <= 1 (p (1 - p) <= min(p, 1 - p) <= M) is taken as 0 where it is 0 / 0.
// The vector form chooses lane by lane as the scalar one does, and computes the soft-target path only for
// a vector that has one. The second term is 0 wherever p (1 - p) is (x = +-Infinity: no 0 * Infinity).
//
// Targets outside [0, 1] (or NaN) are found in the same pass and make the result NaN: web/focal.js then
// looks for the bad target, which costs a pass over the targets only when the result is NaN, instead of
// one on every call (it measured 0.3x the time of a BCE with gradient). Outputs are written regardless;
// web/focal.js computes them into scratch memory and copies them out only after that check (and checks
// first when they go straight into a WasmArray).
#include <cmath>

#include "../xentropy.h"
#include "elementwise.h"
#include "focal.h"

namespace xe {
namespace {

struct Options {
  Gamma g;
  bool use_alpha;
  float alpha;
};

// One element: x the logit, y the target in [0, 1], w its weight. The same operations as the vector form.
Terms sigmoid_focal_terms(float x, float y, float w, const Options& o) {
  const Gamma& g = o.g;
  const float pos = y, neg = 1.0f - y;
  const Logit b = logit_terms(x, pos, neg);
  const float M = pos * b.cosig + neg * b.sig, sc = b.sig * b.cosig;
  float pw, slope;  // M^g, and g M^g p (1 - p) / M (d M^g / d x = slope (1 - 2t))
  if (g.integer >= 1) {
    float pm1 = 1.0f;
    for (int i = 1; i < g.integer; i++) pm1 *= M;
    pw = pm1 * M;
    slope = g.value * pm1 * sc;
  } else if (g.integer == 0) {
    pw = 1.0f;
    slope = 0.0f;
  } else if (pos == 0.0f || pos == 1.0f) {  // a hard target: log M = -softplus(+-x), sc / M = p or 1 - p
    pw = exp_nonpos(g.value * -(pos != 0.0f ? b.sp : b.sn));
    slope = g.value * pw * (pos != 0.0f ? b.sig : b.cosig);
  } else {
    const float p = exp_nonpos(g.value * log_pos(M < 0x1p-126f ? 0x1p-126f : M));
    pw = M >= 0x1p-126f ? p : 0.0f;
    slope = g.value * pw * (M != 0.0f ? sc / M : 0.0f);
  }
  const float curve = sc != 0.0f ? slope * (neg - pos) * b.ce : 0.0f;
  // alpha t + (1 - alpha)(1 - t) as (1 - alpha) + (2 alpha - 1) t, times the weight.
  const float aw = (o.use_alpha ? (1.0f - o.alpha) + (o.alpha - (1.0f - o.alpha)) * pos : 1.0f) * w;
  return {aw * (b.ce * pw), aw * (pw * b.dce + curve)};
}

double span(const void* context, const float* x, const float* y, const float* weight, float* loss_out,
            float* grad, size_t len, float out_scale, float grad_scale) {
  const Options& o = *static_cast<const Options*>(context);
  bool ok = true;  // every target in [0, 1] (NaN is not)
  auto one = [&](float xi, float yi, float wi) {
    ok = ok && yi >= 0.0f && yi <= 1.0f;
    return sigmoid_focal_terms(xi, yi, wi, o);
  };
#ifdef __wasm_simd128__
  const Gamma& g = o.g;
  const LogitConsts k;
  const v128_t zero = k.zero, one4 = k.l.one, vg = wasm_f32x4_splat(g.value);
  const v128_t va = wasm_f32x4_splat(1.0f - o.alpha), vb = wasm_f32x4_splat(o.alpha - (1.0f - o.alpha));
  const v128_t tiny = wasm_f32x4_splat(0x1p-126f);
  v128_t in_range = wasm_i32x4_splat(-1);
  auto vec = [&](v128_t vx, v128_t pos, v128_t w) {
    in_range = wasm_v128_and(in_range, wasm_v128_and(wasm_f32x4_ge(pos, zero), wasm_f32x4_le(pos, one4)));
    const v128_t neg = wasm_f32x4_sub(one4, pos);
    const Logit4 b = logit_terms(vx, pos, neg, k);
    const v128_t M = wasm_f32x4_add(wasm_f32x4_mul(pos, b.cosig), wasm_f32x4_mul(neg, b.sig));
    const v128_t sc = wasm_f32x4_mul(b.sig, b.cosig);
    v128_t pw, slope;
    if (g.integer >= 1) {
      v128_t pm1 = one4;
      for (int i = 1; i < g.integer; i++) pm1 = wasm_f32x4_mul(pm1, M);
      pw = wasm_f32x4_mul(pm1, M);
      slope = wasm_f32x4_mul(wasm_f32x4_mul(vg, pm1), sc);
    } else if (g.integer == 0) {
      pw = one4;
      slope = zero;
    } else {
      // Lane by lane as the scalar form: hard targets (0 or 1) take log M = -softplus(+-x) and
      // sc / M = p or 1 - p; the others, only when a vector has one, log_pos and the division.
      const v128_t hard = wasm_v128_or(wasm_f32x4_eq(pos, zero), wasm_f32x4_eq(pos, one4));
      const v128_t positive = wasm_f32x4_ne(pos, zero);
      v128_t log_m = wasm_f32x4_neg(wasm_v128_bitselect(b.sp, b.sn, positive));
      v128_t ratio = wasm_v128_bitselect(b.sig, b.cosig, positive), keep = hard;
      if (!wasm_i32x4_all_true(hard)) {
        log_m = wasm_v128_bitselect(log_m, log_pos(wasm_f32x4_pmax(M, tiny), k.l), hard);
        ratio =
            wasm_v128_bitselect(ratio, wasm_v128_and(wasm_f32x4_div(sc, M), wasm_f32x4_ne(M, zero)), hard);
        keep = wasm_v128_or(hard, wasm_f32x4_ge(M, tiny));
      }
      pw = wasm_v128_and(exp_nonpos(wasm_f32x4_mul(vg, log_m), k.e), keep);
      slope = wasm_f32x4_mul(wasm_f32x4_mul(vg, pw), ratio);
    }
    const v128_t curve = wasm_v128_and(wasm_f32x4_mul(wasm_f32x4_mul(slope, wasm_f32x4_sub(neg, pos)), b.ce),
                                       wasm_f32x4_ne(sc, zero));
    const v128_t aw = o.use_alpha ? wasm_f32x4_mul(wasm_f32x4_add(va, wasm_f32x4_mul(vb, pos)), w) : w;
    return Terms4{wasm_f32x4_mul(aw, wasm_f32x4_mul(b.ce, pw)),
                  wasm_f32x4_mul(aw, wasm_f32x4_add(wasm_f32x4_mul(pw, b.dce), curve))};
  };
#else
  auto vec = nullptr;
#endif
  const double sum =
      elementwise_loss(x, y, weight, loss_out, grad, len, out_scale, grad_scale, true, vec, one);
#ifdef __wasm_simd128__
  ok = ok && wasm_i32x4_all_true(in_range);
#endif
  return ok ? sum : NAN;
}

}  // namespace

double sigmoid_focal_loss(const Call& k, const float* x, const float* y, const float* weight, float* loss_out,
                          float* grad) {
  const Options o{Gamma(k.gamma), k.alpha >= 0.0f, k.alpha};
  return elementwise_call(k, x, y, weight, loss_out, grad, span, &o);
}

}  // namespace xe
