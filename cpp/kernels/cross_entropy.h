// What the two halves of cross-entropy share: the options every position reads, and the class axis not
// last (cross_entropy_columns.cc), which cross_entropy.cc calls for each (c, inner) slab.
#pragma once

#include <cstddef>
#include <cstdint>

#include "../xentropy.h"
#include "log_sum.h"

namespace xe {
namespace cross_entropy_detail {

struct Options {
  const float* weight;  // (c) or null
  float smoothing;
  float eps;          // probability clamp for from_probs
  float z_loss;       // zeta, logits only
  double grad_scale;  // d reduced loss / d per-row loss, in output units
};

// The floats of scratch slab() needs for its cache tiles.
size_t tile_floats(size_t c);

// A whole (c, inner) slab: t its labels (or null), y the dense target (same layout, or null), g the
// gradient (or null, may not alias z), loss_out the per-position losses (or null). Returns the sum of the
// losses in nats; with logs, the log(s) terms of unit-weight positions go there instead. tiles:
// tile_floats(c) floats.
double slab(const Call& k, const Options& o, const float* z, const int32_t* t, const float* y, size_t c,
            size_t inner, float* g, float* loss_out, LogSum* logs, float* tiles);

}  // namespace cross_entropy_detail
}  // namespace xe
