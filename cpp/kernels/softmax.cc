// softmax, log_softmax and softmax_backward.
#include <cmath>

#include "../parallel.h"
#include "../simd/rows.h"
#include "../xentropy.h"
#include "row_pieces.h"

namespace xe {

// x, y: (n, c). Three passes per row: the max (and min), then exp((x - max) / T) stored into y while
// summing (Sum::kBlocked), then a scale of y by 1 / sum. For rows that fit in cache this beats the one-pass
// online form, which needs two exponentials per element.
namespace {
void softmax_rows(const Call& k, const float* x, float* y, size_t begin, size_t end) {
  const size_t c = k.classes;
  for (size_t i = begin; i < end; i++) {
    const float* xi = x + i * c;
    float* yi = y + i * c;
    const double sum = row_sum_exp<Sum::kBlocked>(xi, c, row_range(xi, c), k.inv_temperature, yi);
    row_scale(yi, c, static_cast<float>(1.0 / sum));
  }
}

// Rows of kSplitClasses or more, in pieces (row_pieces.h): each piece stores exp((x - m_p) / T) and sums
// it; then every piece is scaled by exp((m_p - m) / T) / s.
void softmax_pieces(const Call& k, const float* x, float* y) {
  const RowPieces rp(k.outer, k.classes);
  const float scale = k.inv_temperature;
  std::vector<Piece> piece(rp.chunks());
  parallel_for(rp.chunks(), rp.n * rp.c, [&](size_t chunk) {
    const float* xp = x + rp.offset(chunk);
    const size_t len = rp.length(chunk);
    const RowRange r = row_range(xp, len);
    piece[chunk] = {r.max, row_sum_exp<Sum::kBlocked>(xp, len, r, scale, y + rp.offset(chunk))};
  });
  const std::vector<Piece> row = rp.merge(piece, scale);
  parallel_for(rp.chunks(), rp.n * rp.c, [&](size_t chunk) {
    float* yp = y + rp.offset(chunk);
    const size_t len = rp.length(chunk);
    const Piece& r = row[rp.row(chunk)];
    const double f = RowPieces::factor(piece[chunk].max, r.max, scale);
    if (f == 0.0) {
      for (size_t j = 0; j < len; j++) yp[j] = 0.0f;
    } else {
      row_scale(yp, len, static_cast<float>(f / r.sum));
    }
  });
}
}  // namespace

// Rows are independent: chunks of rows run on any thread (parallel.h); very long rows are split.
void softmax(const Call& k, const float* x, float* y) {
  if (k.classes >= kSplitClasses) return softmax_pieces(k, x, y);
  parallel_rows(k.outer, k.classes, [&](size_t begin, size_t end) { softmax_rows(k, x, y, begin, end); });
}

// x, y: (n, c). y = (x - max) / T - log(sum exp((x - max) / T)).
namespace {
void log_softmax_rows(const Call& k, const float* x, float* y, size_t begin, size_t end) {
  const size_t c = k.classes;
  const float inv_temperature = k.inv_temperature;
  for (size_t i = begin; i < end; i++) {
    const float* xi = x + i * c;
    const RowRange r = row_range(xi, c);
    const double log_sum = std::log(row_sum_exp(xi, c, r, inv_temperature, nullptr));
    row_affine(xi, y + i * c, c, r.max, inv_temperature, static_cast<float>(-log_sum));
  }
}

// Rows of kSplitClasses or more, in pieces (row_pieces.h): the pieces' (max, sum) merged into the row's,
// then y = (x - m) / T - log s over each piece.
void log_softmax_pieces(const Call& k, const float* x, float* y) {
  const RowPieces rp(k.outer, k.classes);
  const float scale = k.inv_temperature;
  std::vector<Piece> piece(rp.chunks());
  parallel_for(rp.chunks(), rp.n * rp.c, [&](size_t chunk) {
    const float* xp = x + rp.offset(chunk);
    const size_t len = rp.length(chunk);
    const RowRange r = row_range(xp, len);
    piece[chunk] = {r.max, row_sum_exp(xp, len, r, scale, nullptr)};
  });
  const std::vector<Piece> row = rp.merge(piece, scale);
  parallel_for(rp.chunks(), rp.n * rp.c, [&](size_t chunk) {
    const Piece& r = row[rp.row(chunk)];
    row_affine(x + rp.offset(chunk), y + rp.offset(chunk), rp.length(chunk), r.max, scale,
               static_cast<float>(-std::log(r.sum)));
  });
}
}  // namespace

void log_softmax(const Call& k, const float* x, float* y) {
  if (k.classes >= kSplitClasses) return log_softmax_pieces(k, x, y);
  parallel_rows(k.outer, k.classes, [&](size_t begin, size_t end) { log_softmax_rows(k, x, y, begin, end); });
}

// p, g, dx: (n, c). dx = p * (g - <g, p>), the vector-Jacobian product of softmax.
namespace {
void softmax_backward_rows(const Call& k, const float* p, const float* g, float* dx, size_t begin,
                           size_t end) {
  const size_t c = k.classes;
  for (size_t i = begin; i < end; i++) {
    const float* pi = p + i * c;
    const float* gi = g + i * c;
    float* di = dx + i * c;
    size_t j = 0;
    double dot = 0.0;
#ifdef __wasm_simd128__
    v128_t lo = wasm_f64x2_splat(0.0), hi = lo;
    for (; j + 4 <= c; j += 4)
      add_f64(wasm_f32x4_mul(wasm_v128_load(pi + j), wasm_v128_load(gi + j)), lo, hi);
    dot = hsum_f64(lo, hi);
#endif
    for (; j < c; j++) dot += pi[j] * gi[j];
    const float d = static_cast<float>(dot);
    j = 0;
#ifdef __wasm_simd128__
    const v128_t vd = wasm_f32x4_splat(d);
    for (; j + 4 <= c; j += 4)
      wasm_v128_store(di + j,
                      wasm_f32x4_mul(wasm_v128_load(pi + j), wasm_f32x4_sub(wasm_v128_load(gi + j), vd)));
#endif
    for (; j < c; j++) di[j] = pi[j] * (gi[j] - d);
  }
}
}  // namespace

void softmax_backward(const Call& k, const float* p, const float* g, float* dx) {
  parallel_rows(k.outer, k.classes,
                [&](size_t begin, size_t end) { softmax_backward_rows(k, p, g, dx, begin, end); });
}

}  // namespace xe
