// The dense (fully connected) layer z = x W + b and its two backward products, over row-major float32
// buffers with their SIMD128 bodies beside the scalar loops.
//
// Products accumulate in float32 (per lane in the SIMD build): the layers are small, every term is a
// float32 product, and the gradient only steers an optimizer, so float64 lanes would halve the throughput
// for no visible change in training. With no fused multiply-add in wasm, dense_forward and
// dense_backward_params sum in the same order in both builds and give bit-identical results;
// dense_backward_input's dot products are summed four lanes at a time in the SIMD build, so the two builds
// differ there by rounding.
#pragma once

#include <cstddef>

namespace xe {

// x: (n, in), w: (in, out), b: (out), y: (n, out). y = x w + b.
void dense_forward(const float* x, const float* w, const float* b, float* y, size_t n, size_t in, size_t out);
// a: (n, in), dz: (n, out) -> dw: (in, out) = a^T dz. a == nullptr stands for a column of ones: with
// in = 1, dw: (out) = the sums of the rows of dz (the bias gradient).
void dense_backward_params(const float* a, const float* dz, float* dw, size_t n, size_t in, size_t out);
// dz: (n, out), w: (in, out) -> da: (n, in) = dz w^T.
void dense_backward_input(const float* dz, const float* w, float* da, size_t n, size_t in, size_t out);

}  // namespace xe
