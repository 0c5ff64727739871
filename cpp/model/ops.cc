// The kernel calls of ops.h.
#include "ops.h"

#include "../xentropy.h"

namespace xe {

double mean_cross_entropy_with_grad(const float* logits, const int32_t* labels, const float* weight,
                                    float smoothing, float* grad, size_t n, size_t c) {
  Call k = rows_call(n, c);
  k.smoothing = smoothing;
  return cross_entropy(k, logits, labels, nullptr, weight, nullptr, grad);
}

double mean_focal_loss_with_grad(const float* logits, const int32_t* labels, const float* alpha,
                                 float alpha_all, float gamma, float smoothing, float* grad, size_t n,
                                 size_t c) {
  Call k = rows_call(n, c);
  k.smoothing = smoothing;
  k.gamma = gamma;
  k.alpha = alpha_all;
  return focal_loss(k, logits, labels, nullptr, alpha, nullptr, grad);
}

double summed_cross_entropy_and_ranks(const float* logits, const int32_t* labels, int32_t* rank, size_t n,
                                      size_t c) {
  return evaluate(rows_call(n, c), logits, labels, rank);
}

void softmax_rows(const float* logits, float* probs, size_t n, size_t c) {
  softmax(rows_call(n, c), logits, probs);
}

void sigmoid_inplace(float* y, size_t len) { sigmoid(rows_call(len, 1), y, y); }

}  // namespace xe
