// Positions of an (outer, classes, inner) input as contiguous float32 rows, for the kernels that reduce a
// whole class axis per position and keep no per-element output (topK, evaluate), in chunks of whole slabs
// that run on any thread (parallel.h).
#pragma once

#include <cstddef>
#include <vector>

#include "../call.h"
#include "../parallel.h"
#include "../simd/rows.h"

namespace xe {

// Chunks of whole (c, inner) slabs, about kChunkElements elements each (one slab at least): `per` slabs a
// chunk, `count` chunks. A function of the shape only, so results do not depend on the number of threads.
struct SlabChunks {
  size_t per, count;
  explicit SlabChunks(const Call& k)
      : per(chunk_rows(static_cast<size_t>(k.classes) * k.inner)), count(chunk_count(k.outer, per)) {}
};

// Runs chunk(index, f) for every chunk of slabs on any thread, where f(visit) calls visit(i, row) for every
// position i of the chunk's slabs, in the order of class-index targets (i = o * inner + p): row points at
// the position's c values as float32, contiguous. Each slab comes through Input (float16 widened into
// k.work, per thread); with inner > 1 the strided column slab[j * inner + p] is gathered into a buffer of
// c floats owned by the chunk first. One column at a time keeps that buffer small, and consecutive
// positions read the same cache lines.
// Chunks [first, first + count) only, when given (a kernel that keeps per-position results takes a group
// of chunks at a time, to bound that memory).
template <typename Chunk>
inline void parallel_positions(const Call& k, const void* x, Chunk&& chunk, size_t first = 0,
                               size_t count = ~size_t{0}) {
  const size_t outer = k.outer, c = k.classes, inner = k.inner;
  const Input in(k, x);
  const SlabChunks chunks(k);
  if (count > chunks.count - first) count = chunks.count - first;
  parallel_for(count, count * chunks.per * c * inner, [&](size_t n) {
    const size_t index = first + n;
    const size_t begin = index * chunks.per, end = outer - begin < chunks.per ? outer : begin + chunks.per;
    std::vector<float> column(inner != 1 ? c : 0);
    chunk(index, [&](auto&& visit) {
      for (size_t o = begin; o < end; o++) {
        const float* slab = in.slab(o);
        for (size_t p = 0; p < inner; p++) {
          const float* row = slab;
          if (inner != 1) {
            for (size_t j = 0; j < c; j++) column[j] = slab[j * inner + p];
            row = column.data();
          }
          visit(o * inner + p, row);  // one call site: the kernel's row code is inlined once
        }
      }
    });
  });
}

}  // namespace xe
