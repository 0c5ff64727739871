// softmax, log_softmax and softmax_backward.
#include <cmath>

#include "../simd/columns.h"
#include "../simd/rows.h"
#include "../xentropy.h"

namespace xe {

// The (classes, inner) slabs of softmax or log_softmax with the class axis not last, four positions per
// vector: the max over the classes, the sum of exponentials (stored into y for softmax), then the scale
// (softmax) or the affine map (log_softmax) per position.
template <bool kLog>
void softmax_columns(const float* s, float* y, size_t c, size_t inner, float scale) {
  size_t i = 0;
#ifdef __wasm_simd128__
  const ExpConsts k;
  const v128_t vs = wasm_f32x4_splat(scale);
  for (; i + 4 <= inner; i += 4) {
    const v128_t m = col_max4(s, c, inner, i);
    v128_t lo, hi;
    col_sum_exp4(s, c, inner, i, m, vs, kLog ? nullptr : y, k, lo, hi);
    if (kLog) {
      const double l0 = std::log(wasm_f64x2_extract_lane(lo, 0)),
                   l1 = std::log(wasm_f64x2_extract_lane(lo, 1));
      const double l2 = std::log(wasm_f64x2_extract_lane(hi, 0)),
                   l3 = std::log(wasm_f64x2_extract_lane(hi, 1));
      const v128_t neg_log = f64_to_f32x4(wasm_f64x2_make(-l0, -l1), wasm_f64x2_make(-l2, -l3));
      for (size_t j = 0; j < c; j++) {
        const v128_t d = wasm_f32x4_sub(wasm_v128_load(s + j * inner + i), m);
        wasm_v128_store(y + j * inner + i, wasm_f32x4_add(wasm_f32x4_mul(d, vs), neg_log));
      }
    } else {
      const v128_t one = wasm_f64x2_splat(1.0);
      const v128_t r = f64_to_f32x4(wasm_f64x2_div(one, lo), wasm_f64x2_div(one, hi));
      for (size_t j = 0; j < c; j++)
        wasm_v128_store(y + j * inner + i, wasm_f32x4_mul(wasm_v128_load(y + j * inner + i), r));
    }
  }
#endif
  for (; i < inner; i++) {
    const float m = col_max(s, c, inner, i);
    const double sum = col_sum_exp(s, c, inner, i, m, scale, kLog ? nullptr : y);
    if (kLog) {
      const float neg_log = static_cast<float>(-std::log(sum));
      for (size_t j = 0; j < c; j++) y[j * inner + i] = (s[j * inner + i] - m) * scale + neg_log;
    } else {
      const float r = static_cast<float>(1.0 / sum);
      for (size_t j = 0; j < c; j++) y[j * inner + i] *= r;
    }
  }
}

// x, y: (outer, c, inner). With inner = 1, three passes per row: the max (and min), then
// exp((x - max) / T) stored into y while summing (Sum::kBlocked), then a scale of y by 1 / sum. For rows
// that fit in cache this beats the one-pass online form, which needs two exponentials per element.
void softmax(const Call& k, const void* x, float* y) {
  const size_t n = k.outer, c = k.classes, inner = k.inner, size = c * inner;
  const Input in(k, x);
  for (size_t o = 0; o < n; o++) {
    const float* xo = in.slab(o);
    float* yo = y + o * size;
    if (inner != 1) {
      softmax_columns<false>(xo, yo, c, inner, k.inv_temperature);
      continue;
    }
    const double sum = row_sum_exp<Sum::kBlocked>(xo, c, row_range(xo, c), k.inv_temperature, yo);
    row_scale(yo, c, static_cast<float>(1.0 / sum));
  }
}

// x, y: (outer, c, inner). y = (x - max) / T - log(sum exp((x - max) / T)) along the class axis.
void log_softmax(const Call& k, const void* x, float* y) {
  const size_t n = k.outer, c = k.classes, inner = k.inner, size = c * inner;
  const float inv_temperature = k.inv_temperature;
  const Input in(k, x);
  for (size_t o = 0; o < n; o++) {
    const float* xo = in.slab(o);
    float* yo = y + o * size;
    if (inner != 1) {
      softmax_columns<true>(xo, yo, c, inner, inv_temperature);
      continue;
    }
    const RowRange r = row_range(xo, c);
    const double log_sum = std::log(row_sum_exp(xo, c, r, inv_temperature, nullptr));
    row_affine(xo, yo, c, r.max, inv_temperature, static_cast<float>(-log_sum));
  }
}

// p, g, dx: (n, c). dx = p * (g - <g, p>), the vector-Jacobian product of softmax.
void softmax_backward(const Call& k, const float* p, const float* g, float* dx) {
  const size_t n = k.outer, c = k.classes;
  for (size_t i = 0; i < n; i++) {
    const float* pi = p + i * c;
    const float* gi = g + i * c;
    float* di = dx + i * c;
    size_t j = 0;
    double dot = 0.0;
#ifdef __wasm_simd128__
    v128_t lo = wasm_f64x2_splat(0.0), hi = lo;
    for (; j + 4 <= c; j += 4)
      add_f64(wasm_f32x4_mul(wasm_v128_load(pi + j), wasm_v128_load(gi + j)), lo, hi);
    dot = hsum_f64(lo, hi);
#endif
    for (; j < c; j++) dot += pi[j] * gi[j];
    const float d = static_cast<float>(dot);
    j = 0;
#ifdef __wasm_simd128__
    const v128_t vd = wasm_f32x4_splat(d);
    for (; j + 4 <= c; j += 4)
      wasm_v128_store(di + j,
                      wasm_f32x4_mul(wasm_v128_load(pi + j), wasm_f32x4_sub(wasm_v128_load(gi + j), vd)));
#endif
    for (; j < c; j++) di[j] = pi[j] * (gi[j] - d);
  }
}

}  // namespace xe
