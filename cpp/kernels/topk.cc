// topK: the k largest entries along each position's class axis, in descending order, with their softmax or
// log-softmax computed in the same pass.
//
// For k <= kSmallK a row is read once, in blocks of kBlock floats. Each block is first scanned for its max
// and for entries that beat the k-th entry held so far (a running selection of k, kept sorted by insertion;
// after the first few blocks almost no entry qualifies, so the scan is a compare per element), then, while
// the block is still in L1, its exponentials are added to an online log-sum-exp: when the block raises the
// running max m, the sum so far is rescaled by exp((m_old - m) / T). So a 128k-vocabulary row costs one
// read from memory and one exponential per element, as a loss does. Larger k sort the row's indices.
#include <algorithm>
#include <cmath>
#include <vector>

#include "../simd/rows.h"
#include "../xentropy.h"
#include "positions.h"

namespace xe {
namespace {

constexpr size_t kBlock = 1024;  // 4 KiB: the second read of a block comes from L1
constexpr size_t kSmallK = 64;   // the running selection's capacity

// torch.topk's order: NaN above every number (NaNs among themselves by index), -Infinity below every
// number. Entries are offered in index order and only a strictly better one displaces an entry already
// held, so equal entries keep the lower index first.
inline bool better(float a, float b) { return a > b || (a != a && b == b); }

struct Selection {
  float val[kSmallK];
  int32_t idx[kSmallK];
  size_t k, count = 0;
};

inline void offer(Selection& s, float v, int32_t j) {
  size_t pos;
  if (s.count < s.k) {
    pos = s.count++;
  } else if (better(v, s.val[s.k - 1])) {
    pos = s.k - 1;
  } else {
    return;
  }
  for (; pos > 0 && better(v, s.val[pos - 1]); pos--) {
    s.val[pos] = s.val[pos - 1];
    s.idx[pos] = s.idx[pos - 1];
  }
  s.val[pos] = v;
  s.idx[pos] = j;
}

// Offers the block's entries z[0, len) (indices base + j) that could enter the selection; returns the
// block's max, ignoring NaN (-Infinity for a block of only -Infinity or NaN).
float scan_block(const float* z, size_t len, size_t base, Selection& s) {
  float m = -__builtin_inff();
  size_t j = 0;
  auto scalar = [&](size_t end) {
    for (; j < end; j++) {
      const float v = z[j];
      m = v > m ? v : m;
      if (s.count < s.k || better(v, s.val[s.k - 1])) offer(s, v, static_cast<int32_t>(base + j));
    }
  };
  scalar(std::min(len, s.k - s.count));  // until the selection is full: every entry enters
#ifdef __wasm_simd128__
  if (len - j >= 8) {
    // Eight entries at a time: a candidate is an entry not <= the k-th held (above it, or NaN). Only the
    // pairs of vectors that hold one are offered entry by entry (offer() re-checks each); the last pair
    // overlaps the previous one and offers only its entries from `from` on, so none is offered twice.
    // After the first blocks that is a few dozen pairs per row.
    v128_t thr = wasm_f32x4_splat(s.val[s.k - 1]);
    v128_t hi0 = wasm_f32x4_splat(m), hi1 = hi0;
    auto step = [&](size_t at, size_t from) {
      const v128_t v0 = wasm_v128_load(z + at), v1 = wasm_v128_load(z + at + 4);
      hi0 = wasm_f32x4_pmax(hi0, v0);
      hi1 = wasm_f32x4_pmax(hi1, v1);
      if (!wasm_i32x4_all_true(wasm_v128_and(wasm_f32x4_le(v0, thr), wasm_f32x4_le(v1, thr)))) {
        for (size_t i = from; i < at + 8; i++) offer(s, z[i], static_cast<int32_t>(base + i));
        thr = wasm_f32x4_splat(s.val[s.k - 1]);
      }
    };
    for (; j + 8 <= len; j += 8) step(j, j);
    if (j < len) step(len - 8, j);
    return hmax_f32(wasm_f32x4_pmax(hi0, hi1));
  }
#endif
  scalar(len);
  return m;
}

// z: (c). Fills s with the k best entries; with lse, returns m and sum_j exp((z_j - m) * inv_t) through
// *m_out and *sum_out (m = the max of z ignoring NaN).
void select_small(const float* z, size_t c, Selection& s, bool lse, float inv_t, float* m_out,
                  double* sum_out) {
  float m = -__builtin_inff();
  double sum = 0.0;
  for (size_t b = 0; b < c; b += kBlock) {
    const size_t len = std::min(kBlock, c - b);
    const float bm = scan_block(z + b, len, b, s);
    if (!lse || !(bm > -__builtin_inff())) continue;  // exp(-Infinity - m) = 0 adds nothing
    if (bm > m) {
      // exp((m_old - m) / T) <= 1 rescales the sum so far; an empty sum (m_old = -Infinity) stays 0.
      if (sum != 0.0) sum *= std::exp(static_cast<double>((m - bm) * inv_t));
      m = bm;
    }
    sum += row_sum_exp(z + b, len, RowRange{m, -__builtin_inff()}, inv_t, nullptr);
  }
  *m_out = m;
  *sum_out = sum;
}

}  // namespace

// x: (outer, c, inner) of k.dtype; indices, values: (outer, k, inner). Chunks of slabs on any thread
// (positions.h), each with its own selection (and for k > kSmallK its own index buffer of c words); every
// position writes only its own outputs, so the results do not depend on the number of threads.
void top_k(const Call& k, const void* x, int32_t* indices, float* values) {
  const size_t c = k.classes, inner = k.inner, kk = k.top_k;
  const float inv_t = k.inv_temperature;
  const TopKValues mode = static_cast<TopKValues>(k.values);
  const bool lse = mode != kInput;
  parallel_positions(k, x, [&](size_t, auto&& each) {
    Selection small;
    small.k = kk;
    std::vector<int32_t> order(kk > kSmallK ? c : 0);
    each([&](size_t i, const float* z) {
      const size_t o = i / inner, p = i % inner;
      int32_t* out_idx = indices + o * kk * inner + p;
      float* out_val = values + o * kk * inner + p;
      float m = -__builtin_inff();
      double sum = 0.0;
      const float* val;
      const int32_t* idx;
      if (kk <= kSmallK) {
        small.count = 0;
        select_small(z, c, small, lse, inv_t, &m, &sum);
        val = small.val;
        idx = small.idx;
      } else {
        for (size_t j = 0; j < c; j++) order[j] = static_cast<int32_t>(j);
        std::partial_sort(order.data(), order.data() + kk, order.data() + c, [z](int32_t a, int32_t b) {
          return better(z[a], z[b]) || (!better(z[b], z[a]) && a < b);
        });
        if (lse) {
          const RowRange r = row_range(z, c);
          m = r.max;
          sum = row_sum_exp(z, c, r, inv_t, nullptr);
        }
        val = nullptr;
        idx = order.data();
      }
      // NaN ranks first, so a row with a NaN has it at the top: then every probability is NaN, as softmax
      // gives. A row of only -Infinity has m = -Infinity and gives NaN too, through (v - m).
      const float top = val ? val[0] : z[idx[0]];
      const bool nan_row = top != top;
      const float log_sum = static_cast<float>(std::log(sum)), inv_sum = static_cast<float>(1.0 / sum);
      for (size_t r = 0; r < kk; r++) {
        const float v = val ? val[r] : z[idx[r]];
        float out = v;
        if (mode == kLogProbs) out = nan_row ? NAN : (v - m) * inv_t - log_sum;
        if (mode == kProbs) out = nan_row ? NAN : exp_nonpos((v - m) * inv_t) * inv_sum;
        out_idx[r * inner] = idx[r];
        out_val[r * inner] = out;
      }
    });
  });
}

}  // namespace xe
