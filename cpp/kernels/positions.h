// Positions of an (outer, classes, inner) input as contiguous float32 rows, for the kernels that reduce a
// whole class axis per position and keep no per-element output (topK, evaluate).
#pragma once

#include <cstddef>

#include "../call.h"

namespace xe {

// Calls f(i, row) for every position i in [0, P), P = outer * inner, in the order of class-index targets
// (i = o * inner + p): row points at the position's c values, contiguous. With inner == 1 that is the
// input itself; with inner > 1 the strided column x[(o * c + j) * inner + p] is gathered into work (c
// floats) first. One column at a time keeps the work buffer at c floats: consecutive positions read the
// same cache lines, so for c up to a few thousand the gather costs little more than the read.
template <typename F>
inline void for_each_position(const Call& k, const float* x, float* work, F&& f) {
  const size_t outer = k.outer, c = k.classes, inner = k.inner;
  if (inner == 1) {
    for (size_t i = 0; i < outer; i++) f(i, x + i * c);
    return;
  }
  for (size_t o = 0; o < outer; o++) {
    const float* block = x + o * c * inner;
    for (size_t p = 0; p < inner; p++) {
      for (size_t j = 0; j < c; j++) work[j] = block[j * inner + p];
      f(o * inner + p, static_cast<const float*>(work));
    }
  }
}

}  // namespace xe
