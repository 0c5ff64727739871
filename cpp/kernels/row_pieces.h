// Rows too long for one chunk, cut into pieces that run on any thread (parallel.h): softmax and
// log_softmax of a few very long rows (8 x 128000, a language model's vocabulary) still use every thread.
//
// Piece p of row i is chunk i * P + p, kChunkElements long (the last one shorter), whatever the thread
// count. Each piece gives its max m_p and s_p = sum exp((x - m_p) * scale); the row's pair is merged in
// piece order, exactly: m = max m_p, s = sum_p s_p * exp((m_p - m) * scale).
#pragma once

#include <cmath>
#include <cstddef>
#include <vector>

#include "../parallel.h"
#include "../simd/vmath.h"

namespace xe {

// Rows at least this long are split; shorter ones are whole chunks (chunk_rows(c) == 1 beyond 2^14).
constexpr size_t kSplitClasses = 2 * kChunkElements;

struct Piece {
  float max;
  double sum;
};

struct RowPieces {
  size_t n, c, pieces;
  RowPieces(size_t rows, size_t classes)
      : n(rows), c(classes), pieces((classes + kChunkElements - 1) / kChunkElements) {}
  size_t chunks() const { return n * pieces; }
  size_t row(size_t chunk) const { return chunk / pieces; }
  // The offset of the chunk's first element in the (n, c) array, and its length.
  size_t offset(size_t chunk) const { return row(chunk) * c + (chunk % pieces) * kChunkElements; }
  size_t length(size_t chunk) const {
    const size_t start = (chunk % pieces) * kChunkElements;
    return c - start < kChunkElements ? c - start : kChunkElements;
  }

  // The rows' (max, sum) from their pieces', merged in piece order.
  std::vector<Piece> merge(const std::vector<Piece>& piece, float scale) const {
    std::vector<Piece> rows(n);
    for (size_t i = 0; i < n; i++) {
      float m = piece[i * pieces].max;
      for (size_t p = 1; p < pieces; p++) m = piece[i * pieces + p].max > m ? piece[i * pieces + p].max : m;
      double s = 0.0;
      for (size_t p = 0; p < pieces; p++) {
        // A piece of weight 0 adds nothing, even a NaN sum (masks: -Infinity minus itself).
        const double f = factor(piece[i * pieces + p].max, m, scale);
        if (f != 0.0) s += piece[i * pieces + p].sum * f;
      }
      rows[i] = {m, s};
    }
    return rows;
  }

  // exp((m_p - m) * scale), the weight of a piece's exponentials in its row. 0 where the unsplit row would
  // flush them (below expc::kLowest, as exp_nonpos does), and for a piece of -Infinity masks in a row that
  // has a finite max (its own exponentials are NaN: -Infinity minus itself).
  static double factor(float mp, float m, float scale) {
    if (mp == -INFINITY && m != -INFINITY) return 0.0;
    const float d = (mp - m) * scale;
    return d < expc::kLowest ? 0.0 : exp_nonpos(d);  // the kernels' own exp: no libm exp in the wasm
  }
};

}  // namespace xe
