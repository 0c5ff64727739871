// The dense layer of dense.h.
#include "dense.h"

#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

#include "../parallel.h"

namespace xe {
namespace {

// Rows [begin, end) of y. Eight or four outputs at a time, each summed over k in order.
void dense_forward_rows(const float* x, const float* w, const float* b, float* y, size_t begin, size_t end,
                        size_t in, size_t out) {
  for (size_t i = begin; i < end; i++) {
    const float* xi = x + i * in;
    float* yi = y + i * out;
    size_t j = 0;
#ifdef __wasm_simd128__
    for (; j + 8 <= out; j += 8) {
      v128_t acc0 = wasm_v128_load(b + j), acc1 = wasm_v128_load(b + j + 4);
      for (size_t k = 0; k < in; k++) {
        const v128_t xk = wasm_f32x4_splat(xi[k]);
        const float* wk = w + k * out + j;
        acc0 = wasm_f32x4_add(acc0, wasm_f32x4_mul(xk, wasm_v128_load(wk)));
        acc1 = wasm_f32x4_add(acc1, wasm_f32x4_mul(xk, wasm_v128_load(wk + 4)));
      }
      wasm_v128_store(yi + j, acc0);
      wasm_v128_store(yi + j + 4, acc1);
    }
    for (; j + 4 <= out; j += 4) {
      v128_t acc = wasm_v128_load(b + j);
      for (size_t k = 0; k < in; k++) {
        acc = wasm_f32x4_add(acc, wasm_f32x4_mul(wasm_f32x4_splat(xi[k]), wasm_v128_load(w + k * out + j)));
      }
      wasm_v128_store(yi + j, acc);
    }
#endif
    // The rest (all of it in the scalar build), row by row of w: the same sums in the same order.
    if (j == out) continue;
    for (size_t jj = j; jj < out; jj++) yi[jj] = b[jj];
    for (size_t k = 0; k < in; k++) {
      const float xk = xi[k];
      const float* wk = w + k * out;
      for (size_t jj = j; jj < out; jj++) yi[jj] += xk * wk[jj];
    }
  }
}

// a: (n, in), dz: (n, out) -> dw: (in, out) = a^T dz, that is dw[k][j] = sum_i a[i][k] dz[i][j].
// a == nullptr stands for a column of ones: dw: (out) = the sums of the rows of dz (the bias gradient).
// Rows [begin, end) of dw.
void dense_backward_params_rows(const float* a, const float* dz, float* dw, size_t n, size_t in, size_t out,
                                size_t begin, size_t end) {
  for (size_t k = begin; k < end; k++) {
    float* row = dw + k * out;
    size_t j = 0;
#ifdef __wasm_simd128__
    for (; j + 4 <= out; j += 4) {
      v128_t acc = wasm_f32x4_splat(0.0f);
      if (a) {
        for (size_t i = 0; i < n; i++) {
          acc = wasm_f32x4_add(
              acc, wasm_f32x4_mul(wasm_f32x4_splat(a[i * in + k]), wasm_v128_load(dz + i * out + j)));
        }
      } else {
        for (size_t i = 0; i < n; i++) acc = wasm_f32x4_add(acc, wasm_v128_load(dz + i * out + j));
      }
      wasm_v128_store(row + j, acc);
    }
#endif
    // The rest, row by row of dz: the same sums over i in the same order.
    if (j == out) continue;
    for (size_t jj = j; jj < out; jj++) row[jj] = 0.0f;
    for (size_t i = 0; i < n; i++) {
      const float* d = dz + i * out;
      const float ak = a ? a[i * in + k] : 1.0f;  // 1 * d == d exactly
      for (size_t jj = j; jj < out; jj++) row[jj] += ak * d[jj];
    }
  }
}

// dz: (n, out), w: (in, out) -> da: (n, in) = dz w^T, a dot product of two contiguous rows per element.
// Rows [begin, end) of da.
void dense_backward_input_rows(const float* dz, const float* w, float* da, size_t begin, size_t end,
                               size_t in, size_t out) {
  for (size_t i = begin; i < end; i++) {
    const float* d = dz + i * out;
    for (size_t k = 0; k < in; k++) {
      const float* wk = w + k * out;
      float s = 0.0f;
      size_t j = 0;
#ifdef __wasm_simd128__
      if (out >= 4) {
        v128_t acc = wasm_f32x4_splat(0.0f);
        for (; j + 4 <= out; j += 4)
          acc = wasm_f32x4_add(acc, wasm_f32x4_mul(wasm_v128_load(d + j), wasm_v128_load(wk + j)));
        s = (wasm_f32x4_extract_lane(acc, 0) + wasm_f32x4_extract_lane(acc, 1)) +
            (wasm_f32x4_extract_lane(acc, 2) + wasm_f32x4_extract_lane(acc, 3));
      }
#endif
      for (; j < out; j++) s += d[j] * wk[j];
      da[i * in + k] = s;
    }
  }
}

}  // namespace

// The three products on any thread (parallel.h): rows of y, of dw and of da are independent and each is
// computed exactly as on one thread, so results do not depend on the thread count.
void dense_forward(const float* x, const float* w, const float* b, float* y, size_t n, size_t in,
                   size_t out) {
  parallel_rows(n, in * out,
                [&](size_t begin, size_t end) { dense_forward_rows(x, w, b, y, begin, end, in, out); });
}
void dense_backward_params(const float* a, const float* dz, float* dw, size_t n, size_t in, size_t out) {
  parallel_rows(in, n * out, [&](size_t begin, size_t end) {
    dense_backward_params_rows(a, dz, dw, n, in, out, begin, end);
  });
}
void dense_backward_input(const float* dz, const float* w, float* da, size_t n, size_t in, size_t out) {
  parallel_rows(n, in * out,
                [&](size_t begin, size_t end) { dense_backward_input_rows(dz, w, da, begin, end, in, out); });
}

}  // namespace xe
