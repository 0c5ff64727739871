// The hidden activations, applied in place, and their backward pass written in terms of the output.
#pragma once

#include <cstddef>

namespace xe {

enum Activation : int { kRelu = 0, kTanh = 1, kSigmoid = 2 };

// y: (len), in place: y = f(y).
void activate(Activation f, float* y, size_t len);
// a, g: (len). g *= f'(z), with a = f(z) the layer's output.
void activate_backward(Activation f, const float* a, float* g, size_t len);

}  // namespace xe
