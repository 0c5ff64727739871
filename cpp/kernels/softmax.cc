// softmax, log_softmax and softmax_backward.
#include <cmath>
#include <vector>

#include "../parallel.h"
#include "../simd/columns.h"
#include "../simd/rows.h"
#include "../xentropy.h"
#include "row_pieces.h"

namespace xe {

namespace {
// The (classes, inner) slabs of softmax or log_softmax with the class axis not last. Positions 0..count-1
// of s, their classes ss apart, into y, theirs ys apart: the max over the classes, the exponentials
// (softmax: stored into e, s's layout; e may alias s), their sum, then the scaled exponentials (softmax)
// or the affine map of s (log_softmax) written to y. y may alias s and e when ys = ss.
struct Columns {
  const float* s;
  size_t ss;
  float* e;
  float* y;
  size_t ys;
};

#ifdef __wasm_simd128__
// G groups of four neighbouring positions from position i. G = 2 keeps two exponentials and two sums in
// flight, as the row loops unroll twice. softmax adds its exponentials in float32 over blocks of 8
// classes, then in float64 (Sum::kBlocked of rows.h, the same bound); log_softmax adds each vector in
// float64. Every lane gets the same operations whatever G, so a position's bits do not depend on where a
// tile or block starts.
template <bool kLog, bool kScaled, size_t G>
inline void softmax_groups(const Columns& a, size_t c, size_t i, v128_t vs, const ExpConsts& k) {
  v128_t m[G], lo[G], hi[G];
  for (size_t g = 0; g < G; g++) m[g] = wasm_f32x4_splat(-__builtin_inff());
  for (size_t j = 0; j < c; j++)
    for (size_t g = 0; g < G; g++) m[g] = wasm_f32x4_pmax(m[g], wasm_v128_load(a.s + j * a.ss + i + 4 * g));
  for (size_t g = 0; g < G; g++) lo[g] = hi[g] = wasm_f64x2_splat(0.0);
  for (size_t j0 = 0; j0 < c; j0 += 8) {
    v128_t sum[G];
    for (size_t g = 0; g < G; g++) sum[g] = wasm_f32x4_splat(0.0f);
    for (size_t j = j0; j < c && j < j0 + 8; j++) {
      for (size_t g = 0; g < G; g++) {
        const size_t at = j * a.ss + i + 4 * g;
        const v128_t d = wasm_f32x4_sub(wasm_v128_load(a.s + at), m[g]);
        const v128_t v = exp_nonpos(kScaled ? wasm_f32x4_mul(d, vs) : d, k);
        if (kLog) {
          add_f64(v, lo[g], hi[g]);
        } else {
          wasm_v128_store(a.e + at, v);
          sum[g] = wasm_f32x4_add(sum[g], v);
        }
      }
    }
    if (!kLog)
      for (size_t g = 0; g < G; g++) add_f64(sum[g], lo[g], hi[g]);
  }
  for (size_t g = 0; g < G; g++) {
    const size_t ig = i + 4 * g;
    if (kLog) {
      const double l0 = std::log(wasm_f64x2_extract_lane(lo[g], 0)),
                   l1 = std::log(wasm_f64x2_extract_lane(lo[g], 1));
      const double l2 = std::log(wasm_f64x2_extract_lane(hi[g], 0)),
                   l3 = std::log(wasm_f64x2_extract_lane(hi[g], 1));
      const v128_t neg_log = f64_to_f32x4(wasm_f64x2_make(-l0, -l1), wasm_f64x2_make(-l2, -l3));
      for (size_t j = 0; j < c; j++) {
        const v128_t d = wasm_f32x4_sub(wasm_v128_load(a.s + j * a.ss + ig), m[g]);
        wasm_v128_store(a.y + j * a.ys + ig, wasm_f32x4_add(kScaled ? wasm_f32x4_mul(d, vs) : d, neg_log));
      }
    } else {
      const v128_t one = wasm_f64x2_splat(1.0);
      const v128_t r = f64_to_f32x4(wasm_f64x2_div(one, lo[g]), wasm_f64x2_div(one, hi[g]));
      for (size_t j = 0; j < c; j++)
        wasm_v128_store(a.y + j * a.ys + ig, wasm_f32x4_mul(wasm_v128_load(a.e + j * a.ss + ig), r));
    }
  }
}

// Positions [0, count & ~3) in groups (the rest is left to the scalar loop); returns where it stopped.
template <bool kLog, bool kScaled>
size_t softmax_columns_simd(const Columns& a, size_t c, size_t count, float scale) {
  const ExpConsts k;
  const v128_t vs = wasm_f32x4_splat(scale);
  size_t i = 0;
  for (; i + 8 <= count; i += 8) softmax_groups<kLog, kScaled, 2>(a, c, i, vs, k);
  for (; i + 4 <= count; i += 4) softmax_groups<kLog, kScaled, 1>(a, c, i, vs, k);
  return i;
}
#endif

// SIMD groups of positions, then the scalar tail.
template <bool kLog>
void softmax_columns(const Columns& a, size_t c, size_t count, float scale) {
  size_t i = 0;
#ifdef __wasm_simd128__
  i = scale == 1.0f ? softmax_columns_simd<kLog, false>(a, c, count, scale)
                    : softmax_columns_simd<kLog, true>(a, c, count, scale);
#endif
  for (; i < count; i++) {
    const float m = col_max(a.s, c, a.ss, i);
    const double sum = col_sum_exp(a.s, c, a.ss, i, m, scale, kLog ? nullptr : a.e);
    if (kLog) {
      const float neg_log = static_cast<float>(-std::log(sum));
      for (size_t j = 0; j < c; j++) a.y[j * a.ys + i] = (a.s[j * a.ss + i] - m) * scale + neg_log;
    } else {
      const float r = static_cast<float>(1.0 / sum);
      for (size_t j = 0; j < c; j++) a.y[j * a.ys + i] = a.e[j * a.ss + i] * r;
    }
  }
}

// A whole (c, inner) slab; y may alias s. A slab wider than a cache tile (columns.h) goes a tile at a
// time: s's positions copied into the tile, the exponentials kept there, the results written to y
// strided (as cross-entropy's gradient: a result tile copied out measured slower).
template <bool kLog>
void softmax_slab(const float* s, float* y, size_t c, size_t inner, float scale, float* tile) {
  const size_t tw = tile_width(c);
  if (inner <= tw) return softmax_columns<kLog>({s, inner, y, y, inner}, c, inner, scale);
  for (size_t i = 0; i < inner; i += tw) {
    const size_t w = inner - i < tw ? inner - i : tw;
    tile_in(s, c, inner, i, w, tw, tile);
    softmax_columns<kLog>({tile, tw, tile, y + i, inner}, c, w, scale);
  }
}

// Slabs [begin, end) of x (outer, c, inner) into y. With inner = 1 (rows), three passes per row: the max
// (and min), then exp((x - max) / T) stored into y while summing (Sum::kBlocked), then a scale of y by
// 1 / sum. For rows that fit in cache this beats the one-pass online form, which needs two exponentials per
// element.
void softmax_rows(const Call& k, const Input& in, float* y, size_t begin, size_t end) {
  // Fields into locals first: stores through y may alias k, so reading k in the loop would reload it.
  const size_t c = k.classes, inner = k.inner, size = c * inner;
  const float inv_temperature = k.inv_temperature;
  if (inner != 1) {
    std::vector<float> tile(c * tile_width(c));
    for (size_t o = begin; o < end; o++)
      softmax_slab<false>(in.slab(o), y + o * size, c, inner, inv_temperature, tile.data());
    return;
  }
  for (size_t i = begin; i < end; i++) {
    float* yi = y + i * c;
    const double sum = in.row(i, [&](const float* xi, RowRange r) {
      return row_sum_exp<Sum::kBlocked>(xi, c, r, inv_temperature, yi);
    });
    row_scale(yi, c, static_cast<float>(1.0 / sum));
  }
}

// Rows of kSplitClasses or more, in pieces (row_pieces.h), for softmax and log_softmax (one function, a
// flag: the two cost the wasm twice the scaffolding). Each piece gives its max m_p and s_p; softmax stores
// exp((x - m_p) / T) into y while summing (Sum::kBlocked, as its whole rows), log_softmax sums in float64.
// The pieces' (max, sum) merge into the row's (m, s); then softmax scales each piece by
// exp((m_p - m) / T) / s, log_softmax writes y = (x - m) / T - log s.
void softmax_pieces(const Call& k, const float* x, float* y, bool log) {
  const RowPieces rp(k.outer, k.classes);
  const float scale = k.inv_temperature;
  std::vector<Piece> piece(rp.chunks());
  parallel_for(rp.chunks(), rp.n * rp.c, [&](size_t chunk) {
    const float* xp = x + rp.offset(chunk);
    const size_t len = rp.length(chunk);
    const RowRange r = row_range(xp, len);
    piece[chunk] = {r.max, log ? row_sum_exp(xp, len, r, scale, nullptr)
                               : row_sum_exp<Sum::kBlocked>(xp, len, r, scale, y + rp.offset(chunk))};
  });
  const std::vector<Piece> row = rp.merge(piece, scale);
  parallel_for(rp.chunks(), rp.n * rp.c, [&](size_t chunk) {
    float* yp = y + rp.offset(chunk);
    const size_t len = rp.length(chunk);
    const Piece& r = row[rp.row(chunk)];
    if (log)
      return row_affine(x + rp.offset(chunk), yp, len, r.max, scale, static_cast<float>(-std::log(r.sum)));
    const double f = RowPieces::factor(piece[chunk].max, r.max, scale);
    if (f == 0.0) {
      for (size_t j = 0; j < len; j++) yp[j] = 0.0f;
    } else {
      row_scale(yp, len, static_cast<float>(f / r.sum));
    }
  });
}
}  // namespace

// x, y: (outer, c, inner). Rows (or slabs) are independent: chunks of them run on any thread
// (parallel.h); very long float32 rows (inner = 1) are split.
void softmax(const Call& k, const void* x, float* y) {
  if (k.inner == 1 && k.dtype != kFloat16 && k.classes >= kSplitClasses)
    return softmax_pieces(k, static_cast<const float*>(x), y, false);
  const Input in(k, x);
  parallel_rows(k.outer, static_cast<size_t>(k.classes) * k.inner,
                [&](size_t begin, size_t end) { softmax_rows(k, in, y, begin, end); });
}

// Slabs [begin, end) of x (outer, c, inner) into y: y = (x - max) / T - log(sum exp((x - max) / T)) along
// the class axis.
namespace {
void log_softmax_rows(const Call& k, const Input& in, float* y, size_t begin, size_t end) {
  const size_t c = k.classes, inner = k.inner, size = c * inner;
  const float inv_temperature = k.inv_temperature;
  if (inner != 1) {
    std::vector<float> tile(c * tile_width(c));
    for (size_t o = begin; o < end; o++)
      softmax_slab<true>(in.slab(o), y + o * size, c, inner, inv_temperature, tile.data());
    return;
  }
  for (size_t i = begin; i < end; i++) {
    in.row(i, [&](const float* xi, RowRange r) {
      const double log_sum = std::log(row_sum_exp(xi, c, r, inv_temperature, nullptr));
      row_affine(xi, y + i * c, c, r.max, inv_temperature, static_cast<float>(-log_sum));
    });
  }
}

}  // namespace

void log_softmax(const Call& k, const void* x, float* y) {
  if (k.inner == 1 && k.dtype != kFloat16 && k.classes >= kSplitClasses)
    return softmax_pieces(k, static_cast<const float*>(x), y, true);
  const Input in(k, x);
  parallel_rows(k.outer, static_cast<size_t>(k.classes) * k.inner,
                [&](size_t begin, size_t end) { log_softmax_rows(k, in, y, begin, end); });
}

namespace {
// The (c, inner) slabs of softmax_backward with the class axis not last, four positions per vector: the
// dot products <g, p> per position, then dx = p * (g - dot). Each group's dot products are taken before its
// stores, so dx may alias p or g.
void softmax_backward_columns(const float* p, const float* g, float* dx, size_t c, size_t inner) {
  size_t i = 0;
#ifdef __wasm_simd128__
  for (; i + 4 <= inner; i += 4) {
    v128_t lo, hi;
    col_dot4(p, g, c, inner, i, lo, hi);
    const v128_t d = f64_to_f32x4(lo, hi);
    for (size_t j = 0; j < c; j++) {
      const size_t at = j * inner + i;
      wasm_v128_store(dx + at,
                      wasm_f32x4_mul(wasm_v128_load(p + at), wasm_f32x4_sub(wasm_v128_load(g + at), d)));
    }
  }
#endif
  for (; i < inner; i++) {
    double dot = 0.0;
    for (size_t j = 0; j < c; j++) dot += p[j * inner + i] * g[j * inner + i];
    const float d = static_cast<float>(dot);
    for (size_t j = 0; j < c; j++) dx[j * inner + i] = p[j * inner + i] * (g[j * inner + i] - d);
  }
}

// Slabs [begin, end) of p, g, dx: (outer, c, inner); p of k.dtype. dx = p * (g - <g, p>) along the class
// axis, the vector-Jacobian product of softmax.
void softmax_backward_rows(const Call& k, const Input& in, const float* g, float* dx, size_t begin,
                           size_t end) {
  const size_t c = k.classes, inner = k.inner, size = c * inner;
  for (size_t o = begin; o < end; o++) {
    const float* pi = in.slab(o);
    const float* gi = g + o * size;
    float* di = dx + o * size;
    if (inner != 1) {
      softmax_backward_columns(pi, gi, di, c, inner);
      continue;
    }
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

void softmax_backward(const Call& k, const void* probs, const float* g, float* dx) {
  const Input in(k, probs);
  parallel_rows(k.outer, static_cast<size_t>(k.classes) * k.inner,
                [&](size_t begin, size_t end) { softmax_backward_rows(k, in, g, dx, begin, end); });
}

}  // namespace xe
