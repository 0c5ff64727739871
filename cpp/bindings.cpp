// The Embind layer: byte offsets into wasm memory and sizes in, one call per batch. Validation, defaults
// and the friendly API live in web/; a null pointer is passed as 0. The Classifier's bindings are in
// model/bindings.cc.
#include <emscripten/bind.h>

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
