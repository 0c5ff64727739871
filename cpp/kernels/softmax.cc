// softmax, log_softmax and softmax_backward.
#include <cmath>

#include "../parallel.h"
#include "../simd/rows.h"
#include "../xentropy.h"

namespace xe {

// x, y: (n, c). Three passes per row: the max (and min), then exp((x - max) / T) stored into y while
// summing (Sum::kBlocked), then a scale of y by 1 / sum. For rows that fit in cache this beats the one-pass
// online form, which needs two exponentials per element.
namespace {
void softmax_rows(const Call& k, const float* x, float* y, size_t begin, size_t end) {
  const size_t c = k.classes;
  for (size_t i = begin; i < end; i++) {
    const float* xi = x + i * c;
    float* yi = y + i * c;
    const double sum = row_sum_exp<Sum::kBlocked>(xi, c, row_range(xi, c), k.inv_temperature, yi);
    row_scale(yi, c, static_cast<float>(1.0 / sum));
  }
}
}  // namespace

// Rows are independent: chunks of rows run on any thread (parallel.h).
void softmax(const Call& k, const float* x, float* y) {
  parallel_rows(k.outer, k.classes, [&](size_t begin, size_t end) { softmax_rows(k, x, y, begin, end); });
}

// x, y: (n, c). y = (x - max) / T - log(sum exp((x - max) / T)).
namespace {
void log_softmax_rows(const Call& k, const float* x, float* y, size_t begin, size_t end) {
  const size_t c = k.classes;
  const float inv_temperature = k.inv_temperature;
  for (size_t i = begin; i < end; i++) {
    const float* xi = x + i * c;
    const RowRange r = row_range(xi, c);
    const double log_sum = std::log(row_sum_exp(xi, c, r, inv_temperature, nullptr));
    row_affine(xi, y + i * c, c, r.max, inv_temperature, static_cast<float>(-log_sum));
  }
}
}  // namespace

void log_softmax(const Call& k, const float* x, float* y) {
  parallel_rows(k.outer, k.classes, [&](size_t begin, size_t end) { log_softmax_rows(k, x, y, begin, end); });
}

// p, g, dx: (n, c). dx = p * (g - <g, p>), the vector-Jacobian product of softmax.
namespace {
void softmax_backward_rows(const Call& k, const float* p, const float* g, float* dx, size_t begin,
                           size_t end) {
  const size_t c = k.classes;
  for (size_t i = begin; i < end; i++) {
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
}  // namespace

void softmax_backward(const Call& k, const float* p, const float* g, float* dx) {
  parallel_rows(k.outer, k.classes,
                [&](size_t begin, size_t end) { softmax_backward_rows(k, p, g, dx, begin, end); });
}

}  // namespace xe
