// The kernels' entry points: the address of the call's description (cpp/call.h, filled by web/call.js) and
// byte offsets into wasm memory, one call per batch. Validation, defaults and the friendly API live in web/;
// a null pointer is passed as 0. The Classifier's bindings are in model/bindings.cc.
//
// The kernels are plain C exports (xe_softmax, ...; web/run.js calls them as core._xe_softmax), not Embind
// functions: Embind's generic invoker (no generated code under -sDYNAMIC_EXECUTION=0) cost 0.2-0.3 us per
// call, as much as the rest of a 1 x 10 softmax; a wasm export is called directly. What runs once per
// instance (the call layout, the build) and the pool stay Embind functions.
#include <emscripten/bind.h>
#include <emscripten/em_macros.h>

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "parallel.h"
#include "xentropy.h"

namespace {

using Ptr = uintptr_t;
template <typename T>
T* at(Ptr p) {
  return reinterpret_cast<T*>(p);
}
const xe::Call& call(Ptr p) { return *at<const xe::Call>(p); }

// The layout of xe::Call for web/call.js, from XE_CALL_FIELDS: a C string of "name:type:offset" entries
// joined by commas, and a Call holding every default, whose bytes web/call.js copies before each call.
// Written by hand rather than with std::string and snprintf, which cost 17 KiB of wasm.
template <typename T>
constexpr const char* type_tag() {
  if constexpr (std::is_same_v<T, double>) return "f64";
  if constexpr (std::is_same_v<T, float>) return "f32";
  if constexpr (std::is_same_v<T, uint32_t>) return "u32";
  return "i32";
}
char* append(char* p, const char* s) {
  while (*s) *p++ = *s++;
  return p;
}
char* append(char* p, size_t v) {
  char digits[20];
  int n = 0;
  do digits[n++] = static_cast<char>('0' + v % 10);
  while ((v /= 10) != 0);
  while (n) *p++ = digits[--n];
  return p;
}
Ptr call_layout() {
  static char text[1024];
  char* p = text;
#define XE_LAYOUT(type, name, default_value)                                              \
  p = append(append(append(append(append(append(p, #name), ":"), type_tag<type>()), ":"), \
                    offsetof(xe::Call, name)),                                            \
             ",");
  XE_CALL_FIELDS(XE_LAYOUT)
#undef XE_LAYOUT
  *p = 0;
  return reinterpret_cast<Ptr>(text);
}
Ptr call_defaults() {
  static const xe::Call defaults;
  return reinterpret_cast<Ptr>(&defaults);
}
size_t call_size() { return sizeof(xe::Call); }

#ifdef __EMSCRIPTEN_PTHREADS__
// A bench-only knob: a double from JS, clamped to size_t's range (a cast of a larger value is undefined).
void pool_set_threshold(double elements) {
  const double most = static_cast<double>(SIZE_MAX);
  xe::pool_set_threshold(!(elements > 0) ? 0 : elements >= most ? SIZE_MAX : static_cast<size_t>(elements));
}
#endif

// Which build this is, so that a caller-supplied .wasm is reported truthfully.
bool simd_build() {
#ifdef __wasm_simd128__
  return true;
#else
  return false;
#endif
}

}  // namespace

// Addresses arrive as JS numbers through i32 parameters (wrapped modulo 2^32: the same bits above 2 GiB).
extern "C" {
EMSCRIPTEN_KEEPALIVE void xe_softmax(Ptr k, Ptr x, Ptr y) { xe::softmax(call(k), at<void>(x), at<float>(y)); }
EMSCRIPTEN_KEEPALIVE void xe_log_softmax(Ptr k, Ptr x, Ptr y) {
  xe::log_softmax(call(k), at<void>(x), at<float>(y));
}
EMSCRIPTEN_KEEPALIVE void xe_softmax_backward(Ptr k, Ptr p, Ptr g, Ptr dx) {
  xe::softmax_backward(call(k), at<void>(p), at<float>(g), at<float>(dx));
}
EMSCRIPTEN_KEEPALIVE void xe_sigmoid(Ptr k, Ptr x, Ptr y) { xe::sigmoid(call(k), at<void>(x), at<float>(y)); }
EMSCRIPTEN_KEEPALIVE double xe_cross_entropy(Ptr k, Ptr x, Ptr labels, Ptr target, Ptr weight, Ptr loss_out,
                                             Ptr grad) {
  return xe::cross_entropy(call(k), at<void>(x), at<int32_t>(labels), at<float>(target), at<float>(weight),
                           at<float>(loss_out), at<float>(grad));
}
EMSCRIPTEN_KEEPALIVE double xe_binary_cross_entropy(Ptr k, Ptr x, Ptr y, Ptr weight, Ptr loss_out, Ptr grad) {
  return xe::binary_cross_entropy(call(k), at<void>(x), at<float>(y), at<float>(weight), at<float>(loss_out),
                                  at<float>(grad));
}
EMSCRIPTEN_KEEPALIVE double xe_focal_loss(Ptr k, Ptr x, Ptr labels, Ptr target, Ptr alpha, Ptr loss_out,
                                          Ptr grad) {
  return xe::focal_loss(call(k), at<void>(x), at<int32_t>(labels), at<float>(target), at<float>(alpha),
                        at<float>(loss_out), at<float>(grad));
}
EMSCRIPTEN_KEEPALIVE double xe_sigmoid_focal_loss(Ptr k, Ptr x, Ptr y, Ptr weight, Ptr loss_out, Ptr grad) {
  return xe::sigmoid_focal_loss(call(k), at<float>(x), at<float>(y), at<float>(weight), at<float>(loss_out),
                                at<float>(grad));
}
EMSCRIPTEN_KEEPALIVE double xe_entropy(Ptr k, Ptr p, Ptr loss_out) {
  return xe::entropy(call(k), at<void>(p), at<float>(loss_out));
}
EMSCRIPTEN_KEEPALIVE double xe_kl_divergence(Ptr k, Ptr p, Ptr q, Ptr loss_out) {
  return xe::kl_divergence(call(k), at<void>(p), at<float>(q), at<float>(loss_out));
}
EMSCRIPTEN_KEEPALIVE double xe_evaluate(Ptr k, Ptr x, Ptr labels, Ptr rank, Ptr confusion, Ptr bins,
                                        Ptr brier) {
  return xe::evaluate(call(k), at<void>(x), at<int32_t>(labels), at<int32_t>(rank), at<double>(confusion),
                      at<double>(bins), at<double>(brier));
}
EMSCRIPTEN_KEEPALIVE void xe_top_k(Ptr k, Ptr x, Ptr indices, Ptr values) {
  xe::top_k(call(k), at<void>(x), at<int32_t>(indices), at<float>(values));
}
}  // extern "C"

EMSCRIPTEN_BINDINGS(xentropy) {
  emscripten::function("simdBuild", &simd_build);
  emscripten::function("callLayout", &call_layout);
  emscripten::function("callDefaults", &call_defaults);
  emscripten::function("callSize", &call_size);
#ifdef __EMSCRIPTEN_PTHREADS__
  // The pool (cpp/parallel.h), bound in the threaded build only (web/threads.js is its one user): the
  // four bindings cost the one-thread builds about 0.5 KiB gzipped each, for functions that do nothing.
  emscripten::function("poolStart", &xe::pool_start);
  emscripten::function("poolStop", &xe::pool_stop);
  emscripten::function("poolThreads", &xe::pool_threads);
  emscripten::function("poolSetThreshold", &pool_set_threshold);
#endif
}
