// The Classifier's Embind layer (cpp/model/classifier.h): a constructor from plain numbers and a byte
// offset to the int32 hidden sizes; every method takes byte offsets and sizes, a null pointer as 0.
// JavaScript checks ok() after construction and reserve(n) before a batch, since the core cannot throw.
#include <emscripten/bind.h>

#include <cstdint>

#include "classifier.h"

namespace {

using Ptr = uintptr_t;
template <typename T>
T* at(Ptr p) {
  return reinterpret_cast<T*>(p);
}

xe::Classifier* make_classifier(int features, int classes, Ptr hidden, int hidden_layers, int activation,
                                double seed) {
  return new xe::Classifier(features, classes, at<int32_t>(hidden), hidden_layers, activation,
                            static_cast<uint32_t>(seed));
}
Ptr classifier_parameters(xe::Classifier& m) { return reinterpret_cast<Ptr>(m.parameters()); }
double classifier_train_step(xe::Classifier& m, Ptr x, Ptr labels, Ptr index, size_t n, float lr,
                             int optimizer, float l2, float smoothing, Ptr weight, int loss, float gamma,
                             float alpha) {
  return m.train_step(at<float>(x), at<int32_t>(labels), at<int32_t>(index), n, lr,
                      static_cast<xe::Optimizer>(optimizer), l2, smoothing, at<float>(weight),
                      static_cast<xe::Loss>(loss), gamma, alpha);
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
