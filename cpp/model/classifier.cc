// The multilayer perceptron of classifier.h: the forward pass through the layers, backpropagation, and the
// optimizer step, over one parameter buffer. The loss and its gradient, the evaluation ranks and the
// softmax of predict come from the library's kernels through ops.h.
#include "classifier.h"

#include <cmath>
#include <cstdlib>
#include <cstring>

#include "dense.h"
#include "ops.h"

namespace xe {
namespace {

constexpr size_t kChunk = 256;  // rows per forward pass in predict and evaluate

// splitmix64 (Steele, Lea and Flood): a 64-bit state, one multiply-xorshift mix per output.
uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Uniform in [-1, 1) on a grid of 2^-23: exact in float32, so the draw does not depend on rounding.
float uniform_pm1(uint64_t& state) { return static_cast<float>(splitmix64(state) >> 40) * 0x1p-23f - 1.0f; }

}  // namespace

Classifier::Classifier(int features, int classes, const int32_t* hidden, int hidden_layers, int activation,
                       uint32_t seed)
    : features_(static_cast<size_t>(features)),
      classes_(static_cast<size_t>(classes)),
      layers_(static_cast<size_t>(hidden_layers) + 1),
      activation_(static_cast<Activation>(activation)) {
  hidden_ = static_cast<size_t*>(std::malloc(sizeof(size_t) * layers_));
  offset_ = static_cast<size_t*>(std::malloc(sizeof(size_t) * layers_));
  act_ = static_cast<float**>(std::malloc(sizeof(float*) * layers_));
  if (!hidden_ || !offset_ || !act_) return;
  for (size_t l = 0; l + 1 < layers_; l++) hidden_[l] = static_cast<size_t>(hidden[l]);
  uint64_t count = 0;
  for (size_t l = 0; l < layers_; l++) {
    offset_[l] = static_cast<size_t>(count);
    count += static_cast<uint64_t>(fan_in(l)) * width(l) + width(l);
  }
  if (count == 0 || count > SIZE_MAX / (4 * sizeof(float))) return;
  count_ = static_cast<size_t>(count);
  params_ = static_cast<float*>(std::calloc(4 * count_, sizeof(float)));  // biases and moments start at 0
  if (!params_) return;
  grads_ = params_ + count_;
  m_ = grads_ + count_;
  v_ = m_ + count_;
  // He uniform for relu (bound sqrt(6 / fan_in), variance 2 / fan_in), Glorot uniform for tanh and
  // sigmoid (bound sqrt(6 / (fan_in + fan_out))), drawn layer by layer in row-major order.
  uint64_t state = seed;
  for (size_t l = 0; l < layers_; l++) {
    const double fan = activation_ == kRelu ? fan_in(l) : fan_in(l) + width(l);
    const float bound = static_cast<float>(std::sqrt(6.0 / fan));
    float* w = params_ + offset_[l];
    for (size_t i = 0, len = fan_in(l) * width(l); i < len; i++) w[i] = uniform_pm1(state) * bound;
  }
}

Classifier::~Classifier() {
  std::free(work_);
  std::free(params_);
  std::free(act_);
  std::free(offset_);
  std::free(hidden_);
}

bool Classifier::reserve(size_t rows) {
  if (rows <= rows_) return true;
  size_t widest = 0, per_row = 0;  // floats per row: activations, two deltas, x and the labels
  for (size_t l = 0; l < layers_; l++) {
    widest = width(l) > widest ? width(l) : widest;
    per_row += width(l);
  }
  per_row += 2 * widest + features_ + 1;
  if (rows > SIZE_MAX / sizeof(float) / per_row) return false;
  float* work = static_cast<float*>(std::malloc(rows * per_row * sizeof(float)));
  if (!work) return false;
  std::free(work_);
  work_ = work;
  rows_ = rows;
  float* p = work_;
  for (size_t l = 0; l < layers_; l++) {
    act_[l] = p;
    p += rows * width(l);
  }
  delta_[0] = p;
  delta_[1] = p + rows * widest;
  batch_x_ = p + 2 * rows * widest;
  batch_y_ = reinterpret_cast<int32_t*>(batch_x_ + rows * features_);
  return true;
}

float* Classifier::forward(const float* x, size_t n) {
  const float* a = x;
  for (size_t l = 0; l < layers_; l++) {
    const float* w = params_ + offset_[l];
    dense_forward(a, w, w + fan_in(l) * width(l), act_[l], n, fan_in(l), width(l));
    if (l + 1 < layers_) activate(activation_, act_[l], n * width(l));
    a = act_[l];
  }
  return act_[layers_ - 1];
}

void Classifier::backward(const float* x, size_t n) {
  float* dz = delta_[0];  // (n, width(l)): d loss / d z_l
  for (size_t l = layers_; l-- > 0;) {
    const size_t in = fan_in(l), out = width(l);
    const float* w = params_ + offset_[l];
    float* dw = grads_ + offset_[l];
    dense_backward_params(l == 0 ? x : act_[l - 1], dz, dw, n, in, out);
    dense_backward_params(nullptr, dz, dw + in * out, n, 1, out);
    if (l == 0) break;
    float* da = dz == delta_[0] ? delta_[1] : delta_[0];  // (n, in): d loss / d a_{l-1}
    dense_backward_input(dz, w, da, n, in, out);
    activate_backward(activation_, act_[l - 1], da, n * in);
    dz = da;
  }
}

void Classifier::step(float lr, Optimizer optimizer, float l2) {
  if (l2 != 0.0f) {  // the weights' gradients gain l2 * w; the biases' do not
    for (size_t l = 0; l < layers_; l++) {
      axpy(grads_ + offset_[l], params_ + offset_[l], fan_in(l) * width(l), l2);
    }
  }
  optimizer_step(optimizer_, optimizer, lr, params_, grads_, m_, v_, count_);
}

double Classifier::train_step(const float* x, const int32_t* labels, const int32_t* index, size_t n, float lr,
                              Optimizer optimizer, float l2, float smoothing, const float* weight,
                              Loss loss_kind, float gamma, float alpha_all) {
  if (n == 0 || !reserve(n)) return NAN;
  if (index) {
    for (size_t i = 0; i < n; i++) {
      std::memcpy(batch_x_ + i * features_, x + static_cast<size_t>(index[i]) * features_,
                  features_ * sizeof(float));
      batch_y_[i] = labels[index[i]];
    }
    x = batch_x_;
    labels = batch_y_;
  }
  const float* logits = forward(x, n);
  size_t correct = 0;
  for (size_t i = 0; i < n; i++) {
    const float* z = logits + i * classes_;
    const float zt = z[labels[i]];
    bool hit = zt == zt;
    for (size_t j = 0; j < classes_ && hit; j++) hit = !(z[j] > zt);
    correct += hit;
  }
  last_correct_ = correct;
  // delta_[0] = d mean loss / d logits, in one fused pass with the loss.
  const double loss =
      loss_kind == Loss::kFocal
          ? mean_focal_loss_with_grad(logits, labels, weight, alpha_all, gamma, smoothing, delta_[0], n,
                                      classes_)
          : mean_cross_entropy_with_grad(logits, labels, weight, smoothing, delta_[0], n, classes_);
  backward(x, n);
  step(lr, optimizer, l2);
  return loss;
}

bool Classifier::predict(const float* x, size_t n, float* probs) {
  if (n == 0) return true;
  if (!reserve(n < kChunk ? n : kChunk)) return false;
  for (size_t i = 0; i < n; i += rows_) {
    const size_t m = n - i < rows_ ? n - i : rows_;
    softmax_rows(forward(x + i * features_, m), probs + i * classes_, m, classes_);
  }
  return true;
}

bool Classifier::evaluate(const float* x, const int32_t* labels, size_t n, double* result) {
  result[0] = 0.0;
  result[1] = 0.0;
  if (n == 0) return true;
  if (!reserve(n < kChunk ? n : kChunk)) return false;
  for (size_t i = 0; i < n; i += rows_) {
    const size_t m = n - i < rows_ ? n - i : rows_;
    const float* logits = forward(x + i * features_, m);
    result[0] +=
        summed_cross_entropy_and_ranks(logits, labels + i, batch_y_, m, classes_);  // ranks into batch_y_
    for (size_t r = 0; r < m; r++) result[1] += batch_y_[r] == 0;
  }
  return true;
}

}  // namespace xe
