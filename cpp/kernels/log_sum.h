// sum_i log(s_i) for the row sums of exponentials s_i, which are all in [1, C].
#pragma once

#include "../simd/vmath.h"

namespace xe {

// The log of a running product: one log per few hundred rows instead of one per row (which was a third of the
// time of a small-C loss with libm's log, and is still a tenth with log_f64). Every s_i >= 1, so the product
// only grows, and it is folded into the sum long before it could overflow; a NaN row poisons the product as
// it should.
struct LogSum {
  double product = 1.0, sum = 0.0;
  void add(double s) {
    product *= s;
    if (product > 1e270) {
      sum += log_f64(product);
      product = 1.0;
    }
  }
  double total() const { return sum + log_f64(product); }
};

}  // namespace xe
