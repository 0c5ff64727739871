// The model's calls into the library's kernels (cpp/xentropy.h): the only place that spells out their
// arguments, so a change of the kernel interface touches these four functions and nothing else here.
#pragma once

#include <cstddef>
#include <cstdint>

namespace xe {

// logits, grad: (n, c); labels: (n) in [0, c); weight: (c) or null. The mean cross-entropy in nats (over
// the summed weights of the labels' classes) with label smoothing; grad = d mean loss / d logits.
double mean_cross_entropy_with_grad(const float* logits, const int32_t* labels, const float* weight,
                                    float smoothing, float* grad, size_t n, size_t c);
// logits, grad: (n, c); labels: (n) in [0, c); alpha: (c) per-class alpha or null (then alpha_all for every
// class). The mean focal loss in nats (over the n rows) with label smoothing; grad = d mean loss / d logits.
double mean_focal_loss_with_grad(const float* logits, const int32_t* labels, const float* alpha,
                                 float alpha_all, float gamma, float smoothing, float* grad, size_t n,
                                 size_t c);
// logits: (n, c); labels: (n); rank: (n) the number of classes scoring above the label's. Returns the
// summed cross-entropy in nats.
double summed_cross_entropy_and_ranks(const float* logits, const int32_t* labels, int32_t* rank, size_t n,
                                      size_t c);
// logits, probs: (n, c). probs = softmax(logits) per row.
void softmax_rows(const float* logits, float* probs, size_t n, size_t c);
// y: (len), in place. y = 1 / (1 + exp(-y)).
void sigmoid_inplace(float* y, size_t len);

}  // namespace xe
