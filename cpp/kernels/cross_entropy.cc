// Cross-entropy between a target distribution and softmax(x) (or probabilities x), and its gradient.
//
// Every variant is a weighted negative log-likelihood: per row, loss = sum_j a_j * -log q_j, where the
// coefficients a_j come from the target:
//   class index t:   a_j = (1 - eps) * w_t * [j == t] + (eps / C) * w_j
//   distribution y:  a_j = w_j * ((1 - eps) * y_j + eps / C)
// (w = per-class weights, 1 without them; eps = label smoothing). A zero a_j contributes exactly 0, even
// where log q_j is -Infinity. With logits z, -log q_j = lse - z_j = log(s) + (m - z_j), where m = max z
// and s = sum exp(z - m), and the gradient is the familiar
//   d loss / d z_j = A * softmax(z)_j - a_j,   A = sum_j a_j.
// z-loss (PaLM; Liger-Kernel's lse_square_scale) adds zeta * lse^2 to each counted row, lse = m + log(s), the
// log-sum-exp the row already has; since d lse / d z_j = softmax(z)_j, it adds 2 * zeta * lse * softmax(z)_j
// to the gradient, which is one more term in the factor of the stored exponentials:
//   d loss / d z_j = (A + 2 zeta lse) * softmax(z)_j - a_j.
#include <cmath>
#include <vector>

#include "../parallel.h"
#include "../simd/columns.h"
#include "../simd/rows.h"
#include "../xentropy.h"
#include "log_sum.h"

namespace xe {
namespace {

struct Options {
  const float* weight;  // (c) or null
  float smoothing;
  float eps;          // probability clamp for from_probs
  float z_loss;       // zeta, logits only
  double grad_scale;  // d reduced loss / d per-row loss, in output units
};

// The coefficient row a (c) for a distribution target row y, or the shared smoothing part for labels.
void fill_coefficients(const float* y, const float* weight, float smoothing, size_t c, float* a) {
  const float alpha = 1.0f - smoothing, beta = smoothing / static_cast<float>(c);
  for (size_t j = 0; j < c; j++) a[j] = (weight ? weight[j] : 1.0f) * ((y ? alpha * y[j] : 0.0f) + beta);
}

// Returns sum_j a_j and adds sum_j a_j * (m - z_j), skipping zero coefficients, to *weighted.
double coefficient_sums(const float* z, const float* a, size_t c, float m, double* weighted) {
  size_t j = 0;
  double sum_a = 0.0, sum_az = 0.0;
#ifdef __wasm_simd128__
  const v128_t vm = wasm_f32x4_splat(m), zero = wasm_f32x4_splat(0.0f);
  v128_t a_lo = wasm_f64x2_splat(0.0), a_hi = a_lo, az_lo = a_lo, az_hi = a_lo;
  for (; j + 4 <= c; j += 4) {
    const v128_t va = wasm_v128_load(a + j);
    const v128_t term = wasm_f32x4_mul(va, wasm_f32x4_sub(vm, wasm_v128_load(z + j)));
    add_f64(va, a_lo, a_hi);
    add_f64(wasm_v128_and(term, wasm_f32x4_ne(va, zero)), az_lo, az_hi);
  }
  sum_a = hsum_f64(a_lo, a_hi);
  sum_az = hsum_f64(az_lo, az_hi);
#endif
  for (; j < c; j++) {
    sum_a += a[j];
    if (a[j] != 0.0f) sum_az += a[j] * (m - z[j]);
  }
  *weighted += sum_az;
  return sum_a;
}

// One row from logits z (c). t: the class index or -1; a: the coefficient row (null for a plain class
// index without smoothing). Returns the row loss in nats; writes the gradient row when g != null.
// With logs != null, a row whose sum of coefficients is exactly 1 (a plain class index, unweighted) leaves
// its log(s) term to logs instead of the returned loss.
double row_from_logits(const float* z, int32_t t, const float* a, size_t c, const Options& o, float* g,
                       LogSum* logs) {
  const RowRange r = row_range(z, c);
  const float m = r.max;
  const double s = row_sum_exp(z, c, r, 1.0f, g);  // g holds exp(z - m) until the last step
  const float wt = t >= 0 ? (o.weight ? o.weight[t] : 1.0f) * (1.0f - o.smoothing) : 0.0f;
  double sum_a = 0.0, weighted = 0.0;  // A and sum_j a_j (m - z_j)
  if (a) sum_a = coefficient_sums(z, a, c, m, &weighted);
  if (wt != 0.0f) {
    sum_a += wt;
    weighted += static_cast<double>(wt) * (static_cast<double>(m) - z[t]);
  }
  // z-loss: lse = m + log(s) in float64 (log(s) in [0, log C]).
  const double lse = o.z_loss != 0.0f ? static_cast<double>(m) + std::log(s) : 0.0;
  const double z_term = o.z_loss != 0.0f ? static_cast<double>(o.z_loss) * lse * lse : 0.0;
  if (g) {
    const float scale = static_cast<float>(o.grad_scale);
    const float k = static_cast<float>(o.grad_scale * (sum_a + 2.0 * o.z_loss * lse) / s);
    if (a) {
      grad_from_exp(g, a, c, k, scale);
    } else {
      row_scale(g, c, k);
    }
    if (wt != 0.0f) g[t] -= wt * scale;
  }
  if (sum_a == 0.0) return weighted + z_term;
  if (logs && sum_a == 1.0 && o.z_loss == 0.0f) {
    logs->add(s);
    return weighted;
  }
  return sum_a * std::log(s) + weighted + z_term;
}

// One row from probabilities q (c): loss = sum_j a_j * -log(clamp(q_j, eps, 1)); the gradient
// -a_j / q_j flows only where q_j is inside the clamp.
double row_from_probs(const float* q, int32_t t, const float* a, size_t c, const Options& o, float* g) {
  const float wt = t >= 0 ? (o.weight ? o.weight[t] : 1.0f) * (1.0f - o.smoothing) : 0.0f;
  const float scale = static_cast<float>(o.grad_scale);
  double loss = 0.0;
  auto term = [&](size_t j, float aj) {
    const float qj = q[j];
    const float clamped = qj < o.eps ? o.eps : (qj > 1.0f ? 1.0f : qj);  // NaN passes through
    loss -= static_cast<double>(aj) * std::log(static_cast<double>(clamped));
    if (g && qj >= o.eps && qj <= 1.0f) g[j] -= aj * scale / qj;
  };
  if (g)
    for (size_t j = 0; j < c; j++) g[j] = 0.0f;
  if (a)
    for (size_t j = 0; j < c; j++)
      if (a[j] != 0.0f) term(j, a[j]);
  if (wt != 0.0f) term(static_cast<size_t>(t), wt);
  return loss;
}

// ---- The class axis not last: a (c, inner) slab, position i's classes at z[j * inner + i] (columns.h).
// The same per-position math as the rows above; coefficients are formed on the fly from the dense target
// y (the slab, same layout) or the shared smoothing part, and t is the class index or -1.

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
  if (g) {
    const float scale = static_cast<float>(o.grad_scale);
    const float k = static_cast<float>(o.grad_scale * sum_a / s);
    for (size_t j = 0; j < c; j++) {
      const float a = coefficients ? col_coefficient(y, o, c, inner, i, j) : 0.0f;
      g[j * gs + i] = g[j * gs + i] * k - a * scale;
    }
    if (wt != 0.0f) g[t * gs + i] -= wt * scale;
  }
  if (sum_a == 0.0) return weighted;
  if (logs && sum_a == 1.0) {
    logs->add(s);
    return weighted;
  }
  return sum_a * std::log(s) + weighted;
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
// Positions i..i+3 from logits, one lane each: the max, the sum of exponentials (stored into g), the
// coefficient sums and the gradient are vectors over the classes; only the per-position float64 work
// (the log, the division, the label's own term) is done lane by lane. t: the four labels or null.
// Returns the four losses' sum in nats and writes loss_out[0..3] (output units) when set.
double col4_from_logits(const float* z, size_t c, size_t inner, size_t i, const int32_t* t, const float* y,
                        const Options& o, int32_t ignore_index, double base_scale, float* g, size_t gs,
                        float* loss_out, LogSum* logs, const ExpConsts& K) {
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
    if (g) wasm_v128_store(g + j * gs + i, v);
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
    kl[l] = keep[l] ? static_cast<float>(o.grad_scale * sum_a / s[l]) : 0.0f;
    double loss = weighted;
    if (!keep[l]) {
      loss = 0.0;
    } else if (sum_a != 0.0) {
      if (logs && sum_a == 1.0) {
        logs->add(s[l]);
      } else {
        loss = sum_a * std::log(s[l]) + weighted;
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
      v128_t v = wasm_f32x4_mul(wasm_v128_load(g + j * gs + i), vk);
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
               size_t inner, size_t count, float* g, size_t gs, float* loss_out, LogSum* logs) {
  double total = 0.0;
  size_t i = 0;
#ifdef __wasm_simd128__
  if (!k.from_probs) {
    const ExpConsts K;
    for (; i + 4 <= count; i += 4)
      total += col4_from_logits(z, c, inner, i, t ? t + i : nullptr, y, o, k.ignore_index, k.base_scale, g,
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

// A whole (c, inner) slab through cache tiles (columns.h): the logits (and the dense target) are read from
// a tile, the gradient written in place, strided (a gradient tile copied out measured 2x slower). tiles:
// tile_floats(c) floats.
size_t tile_floats(size_t c) { return 2 * c * tile_width(c); }
double slab(const Call& k, const Options& o, const float* z, const int32_t* t, const float* y, size_t c,
            size_t inner, float* g, float* loss_out, LogSum* logs, float* tiles) {
  const size_t tw = tile_width(c);
  if (inner <= tw) return columns(k, o, z, t, y, c, inner, inner, g, inner, loss_out, logs);
  float* zt = tiles;
  float* yt = tiles + c * tw;
  double total = 0.0;
  for (size_t i = 0; i < inner; i += tw) {
    const size_t w = inner - i < tw ? inner - i : tw;
    tile_in(z, c, inner, i, w, tw, zt);
    if (y) tile_in(y, c, inner, i, w, tw, yt);
    total += columns(k, o, zt, t ? t + i : nullptr, y ? yt : nullptr, c, tw, w, g ? g + i : nullptr, inner,
                     loss_out ? loss_out + i : nullptr, logs);
  }
  return total;
}

}  // namespace

double cross_entropy(const Call& k, const void* x, const int32_t* labels, const float* target,
                     const float* weight, float* loss_out, float* grad) {
  const size_t outer = k.outer, c = k.classes, inner = k.inner, n = k.positions(), size = c * inner;
  const int32_t ignore_index = k.ignore_index;
  const float smoothing = k.smoothing;
  const Reduction reduction = static_cast<Reduction>(k.reduction);
  const double base_scale = k.base_scale;
  // The mean divides by the summed weights of the target classes of the positions that count (labels),
  // or by their number n (distributions), as PyTorch does over N d1 ... dk. A zero divisor gives NaN and
  // an all-zero gradient.
  double divisor = static_cast<double>(n);
  if (labels) {
    divisor = 0.0;
    for (size_t i = 0; i < n; i++)
      if (labels[i] != ignore_index) divisor += weight ? weight[labels[i]] : 1.0f;
  }
  if (reduction == kMean && divisor == 0.0) {
    if (grad)
      for (size_t i = 0; i < n * c; i++) grad[i] = 0.0f;
    return NAN;
  }
  const Options o{weight, smoothing, k.eps, k.z_loss, base_scale / (reduction == kMean ? divisor : 1.0)};

  // Coefficients of rows: for labels with smoothing the shared part (eps / C) * w, computed once; for
  // distributions one row at a time, in each chunk's own row. (Columns form theirs on the fly.)
  std::vector<float> shared;
  if (inner == 1 && labels && smoothing != 0.0f) {
    shared.resize(c);
    fill_coefficients(nullptr, weight, smoothing, c, shared.data());
  }

  // Chunks of rows (inner = 1) or of whole (c, inner) slabs run on any thread (parallel.h); each adds up
  // its own losses, and the chunks' sums are added in chunk order.
  const Input in(k, x);
  const double total = parallel_sum_rows(outer, size, [&](size_t begin, size_t end) {
    std::vector<float> a(inner == 1 && target ? c : 0);
    const float* ar = inner == 1 && target ? a.data() : (shared.empty() ? nullptr : shared.data());
    std::vector<float> tiles(inner > 1 ? tile_floats(c) : 0);
    double sum = 0.0;
    LogSum logs;  // used only when no per-position losses are asked for
    LogSum* row_logs = loss_out ? nullptr : &logs;
    for (size_t r = begin; r < end; r++) {
      const float* xr = in.slab(r);
      float* gr = grad ? grad + r * size : nullptr;
      if (inner != 1) {
        sum += slab(k, o, xr, labels ? labels + r * inner : nullptr, target ? target + r * size : nullptr, c,
                    inner, gr, loss_out ? loss_out + r * inner : nullptr, row_logs, tiles.data());
        continue;
      }
      int32_t t = -1;
      if (labels) {
        t = labels[r];
        if (t == ignore_index) {
          if (gr)
            for (size_t j = 0; j < c; j++) gr[j] = 0.0f;
          if (loss_out) loss_out[r] = 0.0f;
          continue;
        }
      } else {
        fill_coefficients(target + r * c, weight, smoothing, c, a.data());
      }
      const double loss =
          k.from_probs ? row_from_probs(xr, t, ar, c, o, gr) : row_from_logits(xr, t, ar, c, o, gr, row_logs);
      sum += loss;
      if (loss_out) loss_out[r] = static_cast<float>(loss * base_scale);
    }
    return sum + logs.total();
  });
  return reduction == kMean ? total * base_scale / divisor : total * base_scale;
}

}  // namespace xe
