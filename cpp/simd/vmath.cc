// The splatted exp, log1p and float16 constants that vmath.h loads once per kernel call (see there for why).
#include "vmath.h"

namespace xe {

#ifdef __wasm_simd128__
#define XE_SPLAT(v) \
  { v, v, v, v }
alignas(16) float exp_consts[10][4] = {
    XE_SPLAT(expc::kLog2e),      XE_SPLAT(expc::kMagicBias), XE_SPLAT(expc::kMinusLn2Hi),
    XE_SPLAT(expc::kMinusLn2Lo), XE_SPLAT(expc::kC5),        XE_SPLAT(expc::kC4),
    XE_SPLAT(expc::kC3),         XE_SPLAT(expc::kC2),        XE_SPLAT(expc::kC1),
    XE_SPLAT(expc::kLowest),
};
alignas(16) uint32_t half_consts[5][4] = {
    XE_SPLAT(0x7fffu),     XE_SPLAT(0x77800000u /* 0x1p112f */),
    XE_SPLAT(0x7f800000u), XE_SPLAT(0x47800000u /* 65536.0f */),
    XE_SPLAT(0x8000u),
};
alignas(16) float log1p_consts[11][4] = {
    XE_SPLAT(2.0f),        XE_SPLAT(log1pc::kC6),        XE_SPLAT(log1pc::kC5),        XE_SPLAT(log1pc::kC4),
    XE_SPLAT(log1pc::kC3), XE_SPLAT(log1pc::kC2),        XE_SPLAT(log1pc::kC1),        XE_SPLAT(log1pc::kC0),
    XE_SPLAT(1.0f),        XE_SPLAT(-expc::kMinusLn2Hi), XE_SPLAT(-expc::kMinusLn2Lo),
};
#undef XE_SPLAT
#endif

}  // namespace xe
