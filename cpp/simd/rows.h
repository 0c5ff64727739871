// Row loops over the class axis, built on vmath.h: the row's range, the sum of exponentials (and the
// softmax sum policy), scaling and affine maps. Every kernel that reduces a row goes through these.
#pragma once

#include <cstddef>

#include "../call.h"
#include "../parallel.h"
#include "vmath.h"

namespace xe {

// The main float input of a call as float32, one slab at a time: slab(o) is the (classes, inner) block of
// outer index o (a row when inner = 1). float32 is read in place; float16 is widened into the call's work
// buffer (web/ allocates classes * inner floats), so halves cross into wasm and every kernel reads
// float32. A slab stays valid until the next slab() call on the same thread. Element-wise kernels read
// spans instead: span(i, n) is elements i..i+n-1, n <= kSpan (web/ allocates kSpan floats of work for
// them, or the length when smaller).
// Threads (parallel.h): chunks run at once, so each thread widens into its own part of the work buffer,
// thread_index() * classes * inner floats in; web/ allocates classes * inner floats per thread of the
// instance; span() at thread_index() * kSpan floats (web/ allocates kSpan floats per thread, or a shorter
// input's length for its one chunk, which runs on the calling thread).
constexpr size_t kSpan = 16384;

// The largest and the smallest element of a row, for exp((x - max) * scale).
struct RowRange {
  float max, min;
};
inline RowRange row_range(const float* x, size_t c);

class Input {
 public:
  Input(const Call& k, const void* x)
      : x_(x),
        half_(k.dtype == kFloat16),
        size_(static_cast<size_t>(k.classes) * k.inner),
        work_(reinterpret_cast<float*>(static_cast<uintptr_t>(k.work))) {}
  const float* slab(size_t o) const {
    if (!half_) return static_cast<const float*>(x_) + o * size_;
    float* const w = work_ + static_cast<size_t>(thread_index()) * size_;
    widen_halves(static_cast<const uint16_t*>(x_) + o * size_, w, size_);
    return w;
  }
  // f(x, row_range(x, c)) for row r (inner = 1) as float32. A float16 row is widened into the work buffer
  // in the pass that finds its range (widen_row). A float16 crossEntropy at 64 x 32000 measured 8% faster
  // so than widening first, then finding the range; reading the halves in place in each of the row's
  // passes instead (four more instructions per vector in each) was slower than both, and 5 KiB more wasm.
  template <class F>
  auto row(size_t r, F&& f) const {
    RowRange range;
    const float* x = half_ ? widen_row(r, &range) : static_cast<const float*>(x_) + r * size_;
    if (!half_) range = row_range(x, size_);
    return f(x, range);
  }
  const float* span(size_t i, size_t n) const {
    if (!half_) return static_cast<const float*>(x_) + i;
    float* const w = work_ + static_cast<size_t>(thread_index()) * kSpan;
    widen_halves(static_cast<const uint16_t*>(x_) + i, w, n);
    return w;
  }

 private:
  const void* x_;
  bool half_;
  size_t size_;
  float* work_;

  const float* widen_row(size_t r, RowRange* range) const;
};

// Row loops over c floats. In the SIMD build, a row of c >= 4 whose length is not a multiple of 4 ends
// with one vector over its last four elements, overlapping the previous one: nothing is read or written
// outside the row, and no scalar tail is needed. That last vector is loaded before any store and stored
// after all others, so outputs may alias inputs; overlapping lanes are rewritten with identical values.
#ifdef __wasm_simd128__
// Lanes of the last vector that the full vectors have not covered yet: the last (c mod 4) lanes.
inline v128_t tail_lanes(size_t c) {
  const int covered = static_cast<int>(4 - (c & 3));
  return wasm_i32x4_ge(wasm_i32x4_make(0, 1, 2, 3), wasm_i32x4_splat(covered));
}
#endif

// NaN: the scalar loop ignores it (a comparison with NaN is false, so max and min keep their value). The
// SIMD loop (c >= 4) starts its accumulators from the row's last vector, and pmax(m, v) = m < v ? v : m
// keeps a NaN m; so its max and min are NaN exactly when x[c - 4] is NaN (lane 0 of that vector, the lane
// the horizontal max ends in), and ignore every other NaN. Starting from -Infinity instead would make the
// builds agree at two more instructions per row, which measured 4% of a softmax at C = 10. No result
// differs: a NaN anywhere in a row poisons every result of the row through the sum of exponentials that
// follows, whichever max and whichever exp are used. max is -Infinity for an empty or all -Infinity row.
// Four accumulators each, because pmax and pmin have a latency of several cycles.
#ifdef __wasm_simd128__
// The SIMD loop of row_range over c >= 4 elements, each vector from load(j), elements j..j+3.
template <class Load>
inline RowRange row_range_at(const Load& load, size_t c) {
  v128_t hi0 = load(c - 4), hi1 = hi0, hi2 = hi0, hi3 = hi0;
  v128_t lo0 = hi0, lo1 = hi0, lo2 = hi0, lo3 = hi0;
  size_t j = 0;
  for (; j + 16 <= c; j += 16) {
    const v128_t v0 = load(j), v1 = load(j + 4);
    const v128_t v2 = load(j + 8), v3 = load(j + 12);
    hi0 = wasm_f32x4_pmax(hi0, v0);
    hi1 = wasm_f32x4_pmax(hi1, v1);
    hi2 = wasm_f32x4_pmax(hi2, v2);
    hi3 = wasm_f32x4_pmax(hi3, v3);
    lo0 = wasm_f32x4_pmin(lo0, v0);
    lo1 = wasm_f32x4_pmin(lo1, v1);
    lo2 = wasm_f32x4_pmin(lo2, v2);
    lo3 = wasm_f32x4_pmin(lo3, v3);
  }
  for (; j + 4 <= c; j += 4) {
    const v128_t v = load(j);
    hi0 = wasm_f32x4_pmax(hi0, v);
    lo0 = wasm_f32x4_pmin(lo0, v);
  }
  const v128_t hi = wasm_f32x4_pmax(wasm_f32x4_pmax(hi0, hi1), wasm_f32x4_pmax(hi2, hi3));
  const v128_t lo = wasm_f32x4_pmin(wasm_f32x4_pmin(lo0, lo1), wasm_f32x4_pmin(lo2, lo3));
  return {hmax_f32(hi), hmin_f32(lo)};
}
#endif

inline RowRange row_range(const float* x, size_t c) {
#ifdef __wasm_simd128__
  if (c >= 4) return row_range_at([x](size_t j) { return wasm_v128_load(x + j); }, c);
#endif
  float m = -__builtin_inff(), lo = __builtin_inff();
  for (size_t j = 0; j < c; j++) {
    m = x[j] > m ? x[j] : m;
    lo = x[j] < lo ? x[j] : lo;
  }
  return {m, lo};
}

// Row r of float16 widened into this thread's part of the work buffer, with its range. The SIMD loop is
// row_range's over the vectors of finite_half_to_float, each stored as it is made: for finite halves they
// are the widened row, so the range is bit for bit the one row_range finds on it (the order of the maxima
// decides between -0 and +0). An infinity or a NaN comes out of finite_half_to_float beyond the largest
// half, 65504; such a row is widened again exactly, and its range found after.
inline const float* Input::widen_row(size_t r, RowRange* range) const {
  const size_t c = size_;
  float* const w = work_ + static_cast<size_t>(thread_index()) * c;
  const uint16_t* h = static_cast<const uint16_t*>(x_) + r * c;
#ifdef __wasm_simd128__
  if (c >= 4) {
    const v128_t mask = wasm_v128_load(half_consts[5]), scale = wasm_v128_load(half_consts[1]);
    *range = row_range_at(
        [=](size_t j) {
          const v128_t v = finite_half_to_float(wasm_i32x4_load16x4(h + j), mask, scale);
          wasm_v128_store(w + j, v);
          return v;
        },
        c);
    if (range->max <= 65504.0f && range->min >= -65504.0f) return w;
  }
#endif
  widen_halves(h, w, c);
  *range = row_range(w, c);
  return w;
}

// True unless every (x - max) * scale of the row is >= -88, computed as the kernels compute it (float32
// rounding is monotonic, so the smallest element gives the smallest argument). Rows with -Infinity
// (masks), NaN, or a spread wider than 88 / scale take the clamped exp; the others skip the clamp and get
// bit-identical results.
inline bool needs_clamp(RowRange r, float scale) { return !((r.min - r.max) * scale >= expc::kLowest); }

// How row_sum_exp adds up its float32 exponentials.
enum class Sum {
  // Each vector goes to float64 accumulators on its own. The losses need this: log(1 + tiny) of a
  // confident row keeps only the tiny terms that a float32 sum next to the 1 would round away.
  kFloat64,
  // softmax without a temperature (needs e): float32 sums of 8 terms per lane (32 elements), then
  // float64. Each block sum is within 4 float32 roundings (2.4e-7) of exact, and so is the row sum, since
  // all terms are positive; the outputs stay within a few ulp, while the row costs 4 fewer instructions
  // per vector (12% of a softmax).
  kBlocked,
};

// sum_j exp((x[j] - m) * scale), m = r.max, accumulated as kSum says; stores each exponential into e
// when e != nullptr (e may alias x). At least two independent exponentials are in flight (unrolling
// twice measured 5% faster, and the blocks of Sum::kBlocked are unrolled fully, 7% faster than not).
#ifdef __wasm_simd128__
// Not inlined: the six instances are shared by every kernel instead of copied into each.
template <bool kScaled, bool kClamp, Sum kSum>
__attribute__((noinline)) double row_sum_exp_simd(const float* x, size_t c, float m, float scale, float* e) {
  const ExpConsts k;
  const v128_t vm = wasm_f32x4_splat(m), vs = wasm_f32x4_splat(scale);
  auto exp_at = [&](const float* p) {
    const v128_t d = wasm_f32x4_sub(wasm_v128_load(p), vm);
    return exp_nonpos<kClamp>(kScaled ? wasm_f32x4_mul(d, vs) : d, k);
  };
  const v128_t last = exp_at(x + c - 4);
  v128_t lo = wasm_f64x2_splat(0.0), hi = lo;
  const size_t full = c & ~size_t{3};
  size_t j = 0;
  if (kSum == Sum::kBlocked) {
    for (; j + 32 <= full; j += 32) {
      v128_t a = wasm_f32x4_splat(0.0f), b = a;
      for (size_t u = j; u < j + 32; u += 8) {
        const v128_t v0 = exp_at(x + u), v1 = exp_at(x + u + 4);
        if (e) {
          wasm_v128_store(e + u, v0);
          wasm_v128_store(e + u + 4, v1);
        }
        a = wasm_f32x4_add(a, v0);
        b = wasm_f32x4_add(b, v1);
      }
      add_f64(wasm_f32x4_add(a, b), lo, hi);
    }
  }
  for (; kSum == Sum::kFloat64 && j + 8 <= full; j += 8) {
    const v128_t v0 = exp_at(x + j), v1 = exp_at(x + j + 4);
    if (e) {
      wasm_v128_store(e + j, v0);
      wasm_v128_store(e + j + 4, v1);
    }
    add_f64(v0, lo, hi);
    add_f64(v1, lo, hi);
  }
  for (; j < full; j += 4) {
    const v128_t v = exp_at(x + j);
    if (e) wasm_v128_store(e + j, v);
    add_f64(v, lo, hi);
  }
  if (full != c) {
    if (e) wasm_v128_store(e + c - 4, last);
    add_f64(wasm_v128_and(last, tail_lanes(c)), lo, hi);
  }
  return hsum_f64(lo, hi);
}

// Always inlined, like row_sum_exp: a RowRange passed to a call goes through memory, and that cost 15 ns
// per row (half of a softmax at C = 10).
template <Sum kSum>
__attribute__((always_inline)) inline double row_sum_exp_simd(const float* x, size_t c, RowRange r,
                                                              float scale, float* e) {
  const bool clamp = needs_clamp(r, scale);
  if (scale != 1.0f) {  // a temperature: the float64 sum, to keep the code small
    return clamp ? row_sum_exp_simd<true, true, Sum::kFloat64>(x, c, r.max, scale, e)
                 : row_sum_exp_simd<true, false, Sum::kFloat64>(x, c, r.max, scale, e);
  }
  return clamp ? row_sum_exp_simd<false, true, kSum>(x, c, r.max, scale, e)
               : row_sum_exp_simd<false, false, kSum>(x, c, r.max, scale, e);
}
#endif

template <Sum kSum = Sum::kFloat64>
__attribute__((always_inline)) inline double row_sum_exp(const float* x, size_t c, RowRange r, float scale,
                                                         float* e) {
#ifdef __wasm_simd128__
  if (c >= 4) return row_sum_exp_simd<kSum>(x, c, r, scale, e);
#endif
  double sum = 0.0;
  for (size_t j = 0; j < c; j++) {
    const float v = exp_nonpos((x[j] - r.max) * scale);
    if (e) e[j] = v;
    sum += v;
  }
  return sum;
}

// g[j] = g[j] * k - a[j] * scale, in place: a loss gradient from the exponentials stored in g, their scale k
// and the coefficients a (cross-entropy's a_j, focal's w_j).
inline void grad_from_exp(float* g, const float* a, size_t c, float k, float scale) {
  size_t j = 0;
#ifdef __wasm_simd128__
  const v128_t vk = wasm_f32x4_splat(k), vs = wasm_f32x4_splat(scale);
  for (; j + 4 <= c; j += 4)
    wasm_v128_store(g + j, wasm_f32x4_sub(wasm_f32x4_mul(wasm_v128_load(g + j), vk),
                                          wasm_f32x4_mul(wasm_v128_load(a + j), vs)));
#endif
  for (; j < c; j++) g[j] = g[j] * k - a[j] * scale;
}

// y[j] *= k, in place.
inline void row_scale(float* y, size_t c, float k) {
  size_t j = 0;
#ifdef __wasm_simd128__
  const v128_t vk = wasm_f32x4_splat(k);
  for (; j + 4 <= c; j += 4) wasm_v128_store(y + j, wasm_f32x4_mul(wasm_v128_load(y + j), vk));
#endif
  for (; j < c; j++) y[j] *= k;
}

// y[j] = (x[j] - m) * a + b; y may alias x. Subtracting m first keeps log-softmax exact near the max of
// large logits.
inline void row_affine(const float* x, float* y, size_t c, float m, float a, float b) {
#ifdef __wasm_simd128__
  if (c >= 4) {
    const v128_t vm = wasm_f32x4_splat(m), va = wasm_f32x4_splat(a), vb = wasm_f32x4_splat(b);
    auto at = [&](const float* p) {
      return wasm_f32x4_add(wasm_f32x4_mul(wasm_f32x4_sub(wasm_v128_load(p), vm), va), vb);
    };
    const v128_t last = at(x + c - 4);
    size_t j = 0;
    for (; j + 4 <= c; j += 4) wasm_v128_store(y + j, at(x + j));
    wasm_v128_store(y + c - 4, last);
    return;
  }
#endif
  for (size_t j = 0; j < c; j++) y[j] = (x[j] - m) * a + b;
}

}  // namespace xe
