// The optimizer updates of optimizer.h, each a loop over float32 buffers with its SIMD128 body beside it.
#include "optimizer.h"

#include <cmath>
#include <cstring>

#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

namespace xe {
namespace {

// p, g, v: (len). PyTorch's SGD momentum (no dampening): v = mu v + g, p -= lr * v.
void momentum_update(float* p, const float* g, float* v, size_t len, float lr, float mu) {
  size_t j = 0;
#ifdef __wasm_simd128__
  const v128_t vlr = wasm_f32x4_splat(lr), vmu = wasm_f32x4_splat(mu);
  for (; j + 4 <= len; j += 4) {
    const v128_t vv = wasm_f32x4_add(wasm_f32x4_mul(vmu, wasm_v128_load(v + j)), wasm_v128_load(g + j));
    wasm_v128_store(v + j, vv);
    wasm_v128_store(p + j, wasm_f32x4_sub(wasm_v128_load(p + j), wasm_f32x4_mul(vlr, vv)));
  }
#endif
  for (; j < len; j++) {
    v[j] = mu * v[j] + g[j];
    p[j] -= lr * v[j];
  }
}

// p, g, m, v: (len). Adam with bias correction, as torch.optim.Adam:
//   m = b1 m + (1 - b1) g,  v = b2 v + (1 - b2) g^2,  p -= step * m / (sqrt(v) / sqrt_bc2 + eps),
// where step = lr / (1 - b1^t) and sqrt_bc2 = sqrt(1 - b2^t).
void adam_update(float* p, const float* g, float* m, float* v, size_t len, float step, float sqrt_bc2,
                 float b1, float b2, float eps) {
  const float c1 = 1.0f - b1, c2 = 1.0f - b2, inv_bc2 = 1.0f / sqrt_bc2;
  size_t j = 0;
#ifdef __wasm_simd128__
  const v128_t vb1 = wasm_f32x4_splat(b1), vb2 = wasm_f32x4_splat(b2), vc1 = wasm_f32x4_splat(c1),
               vc2 = wasm_f32x4_splat(c2), vinv = wasm_f32x4_splat(inv_bc2), veps = wasm_f32x4_splat(eps),
               vstep = wasm_f32x4_splat(step);
  for (; j + 4 <= len; j += 4) {
    const v128_t vg = wasm_v128_load(g + j);
    const v128_t vm = wasm_f32x4_add(wasm_f32x4_mul(vb1, wasm_v128_load(m + j)), wasm_f32x4_mul(vc1, vg));
    const v128_t vv = wasm_f32x4_add(wasm_f32x4_mul(vb2, wasm_v128_load(v + j)),
                                     wasm_f32x4_mul(vc2, wasm_f32x4_mul(vg, vg)));
    wasm_v128_store(m + j, vm);
    wasm_v128_store(v + j, vv);
    const v128_t denom = wasm_f32x4_add(wasm_f32x4_mul(wasm_f32x4_sqrt(vv), vinv), veps);
    wasm_v128_store(p + j,
                    wasm_f32x4_sub(wasm_v128_load(p + j), wasm_f32x4_mul(vstep, wasm_f32x4_div(vm, denom))));
  }
#endif
  for (; j < len; j++) {
    m[j] = b1 * m[j] + c1 * g[j];
    v[j] = b2 * v[j] + c2 * (g[j] * g[j]);
    const float denom = std::sqrt(v[j]) * inv_bc2 + eps;
    p[j] -= step * (m[j] / denom);
  }
}

}  // namespace

void axpy(float* y, const float* x, size_t len, float a) {
  size_t j = 0;
#ifdef __wasm_simd128__
  const v128_t va = wasm_f32x4_splat(a);
  for (; j + 4 <= len; j += 4) {
    wasm_v128_store(y + j, wasm_f32x4_add(wasm_v128_load(y + j), wasm_f32x4_mul(va, wasm_v128_load(x + j))));
  }
#endif
  for (; j < len; j++) y[j] += a * x[j];
}

void optimizer_step(OptimizerState& state, Optimizer optimizer, float lr, float* p, const float* g, float* m,
                    float* v, size_t len) {
  if (optimizer != state.optimizer) {  // a new optimizer starts from fresh state
    std::memset(m, 0, len * sizeof(float));
    std::memset(v, 0, len * sizeof(float));
    state = OptimizerState{optimizer, 1.0, 1.0};
  }
  if (optimizer == kSgd) {
    axpy(p, g, len, -lr);
  } else if (optimizer == kMomentum) {
    momentum_update(p, g, m, len, lr, kMomentumFactor);
  } else {
    state.beta1_t *= kAdamBeta1;  // running products: std::pow would add 4 KB of code and tables to the wasm
    state.beta2_t *= kAdamBeta2;
    const float step = static_cast<float>(lr / (1.0 - state.beta1_t));
    const float sqrt_bc2 = static_cast<float>(std::sqrt(1.0 - state.beta2_t));
    adam_update(p, g, m, v, len, step, sqrt_bc2, static_cast<float>(kAdamBeta1),
                static_cast<float>(kAdamBeta2), kAdamEpsilon);
  }
}

}  // namespace xe
