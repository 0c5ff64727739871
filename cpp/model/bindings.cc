// The Classifier's C exports (cpp/model/classifier.h), for web/classifier.js and web/trainer.js: an opaque
// handle (the object's address) made by xe_classifier_new and released by xe_classifier_free; every other
// function takes the handle, then byte offsets and sizes, a null pointer as 0. The core cannot throw:
// xe_classifier_new returns 0 when memory is short, and JavaScript checks reserve(n) before a batch.
#include <emscripten/em_macros.h>

#include <cstdint>
#include <new>

#include "classifier.h"

namespace {

using Ptr = uintptr_t;
template <typename T>
T* at(Ptr p) {
  return reinterpret_cast<T*>(p);
}
xe::Classifier& model(Ptr m) { return *at<xe::Classifier>(m); }

}  // namespace

extern "C" {
// A new model (hidden: the address of hidden_layers int32 widths), or 0 when its memory cannot be allocated.
EMSCRIPTEN_KEEPALIVE Ptr xe_classifier_new(int features, int classes, Ptr hidden, int hidden_layers,
                                           int activation, double seed) {
  auto* m = new (std::nothrow) xe::Classifier(features, classes, at<int32_t>(hidden), hidden_layers,
                                              activation, static_cast<uint32_t>(seed));
  if (m != nullptr && !m->ok()) {
    delete m;
    m = nullptr;
  }
  return reinterpret_cast<Ptr>(m);
}
EMSCRIPTEN_KEEPALIVE void xe_classifier_free(Ptr m) { delete at<xe::Classifier>(m); }
EMSCRIPTEN_KEEPALIVE size_t xe_classifier_parameter_count(Ptr m) { return model(m).parameter_count(); }
EMSCRIPTEN_KEEPALIVE Ptr xe_classifier_parameters(Ptr m) {
  return reinterpret_cast<Ptr>(model(m).parameters());
}
EMSCRIPTEN_KEEPALIVE int xe_classifier_reserve(Ptr m, size_t rows) { return model(m).reserve(rows); }
EMSCRIPTEN_KEEPALIVE double xe_classifier_train_step(Ptr m, Ptr x, Ptr labels, Ptr index, size_t n, float lr,
                                                     int optimizer, float l2, float smoothing, Ptr weight,
                                                     int loss, float gamma, float alpha) {
  return model(m).train_step(at<float>(x), at<int32_t>(labels), at<int32_t>(index), n, lr,
                             static_cast<xe::Optimizer>(optimizer), l2, smoothing, at<float>(weight),
                             static_cast<xe::Loss>(loss), gamma, alpha);
}
EMSCRIPTEN_KEEPALIVE size_t xe_classifier_last_correct(Ptr m) { return model(m).last_correct(); }
EMSCRIPTEN_KEEPALIVE int xe_classifier_predict(Ptr m, Ptr x, size_t n, Ptr probs) {
  return model(m).predict(at<float>(x), n, at<float>(probs));
}
EMSCRIPTEN_KEEPALIVE int xe_classifier_evaluate(Ptr m, Ptr x, Ptr labels, size_t n, Ptr result) {
  return model(m).evaluate(at<float>(x), at<int32_t>(labels), n, at<double>(result));
}
}  // extern "C"
