// A multilayer perceptron classifier trained with the library's own fused softmax cross-entropy, built
// from the dense layer (dense.h), the activations (activation.h) and the optimizers (optimizer.h).
//
// Layers l = 0 .. L-1 map in_l features to out_l: z_l = a_{l-1} W_l + b_l, with a_{-1} = x, W_l of shape
// (in_l, out_l) row-major and b_l of shape (out_l). Every layer but the last applies the hidden activation
// (relu, tanh or sigmoid); the last one produces the logits, and the loss is xe::cross_entropy with mean
// reduction. No hidden layer is softmax regression.
//
// Memory: one allocation holds the parameters and, with the same layout, their gradients and the two
// optimizer moment buffers:  [W_0 | b_0 | W_1 | b_1 | ... ]  x 4 (params, grads, first and second moment).
// A second allocation, sized for a number of rows, holds the activations of every layer (kept for the
// backward pass), two delta buffers of the widest layer and a gathered input batch with its labels.
//
// Nothing here throws (the core is built with -fno-exceptions): allocations are malloc'ed, and failure is
// reported through ok() and reserve(); JavaScript checks every argument before calling in.
#pragma once

#include <cstddef>
#include <cstdint>

#include "activation.h"
#include "optimizer.h"

namespace xe {

// The training loss: the fused softmax cross-entropy, or focal loss (Lin et al. 2017; cpp/kernels/focal.cc).
enum class Loss : int { kCrossEntropy = 0, kFocal = 1 };

class Classifier {
 public:
  // hidden: (layers) hidden widths, each >= 1. Weights are drawn from a seeded uniform distribution
  // (He for relu, Glorot for tanh/sigmoid); biases start at 0.
  Classifier(int features, int classes, const int32_t* hidden, int hidden_layers, int activation,
             uint32_t seed);
  ~Classifier();
  Classifier(const Classifier&) = delete;
  Classifier& operator=(const Classifier&) = delete;

  // False when the parameter memory could not be allocated; the object must then only be destroyed.
  bool ok() const { return params_ != nullptr; }
  size_t parameter_count() const { return count_; }
  // The parameters, in the layout above; JavaScript reads and writes them in place (toJSON / fromJSON).
  float* parameters() { return params_; }

  // Makes room for batches of `rows` rows; false when memory is exhausted (the model stays usable).
  bool reserve(size_t rows);

  // One optimizer step on a batch. x: (rows, features), labels: (rows) in [0, classes), both indexed
  // through index (n) when it is not null (row i of the batch is x[index[i]]), else rows 0 .. n-1.
  // loss: the cross-entropy (weight: (classes) or null) or the focal loss (gamma; weight: (classes) per-class
  // alpha, or null for alpha_all on every class). Returns the mean loss of the forward pass before the update
  // (NaN when reserve(n) fails, with nothing changed). Switching optimizer resets the optimizer state.
  double train_step(const float* x, const int32_t* labels, const int32_t* index, size_t n, float lr,
                    Optimizer optimizer, float l2, float smoothing, const float* weight,
                    Loss loss = Loss::kCrossEntropy, float gamma = 0.0f, float alpha_all = 1.0f);
  // Rows of the last train_step whose label scored highest (ties count as hits, as xe::evaluate).
  size_t last_correct() const { return last_correct_; }

  // x: (n, features), probs: (n, classes) softmax outputs, computed a chunk of rows at a time.
  // False (nothing written) when the working memory could not be allocated.
  bool predict(const float* x, size_t n, float* probs);
  // x: (n, features), labels: (n). result[0] = summed cross-entropy in nats, result[1] = top-1 hits.
  bool evaluate(const float* x, const int32_t* labels, size_t n, double* result);

 private:
  size_t width(size_t l) const { return l + 1 < layers_ ? hidden_[l] : classes_; }
  size_t fan_in(size_t l) const { return l == 0 ? features_ : hidden_[l - 1]; }
  // Runs the layers over rows of x (n <= rows_); returns the logits, (n, classes), in the workspace.
  float* forward(const float* x, size_t n);
  void backward(const float* x, size_t n);  // grads_ from the delta of the logits in delta_[0]
  void step(float lr, Optimizer optimizer, float l2);

  size_t features_, classes_, layers_;
  size_t* hidden_ = nullptr;  // (layers_ - 1)
  size_t* offset_ = nullptr;  // (layers_) start of W_l in the parameter layout; b_l follows it
  Activation activation_;
  size_t count_ = 0;         // parameters
  float* params_ = nullptr;  // (4 * count_): params, grads, first moment, second moment
  float *grads_ = nullptr, *m_ = nullptr, *v_ = nullptr;
  OptimizerState optimizer_;  // which optimizer owns m_ and v_, and Adam's step count
  size_t last_correct_ = 0;

  size_t rows_ = 0;                       // capacity of the workspace, in rows
  float* work_ = nullptr;                 // activations of every layer, then two delta buffers, then x
  float** act_ = nullptr;                 // (layers_) a_l: (rows_, width(l)), the last one the logits
  float* delta_[2] = {nullptr, nullptr};  // (rows_, widest layer) each
  float* batch_x_ = nullptr;              // (rows_, features)
  int32_t* batch_y_ = nullptr;            // (rows_)
};

}  // namespace xe
