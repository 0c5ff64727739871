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

// The four positions' sums of exp((s - m) * scale), lanes 0,1 in lo and 2,3 in hi (float64); stores each
// exponential into e when e != nullptr. The exp keeps its clamp: -Infinity masks give exactly 0.
inline void col_sum_exp4(const float* s, size_t c, size_t inner, size_t i, v128_t m, v128_t scale, float* e,
                         const ExpConsts& k, v128_t& lo, v128_t& hi) {
  lo = hi = wasm_f64x2_splat(0.0);
  for (size_t j = 0; j < c; j++) {
    const v128_t v =
        exp_nonpos(wasm_f32x4_mul(wasm_f32x4_sub(wasm_v128_load(s + j * inner + i), m), scale), k);
    if (e) wasm_v128_store(e + j * inner + i, v);
    add_f64(v, lo, hi);
  }
}

// Four float64 lanes (lo, hi) rounded to float32.
inline v128_t f64_to_f32x4(v128_t lo, v128_t hi) {
  const v128_t a = wasm_f32x4_demote_f64x2_zero(lo), b = wasm_f32x4_demote_f64x2_zero(hi);
  return wasm_i32x4_shuffle(a, b, 0, 1, 4, 5);
}
#endif

}  // namespace xe
