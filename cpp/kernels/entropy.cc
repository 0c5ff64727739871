// Entropy H(p) = -sum p log p and KL divergence D(p || q) = sum p (log p - log q), per row.
// A zero probability in p contributes exactly 0 (0 log 0 = 0, and 0 * log 0 of q too). Sums in float64.
#include <cmath>

#include "../simd/rows.h"
#include "../xentropy.h"

namespace xe {
namespace {

double reduce(const Call& k, double total) {
  const size_t n = k.outer;
  if (k.reduction == kMean) return n == 0 ? NAN : total * k.base_scale / static_cast<double>(n);
  return total * k.base_scale;
}

}  // namespace

// p: (n, c); loss_out: (n) or null.
double entropy(const Call& k, const float* p, float* loss_out) {
  const size_t n = k.outer, c = k.classes;
  double total = 0.0;
  for (size_t i = 0; i < n; i++) {
    const float* pi = p + i * c;
    double h = 0.0;
    for (size_t j = 0; j < c; j++)
      if (pi[j] != 0.0f) h -= pi[j] * std::log(static_cast<double>(pi[j]));
    total += h;
    if (loss_out) loss_out[i] = static_cast<float>(h * k.base_scale);
  }
  return reduce(k, total);
}

// p, q: (n, c); q holds logits unless k.from_probs, and then log q = z - m - log(sum exp(z - m)).
double kl_divergence(const Call& k, const float* p, const float* q, float* loss_out) {
  const size_t n = k.outer, c = k.classes;
  const bool q_logits = !k.from_probs;
  double total = 0.0;
  for (size_t i = 0; i < n; i++) {
    const float* pi = p + i * c;
    const float* qi = q + i * c;
    float m = 0.0f;
    double log_s = 0.0;
    if (q_logits) {
      const RowRange r = row_range(qi, c);
      m = r.max;
      log_s = std::log(row_sum_exp(qi, c, r, 1.0f, nullptr));
    }
    double d = 0.0;
    for (size_t j = 0; j < c; j++) {
      if (pi[j] == 0.0f) continue;
      const double log_q =
          q_logits ? (static_cast<double>(qi[j]) - m) - log_s : std::log(static_cast<double>(qi[j]));
      d += pi[j] * (std::log(static_cast<double>(pi[j])) - log_q);
    }
    total += d;
    if (loss_out) loss_out[i] = static_cast<float>(d * k.base_scale);
  }
  return reduce(k, total);
}

}  // namespace xe
