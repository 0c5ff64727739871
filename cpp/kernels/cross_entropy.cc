// Cross-entropy between a target distribution and softmax(x) (or probabilities x), and its gradient.
//
// Every variant is a weighted negative log-likelihood: per row, loss = sum_j a_j * -log q_j, where the
// coefficients a_j come from the target:
//   class index t:   a_j = (1 - eps) * w_t * [j == t] + (eps / C) * w_j
//   distribution y:  a_j = w_j * ((1 - eps) * y_j + eps / C)
// (w = per-class weights, 1 without them; eps = label smoothing). A zero a_j contributes exactly 0, even
// where log q_j is -Infinity. With logits z, -log q_j = lse - z_j = log(s) + (m - z_j), where m = max z
// and s = sum exp(z - m), and the gradient is the familiar
//   d loss / d z_j = A * softmax(z)_j - a_j,   A = sum_j a_j.
// z-loss (PaLM; Liger-Kernel's lse_square_scale) adds zeta * lse^2 to each counted row, lse = m + log(s), the
// log-sum-exp the row already has; since d lse / d z_j = softmax(z)_j, it adds 2 * zeta * lse * softmax(z)_j
// to the gradient, which is one more term in the factor of the stored exponentials:
//   d loss / d z_j = (A + 2 zeta lse) * softmax(z)_j - a_j.
// This file holds the rows (class axis last) and the driver; a class axis not last is
// cross_entropy_columns.cc.
#include "cross_entropy.h"

#include <cmath>
#include <vector>

#include "../parallel.h"
#include "../simd/rows.h"
#include "../xentropy.h"
#include "log_sum.h"

namespace xe {
namespace {

using cross_entropy_detail::Options;

// The coefficient row a (c) for a distribution target row y, or the shared smoothing part for labels.
void fill_coefficients(const float* y, const float* weight, float smoothing, size_t c, float* a) {
  const float alpha = 1.0f - smoothing, beta = smoothing / static_cast<float>(c);
  for (size_t j = 0; j < c; j++) a[j] = (weight ? weight[j] : 1.0f) * ((y ? alpha * y[j] : 0.0f) + beta);
}

// Returns sum_j a_j and adds sum_j a_j * (m - z_j), skipping zero coefficients, to *weighted.
double coefficient_sums(const float* z, const float* a, size_t c, float m, double* weighted) {
  size_t j = 0;
  double sum_a = 0.0, sum_az = 0.0;
#ifdef __wasm_simd128__
  const v128_t vm = wasm_f32x4_splat(m), zero = wasm_f32x4_splat(0.0f);
  v128_t a_lo = wasm_f64x2_splat(0.0), a_hi = a_lo, az_lo = a_lo, az_hi = a_lo;
  for (; j + 4 <= c; j += 4) {
    const v128_t va = wasm_v128_load(a + j);
    const v128_t term = wasm_f32x4_mul(va, wasm_f32x4_sub(vm, wasm_v128_load(z + j)));
    add_f64(va, a_lo, a_hi);
    add_f64(wasm_v128_and(term, wasm_f32x4_ne(va, zero)), az_lo, az_hi);
  }
  sum_a = hsum_f64(a_lo, a_hi);
  sum_az = hsum_f64(az_lo, az_hi);
#endif
  for (; j < c; j++) {
    sum_a += a[j];
    if (a[j] != 0.0f) sum_az += a[j] * (m - z[j]);
  }
  *weighted += sum_az;
  return sum_a;
}

// What a row from logits z (c, range r: Input::row) needs after its pass over z: m = max z, s = sum exp(z -
// m) (the exponentials stored into g when g != null), A = sum_j a_j, sum_j a_j (m - z_j), and wt, the target
// class's own coefficient. t: the class index or -1; a: the coefficient row (null for a plain class index
// without smoothing).
struct RowSums {
  double s, sum_a, weighted;
  float m, wt;
};
__attribute__((always_inline)) inline RowSums row_sums(const float* z, RowRange r, int32_t t, const float* a,
                                                       size_t c, const Options& o, float* g) {
  const float m = r.max;
  const double s = row_sum_exp(z, c, r, 1.0f, g);  // g holds exp(z - m) until row_finish
  const float wt = t >= 0 ? (o.weight ? o.weight[t] : 1.0f) * (1.0f - o.smoothing) : 0.0f;
  double sum_a = 0.0, weighted = 0.0;
  if (a) sum_a = coefficient_sums(z, a, c, m, &weighted);
  if (wt != 0.0f) {
    sum_a += wt;
    weighted += static_cast<double>(wt) * (static_cast<double>(m) - z[t]);
  }
  return {s, sum_a, weighted, m, wt};
}

// The rest of the row: the gradient (g: the exponentials in, the gradient out) and the returned loss in
// nats. With z-loss, log_s = log(s) from the caller (z-loss rows take their logs a block at a time); without,
// log_s is not read, and with logs != null a row whose sum of coefficients is exactly 1 (a plain class
// index, unweighted) leaves its log(s) to logs (the log of a running product, log_sum.h) instead of the
// returned loss. Every float64 log is log_f64 (vmath.h).
__attribute__((always_inline)) inline double row_finish(const RowSums& r, double log_s, int32_t t,
                                                        const float* a, size_t c, const Options& o, float* g,
                                                        LogSum* logs) {
  // z-loss: lse = m + log(s) in float64 (log(s) in [0, log C]).
  const double lse = o.z_loss != 0.0f ? static_cast<double>(r.m) + log_s : 0.0;
  const double z_term = o.z_loss != 0.0f ? static_cast<double>(o.z_loss) * lse * lse : 0.0;
  if (g) {
    const float scale = static_cast<float>(o.grad_scale);
    const float k = static_cast<float>(o.grad_scale * (r.sum_a + 2.0 * o.z_loss * lse) / r.s);
    if (a) {
      grad_from_exp(g, a, c, k, scale);
    } else {
      row_scale(g, c, k);
    }
    if (r.wt != 0.0f) g[t] -= r.wt * scale;
  }
  if (r.sum_a == 0.0) return r.weighted + z_term;
  if (o.z_loss != 0.0f) return r.sum_a * log_s + r.weighted + z_term;
  if (logs && r.sum_a == 1.0) {
    logs->add(r.s);
    return r.weighted;
  }
  return r.sum_a * log_f64(r.s) + r.weighted;
}

// One row from logits z (c): row_sums, then row_finish.
double row_from_logits(const float* z, RowRange range, int32_t t, const float* a, size_t c, const Options& o,
                       float* g, LogSum* logs) {
  const RowSums r = row_sums(z, range, t, a, c, o, g);
  return row_finish(r, o.z_loss != 0.0f ? log_f64(r.s) : 0.0, t, a, c, o, g, logs);
}

// One row from probabilities q (c): loss = sum_j a_j * -log(clamp(q_j, eps, 1)); the gradient
// -a_j / q_j flows only where q_j is inside the clamp.
double row_from_probs(const float* q, int32_t t, const float* a, size_t c, const Options& o, float* g) {
  const float wt = t >= 0 ? (o.weight ? o.weight[t] : 1.0f) * (1.0f - o.smoothing) : 0.0f;
  const float scale = static_cast<float>(o.grad_scale);
  double loss = 0.0;
  auto term = [&](size_t j, float aj) {
    const float qj = q[j];
    const float clamped = qj < o.eps ? o.eps : (qj > 1.0f ? 1.0f : qj);  // NaN passes through
    loss -= static_cast<double>(aj) * std::log(static_cast<double>(clamped));
    if (g && qj >= o.eps && qj <= 1.0f) g[j] -= aj * scale / qj;
  };
  if (g)
    for (size_t j = 0; j < c; j++) g[j] = 0.0f;
  if (a)
    for (size_t j = 0; j < c; j++)
      if (a[j] != 0.0f) term(j, a[j]);
  if (wt != 0.0f) term(static_cast<size_t>(t), wt);
  return loss;
}

}  // namespace

double cross_entropy(const Call& k, const void* x, const int32_t* labels, const float* target,
                     const float* weight, float* loss_out, float* grad) {
  const size_t outer = k.outer, c = k.classes, inner = k.inner, n = k.positions(), size = c * inner;
  const int32_t ignore_index = k.ignore_index;
  const float smoothing = k.smoothing;
  const Reduction reduction = static_cast<Reduction>(k.reduction);
  const double base_scale = k.base_scale;
  // The mean divides by the summed weights of the target classes of the positions that count (labels),
  // or by their number n (distributions), as PyTorch does over N d1 ... dk. A zero divisor gives NaN and
  // an all-zero gradient.
  double divisor = static_cast<double>(n);
  if (labels) {
    divisor = 0.0;
    for (size_t i = 0; i < n; i++)
      if (labels[i] != ignore_index) divisor += weight ? weight[labels[i]] : 1.0f;
  }
  if (reduction == kMean && divisor == 0.0) {
    if (grad)
      for (size_t i = 0; i < n * c; i++) grad[i] = 0.0f;
    return NAN;
  }
  const Options o{weight, smoothing, k.eps, k.z_loss, base_scale / (reduction == kMean ? divisor : 1.0)};

  // Coefficients of rows: for labels with smoothing the shared part (eps / C) * w, computed once; for
  // distributions one row at a time, in each chunk's own row. (Columns form theirs on the fly.)
  std::vector<float> shared;
  if (inner == 1 && labels && smoothing != 0.0f) {
    shared.resize(c);
    fill_coefficients(nullptr, weight, smoothing, c, shared.data());
  }

  using cross_entropy_detail::slab;
  using cross_entropy_detail::tile_floats;
  // Chunks of rows (inner = 1) or of whole (c, inner) slabs run on any thread (parallel.h); each adds up
  // its own losses, and the chunks' sums are added in chunk order.
  const Input in(k, x);
  // z-loss rows (inner = 1, logits) in blocks of kBlock: the sums of each row of the block, then their logs,
  // then their gradients and losses, so that no row's log holds up its gradient and the block's logs
  // overlap (at 256 x 10, a log per row in the row's own chain made z-loss with gradient 1.5x the time of
  // cross-entropy with gradient; blocked, 1.25x). Each row's arithmetic is row_from_logits', so no result
  // depends on the blocking or on the threads. Only z-loss: plain rows measured 9% slower in blocks at C = 10
  // (they take no log per row, LogSum below).
  auto z_loss_rows = [&](size_t begin, size_t end) __attribute__((noinline)) {
    constexpr size_t kBlock = 8;
    std::vector<float> a(target ? kBlock * c : 0);
    RowSums rs[kBlock];
    int32_t t[kBlock];
    double log_s[kBlock], sum = 0.0;
    auto coefficients = [&](size_t i) -> const float* {
      return target ? a.data() + i * c : (shared.empty() ? nullptr : shared.data());
    };
    for (size_t r0 = begin; r0 < end; r0 += kBlock) {
      const size_t nb = end - r0 < kBlock ? end - r0 : kBlock;
      for (size_t i = 0; i < nb; i++) {
        const size_t r = r0 + i;
        float* gr = grad ? grad + r * c : nullptr;
        t[i] = labels ? labels[r] : -1;
        if (labels && t[i] == ignore_index) {
          if (gr)
            for (size_t j = 0; j < c; j++) gr[j] = 0.0f;
          if (loss_out) loss_out[r] = 0.0f;
          rs[i].s = 1.0;
          continue;
        }
        if (target) fill_coefficients(target + r * c, weight, smoothing, c, a.data() + i * c);
        rs[i] = in.row(r, [&](const float* z, RowRange range) {
          return row_sums(z, range, t[i], coefficients(i), c, o, gr);
        });
      }
      for (size_t i = 0; i < nb; i++) log_s[i] = log_f64(rs[i].s);
      for (size_t i = 0; i < nb; i++) {
        const size_t r = r0 + i;
        if (labels && t[i] == ignore_index) continue;
        const double loss =
            row_finish(rs[i], log_s[i], t[i], coefficients(i), c, o, grad ? grad + r * c : nullptr, nullptr);
        sum += loss;
        if (loss_out) loss_out[r] = static_cast<float>(loss * base_scale);
      }
    }
    return sum;
  };
  const double total = parallel_sum_rows(outer, size, [&](size_t begin, size_t end) {
    if (inner == 1 && o.z_loss != 0.0f && !k.from_probs) return z_loss_rows(begin, end);
    std::vector<float> a(inner == 1 && target ? c : 0);
    const float* ar = inner == 1 && target ? a.data() : (shared.empty() ? nullptr : shared.data());
    std::vector<float> tiles(inner > 1 ? tile_floats(c) : 0);
    double sum = 0.0;
    LogSum logs;  // used only when no per-position losses are asked for
    LogSum* row_logs = loss_out ? nullptr : &logs;
    for (size_t r = begin; r < end; r++) {
      float* gr = grad ? grad + r * size : nullptr;
      if (inner != 1) {
        sum += slab(k, o, in.slab(r), labels ? labels + r * inner : nullptr,
                    target ? target + r * size : nullptr, c, inner, gr,
                    loss_out ? loss_out + r * inner : nullptr, row_logs, tiles.data());
        continue;
      }
      int32_t t = -1;
      if (labels) {
        t = labels[r];
        if (t == ignore_index) {
          if (gr)
            for (size_t j = 0; j < c; j++) gr[j] = 0.0f;
          if (loss_out) loss_out[r] = 0.0f;
          continue;
        }
      } else {
        fill_coefficients(target + r * c, weight, smoothing, c, a.data());
      }
      const double loss = k.from_probs ? row_from_probs(in.slab(r), t, ar, c, o, gr)
                                       : in.row(r, [&](const float* z, RowRange range) {
                                           return row_from_logits(z, range, t, ar, c, o, gr, row_logs);
                                         });
      sum += loss;
      if (loss_out) loss_out[r] = static_cast<float>(loss * base_scale);
    }
    return sum + logs.total();
  });
  return reduction == kMean ? total * base_scale / divisor : total * base_scale;
}

}  // namespace xe
