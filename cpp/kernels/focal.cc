// Multi-class focal loss (Lin et al. 2017, "Focal Loss for Dense Object Detection") with its gradient in
// the same pass; the sigmoid form is in sigmoid_focal.cc, and focal.h holds what the two share.
//
// Multi-class. Per position, with q = softmax(z) (or the clamped probabilities), l_k = log q_k,
// u_k = 1 - q_k and the coefficients c_k = alpha_k * t_k (t after label smoothing, as cross-entropy's a_k):
//   loss = -sum_k c_k u_k^g l_k
//   d loss / d q_k = -c_k (u_k^g / q_k - g u_k^(g-1) l_k)
// and through the softmax, d q_k / d z_j = q_k ([k == j] - q_j):
//   d loss / d z_j = sum_k (d loss / d q_k) q_k ([k == j] - q_j) = W q_j - w_j,
//   w_k = c_k u_k^g (1 - g q_k l_k / u_k),   W = sum_k w_k,
// the cross-entropy gradient A q_j - a_j with a_k = w_k (g = 0 gives w = c: cross-entropy exactly). Every
// w_k >= c_k u_k^g >= 0, since l_k <= 0. The ratio q l / u has the limits 0 as q -> 0 (q log q -> 0, also
// at a -Infinity mask) and -1 as q -> 1 (log q ~ -(1 - q)); both are taken exactly where q or u is 0.
//
// Accuracy of u^g near both ends. As q -> 1, u = 1 - q must not come from a rounded q, nor from s - 1: the
// float64 row sum s = 1 + (the other exponentials) keeps them only to 1e-16 absolute, a relative error of
// 1e-3 in u = 1e-13. So for the class with q > 1/2 (the argmax, whose exponential is exactly 1, and only
// when s < 2), the other exponentials are summed again without it: o = sum_{k != j} e_k, and then
// q = 1 / (1 + o), u = o / (1 + o), l = -log1p(o), to float64 precision from the float32 exponentials (this
// pass is the price of a confident row). Otherwise q = e / s <= 1/2, u = 1 - q and l = (z - m) - log(s). As
// q -> 0, u^g = exp(g log1p(-q)) keeps q's small contribution (log1p accurate for small q, log1p_f64 below).
// Integer g up to 4 multiplies instead (exact at u = 0, and no exp).
//
// Where the work goes. Class-index targets without smoothing have one non-zero coefficient per row: the
// row's exponentials are stored into the gradient as cross-entropy does (SIMD), and the focal factors of
// the target class are taken in float64, once per row. Dense targets and label smoothing have a
// coefficient on every class: a SIMD pass in float32 over the stored exponentials computes q = e / s,
// l = (z - m) - log s, u^g (u >= 1/2 there, so 1 - q is exact to half an ulp and log1p_unit(-q) applies)
// and w; the one class that may have q > 1/2 (the argmax, only when s < 2) is left out of that pass and
// done in float64 as above. From probabilities every non-zero coefficient is taken in float64.
// Losses and W accumulate in float64. Every float64 log is log_f64 (vmath.h); the only libm call left is
// the exp of a non-integer g's power.
#include "focal.h"

#include <cmath>
#include <vector>

#include "../parallel.h"
#include "../simd/rows.h"
#include "../xentropy.h"

namespace xe {
namespace {

// log(1 + x) for x > -1 to a few ulp from log alone (Goldberg 1991, "What every computer scientist
// should know about floating-point arithmetic", Theorem 4): w = 1 + x rounded, and log(w) * x / (w - 1)
// corrects the rounding of w. Saves linking libm's log1p (and expm1) into the download.
double log1p_f64(double x) {
  const double w = 1.0 + x;
  return w == 1.0 ? x : log_f64(w) * x / (w - 1.0);
}

// u^g for u = 1 - q: products for integer g (no log taken), else exp(g log1p(-q)), the log from whichever
// of q and u is the smaller, so that it keeps its precision at both ends.
double power(double u, double q, const Gamma& g) {
  if (g.integer < 0) return std::exp(g.value * (q < 0.5 ? log1p_f64(-q) : log_f64(u)));
  double p = 1.0;
  for (int i = 0; i < g.integer; i++) p *= u;
  return p;
}

// The focal factors of one class: pow = u^g, w / c = u^g (1 - g q l / u), and l = log q.
struct Factors {
  double pow, w, l;
};

// From q, l = log q (<= 0, -Infinity for a mask, NaN for a NaN row) and u = 1 - q, in float64.
Factors factors(double q, double l, double u, const Gamma& g) {
  const double pw = power(u, q, g);
  // r = g q l / u, as (g q / u) l: the division does not wait for l, which comes last (from a log).
  double r = 0.0;
  if (g.value != 0.0f && q != 0.0) r = u == 0.0 ? -g.value : g.value * q / u * l;
  return {pw, pw * (1.0 - r), l};
}

// The sum of the row's exponentials e (c) without e[j], in float64: e[j] is set to 0 for the sum and put
// back.
double sum_without(float* e, size_t c, size_t j) {
  const float ej = e[j];
  e[j] = 0.0f;
  double sum = 0.0;
  size_t k = 0;
#ifdef __wasm_simd128__
  v128_t lo = wasm_f64x2_splat(0.0), hi = lo;
  for (; k + 4 <= c; k += 4) add_f64(wasm_v128_load(e + k), lo, hi);
  sum = hsum_f64(lo, hi);
#endif
  for (; k < c; k++) sum += e[k];
  e[j] = ej;
  return sum;
}

// The focal factors of class j (logit zj) in float64, from the row's exponentials e (stored), their sum s
// and max m: q_j, log q_j and 1 - q_j as the header says.
Factors class_factors(float zj, float* e, size_t c, size_t j, float m, double s, const Gamma& g) {
  if (s < 2.0 && zj == m) {  // q_j > 1/2 is possible only here (e_j = 1)
    const double o = sum_without(e, c, j), w = 1.0 + o;
    return factors(1.0 / w, -log1p_f64(o), o / w, g);
  }
  // Here q_j <= 1/2 (e_j < 1, or s >= 2), so 1 - q_j has no cancellation. q_j = e_j / s from the stored
  // float32 exponential rather than exp(l): both carry the float32 exponentials' ~1e-7 relative error (s
  // is their sum), and this one costs no exp.
  const double l = (static_cast<double>(zj) - m) - log_f64(s), q = e[j] / s;
  return factors(q, l, 1.0 - q, g);
}

struct Options {
  Gamma gamma;
  float smoothing, eps;
  double grad_scale;  // d reduced loss / d per-row loss, in output units
};

// One class of the float32 pass (q <= 1/2): returns c u^g l (the loss term, 0 for c = 0) and sets *w.
inline float dense_term(float e, float zj, float cj, float m, float ls, float inv_s, const Gamma& g,
                        float* w) {
  const float q = e * inv_s, l = (zj - m) - ls, u = 1.0f - q;
  float pw = 1.0f;
  if (g.integer >= 0) {
    for (int i = 0; i < g.integer; i++) pw *= u;
  } else {
    pw = exp_nonpos(g.value * log1p_unit(-q));
  }
  const float r = q != 0.0f ? g.value * q * l / u : 0.0f;
  *w = cj * (pw * (1.0f - r));
  return cj != 0.0f ? cj * pw * l : 0.0f;
}

// The float32 pass over a row whose exponentials e are stored (in g): w_j for every class with q <= 1/2;
// adds their c u^g l to *loss and w to *W. Returns the index of the class with q > 1/2, or -1.
long dense_pass(const float* z, const float* e, const float* cf, float* w, size_t c, float m, double s,
                const Gamma& g, double* loss, double* W) {
  const float ls = static_cast<float>(log_f64(s)), inv_s = static_cast<float>(1.0 / s);
  long big = -1;
  size_t j = 0;
  double sum_l = 0.0, sum_w = 0.0;
#ifdef __wasm_simd128__
  if (c >= 4) {
    const ExpConsts ek;
    const Log1pConsts lk;
    const v128_t vm = wasm_f32x4_splat(m), vls = wasm_f32x4_splat(ls), vinv = wasm_f32x4_splat(inv_s);
    const v128_t vg = wasm_f32x4_splat(g.value), zero = wasm_f32x4_splat(0.0f), half = wasm_f32x4_splat(0.5f);
    v128_t l_lo = wasm_f64x2_splat(0.0), l_hi = l_lo, w_lo = l_lo, w_hi = l_lo;
    auto at = [&](size_t k, v128_t lanes) {
      const v128_t q = wasm_f32x4_mul(wasm_v128_load(e + k), vinv);
      const v128_t l = wasm_f32x4_sub(wasm_f32x4_sub(wasm_v128_load(z + k), vm), vls);
      const v128_t u = wasm_f32x4_sub(lk.one, q);
      v128_t pw = lk.one;
      if (g.integer >= 0) {
        for (int i = 0; i < g.integer; i++) pw = wasm_f32x4_mul(pw, u);
      } else {
        pw = exp_nonpos(wasm_f32x4_mul(vg, log1p_unit(wasm_f32x4_neg(q), lk)), ek);
      }
      const v128_t r =
          wasm_v128_and(wasm_f32x4_div(wasm_f32x4_mul(wasm_f32x4_mul(vg, q), l), u), wasm_f32x4_ne(q, zero));
      const v128_t cj = wasm_v128_load(cf + k);
      const v128_t wj = wasm_f32x4_mul(cj, wasm_f32x4_mul(pw, wasm_f32x4_sub(lk.one, r)));
      wasm_v128_store(w + k, wj);
      const v128_t big_lanes = wasm_f32x4_gt(q, half);
      if (wasm_v128_any_true(wasm_v128_and(big_lanes, lanes)))
        for (int i = 0; i < 4; i++)
          if (e[k + i] * inv_s > 0.5f) big = static_cast<long>(k + i);
      const v128_t keep = wasm_v128_andnot(lanes, big_lanes);
      const v128_t term = wasm_f32x4_mul(wasm_f32x4_mul(cj, pw), l);
      add_f64(wasm_v128_and(term, wasm_v128_and(keep, wasm_f32x4_ne(cj, zero))), l_lo, l_hi);
      add_f64(wasm_v128_and(wj, keep), w_lo, w_hi);
    };
    // One call site, so the lane code is inlined once: full vectors, then the overlapping last one.
    const v128_t all = wasm_i32x4_splat(-1), tail = tail_lanes(c);
    for (; j < c; j += 4) {
      const bool full = j + 4 <= c;
      at(full ? j : c - 4, full ? all : tail);
    }
    sum_l = hsum_f64(l_lo, l_hi);
    sum_w = hsum_f64(w_lo, w_hi);
  }
#endif
  for (; j < c; j++) {
    if (e[j] * inv_s > 0.5f) {
      big = static_cast<long>(j);
      continue;
    }
    sum_l += dense_term(e[j], z[j], cf[j], m, ls, inv_s, g, &w[j]);
    sum_w += w[j];
  }
  *loss += sum_l;
  *W += sum_w;
  return big;
}

// The rest of a class-index position t with coefficient ct (f: its target's factors, when ct != 0): the
// gradient from the exponentials stored in g (when g != null), W = ct w_t as the header says, and the loss.
double index_finish(int32_t t, float ct, const Factors& f, double s, size_t c, const Options& o, float* g) {
  const double loss = ct != 0.0f ? ct * f.pow * f.l : 0.0, W = ct != 0.0f ? ct * f.w : 0.0;
  if (g) {
    const float scale = static_cast<float>(o.grad_scale);
    row_scale(g, c, static_cast<float>(o.grad_scale * W / s));
    g[t] -= static_cast<float>(W) * scale;
  }
  return -loss;
}

// One position from logits z (c). t: the class index, or -1 with the coefficient row cf (c, alpha times
// the smoothed target); ct: the target's coefficient when t >= 0. g: the gradient row or null; w: scratch
// (c) for the dense form. Returns the position's loss in nats.
double row_from_logits(const float* z, int32_t t, float ct, const float* cf, size_t c, const Options& o,
                       float* g, float* w, float* e_scratch) {
  const RowRange r = row_range(z, c);
  const float m = r.max;
  float* e = g ? g : e_scratch;  // the exponentials, stored where the gradient goes
  const double s = row_sum_exp(z, c, r, 1.0f, e);
  double loss = 0.0, W = 0.0;  // loss: sum_k c_k u^g l_k (negated at the end)
  if (t >= 0) {
    const Factors f =
        ct != 0.0f ? class_factors(z[t], e, c, static_cast<size_t>(t), m, s, o.gamma) : Factors{};
    return index_finish(t, ct, f, s, c, o, g);
  }
  const long big = dense_pass(z, e, cf, w, c, m, s, o.gamma, &loss, &W);
  if (big >= 0) {
    w[big] = 0.0f;
    if (cf[big] != 0.0f) {
      const Factors f = class_factors(z[big], e, c, static_cast<size_t>(big), m, s, o.gamma);
      loss += cf[big] * f.pow * f.l;
      w[big] = static_cast<float>(cf[big] * f.w);
      W += cf[big] * f.w;
    }
  }
  if (g) grad_from_exp(g, w, c, static_cast<float>(o.grad_scale * W / s), static_cast<float>(o.grad_scale));
  return -loss;
}

// One position from probabilities q (c), clamped to [eps, 1]: loss = -sum_k c_k u^g log q_k with
// u = 1 - clamp(q) (exact in float64), and d loss / d q_k = -c_k u^g (1 / q_k - g l_k / u_k) inside the
// clamp, 0 outside (l / u -> -1 as u -> 0).
double row_from_probs(const float* q, int32_t t, float ct, const float* cf, size_t c, const Options& o,
                      float* g) {
  const Gamma& gm = o.gamma;
  double loss = 0.0;
  auto term = [&](size_t j, float cj) {
    const float qj = q[j];
    const double qc = qj < o.eps ? o.eps : (qj > 1.0f ? 1.0f : qj);  // NaN passes through
    const double l = log_f64(qc), u = 1.0 - qc;
    const double pw = power(u, qc, gm);
    loss -= cj * pw * l;
    if (g && qj >= o.eps && qj <= 1.0f) {
      const double ratio = u == 0.0 ? -1.0 : l / u;
      g[j] = static_cast<float>(-o.grad_scale * cj * pw * (1.0 / qc - gm.value * ratio));
    }
  };
  if (g)
    for (size_t j = 0; j < c; j++) g[j] = 0.0f;
  if (t >= 0) {
    if (ct != 0.0f) term(static_cast<size_t>(t), ct);
  } else {
    for (size_t j = 0; j < c; j++)
      if (cf[j] != 0.0f) term(j, cf[j]);
  }
  return loss;
}

}  // namespace

// Over the call's geometry: each outer index's (c, inner) slab of x is read as float32 through Input (float16
// is widened there); a position with inner > 1 is gathered into contiguous rows (x, target, gradient) and its
// gradient scattered back, so every position runs the row code above. Chunks of slabs run on any thread
// (parallel.h), each with its own scratch rows, and their losses are added in chunk order: the result does
// not depend on the number of threads.
double focal_loss(const Call& k, const void* x, const int32_t* labels, const float* target,
                  const float* alpha, float* loss_out, float* grad) {
  const size_t outer = k.outer, c = k.classes, inner = k.inner, positions = k.positions();
  const int32_t ignore_index = k.ignore_index;
  const float smoothing = k.smoothing;
  const Reduction reduction = static_cast<Reduction>(k.reduction);
  const double base_scale = k.base_scale;
  // The mean divides by the number of positions that count (not by their alphas).
  double divisor = static_cast<double>(positions);
  if (labels) {
    divisor = 0.0;
    for (size_t p = 0; p < positions; p++) divisor += labels[p] != ignore_index;
  }
  if (reduction == kMean && divisor == 0.0) {
    if (grad)
      for (size_t i = 0; i < positions * c; i++) grad[i] = 0.0f;
    return NAN;
  }
  const Options o{Gamma(k.gamma), smoothing, k.eps, base_scale / (reduction == kMean ? divisor : 1.0)};
  auto alpha_at = [&](size_t j) { return alpha ? alpha[j] : k.alpha; };
  const bool dense = target || smoothing != 0.0f;
  const float keep = 1.0f - smoothing, spread = smoothing / static_cast<float>(c);

  const Input input(k, x);
  // Class-index rows from logits (inner = 1, no smoothing) in blocks of kBlock: the exponentials and sums of
  // each row of the block, then each row's target factors (a log and a few divisions, independent from row
  // to row), then the gradients, so that no row's float64 chain holds up the next (at 256 x 10 it made focal
  // loss with gradient 1.8x the time of cross-entropy with gradient). Each row's arithmetic is
  // row_from_logits', so no result depends on the blocking or the threads.
  auto index_rows = [&](size_t begin, size_t end) __attribute__((noinline)) {
    constexpr size_t kBlock = 8;
    std::vector<float> scratch(grad ? 0 : kBlock * c);  // the exponentials when there is no gradient
    double s[kBlock], sum = 0.0;
    float m[kBlock], zt[kBlock];
    Factors f[kBlock];
    for (size_t r0 = begin; r0 < end; r0 += kBlock) {
      const size_t nb = end - r0 < kBlock ? end - r0 : kBlock;
      auto exps = [&](size_t i) { return grad ? grad + (r0 + i) * c : scratch.data() + i * c; };
      for (size_t i = 0; i < nb; i++) {
        const int32_t t = labels[r0 + i];
        if (t == ignore_index) continue;
        const float* z = input.slab(r0 + i);
        const RowRange rr = row_range(z, c);
        m[i] = rr.max;
        zt[i] = z[t];
        s[i] = row_sum_exp(z, c, rr, 1.0f, exps(i));
      }
      for (size_t i = 0; i < nb; i++) {
        const int32_t t = labels[r0 + i];
        f[i] = t != ignore_index && alpha_at(t) != 0.0f
                   ? class_factors(zt[i], exps(i), c, static_cast<size_t>(t), m[i], s[i], o.gamma)
                   : Factors{};
      }
      for (size_t i = 0; i < nb; i++) {
        const size_t r = r0 + i;
        const int32_t t = labels[r];
        double loss = 0.0;
        if (t == ignore_index) {
          if (grad)
            for (size_t j = 0; j < c; j++) grad[r * c + j] = 0.0f;
        } else {
          loss = index_finish(t, alpha_at(t), f[i], s[i], c, o, grad ? grad + r * c : nullptr);
        }
        sum += loss;
        if (loss_out) loss_out[r] = static_cast<float>(loss * base_scale);
      }
    }
    return sum;
  };
  // Not inlined: parallel_sum_rows calls it in two places (one chunk directly, several through the pool).
  auto chunk = [&](size_t begin, size_t end) __attribute__((noinline)) {
    if (inner == 1 && !dense && !k.from_probs) return index_rows(begin, end);
    // Scratch rows: coefficients and w (dense), exponentials without a gradient, and for inner > 1 the
    // strided position gathered into x, target and gradient rows.
    std::vector<float> cf(dense ? c : 0), w(dense ? c : 0), e(grad || k.from_probs ? 0 : c);
    std::vector<float> xs(inner > 1 ? c : 0), ts(inner > 1 && target ? c : 0), gs(inner > 1 && grad ? c : 0);
    double sum = 0.0;
    for (size_t o_i = begin; o_i < end; o_i++) {
      const float* slab = input.slab(o_i);
      for (size_t in = 0; in < inner; in++) {
        const size_t p = o_i * inner + in, base = o_i * c * inner + in;
        const float* xr = slab + in;
        const float* tr = target ? target + base : nullptr;
        float* gr = grad ? grad + base : nullptr;
        if (inner > 1) {
          for (size_t j = 0; j < c; j++) xs[j] = slab[in + j * inner];
          if (target)
            for (size_t j = 0; j < c; j++) ts[j] = target[base + j * inner];
          xr = xs.data();
          tr = target ? ts.data() : nullptr;
          gr = grad ? gs.data() : nullptr;
        }
        int32_t t = -1;
        float ct = 0.0f;
        double loss = 0.0;
        if (labels && labels[p] == ignore_index) {
          if (gr)
            for (size_t j = 0; j < c; j++) gr[j] = 0.0f;
        } else {
          if (dense) {
            for (size_t j = 0; j < c; j++) cf[j] = alpha_at(j) * ((tr ? keep * tr[j] : 0.0f) + spread);
            if (labels) cf[labels[p]] = alpha_at(labels[p]) * (keep + spread);
          } else {
            t = labels[p];
            ct = alpha_at(t);
          }
          loss = k.from_probs ? row_from_probs(xr, t, ct, cf.data(), c, o, gr)
                              : row_from_logits(xr, t, ct, cf.data(), c, o, gr, w.data(), e.data());
        }
        sum += loss;
        if (loss_out) loss_out[p] = static_cast<float>(loss * base_scale);
        if (inner > 1 && grad)
          for (size_t j = 0; j < c; j++) grad[base + j * inner] = gs[j];
      }
    }
    return sum;
  };
  const double total = parallel_sum_rows(outer, c * inner, chunk);
  return reduction == kMean ? total * base_scale / divisor : total * base_scale;
}

}  // namespace xe
