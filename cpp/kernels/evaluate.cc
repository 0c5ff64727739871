// Evaluation of logits against class labels: the cross-entropy sum and the rank of each label.
#include <cmath>

#include "../parallel.h"
#include "../simd/rows.h"
#include "../xentropy.h"
#include "log_sum.h"

namespace xe {

// x: (n, c) logits; labels, rank: (n).
namespace {
double evaluate_rows(const Call& k, const float* x, const int32_t* labels, int32_t* rank, size_t begin,
                     size_t end) {
  const size_t c = k.classes;
  const int32_t ignore_index = k.ignore_index;
  double total = 0.0;  // sum of m - z_t; the log(s) terms go to logs
  LogSum logs;
  for (size_t i = begin; i < end; i++) {
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
}  // namespace

// Chunks of rows on any thread (parallel.h), their sums added in chunk order.
double evaluate(const Call& k, const float* x, const int32_t* labels, int32_t* rank) {
  return parallel_sum_rows(k.outer, k.classes, [&](size_t begin, size_t end) {
    return evaluate_rows(k, x, labels, rank, begin, end);
  });
}

}  // namespace xe
