// The kernels' entry points: the address of the call's description (cpp/call.h, filled by web/call.js) and
// byte offsets into wasm memory, one call per batch. Validation, defaults and the friendly API live in web/;
// a null pointer is passed as 0. The Classifier's exports are in model/bindings.cc.
//
// Everything is a plain C export (xe_softmax, ...; web/run.js calls them as core._xe_softmax), not Embind:
// Embind's generic invoker (no generated code under -sDYNAMIC_EXECUTION=0) cost 0.2-0.3 us per call, as
// much as the rest of a 1 x 10 softmax, and its JS and C++ runtime about 4 KiB gzipped per page load
// (glue and .wasm), for functions that only pass numbers. A wasm export is called directly; a bool comes
// back as 0 or 1, a pointer as a number.
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
}  // namespace

extern "C" {
// Once per instance: the call layout and defaults (web/call.js), the build, the threaded build's pool.
EMSCRIPTEN_KEEPALIVE Ptr xe_call_layout() {
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
EMSCRIPTEN_KEEPALIVE Ptr xe_call_defaults() {
  static const xe::Call defaults;
  return reinterpret_cast<Ptr>(&defaults);
}
EMSCRIPTEN_KEEPALIVE size_t xe_call_size() { return sizeof(xe::Call); }

#ifdef __EMSCRIPTEN_PTHREADS__
// The pool (cpp/parallel.h), exported by the threaded build only (web/threads.js is its one user).
EMSCRIPTEN_KEEPALIVE int xe_pool_start(int threads) { return xe::pool_start(threads); }
EMSCRIPTEN_KEEPALIVE void xe_pool_stop() { xe::pool_stop(); }
EMSCRIPTEN_KEEPALIVE int xe_pool_threads() { return xe::pool_threads(); }
// A bench-only knob: a double from JS, clamped to size_t's range (a cast of a larger value is undefined).
EMSCRIPTEN_KEEPALIVE void xe_pool_set_threshold(double elements) {
  const double most = static_cast<double>(SIZE_MAX);
  xe::pool_set_threshold(!(elements > 0) ? 0 : elements >= most ? SIZE_MAX : static_cast<size_t>(elements));
}
#endif

// Which build this is, so that a caller-supplied .wasm is reported truthfully.
EMSCRIPTEN_KEEPALIVE int xe_simd_build() {
#ifdef __wasm_simd128__
  return 1;
#else
  return 0;
#endif
}

// The kernels, once per call. Addresses arrive as JS numbers through i32 parameters (wrapped modulo 2^32:
// the same bits above 2 GiB).
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
EMSCRIPTEN_KEEPALIVE double xe_evaluate(Ptr k, Ptr x, Ptr labels, Ptr rank, Ptr prediction, Ptr bins,
                                        Ptr brier) {
  return xe::evaluate(call(k), at<void>(x), at<int32_t>(labels), at<int32_t>(rank), at<int32_t>(prediction),
                      at<double>(bins), at<double>(brier));
}
EMSCRIPTEN_KEEPALIVE void xe_top_k(Ptr k, Ptr x, Ptr indices, Ptr values) {
  xe::top_k(call(k), at<void>(x), at<int32_t>(indices), at<float>(values));
}
}  // extern "C"
