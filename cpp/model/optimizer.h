// The optimizers: plain SGD, SGD with momentum and Adam, as torch.optim (no dampening, no weight decay:
// the model adds its L2 term to the gradients itself). Each updates a flat parameter buffer from a
// gradient buffer of the same layout, with up to two moment buffers of that layout as its state.
#pragma once

#include <cstddef>

namespace xe {

enum Optimizer : int { kSgd = 0, kMomentum = 1, kAdam = 2 };

constexpr float kMomentumFactor = 0.9f;  // mu of v = mu v + g
constexpr double kAdamBeta1 = 0.9;       // decay of the first moment
constexpr double kAdamBeta2 = 0.999;     // decay of the second moment
constexpr float kAdamEpsilon = 1e-8f;    // added to sqrt(v_hat)

// The state besides the moment buffers: which optimizer owns them, and Adam's bias-correction products.
struct OptimizerState {
  int optimizer = -1;    // -1 before the first step
  double beta1_t = 1.0;  // kAdamBeta1^t after t Adam steps
  double beta2_t = 1.0;  // kAdamBeta2^t
};

// p, g, m, v: (len). One step of `optimizer` with learning rate lr. Another optimizer than the last one
// starts from fresh state: m and v zeroed, t = 0.
void optimizer_step(OptimizerState& state, Optimizer optimizer, float lr, float* p, const float* g, float* m,
                    float* v, size_t len);

// y, x: (len). y += a * x (the L2 term g += l2 * w, and the SGD step p += -lr * g).
void axpy(float* y, const float* x, size_t len, float a);

}  // namespace xe
