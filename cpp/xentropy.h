// The xentropy core: kernels over raw buffers in wasm memory. Each takes the call's description (call.h)
// and its pointers. Validation happens in JavaScript before any of these is called; they trust their
// arguments. Every reduction accumulates in float64. Losses are in nats times call.base_scale.
//
// Shapes are written as in llm.c: x is (n, c) means call.outer = n, call.classes = c, call.inner = 1.
// Aliasing: each kernel says which outputs may alias which inputs; any other overlap is not allowed.
// web/ relies on exactly these rules (its in-place paths are tested).
#pragma once

#include <cstddef>
#include <cstdint>

#include "call.h"

namespace xe {

// x, y: (outer, c, inner); x of k.dtype (float16 needs k.work). y = softmax(x * inv_temperature) along the
// class axis. y may alias x (float32 x).
void softmax(const Call& k, const void* x, float* y);
// x, y: (outer, c, inner), as softmax. y = log_softmax(x * inv_temperature). y may alias x (float32 x).
void log_softmax(const Call& k, const void* x, float* y);
// p, g, dx: (outer, c, inner); p of k.dtype. dx = p * (g - sum_j g_j p_j) along the class axis. dx may
// alias p (float32 p) or g (each position's dot product is taken before its first store).
void softmax_backward(const Call& k, const void* p, const float* g, float* dx);
// x, y: (length); x of k.dtype (float16 needs k.work of min(length, kSpan) floats). y = 1 / (1 + exp(-x)).
// y may alias x (float32 x).
void sigmoid(const Call& k, const void* x, float* y);

// Cross-entropy with PyTorch's F.cross_entropy semantics (reduction, ignore_index, smoothing, from_probs,
// eps, base_scale from k), plus z_loss * lse^2 per counted position (logits only).
// x: (outer, c, inner) logits, or probabilities when from_probs, of k.dtype; a position is one
// (outer, inner) pair, P = outer * inner of them; exactly one of
//   labels: (P) class indices in (outer, inner) order (positions equal to ignore_index are skipped), or
//   target: (outer, c, inner) a distribution per position;
// weight: (c) or null; loss_out: (P) or null, per-position losses; grad: (outer, c, inner) or null,
// d loss / d x (for kNone: of the sum). Returns the mean (over the summed target-class weights for labels,
// over P for target) or the sum.
// Aliasing: grad must not alias x, target or weight (x is read again after the exponentials are stored
// into grad); loss_out must not alias anything.
double cross_entropy(const Call& k, const void* x, const int32_t* labels, const float* target,
                     const float* weight, float* loss_out, float* grad);

// Binary cross-entropy, element-wise (pos_weight, from_probs, eps, smoothing, reduction, base_scale
// from k).
// x: (len) logits or probabilities, of k.dtype (float16 needs k.work of min(len, kSpan) floats); y: (len)
// targets in [0, 1]; weight: (len) or null; loss_out, grad: (len) or null. Mean divides by len. Aliasing:
// grad may alias x, y or weight (each element is read before it is written); loss_out must not alias
// anything.
double binary_cross_entropy(const Call& k, const void* x, const float* y, const float* weight,
                            float* loss_out, float* grad);

// Multi-class focal loss (focal.cc): per position -sum_k alpha_k t_k (1 - q_k)^gamma log q_k, q the softmax
// of x (or x clamped to [eps, 1] when from_probs), t the target after label smoothing (gamma, smoothing,
// from_probs, eps, ignore_index, reduction, base_scale, and alpha when the array is null, from k).
// x: (outer, c, inner) logits or probabilities, of k.dtype (float16 needs k.work); exactly one of
//   labels: (outer, inner) class indices (positions equal to ignore_index are skipped), or
//   target: (outer, c, inner) a distribution per position;
// alpha: (c) per-class alpha or null; loss_out: (outer, inner) or null, per-position losses; grad: as x or
// null, d loss / d x (for kNone: of the sum). Returns the mean (over the positions that count, labels; over
// all positions, target) or the sum.
// Aliasing: grad must not alias x, target or alpha (the exponentials are stored into grad before x is read
// again); loss_out must not alias anything.
double focal_loss(const Call& k, const void* x, const int32_t* labels, const float* target,
                  const float* alpha, float* loss_out, float* grad);

// Sigmoid focal loss, element-wise, as torchvision.ops.sigmoid_focal_loss (gamma, alpha (< 0: none),
// reduction, base_scale from k). x: (len) logits; y: (len) targets in [0, 1]; weight: (len) or null;
// loss_out, grad: (len) or null. Mean divides by len. Aliasing: grad may alias x, y or weight; loss_out must
// not alias anything.
double sigmoid_focal_loss(const Call& k, const float* x, const float* y, const float* weight, float* loss_out,
                          float* grad);

// p: (outer, c, inner) probabilities of k.dtype. loss_out: (P) or null. Returns the sum or mean of
// -sum p log p per position. loss_out must not alias p.
double entropy(const Call& k, const void* p, float* loss_out);
// p: (outer, c, inner) probabilities of k.dtype; q: (outer, c, inner) float32 probabilities, or logits when
// k.from_probs == 0. Per position sum p (log p - log q). loss_out must not alias p or q.
double kl_divergence(const Call& k, const void* p, const float* q, float* loss_out);

// The top k entries of each position, k = k.top_k in [1, c], in torch.topk's order (NaN first, ties by
// lower index, -Infinity last). x: (outer, c, inner); indices, values: (outer, k, inner), values holding
// the entries, their softmax or their log-softmax (k.values, with k.inv_temperature); x of k.dtype (float16
// needs k.work, c * inner floats per thread). No output may alias anything.
void top_k(const Call& k, const void* x, int32_t* indices, float* values);

// x: (outer, c, inner) logits, or probabilities when k.from_probs, of k.dtype (float16 needs k.work);
// labels, rank: (P). For each position
// whose label is not k.ignore_index: its cross-entropy in nats (logits divided by the temperature first;
// from probabilities -log(clamp(p_t, eps, 1))) added to the returned sum, and rank[i] = the label's place
// in topK's order (0 when the first largest entry is the label); rank[i] = -1 for ignored positions.
// The report's extras, each null when not wanted:
//   prediction: (P), written for non-ignored positions: the first largest entry (the confusion matrix's
//     column; web/ counts the (label, prediction) pairs, O(P), instead of keeping C*C counts in wasm);
//   bins: (3, k.bins), added to (the caller zeroes them once): per calibration bin its count, its sum of
//     confidences (the prediction's probability) and its number of correct predictions;
//   brier: one double, added to: the sum over positions of sum_j (p_j - [j == t])^2.
// Nothing may alias anything.
double evaluate(const Call& k, const void* x, const int32_t* labels, int32_t* rank, int32_t* prediction,
                double* bins, double* brier);
// The loss and the ranks only, of (n, c) rows (the Classifier's evaluation).
inline double evaluate(const Call& k, const float* x, const int32_t* labels, int32_t* rank) {
  return evaluate(k, x, labels, rank, nullptr, nullptr, nullptr);
}

}  // namespace xe
