// Loops over a class axis that is not last: a (classes, inner) slab, position i's classes at
// s[j * inner + i] for j < classes (PyTorch's (N, C, d1, ..., dk), ONNX Softmax with axis 1). The SIMD
// build takes four neighbouring positions per vector and loops over the classes, so there is no
// transposed copy and no horizontal reduction; the last inner % 4 positions take the scalar loops, which
// are also the whole computation in the scalar build. Results per position are the same math as the
// row loops of rows.h (max, exp of x - max scaled, float64 sums), not bit for bit the same.
#pragma once

#include <cstddef>

#include "vmath.h"

namespace xe {

// Cache tiles. The classes of neighbouring positions are `inner` floats apart; when that is a large power
// of two (a 128 x 128 image: 64 KiB), the lines of one group of positions all fall into the same cache
// set, and every pass over the classes (max, exponentials, scale) goes back to memory. So the column loops
// take tw positions at a time, copied class by class into a contiguous (c, tw) tile (the same layout, only
// the stride changes: nothing is transposed) whose passes stay in L1; the last pass writes the results
// to their place, strided (a result tile copied out measured slower). tw is a multiple of 4 that keeps a
// tile near 16 KiB.
inline size_t tile_width(size_t c) {
  const size_t w = (4096 / (c ? c : 1)) & ~size_t{3};
  return w < 4 ? 4 : (w > 64 ? 64 : w);
}
// d[l] = s[l] for l < w, a vector at a time (libc's memcpy measured 6x slower for these short runs).
inline void copy_run(float* d, const float* s, size_t w) {
  size_t l = 0;
#ifdef __wasm_simd128__
  for (; l + 4 <= w; l += 4) wasm_v128_store(d + l, wasm_v128_load(s + l));
#endif
  for (; l < w; l++) d[l] = s[l];
}
// t[j * tw + l] = s[j * inner + i + l] for j < c, l < w.
inline void tile_in(const float* s, size_t c, size_t inner, size_t i, size_t w, size_t tw, float* t) {
  for (size_t j = 0; j < c; j++) copy_run(t + j * tw, s + j * inner + i, w);
}

// The max of position i's classes (NaN ignored; -Infinity for none), scalar.
inline float col_max(const float* s, size_t c, size_t inner, size_t i) {
  float m = -__builtin_inff();
  for (size_t j = 0; j < c; j++) m = s[j * inner + i] > m ? s[j * inner + i] : m;
  return m;
}

// sum_j exp((s[j, i] - m) * scale) in float64, storing each exponential into e[j, i] when e != nullptr.
inline double col_sum_exp(const float* s, size_t c, size_t inner, size_t i, float m, float scale, float* e) {
  double sum = 0.0;
  for (size_t j = 0; j < c; j++) {
    const float v = exp_nonpos((s[j * inner + i] - m) * scale);
    if (e) e[j * inner + i] = v;
    sum += v;
  }
  return sum;
}

#ifdef __wasm_simd128__
// Four positions i..i+3 at once: the max of their classes (pmax keeps the accumulator on a NaN input).
inline v128_t col_max4(const float* s, size_t c, size_t inner, size_t i) {
  v128_t m = wasm_f32x4_splat(-__builtin_inff());
  for (size_t j = 0; j < c; j++) m = wasm_f32x4_pmax(m, wasm_v128_load(s + j * inner + i));
  return m;
}

// The four positions' sums of exp(s - m), lanes 0,1 in lo and 2,3 in hi (float64). The exp keeps its
// clamp: -Infinity masks give exactly 0.
inline void col_sum_exp4(const float* s, size_t c, size_t inner, size_t i, v128_t m, const ExpConsts& k,
                         v128_t& lo, v128_t& hi) {
  lo = hi = wasm_f64x2_splat(0.0);
  for (size_t j = 0; j < c; j++)
    add_f64(exp_nonpos(wasm_f32x4_sub(wasm_v128_load(s + j * inner + i), m), k), lo, hi);
}

// The four positions' sums of a[j] * b[j] (float32 products, as the row loops), in float64 lanes lo, hi.
inline void col_dot4(const float* a, const float* b, size_t c, size_t inner, size_t i, v128_t& lo,
                     v128_t& hi) {
  lo = hi = wasm_f64x2_splat(0.0);
  for (size_t j = 0; j < c; j++)
    add_f64(wasm_f32x4_mul(wasm_v128_load(a + j * inner + i), wasm_v128_load(b + j * inner + i)), lo, hi);
}

// Four float64 lanes (lo, hi) into d[0..3], for the per-position scalar work (logs, divisions).
inline void store_f64x4(double* d, v128_t lo, v128_t hi) {
  wasm_v128_store(d, lo);
  wasm_v128_store(d + 2, hi);
}

// Four float64 lanes (lo, hi) rounded to float32.
inline v128_t f64_to_f32x4(v128_t lo, v128_t hi) {
  const v128_t a = wasm_f32x4_demote_f64x2_zero(lo), b = wasm_f32x4_demote_f64x2_zero(hi);
  return wasm_i32x4_shuffle(a, b, 0, 1, 4, 5);
}
#endif

}  // namespace xe
