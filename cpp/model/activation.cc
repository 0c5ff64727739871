// The hidden activations of activation.h, in place, with their SIMD128 bodies beside the scalar loops.
#include "activation.h"

#include <cmath>
#include <cstdint>

#include "../simd/vmath.h"
#include "ops.h"

namespace xe {
namespace {

// y: (len), in place. tanh(x) = sign(x) (1 - e) / (1 + e) with e = exp(-2|x|) <= 1: no overflow, exactly
// +-1 for |x| > 44, NaN stays NaN; the absolute error is a few float32 ulp of 1 (relative error grows
// for |x| < 1e-3, harmless for an activation).
void tanh_inplace(float* y, size_t len) {
  size_t j = 0;
#ifdef __wasm_simd128__
  const ExpConsts k;
  const v128_t one = wasm_f32x4_splat(1.0f), minus_two = wasm_f32x4_splat(-2.0f);
  const v128_t sign = wasm_i32x4_splat(static_cast<int32_t>(0x80000000u));
  for (; j + 4 <= len; j += 4) {
    const v128_t v = wasm_v128_load(y + j);
    const v128_t e = exp_nonpos(wasm_f32x4_mul(wasm_f32x4_abs(v), minus_two), k);
    const v128_t r = wasm_f32x4_div(wasm_f32x4_sub(one, e), wasm_f32x4_add(one, e));
    wasm_v128_store(y + j, wasm_v128_or(r, wasm_v128_and(v, sign)));
  }
#endif
  for (; j < len; j++) {
    const float e = exp_nonpos(std::fabs(y[j]) * -2.0f);
    y[j] = std::copysign((1.0f - e) / (1.0f + e), y[j]);
  }
}

// y: (len), in place. relu keeps NaN (x < 0 is false for it).
void relu_inplace(float* y, size_t len) {
  size_t j = 0;
#ifdef __wasm_simd128__
  const v128_t zero = wasm_f32x4_splat(0.0f);
  for (; j + 4 <= len; j += 4) {
    const v128_t v = wasm_v128_load(y + j);
    wasm_v128_store(y + j, wasm_v128_andnot(v, wasm_f32x4_lt(v, zero)));
  }
#endif
  for (; j < len; j++) y[j] = y[j] < 0.0f ? 0.0f : y[j];
}

}  // namespace

void activate(Activation f, float* y, size_t len) {
  if (f == kRelu)
    relu_inplace(y, len);
  else if (f == kTanh)
    tanh_inplace(y, len);
  else
    sigmoid_inplace(y, len);
}

// a, g: (len). g *= f'(z), written in terms of the activation a = f(z):
//   relu: [a > 0],  tanh: 1 - a^2,  sigmoid: a (1 - a).
void activate_backward(Activation f, const float* a, float* g, size_t len) {
  size_t j = 0;
#ifdef __wasm_simd128__
  const v128_t zero = wasm_f32x4_splat(0.0f), one = wasm_f32x4_splat(1.0f);
  for (; j + 4 <= len; j += 4) {
    const v128_t va = wasm_v128_load(a + j), vg = wasm_v128_load(g + j);
    v128_t r;
    if (f == kRelu)
      r = wasm_v128_and(vg, wasm_f32x4_gt(va, zero));
    else if (f == kTanh)
      r = wasm_f32x4_mul(vg, wasm_f32x4_sub(one, wasm_f32x4_mul(va, va)));
    else
      r = wasm_f32x4_mul(vg, wasm_f32x4_mul(va, wasm_f32x4_sub(one, va)));
    wasm_v128_store(g + j, r);
  }
#endif
  for (; j < len; j++) {
    if (f == kRelu)
      g[j] = a[j] > 0.0f ? g[j] : 0.0f;
    else if (f == kTanh)
      g[j] = g[j] * (1.0f - a[j] * a[j]);
    else
      g[j] = g[j] * (a[j] * (1.0f - a[j]));
  }
}

}  // namespace xe
