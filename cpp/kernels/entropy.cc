// Entropy H(p) = -sum p log p and KL divergence D(p || q) = sum p (log p - log q), per position.
// A zero probability in p contributes exactly 0 (0 log 0 = 0, and 0 * log 0 of q too). Sums in float64.
// p, q: (outer, c, inner); per-position results in row-major order of (outer, inner).
#include <cmath>

#include "../parallel.h"
#include "../simd/columns.h"
#include "../simd/rows.h"
#include "../xentropy.h"

namespace xe {
namespace {

double reduce(const Call& k, double total) {
  const size_t n = k.positions();
  if (k.reduction == kMean) return n == 0 ? NAN : total * k.base_scale / static_cast<double>(n);
  return total * k.base_scale;
}

// -sum p log p over the c classes of one position, its classes `stride` apart.
double entropy_at(const float* p, size_t c, size_t stride) {
  double h = 0.0;
  for (size_t j = 0; j < c; j++) {
    const float v = p[j * stride];
    if (v != 0.0f) h -= v * std::log(static_cast<double>(v));
  }
  return h;
}

// sum p (log p - log q) over one position, classes `stride` apart; log q = (z - m) - log_s for logits.
double kl_at(const float* p, const float* q, size_t c, size_t stride, bool q_logits, float m, double log_s) {
  double d = 0.0;
  for (size_t j = 0; j < c; j++) {
    const float pj = p[j * stride], qj = q[j * stride];
    if (pj == 0.0f) continue;
    const double log_q = q_logits ? (static_cast<double>(qj) - m) - log_s : std::log(static_cast<double>(qj));
    d += pj * (std::log(static_cast<double>(pj)) - log_q);
  }
  return d;
}

// The entropies of slabs [begin, end) of p: (outer, c, inner), and their sum. One chunk of parallel_rows;
// out of line, so that parallel_sum_rows's two cases (one chunk or several) do not each get a copy.
[[gnu::noinline]] double entropy_slabs(const Call& k, const Input& in, float* loss_out, size_t begin,
                                       size_t end) {
  const size_t c = k.classes, inner = k.inner;
  double sum = 0.0;
  for (size_t o = begin; o < end; o++) {
    const float* po = in.slab(o);
    for (size_t i = 0; i < inner; i++) {
      const double h = entropy_at(po + i, c, inner);
      sum += h;
      if (loss_out) loss_out[o * inner + i] = static_cast<float>(h * k.base_scale);
    }
  }
  return sum;
}

// As entropy_slabs for D(p || q), q float32 of the same layout.
[[gnu::noinline]] double kl_slabs(const Call& k, const Input& in, const float* q, float* loss_out,
                                  size_t begin, size_t end) {
  const size_t c = k.classes, inner = k.inner, size = c * inner;
  const bool q_logits = !k.from_probs;
  double sum = 0.0;
  auto emit = [&](size_t at, double d) {
    sum += d;
    if (loss_out) loss_out[at] = static_cast<float>(d * k.base_scale);
  };
  for (size_t o = begin; o < end; o++) {
    const float* po = in.slab(o);
    const float* qo = q + o * size;
    if (inner == 1) {
      float m = 0.0f;
      double log_s = 0.0;
      if (q_logits) {
        const RowRange r = row_range(qo, c);
        m = r.max;
        log_s = std::log(row_sum_exp(qo, c, r, 1.0f, nullptr));
      }
      emit(o, kl_at(po, qo, c, 1, q_logits, m, log_s));
      continue;
    }
    size_t i = 0;
#ifdef __wasm_simd128__
    if (q_logits) {
      const ExpConsts K;
      for (; i + 4 <= inner; i += 4) {
        const v128_t m = col_max4(qo, c, inner, i);
        v128_t lo, hi;
        col_sum_exp4(qo, c, inner, i, m, K, lo, hi);
        float mm[4];
        double s[4];
        wasm_v128_store(mm, m);
        store_f64x4(s, lo, hi);
        for (int l = 0; l < 4; l++)
          emit(o * inner + i + l, kl_at(po + i + l, qo + i + l, c, inner, true, mm[l], std::log(s[l])));
      }
    }
#endif
    for (; i < inner; i++) {
      float m = 0.0f;
      double log_s = 0.0;
      if (q_logits) {
        m = col_max(qo, c, inner, i);
        log_s = std::log(col_sum_exp(qo, c, inner, i, m, 1.0f, nullptr));
      }
      emit(o * inner + i, kl_at(po + i, qo + i, c, inner, q_logits, m, log_s));
    }
  }
  return sum;
}

}  // namespace

// p: (outer, c, inner) of k.dtype; loss_out: (outer * inner) or null. Every term needs a float64 log, so
// the loop is scalar in both layouts; with the class axis not last it reads the classes strided, in place.
// Chunks of rows (inner = 1) or of whole (c, inner) slabs run on any thread (parallel.h); their sums are
// added in chunk order, so the result does not depend on the number of threads.
double entropy(const Call& k, const void* probs, float* loss_out) {
  const Input in(k, probs);
  const double total =
      parallel_sum_rows(k.outer, static_cast<size_t>(k.classes) * k.inner,
                        [&](size_t begin, size_t end) { return entropy_slabs(k, in, loss_out, begin, end); });
  return reduce(k, total);
}

// p of k.dtype, q float32: (outer, c, inner); q holds logits unless k.from_probs, and then
// log q = z - m - log(sum exp(z - m)), whose max and sum of exponentials take four positions per vector
// when the class axis is not last (columns.h), one row at a time (rows.h) when it is. Chunks as in entropy.
double kl_divergence(const Call& k, const void* probs, const float* q, float* loss_out) {
  const Input in(k, probs);
  const double total =
      parallel_sum_rows(k.outer, static_cast<size_t>(k.classes) * k.inner,
                        [&](size_t begin, size_t end) { return kl_slabs(k, in, q, loss_out, begin, end); });
  return reduce(k, total);
}

}  // namespace xe
