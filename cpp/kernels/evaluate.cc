// Evaluation of logits (or probabilities) against class labels: the cross-entropy sum and each label's
// rank, and on request the report's extras (calibration bins, Brier score, confusion counts), all from the
// passes the loss makes over a row while it is in cache.
//
// Per counted position, with logits z scaled by 1 / T, m = max z, s = sum_j exp((z_j - m) / T):
//   loss        log(s) + (m - z_t) / T
//   prediction  the first largest entry; its probability (the confidence) is exp(0) / s = 1 / s
//   Brier       sum_j (p_j - y_j)^2 = sum_j p_j^2 - 2 p_t + 1, with sum_j p_j^2 = sum_j e_j^2 / s^2, one more
//               float64 accumulation in the exponential pass
//   rank        the label's place in topK's order: #{j < t : z_j >= z_t} + #{j > t : z_j > z_t}, so rank 0
//               means the prediction is the label, ties going to the lower index as for the prediction.
// Rows with a NaN take a scalar path for the rank and the prediction, with NaN above every number (as
// topK); their loss, confidence and Brier score are NaN.
#include <algorithm>
#include <cmath>
#include <vector>

#include "../simd/rows.h"
#include "../xentropy.h"
#include "log_sum.h"
#include "positions.h"

namespace xe {
namespace {

// Positions whose confidences and predictions are kept at a time (12 bytes each).
constexpr size_t kGroupPositions = size_t{1} << 18;

inline bool better(float a, float b) { return a > b || (a != a && b == b); }

// #{j in [begin, end) : z_j > v} (or >= v with kOrEqual).
template <bool kOrEqual>
int32_t count_above(const float* z, size_t begin, size_t end, float v) {
  int32_t n = 0;
  size_t j = begin;
#ifdef __wasm_simd128__
  const v128_t vv = wasm_f32x4_splat(v);
  v128_t acc0 = wasm_i32x4_splat(0), acc1 = acc0;  // comparisons give -1 per true lane
  auto above = [&](const float* p) {
    const v128_t z4 = wasm_v128_load(p);
    return kOrEqual ? wasm_f32x4_ge(z4, vv) : wasm_f32x4_gt(z4, vv);
  };
  for (; j + 8 <= end; j += 8) {
    acc0 = wasm_i32x4_sub(acc0, above(z + j));
    acc1 = wasm_i32x4_sub(acc1, above(z + j + 4));
  }
  for (; j + 4 <= end; j += 4) acc0 = wasm_i32x4_sub(acc0, above(z + j));
  const v128_t acc = wasm_i32x4_add(acc0, acc1);
  n = wasm_i32x4_extract_lane(acc, 0) + wasm_i32x4_extract_lane(acc, 1) + wasm_i32x4_extract_lane(acc, 2) +
      wasm_i32x4_extract_lane(acc, 3);
#endif
  for (; j < end; j++) n += kOrEqual ? z[j] >= v : z[j] > v;
  return n;
}

// The first j with z_j == m (m is in the row).
size_t first_equal(const float* z, size_t c, float m) {
  static_cast<void>(c);  // the scalar build needs no bound: m is in the row
  size_t j = 0;
#ifdef __wasm_simd128__
  // Sixteen entries per test: one any_true and one branch per 16 entries instead of per 4 (the scan
  // runs for most rows of a weak model, to the max on average half-way).
  const v128_t vm = wasm_f32x4_splat(m);
  auto eq = [&](size_t at) { return wasm_f32x4_eq(wasm_v128_load(z + at), vm); };
  while (j + 16 <= c && !wasm_v128_any_true(wasm_v128_or(wasm_v128_or(eq(j), eq(j + 4)),
                                                         wasm_v128_or(eq(j + 8), eq(j + 12)))))
    j += 16;
  while (j + 4 <= c && !wasm_v128_any_true(eq(j))) j += 4;
#endif
  while (z[j] != m) j++;
  return j;
}

// The rank and the prediction in the order with NaN above every number, for rows with a NaN (or only
// -Infinity).
int32_t rank_with_nan(const float* z, size_t c, size_t t) {
  int32_t r = 0;
  for (size_t j = 0; j < c; j++)
    if (j != t) r += better(z[j], z[t]) || (j < t && !better(z[t], z[j]));
  return r;
}
size_t first_best(const float* z, size_t c) {
  size_t best = 0;
  for (size_t j = 1; j < c; j++)
    if (better(z[j], z[best])) best = j;
  return best;
}

// s = sum_j e_j with e_j = exp((z_j - m) * scale), and *squares = sum_j e_j^2, both in float64: the
// exponential pass of row_sum_exp with one more accumulation, and as it, the exponential's clamp only for
// rows that need it (needs_clamp). The squares are added in float32 over blocks of 32 entries (8 per lane)
// before float64: sum p^2 enters the Brier score next to terms of order 1, so a relative 5e-7 on a block
// of positive terms is far below the score's other roundings, and it spares three of every four
// float64 conversions of the squares (measured: the Brier score cost 25% of an evaluation, now ~10%).
#ifdef __wasm_simd128__
template <bool kClamp>
__attribute__((noinline)) double sum_exp_squares_simd(const float* z, size_t c, float m, float scale,
                                                      double* squares) {
  const ExpConsts k;
  const v128_t vm = wasm_f32x4_splat(m), vs = wasm_f32x4_splat(scale);
  auto exp_at = [&](const float* p) {
    return exp_nonpos<kClamp>(wasm_f32x4_mul(wasm_f32x4_sub(wasm_v128_load(p), vm), vs), k);
  };
  v128_t s_lo = wasm_f64x2_splat(0.0), s_hi = s_lo, q_lo = s_lo, q_hi = s_lo;
  size_t j = 0;
  for (; j + 32 <= c; j += 32) {
    v128_t q = wasm_f32x4_splat(0.0f);
    for (size_t u = j; u < j + 32; u += 8) {
      const v128_t e0 = exp_at(z + u), e1 = exp_at(z + u + 4);
      add_f64(e0, s_lo, s_hi);
      add_f64(e1, s_lo, s_hi);
      q = wasm_f32x4_add(q, wasm_f32x4_add(wasm_f32x4_mul(e0, e0), wasm_f32x4_mul(e1, e1)));
    }
    add_f64(q, q_lo, q_hi);
  }
  for (; j + 4 <= c; j += 4) {
    const v128_t e = exp_at(z + j);
    add_f64(e, s_lo, s_hi);
    add_f64(wasm_f32x4_mul(e, e), q_lo, q_hi);
  }
  if (j < c) {
    const v128_t e = wasm_v128_and(exp_at(z + c - 4), tail_lanes(c));
    add_f64(e, s_lo, s_hi);
    add_f64(wasm_f32x4_mul(e, e), q_lo, q_hi);
  }
  *squares = hsum_f64(q_lo, q_hi);
  return hsum_f64(s_lo, s_hi);
}
#endif

double sum_exp_squares(const float* z, size_t c, RowRange r, float scale, double* squares) {
#ifdef __wasm_simd128__
  if (c >= 4)
    return needs_clamp(r, scale) ? sum_exp_squares_simd<true>(z, c, r.max, scale, squares)
                                 : sum_exp_squares_simd<false>(z, c, r.max, scale, squares);
#endif
  double s = 0.0, q = 0.0;
  for (size_t j = 0; j < c; j++) {
    const float e = exp_nonpos((z[j] - r.max) * scale);
    s += e;
    q += e * e;
  }
  *squares = q;
  return s;
}

// sum_j q_j^2 in float64 (NaN exactly when a q_j is NaN, for finite or infinite q).
double sum_squares(const float* q, size_t c) {
  size_t j = 0;
  double s = 0.0;
#ifdef __wasm_simd128__
  v128_t lo = wasm_f64x2_splat(0.0), hi = lo;
  for (; j + 4 <= c; j += 4) {
    const v128_t v = wasm_v128_load(q + j);
    add_f64(wasm_f32x4_mul(v, v), lo, hi);
  }
  s = hsum_f64(lo, hi);
#endif
  for (; j < c; j++) s += q[j] * q[j];
  return s;
}

// min(floor(conf * B), B - 1), 0 below 0; a NaN confidence (a NaN row) goes to the last bin, since NaN
// ranks above every number, and makes that bin's mean confidence NaN.
size_t bin_of(double conf, size_t bins) {
  if (conf != conf) return bins - 1;
  if (!(conf > 0.0)) return 0;
  const double b = std::floor(conf * static_cast<double>(bins));
  return b >= static_cast<double>(bins) ? bins - 1 : static_cast<size_t>(b);
}

}  // namespace

// x: (outer, c, inner) of k.dtype; labels, rank, prediction: (P), prediction null when not wanted (it is
// written for counted positions only); bins: (3, k.bins) or null (counts, confidence sums, correct
// counts); brier: one double or null. bins and brier are added to. Threads (parallel.h): chunks of slabs
// (positions.h) each add up their own loss and Brier terms, combined in chunk order; each position's
// confidence is kept and goes into the bins afterwards, in position order. So the results are the same
// bits for any number of threads.
double evaluate(const Call& k, const void* x, const int32_t* labels, int32_t* rank, int32_t* prediction,
                double* bins, double* brier) {
  const size_t c = k.classes, nbins = bins ? k.bins : 0, positions = k.positions();
  const int32_t ignore_index = k.ignore_index;
  const float inv_t = k.inv_temperature;
  const bool from_probs = k.from_probs != 0;
  // Chunks in groups of about kGroupPositions positions (at least one chunk): the per-position
  // confidences are kept for one group at a time, so their memory is bounded whatever the batch's size.
  const SlabChunks chunks(k);
  const size_t chunk_positions = chunks.per * k.inner;
  const size_t group = !bins || chunk_positions == 0        ? chunks.count
                       : chunk_positions >= kGroupPositions ? 1
                                                            : kGroupPositions / chunk_positions;
  std::vector<double> partial(2 * chunks.count);  // per chunk: the loss, the Brier terms
  std::vector<double> confidence(bins ? std::min(positions, group * chunk_positions) : 0);
  for (size_t first = 0; first < chunks.count; first += group) {
    const size_t base = first * chunk_positions;  // the group's first position
    parallel_positions(
        k, x,
        [&](size_t chunk, auto&& each) {
          double total = 0.0;  // from logits: sum of (m - z_t) / T; the log(s) terms go to logs
          double brier_sum = 0.0;
          LogSum logs;
          each([&](size_t i, const float* z) {
            const int32_t label = labels[i];
            if (label == ignore_index) {
              rank[i] = -1;
              return;
            }
            const size_t t = static_cast<size_t>(label);
            const RowRange r = row_range(z, c);
            double s = 1.0, squares = 0.0;  // s: the sum of exponentials (1 for probabilities)
            bool nan_row;
            if (from_probs) {
              const float clamped = z[t] < k.eps ? k.eps : (z[t] > 1.0f ? 1.0f : z[t]);  // NaN passes through
              total -= std::log(static_cast<double>(clamped));
              squares = sum_squares(z, c);
              nan_row = squares != squares;
            } else {
              s = brier ? sum_exp_squares(z, c, r, inv_t, &squares) : row_sum_exp(z, c, r, inv_t, nullptr);
              logs.add(s);
              total += (static_cast<double>(r.max) - z[t]) * inv_t;
              nan_row = s != s;  // a NaN in the row, or a row of only -Infinity
            }
            const int32_t rk = nan_row
                                   ? rank_with_nan(z, c, t)
                                   : count_above<true>(z, 0, t, z[t]) + count_above<false>(z, t + 1, c, z[t]);
            rank[i] = rk;
            if (brier) {
              const double pt = from_probs ? z[t] : exp_nonpos((z[t] - r.max) * inv_t) / s;
              brier_sum += (from_probs ? squares : squares / (s * s)) - 2.0 * pt + 1.0;
            }
            // The prediction's probability: 1 / s from logits (its exponential is exp(0)), the row's max from
            // probabilities; correct exactly when the label comes first (rank 0). No need for the prediction.
            if (bins)
              confidence[i - base] = nan_row ? NAN : from_probs ? static_cast<double>(r.max) : 1.0 / s;
            if (prediction)
              prediction[i] = static_cast<int32_t>(rk == 0   ? t
                                                   : nan_row ? first_best(z, c)
                                                             : first_equal(z, c, r.max));
          });
          partial[2 * chunk] = from_probs ? total : total + logs.total();
          partial[2 * chunk + 1] = brier_sum;
        },
        first, group);
    if (!bins) continue;
    const size_t end = std::min(positions, (first + group) * chunk_positions);
    for (size_t i = base; i < end; i++) {
      if (rank[i] < 0) continue;
      const double conf = confidence[i - base];
      const size_t b = bin_of(conf, nbins);
      bins[b] += 1.0;
      bins[nbins + b] += conf;
      bins[2 * nbins + b] += rank[i] == 0 ? 1.0 : 0.0;
    }
  }
  double loss = 0.0, brier_sum = 0.0;
  for (size_t i = 0; i < chunks.count; i++) {
    loss += partial[2 * i];
    brier_sum += partial[2 * i + 1];
  }
  if (brier) *brier += brier_sum;
  return loss;
}

}  // namespace xe
