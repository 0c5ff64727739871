// Positions of an (outer, classes, inner) input as contiguous float32 rows, for the kernels that reduce a
// whole class axis per position and keep no per-element output (topK, evaluate).
#pragma once

#include <cstddef>

#include "../call.h"
#include "../simd/rows.h"

namespace xe {

// Calls f(i, row) for every position i in [0, P), P = outer * inner, in the order of class-index targets
// (i = o * inner + p): row points at the position's c values as float32, contiguous. Each (c, inner) slab
// comes through Input (float16 widened into k.work); with inner == 1 the slab is the row itself, with
// inner > 1 the strided column slab[j * inner + p] is gathered into column (c floats) first. One column at
// a time keeps that buffer at c floats, and consecutive positions read the same cache lines.
template <typename F>
inline void for_each_position(const Call& k, const void* x, float* column, F&& f) {
  const size_t outer = k.outer, c = k.classes, inner = k.inner;
  const Input in(k, x);
  for (size_t o = 0; o < outer; o++) {
    const float* slab = in.slab(o);
    for (size_t p = 0; p < inner; p++) {
      const float* row = slab;
      if (inner != 1) {
        for (size_t j = 0; j < c; j++) column[j] = slab[j * inner + p];
        row = column;
      }
      f(o * inner + p, row);  // one call site: the kernel's row code is inlined once
    }
  }
}

}  // namespace xe
