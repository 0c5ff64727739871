// Evaluation of logits against class labels: the cross-entropy sum and the rank of each label.
#include <cmath>

#include "../simd/rows.h"
#include "../xentropy.h"
#include "log_sum.h"

namespace xe {

// x: (n, c) logits; labels, rank: (n).
double evaluate(const Call& k, const float* x, const int32_t* labels, int32_t* rank) {
  const size_t n = k.outer, c = k.classes;
  const int32_t ignore_index = k.ignore_index;
  double total = 0.0;  // sum of m - z_t; the log(s) terms go to logs
  LogSum logs;
  for (size_t i = 0; i < n; i++) {
    const int32_t t = labels[i];
    if (t == ignore_index) {
      rank[i] = -1;
      continue;
    }
    const float* z = x + i * c;
    const RowRange r = row_range(z, c);
    logs.add(row_sum_exp(z, c, r, 1.0f, nullptr));
    total += static_cast<double>(r.max) - z[t];
    const float zt = z[t];
    int32_t above = 0;
    for (size_t j = 0; j < c; j++) above += z[j] > zt;
    rank[i] = std::isnan(zt) ? static_cast<int32_t>(c) : above;
  }
  return total + logs.total();
}

}  // namespace xe
