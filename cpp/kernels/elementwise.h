// The element-wise loss loop that binary cross-entropy and sigmoid focal loss share: per element a loss
// and a gradient term (times the element's weight), four at a time in the SIMD build, the losses summed in
// float64, the outputs scaled and stored.
#pragma once

#include <cstddef>

#include "../simd/vmath.h"

namespace xe {

// One element's loss and gradient (times its weight; the reduction's scale is applied by the loop).
struct Terms {
  float loss, dx;
};
#ifdef __wasm_simd128__
struct Terms4 {
  v128_t loss, dx;
};
#endif

// Four elements at a time through vec(x, y, w) when `vector` holds, the rest through the scalar twin
// one(x, y, w). x, y, weight, loss_out, grad: (len); weight, loss_out and grad may be null; grad may alias
// x, y or weight (each element is read before it is written).
template <class Vec, class One>
double elementwise_loss(const float* x, const float* y, const float* weight, float* loss_out, float* grad,
                        size_t len, float out_scale, float grad_scale, [[maybe_unused]] bool vector,
                        [[maybe_unused]] Vec vec, One one) {
  size_t i = 0;
  double total = 0.0;
#ifdef __wasm_simd128__
  if (vector) {
    const v128_t ones = wasm_f32x4_splat(1.0f);
    const v128_t vout = wasm_f32x4_splat(out_scale), vgrad = wasm_f32x4_splat(grad_scale);
    v128_t lo = wasm_f64x2_splat(0.0), hi = lo;
    for (; i + 4 <= len; i += 4) {
      const v128_t w = weight ? wasm_v128_load(weight + i) : ones;
      const Terms4 t = vec(wasm_v128_load(x + i), wasm_v128_load(y + i), w);
      add_f64(t.loss, lo, hi);
      if (loss_out) wasm_v128_store(loss_out + i, wasm_f32x4_mul(t.loss, vout));
      if (grad) wasm_v128_store(grad + i, wasm_f32x4_mul(t.dx, vgrad));
    }
    total = hsum_f64(lo, hi);
  }
#endif
  for (; i < len; i++) {
    const Terms t = one(x[i], y[i], weight ? weight[i] : 1.0f);
    total += t.loss;
    if (loss_out) loss_out[i] = t.loss * out_scale;
    if (grad) grad[i] = t.dx * grad_scale;
  }
  return total;
}

}  // namespace xe
