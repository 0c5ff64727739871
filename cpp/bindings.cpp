// The Embind layer: byte offsets into wasm memory and sizes in, one call per batch. Validation, defaults
// and the friendly API live in web/; a null pointer is passed as 0.
#include <emscripten/bind.h>

#include "model/classifier.h"
#include "xentropy.h"

namespace {

using Ptr = uintptr_t;
template <typename T>
T* at(Ptr p) {
  return reinterpret_cast<T*>(p);
}
xe::Reduction reduction(int r) { return static_cast<xe::Reduction>(r); }

void softmax(Ptr x, Ptr y, size_t n, size_t c, float inv_t) {
  xe::softmax(at<float>(x), at<float>(y), n, c, inv_t);
}
void log_softmax(Ptr x, Ptr y, size_t n, size_t c, float inv_t) {
  xe::log_softmax(at<float>(x), at<float>(y), n, c, inv_t);
}
void softmax_backward(Ptr p, Ptr g, Ptr dx, size_t n, size_t c) {
  xe::softmax_backward(at<float>(p), at<float>(g), at<float>(dx), n, c);
}
void sigmoid(Ptr x, Ptr y, size_t len) { xe::sigmoid(at<float>(x), at<float>(y), len); }

double cross_entropy(Ptr x, Ptr labels, Ptr target, Ptr weight, Ptr loss_out, Ptr grad, size_t n, size_t c,
                     int ignore_index, float smoothing, bool from_probs, float eps, int red,
                     double base_scale) {
  return xe::cross_entropy(at<float>(x), at<int32_t>(labels), at<float>(target), at<float>(weight),
                           at<float>(loss_out), at<float>(grad), n, c, ignore_index, smoothing, from_probs,
                           eps, reduction(red), base_scale);
}
double binary_cross_entropy(Ptr x, Ptr y, Ptr weight, Ptr loss_out, Ptr grad, size_t len, float pos_weight,
                            bool from_probs, float eps, int red, double base_scale) {
  return xe::binary_cross_entropy(at<float>(x), at<float>(y), at<float>(weight), at<float>(loss_out),
                                  at<float>(grad), len, pos_weight, from_probs, eps, reduction(red),
                                  base_scale);
}
double entropy(Ptr p, Ptr loss_out, size_t n, size_t c, int red, double base_scale) {
  return xe::entropy(at<float>(p), at<float>(loss_out), n, c, reduction(red), base_scale);
}
double kl_divergence(Ptr p, Ptr q, Ptr loss_out, size_t n, size_t c, bool q_logits, int red,
                     double base_scale) {
  return xe::kl_divergence(at<float>(p), at<float>(q), at<float>(loss_out), n, c, q_logits, reduction(red),
                           base_scale);
}
double evaluate(Ptr x, Ptr labels, Ptr rank, size_t n, size_t c, int ignore_index) {
  return xe::evaluate(at<float>(x), at<int32_t>(labels), at<int32_t>(rank), n, c, ignore_index);
}

// Which build this is, so that a caller-supplied .wasm is reported truthfully.
bool simd_build() {
#ifdef __wasm_simd128__
  return true;
#else
  return false;
#endif
}

}  // namespace

EMSCRIPTEN_BINDINGS(xentropy) {
  emscripten::function("simdBuild", &simd_build);
  emscripten::function("softmax", &softmax);
  emscripten::function("logSoftmax", &log_softmax);
  emscripten::function("softmaxBackward", &softmax_backward);
  emscripten::function("sigmoid", &sigmoid);
  emscripten::function("crossEntropy", &cross_entropy);
  emscripten::function("binaryCrossEntropy", &binary_cross_entropy);
  emscripten::function("entropy", &entropy);
  emscripten::function("klDivergence", &kl_divergence);
  emscripten::function("evaluate", &evaluate);
}

// ---- Classifier (cpp/model/classifier.h): a constructor from plain numbers and a byte offset to the
// int32 hidden sizes; every method takes byte offsets and sizes. JavaScript checks ok() after
// construction and reserve(n) before a batch, since the core cannot throw.
#include "model/classifier.h"

namespace {

xe::Classifier* make_classifier(int features, int classes, Ptr hidden, int hidden_layers, int activation,
                                double seed) {
  return new xe::Classifier(features, classes, at<int32_t>(hidden), hidden_layers, activation,
                            static_cast<uint32_t>(seed));
}
Ptr classifier_parameters(xe::Classifier& m) { return reinterpret_cast<Ptr>(m.parameters()); }
double classifier_train_step(xe::Classifier& m, Ptr x, Ptr labels, Ptr index, size_t n, float lr,
                             int optimizer, float l2, float smoothing, Ptr weight) {
  return m.train_step(at<float>(x), at<int32_t>(labels), at<int32_t>(index), n, lr,
                      static_cast<xe::Optimizer>(optimizer), l2, smoothing, at<float>(weight));
}
bool classifier_predict(xe::Classifier& m, Ptr x, size_t n, Ptr probs) {
  return m.predict(at<float>(x), n, at<float>(probs));
}
bool classifier_evaluate(xe::Classifier& m, Ptr x, Ptr labels, size_t n, Ptr result) {
  return m.evaluate(at<float>(x), at<int32_t>(labels), n, at<double>(result));
}

}  // namespace

EMSCRIPTEN_BINDINGS(xentropy_classifier) {
  emscripten::class_<xe::Classifier>("Classifier")
      .constructor(&make_classifier, emscripten::allow_raw_pointers())
      .function("ok", &xe::Classifier::ok)
      .function("parameterCount", &xe::Classifier::parameter_count)
      .function("parameters", &classifier_parameters)
      .function("reserve", &xe::Classifier::reserve)
      .function("trainStep", &classifier_train_step)
      .function("lastCorrect", &xe::Classifier::last_correct)
      .function("predict", &classifier_predict)
      .function("evaluate", &classifier_evaluate);
}
