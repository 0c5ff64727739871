// The xentropy core: plain functions over raw float32 buffers, row-major (n, c).
// Validation happens in JavaScript before any of these is called; they trust their arguments.
// Every reduction accumulates in float64. Losses are in nats times `base_scale` (= 1 / ln(base)).
#pragma once

#include <cstddef>
#include <cstdint>

namespace xe {

enum Reduction : int { kNone = 0, kMean = 1, kSum = 2 };

// x, y: (n, c). y = softmax(x / T) per row, inv_temperature = 1 / T. y may alias x.
void softmax(const float* x, float* y, size_t n, size_t c, float inv_temperature);
// x, y: (n, c). y = log_softmax(x / T) per row. y may alias x.
void log_softmax(const float* x, float* y, size_t n, size_t c, float inv_temperature);
// p, g, dx: (n, c). dx = p * (g - sum_j g_j p_j) per row.
void softmax_backward(const float* p, const float* g, float* dx, size_t n, size_t c);
// x, y: (len). y = 1 / (1 + exp(-x)). y may alias x.
void sigmoid(const float* x, float* y, size_t len);

// Cross-entropy with PyTorch's F.cross_entropy semantics.
// x: (n, c) logits, or probabilities when from_probs; exactly one of
//   labels: (n) class indices (rows equal to ignore_index are skipped), or
//   target: (n, c) a distribution per row;
// weight: (c) or null; smoothing: label smoothing epsilon in [0, 1];
// loss_out: (n) or null, per-row losses; grad: (n, c) or null, d loss / d x (for kNone: of the sum).
// Returns the mean (over the summed target-class weights for labels, over n for target) or the sum.
double cross_entropy(const float* x, const int32_t* labels, const float* target, const float* weight,
                     float* loss_out, float* grad, size_t n, size_t c, int32_t ignore_index, float smoothing,
                     bool from_probs, float eps, Reduction reduction, double base_scale);

// Binary cross-entropy, element-wise. x: (len) logits or probabilities; y: (len) targets in [0, 1];
// weight: (len) or null; loss_out, grad: (len) or null. Mean divides by len.
double binary_cross_entropy(const float* x, const float* y, const float* weight, float* loss_out, float* grad,
                            size_t len, float pos_weight, bool from_probs, float eps, Reduction reduction,
                            double base_scale);

// p: (n, c) probabilities. loss_out: (n) or null. Returns the sum or mean of -sum p log p per row.
double entropy(const float* p, float* loss_out, size_t n, size_t c, Reduction reduction, double base_scale);
// p: (n, c) probabilities; q: (n, c) probabilities, or logits when q_logits. Per row sum p (log p - log q).
double kl_divergence(const float* p, const float* q, float* loss_out, size_t n, size_t c, bool q_logits,
                     Reduction reduction, double base_scale);

// x: (n, c) logits; labels: (n). For each row not equal to ignore_index: its cross-entropy in nats added
// to the returned sum, and rank[i] = the number of classes whose logit is strictly greater than the
// label's (C when the label's logit is NaN); rank[i] = -1 for ignored rows.
double evaluate(const float* x, const int32_t* labels, int32_t* rank, size_t n, size_t c,
                int32_t ignore_index);

}  // namespace xe
