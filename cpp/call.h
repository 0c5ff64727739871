// The description of one kernel call: its geometry, the dtype of its float inputs and the op's options.
//
// Every kernel takes `const Call&` plus its pointers, as XNNPACK's micro-kernels take sizes, pointers and
// one params struct. JavaScript fills one Call per instance (web/call.js) and passes its address; the
// pointers stay ordinary arguments, so each kernel's signature says what it reads and writes.
//
// XE_CALL_FIELDS is the one place a field is declared: it makes the struct and the layout table that the
// binding exports (name, type, byte offset), which web/call.js reads at load time. Adding an option means
// one line here, the kernel that reads it, and the JS policy that sets it.
#pragma once

#include <cstddef>
#include <cstdint>

namespace xe {

enum Reduction : int32_t { kNone = 0, kMean = 1, kSum = 2 };
enum DType : int32_t { kFloat32 = 0, kFloat16 = 1 };

// type, name, default, what it is. Doubles first, so the struct has no padding. The defaults are the
// neutral values (no temperature, nats, PyTorch's ignore index); web/call.js writes them for every field
// that a policy leaves out.
#define XE_CALL_FIELDS(X)                                                                               \
  X(double, base_scale, 1.0)      /* 1 / ln(base): losses in nats times this */                         \
  X(uint32_t, outer, 0)           /* geometry: the input is (outer, classes, inner) row-major; */       \
  X(uint32_t, classes, 1)         /*   a position is one (outer, inner) pair, P = outer * inner; */     \
  X(uint32_t, inner, 1)           /*   element-wise ops use (length, 1, 1) */                           \
  X(int32_t, dtype, kFloat32)     /* DType of the main float input (others are always float32) */       \
  X(uint32_t, work, 0)            /* float16: address of classes * inner floats to widen a slab into */ \
  X(int32_t, reduction, kMean)    /* Reduction */                                                       \
  X(int32_t, ignore_index, -100)  /* class index whose positions count for nothing */                   \
  X(int32_t, from_probs, 0)       /* 1: the input holds probabilities, 0: logits */                     \
  X(float, inv_temperature, 1.0f) /* 1 / T: logits are divided by T first */                            \
  X(float, smoothing, 0.0f)       /* label smoothing epsilon in [0, 1] */                               \
  X(float, eps, 1e-7f)            /* probability clamp of from_probs */                                 \
  X(float, pos_weight, 1.0f)      /* BCE: scale of the positive term */                                 \
  X(float, gamma, 0.0f)           /* focal: the exponent of (1 - q) */                                  \
  X(float, alpha, 1.0f)           /* focal: every class's alpha (no per-class array); sigmoid focal: */ \
                                  /*   the positive class's, < 0 for none */                            \
  X(float, z_loss, 0.0f)          /* cross-entropy: zeta of zeta * lse^2 per counted row */

struct Call {
#define XE_FIELD(type, name, default_value) type name = default_value;
  XE_CALL_FIELDS(XE_FIELD)
#undef XE_FIELD

  size_t positions() const { return static_cast<size_t>(outer) * inner; }
  size_t length() const { return positions() * classes; }
};

// A call over (n, c) rows with the defaults above, for callers inside the core (the Classifier).
inline Call rows_call(size_t n, size_t c) {
  Call k;
  k.outer = static_cast<uint32_t>(n);
  k.classes = static_cast<uint32_t>(c);
  return k;
}

}  // namespace xe
