// sigmoid and binary cross-entropy, element-wise.
//
// From logits x, with the positive term scaled by pos_weight (PyTorch's BCEWithLogits):
//   loss = w * (pos_weight * y * softplus(-x) + (1 - y) * softplus(x))
//   d loss / d x = w * (sigmoid(x) * (1 - y + pos_weight * y) - pos_weight * y)
// softplus(x) = max(x, 0) + log1p(exp(-|x|)) never overflows. From probabilities p, clamped to
// [eps, 1 - eps]: loss = -w * (pos_weight * y * log p + (1 - y) * log(1 - p)), with no gradient where the
// clamp is active. A term whose coefficient is zero contributes exactly 0, even at x = +-Infinity.
#include <cmath>

#include "../simd/vmath.h"
#include "../xentropy.h"

namespace xe {

// x, y: (len). With e = exp(-|x|): sigmoid(x) = 1 / (1 + e) for x >= 0 and e / (1 + e) otherwise,
// so the exponential never overflows and both tails keep full relative precision.
void sigmoid(const float* x, float* y, size_t len) {
  size_t j = 0;
#ifdef __wasm_simd128__
  const ExpConsts k;
  const v128_t one = wasm_f32x4_splat(1.0f), zero = wasm_f32x4_splat(0.0f);
  for (; j + 4 <= len; j += 4) {
    const v128_t v = wasm_v128_load(x + j);
    const v128_t e = exp_nonpos(wasm_f32x4_neg(wasm_f32x4_abs(v)), k);
    const v128_t r = wasm_f32x4_div(one, wasm_f32x4_add(one, e));
    wasm_v128_store(y + j, wasm_v128_bitselect(r, wasm_f32x4_mul(e, r), wasm_f32x4_ge(v, zero)));
  }
#endif
  for (; j < len; j++) {
    const float e = exp_nonpos(-std::fabs(x[j]));
    const float r = 1.0f / (1.0f + e);
    y[j] = x[j] >= 0.0f ? r : e * r;
  }
}

// x, y, weight, loss_out, grad: (len); weight, loss_out and grad may be null.
double binary_cross_entropy(const float* x, const float* y, const float* weight, float* loss_out, float* grad,
                            size_t len, float pos_weight, bool from_probs, float eps, Reduction reduction,
                            double base_scale) {
  if (reduction == kMean && len == 0) return NAN;
  const double scale = base_scale / (reduction == kMean ? static_cast<double>(len) : 1.0);
  double total = 0.0;
  for (size_t i = 0; i < len; i++) {
    const double xi = x[i], yi = y[i], w = weight ? weight[i] : 1.0;
    const double pos = pos_weight * yi, neg = 1.0 - yi;  // coefficients of -log p and -log(1 - p)
    double loss = 0.0, dx;
    if (from_probs) {
      const double p = xi < eps ? eps : (xi > 1.0 - eps ? 1.0 - eps : xi);  // NaN passes through
      if (pos != 0.0) loss -= pos * std::log(p);
      if (neg != 0.0) loss -= neg * std::log1p(-p);
      dx = (xi >= eps && xi <= 1.0 - eps) ? neg / (1.0 - xi) - pos / xi : 0.0;
    } else {
      const double e = std::exp(-std::fabs(xi)), l = std::log1p(e);
      if (pos != 0.0) loss += pos * (std::fmax(-xi, 0.0) + l);
      if (neg != 0.0) loss += neg * (std::fmax(xi, 0.0) + l);
      const double sig = xi >= 0.0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
      dx = sig * (neg + pos) - pos;
      if (std::isnan(xi)) loss = dx = NAN;  // fmax would drop the NaN
    }
    loss *= w;
    total += loss;
    if (loss_out) loss_out[i] = static_cast<float>(loss * base_scale);
    if (grad) grad[i] = static_cast<float>(w * dx * scale);
  }
  return total * (reduction == kMean ? scale : base_scale);
}

}  // namespace xe
