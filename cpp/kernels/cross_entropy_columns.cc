// Cross-entropy with the class axis not last: a (c, inner) slab, position i's classes at z[j * inner + i]
// (columns.h). The same per-position math as the rows of cross_entropy.cc; coefficients are formed on the
// fly from the dense target y (the slab, same layout) or the shared smoothing part, and t is the class
// index or -1.
#include <cmath>

#include "../simd/columns.h"
#include "../simd/rows.h"
#include "cross_entropy.h"

namespace xe {
namespace cross_entropy_detail {
namespace {

// What z-loss adds to a position with max m and sum of exponentials s (cross_entropy.cc has the math): term =
// zeta lse^2 to the loss and grad = 2 zeta lse to the factor A of the exponentials; 0 without z-loss.
struct ZLoss {
  double term = 0.0, grad = 0.0;
  ZLoss(const Options& o, float m, double s) {
    if (o.z_loss == 0.0f) return;
    const double lse = static_cast<double>(m) + log_f64(s);
    term = static_cast<double>(o.z_loss) * lse * lse;
    grad = 2.0 * o.z_loss * lse;
  }
};

// a_j of position i: w_j ((1 - eps) y_j + eps / C), or w_j eps / C for labels with smoothing.
inline float col_coefficient(const float* y, const Options& o, size_t c, size_t inner, size_t i, size_t j) {
  const float alpha = 1.0f - o.smoothing, beta = o.smoothing / static_cast<float>(c);
  return (o.weight ? o.weight[j] : 1.0f) * ((y ? alpha * y[j * inner + i] : 0.0f) + beta);
}

// One position from logits, scalar: the tail of the SIMD loop and the whole of the scalar build.
// g: its classes gs apart (the tiles of slab() read z from a tile and write g in place).
double col_from_logits(const float* z, size_t c, size_t inner, size_t i, int32_t t, const float* y,
                       const Options& o, float* g, size_t gs, LogSum* logs) {
  const float m = col_max(z, c, inner, i);
  double s = 0.0;  // g holds exp(z - m) until the last step
  for (size_t j = 0; j < c; j++) {
    const float v = exp_nonpos(z[j * inner + i] - m);
    if (g) g[j * gs + i] = v;
    s += v;
  }
  const float wt = t >= 0 ? (o.weight ? o.weight[t] : 1.0f) * (1.0f - o.smoothing) : 0.0f;
  const bool coefficients = y || o.smoothing != 0.0f;
  double sum_a = 0.0, weighted = 0.0;
  if (coefficients) {
    double sum_az = 0.0;
    for (size_t j = 0; j < c; j++) {
      const float aj = col_coefficient(y, o, c, inner, i, j);
      sum_a += aj;
      if (aj != 0.0f) sum_az += aj * (m - z[j * inner + i]);
    }
    weighted += sum_az;
  }
  if (wt != 0.0f) {
    sum_a += wt;
    weighted += static_cast<double>(wt) * (static_cast<double>(m) - z[t * inner + i]);
  }
  const ZLoss zl(o, m, s);
  if (g) {
    const float scale = static_cast<float>(o.grad_scale);
    const float k = static_cast<float>(o.grad_scale * (sum_a + zl.grad) / s);
    for (size_t j = 0; j < c; j++) {
      const float a = coefficients ? col_coefficient(y, o, c, inner, i, j) : 0.0f;
      g[j * gs + i] = g[j * gs + i] * k - a * scale;
    }
    if (wt != 0.0f) g[t * gs + i] -= wt * scale;
  }
  if (sum_a == 0.0) return weighted + zl.term;
  if (logs && sum_a == 1.0 && o.z_loss == 0.0f) {
    logs->add(s);
    return weighted;
  }
  return sum_a * log_f64(s) + weighted + zl.term;
}

// One position from probabilities (as row_from_probs, which is scalar too: a float64 log per term).
double col_from_probs(const float* q, size_t c, size_t inner, size_t i, int32_t t, const float* y,
                      const Options& o, float* g, size_t gs) {
  const float wt = t >= 0 ? (o.weight ? o.weight[t] : 1.0f) * (1.0f - o.smoothing) : 0.0f;
  const float scale = static_cast<float>(o.grad_scale);
  double loss = 0.0;
  auto term = [&](size_t j, float aj) {
    const float qj = q[j * inner + i];
    const float clamped = qj < o.eps ? o.eps : (qj > 1.0f ? 1.0f : qj);  // NaN passes through
    loss -= static_cast<double>(aj) * std::log(static_cast<double>(clamped));
    if (g && qj >= o.eps && qj <= 1.0f) g[j * gs + i] -= aj * scale / qj;
  };
  if (g)
    for (size_t j = 0; j < c; j++) g[j * gs + i] = 0.0f;
  if (y || o.smoothing != 0.0f) {
    for (size_t j = 0; j < c; j++) {
      const float aj = col_coefficient(y, o, c, inner, i, j);
      if (aj != 0.0f) term(j, aj);
    }
  }
  if (wt != 0.0f) term(static_cast<size_t>(t), wt);
  return loss;
}

#ifdef __wasm_simd128__
// Positions i..i+3 from logits, one lane each: the max, the sum of exponentials (stored into e, z's layout),
// the coefficient sums and the gradient are vectors over the classes; only the per-position float64 work (the
// log, the division, the label's own term) is done lane by lane. t: the four labels or null. Returns the four
// losses' sum in nats and writes loss_out[0..3] (output units) when set.
double col4_from_logits(const float* z, size_t c, size_t inner, size_t i, const int32_t* t, const float* y,
                        const Options& o, int32_t ignore_index, double base_scale, float* e, float* g,
                        size_t gs, float* loss_out, LogSum* logs, const ExpConsts& K) {
  int32_t tl[4] = {-1, -1, -1, -1};
  float wt[4] = {0.0f, 0.0f, 0.0f, 0.0f};
  int32_t keep[4] = {-1, -1, -1, -1};
  bool any = !t;
  if (t) {
    for (int l = 0; l < 4; l++) {
      if (t[l] == ignore_index) {
        keep[l] = 0;
        continue;
      }
      any = true;
      tl[l] = t[l];
      wt[l] = (o.weight ? o.weight[t[l]] : 1.0f) * (1.0f - o.smoothing);
    }
  }
  if (!any) {  // four ignored positions: 0 loss, 0 gradient
    if (g)
      for (size_t j = 0; j < c; j++) wasm_v128_store(g + j * gs + i, wasm_f32x4_splat(0.0f));
    if (loss_out) wasm_v128_store(loss_out, wasm_f32x4_splat(0.0f));
    return 0.0;
  }
  const v128_t m = col_max4(z, c, inner, i);
  v128_t s_lo, s_hi;
  s_lo = s_hi = wasm_f64x2_splat(0.0);
  for (size_t j = 0; j < c; j++) {
    const v128_t v = exp_nonpos(wasm_f32x4_sub(wasm_v128_load(z + j * inner + i), m), K);
    if (g) wasm_v128_store(e + j * inner + i, v);
    add_f64(v, s_lo, s_hi);
  }

  // The coefficient vector of class j over the four positions.
  const bool coefficients = y || o.smoothing != 0.0f;
  const v128_t alpha = wasm_f32x4_splat(1.0f - o.smoothing), beta = wasm_f32x4_splat(o.smoothing / c);
  auto a_at = [&](size_t j) {
    const v128_t w = wasm_f32x4_splat(o.weight ? o.weight[j] : 1.0f);
    const v128_t part = y ? wasm_f32x4_add(wasm_f32x4_mul(alpha, wasm_v128_load(y + j * inner + i)), beta)
                          : wasm_f32x4_add(wasm_f32x4_splat(0.0f), beta);
    return wasm_f32x4_mul(w, part);
  };
  double s[4], sa[4] = {0, 0, 0, 0}, saz[4] = {0, 0, 0, 0};
  store_f64x4(s, s_lo, s_hi);
  if (coefficients) {
    const v128_t zero = wasm_f32x4_splat(0.0f);
    v128_t a_lo = wasm_f64x2_splat(0.0), a_hi = a_lo, az_lo = a_lo, az_hi = a_lo;
    for (size_t j = 0; j < c; j++) {
      const v128_t va = a_at(j);
      const v128_t term = wasm_f32x4_mul(va, wasm_f32x4_sub(m, wasm_v128_load(z + j * inner + i)));
      add_f64(va, a_lo, a_hi);
      add_f64(wasm_v128_and(term, wasm_f32x4_ne(va, zero)), az_lo, az_hi);
    }
    store_f64x4(sa, a_lo, a_hi);
    store_f64x4(saz, az_lo, az_hi);
  }
  float mm[4], kl[4];
  wasm_v128_store(mm, m);
  double total = 0.0;
  for (int l = 0; l < 4; l++) {
    double sum_a = sa[l], weighted = saz[l];
    if (wt[l] != 0.0f) {
      sum_a += wt[l];
      weighted += static_cast<double>(wt[l]) * (static_cast<double>(mm[l]) - z[tl[l] * inner + i + l]);
    }
    const ZLoss zl(o, mm[l], s[l]);
    kl[l] = keep[l] ? static_cast<float>(o.grad_scale * (sum_a + zl.grad) / s[l]) : 0.0f;
    double loss = weighted + zl.term;
    if (!keep[l]) {
      loss = 0.0;
    } else if (sum_a != 0.0) {
      if (logs && sum_a == 1.0 && o.z_loss == 0.0f) {
        logs->add(s[l]);
      } else {
        loss = sum_a * log_f64(s[l]) + weighted + zl.term;
      }
    }
    total += loss;
    if (loss_out) loss_out[l] = static_cast<float>(loss * base_scale);
  }
  if (g) {
    // g = k e - scale a, and at each position's own class also - scale w_t, as a select in the same pass
    // (a scalar fix-up after the vector stores made the next loads of g wait for a failed store
    // forwarding, and cost a third of the loss).
    const float scale = static_cast<float>(o.grad_scale);
    const v128_t vk = wasm_v128_load(kl), vs = wasm_f32x4_splat(scale), mask = wasm_v128_load(keep);
    const v128_t vt = wasm_v128_load(tl), vw = wasm_f32x4_mul(wasm_v128_load(wt), vs);
    for (size_t j = 0; j < c; j++) {
      v128_t v = wasm_f32x4_mul(wasm_v128_load(e + j * inner + i), vk);
      if (coefficients) v = wasm_f32x4_sub(v, wasm_f32x4_mul(a_at(j), vs));
      v = wasm_f32x4_sub(v, wasm_v128_and(vw, wasm_i32x4_eq(vt, wasm_i32x4_splat(static_cast<int32_t>(j)))));
      wasm_v128_store(g + j * gs + i, wasm_v128_and(v, mask));
    }
  }
  return total;
}
#endif

// Positions 0..count-1 of a (c, inner) slab or tile: t their labels (or null), y the dense target (or
// null), g the gradient (or null), loss_out their per-position losses (or null). Returns the sum of the
// losses in nats.
double columns(const Call& k, const Options& o, const float* z, const int32_t* t, const float* y, size_t c,
               size_t inner, size_t count, float* e, float* g, size_t gs, float* loss_out, LogSum* logs) {
  double total = 0.0;
  size_t i = 0;
#ifdef __wasm_simd128__
  if (!k.from_probs) {
    const ExpConsts K;
    for (; i + 4 <= count; i += 4)
      total += col4_from_logits(z, c, inner, i, t ? t + i : nullptr, y, o, k.ignore_index, k.base_scale, e, g,
                                gs, loss_out ? loss_out + i : nullptr, logs, K);
  }
#endif
  for (; i < count; i++) {
    int32_t ti = -1;
    if (t) {
      ti = t[i];
      if (ti == k.ignore_index) {
        if (g)
          for (size_t j = 0; j < c; j++) g[j * gs + i] = 0.0f;
        if (loss_out) loss_out[i] = 0.0f;
        continue;
      }
    }
    const double loss = k.from_probs ? col_from_probs(z, c, inner, i, ti, y, o, g, gs)
                                     : col_from_logits(z, c, inner, i, ti, y, o, g, gs, logs);
    total += loss;
    if (loss_out) loss_out[i] = static_cast<float>(loss * k.base_scale);
  }
  return total;
}

}  // namespace

// A whole (c, inner) slab through cache tiles (columns.h): the logits (and the dense target) are read from
// a tile, the gradient written in place, strided (a gradient tile copied out measured 2x slower). The
// exponentials wait for the gradient pass in a tile of their own: stored into g, strided, they were read
// back from beyond L2 when inner is a large power of two (all classes of a position in one cache set);
// in L1 the segmentation shape [8, 21, 128, 128] measured 1.2-1.8x faster (1.3-1.5x to 1.1-1.25x the
// classes-last time). tiles:
// tile_floats(c) floats.
size_t tile_floats(size_t c) { return 3 * c * tile_width(c); }
double slab(const Call& k, const Options& o, const float* z, const int32_t* t, const float* y, size_t c,
            size_t inner, float* g, float* loss_out, LogSum* logs, float* tiles) {
  const size_t tw = tile_width(c);
  if (inner <= tw) return columns(k, o, z, t, y, c, inner, inner, g, g, inner, loss_out, logs);
  float* zt = tiles;
  float* yt = tiles + c * tw;
  float* et = tiles + 2 * c * tw;
  double total = 0.0;
  for (size_t i = 0; i < inner; i += tw) {
    const size_t w = inner - i < tw ? inner - i : tw;
    tile_in(z, c, inner, i, w, tw, zt);
    if (y) tile_in(y, c, inner, i, w, tw, yt);
    total += columns(k, o, zt, t ? t + i : nullptr, y ? yt : nullptr, c, tw, w, et, g ? g + i : nullptr,
                     inner, loss_out ? loss_out + i : nullptr, logs);
  }
  return total;
}

}  // namespace cross_entropy_detail
}  // namespace xe
