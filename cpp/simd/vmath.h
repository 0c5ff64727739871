// Element-wise math, vector and scalar: exp(x) for x <= 0, log1p and log, and the few horizontal helpers
// the row loops need. The row loops themselves are in rows.h.
//
// Every exp in xentropy has a non-positive argument: softmax and log-sum-exp use exp(x - max(x)), and
// sigmoid, softplus and tanh are written in terms of exp(-|x|). So one function covers all of them, and
// it never needs an overflow path.
//
// The algorithm is XNNPACK's "rr2-p5" (src/f32-raddstoreexpminusmax/scalar-rr2-p5.c.in), with a cheaper
// underflow rule:
//
//   0. Inputs below -88 are raised to -88 first (one max). There n = -127, whose biased exponent is 0, so
//      s = +0 and the result is exactly 0: this is what makes exp(-Infinity) exactly 0, and exp(x) for
//      x < -87.68 flushes to 0 (above that, results below 2^-126 are float32 subnormals). A NaN fails the
//      comparison, passes through unchanged and comes out as NaN. This costs one instruction where a
//      compare-and-select after the polynomial costs three and a register (XNNPACK's form).
//   1. Range reduction. n = round(x / ln 2), computed by adding the magic number 1.5 * 2^23 + 127: the
//      addition rounds x * log2(e) to an integer (float32 has 23 fraction bits), and the +127 puts the
//      biased exponent of 2^n into the low mantissa bits, so shifting the bits left by 23 yields the float
//      s = 2^n directly (valid for -126 <= n <= 0). This is faster in V8 than f32x4.nearest plus an
//      integer conversion.
//   2. t = x - n * ln 2, with ln 2 split into a high part (trailing zero bits, so n * ln2_hi is exact)
//      and a low part (Cody-Waite), leaving |t| <= ln(2) / 2.
//   3. exp(t) ~= 1 + t * p(t), p a degree-4 minimax polynomial; the result is s + (t * s) * p(t).
//      p is evaluated in Estrin's form, (c1 + c2 t) + t^2 ((c3 + c4 t) + t^2 c5), not Horner's: one more
//      multiply but a dependency chain of 5 operations instead of 8, which measured 3-6% faster in V8.
//      The maximum error is about 2 ulp for inputs in [-87.3, 0].
//
// There is no fused multiply-add in wasm SIMD128 and none is emitted for the scalar code either, so the
// scalar and the vector versions below return bit-identical results for the same input; the scalar one is
// the whole computation in the scalar build.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

namespace xe {

namespace expc {
constexpr float kLog2e = 0x1.715476p+0f;
constexpr float kMagicBias = 0x1.8000FEp23f;  // 1.5 * 2^23 + 127
constexpr float kMinusLn2Hi = -0x1.62E400p-1f;
constexpr float kMinusLn2Lo = -0x1.7F7D1Cp-20f;
constexpr float kC5 = 0x1.0F9F9Cp-7f;
constexpr float kC4 = 0x1.573A1Ap-5f;
constexpr float kC3 = 0x1.555A80p-3f;
constexpr float kC2 = 0x1.FFFDC6p-2f;
constexpr float kC1 = 0x1.FFFFF6p-1f;
constexpr float kLowest = -88.0f;  // exp(-88) computes as exactly 0; see step 0
}  // namespace expc

inline float bits_to_float(uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}
inline uint32_t float_to_bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}

// exp(x) for x <= 0; exp(-Infinity) = 0, NaN stays NaN.
inline float exp_nonpos(float x) {
  using namespace expc;
  x = x < kLowest ? kLowest : x;  // NaN passes through
  float n = x * kLog2e + kMagicBias;
  const float s = bits_to_float(float_to_bits(n) << 23);
  n -= kMagicBias;
  float t = n * kMinusLn2Hi + x;
  t = n * kMinusLn2Lo + t;
  const float t2 = t * t;
  const float p = (kC2 * t + kC1) + t2 * ((kC4 * t + kC3) + t2 * kC5);
  t *= s;
  return t * p + s;
}

// log(1 + e) for e in [-1/2, 1] (NaN stays NaN), the softplus tail: with s = e / (2 + e) in [-1/3, 1/3],
// log(1 + e) = 2 atanh(s) = s * (2 + 2 s^2 / 3 + 2 s^4 / 5 + ...), the series cut after s^12 (the next
// term is below 2^-26 of the sum). s keeps e's relative precision however small e is, so the result does
// too: within about 4 ulp. Plain float32 operations, so the vector version below returns the same bits.
namespace log1pc {
constexpr float kC6 = 2.0f / 13, kC5 = 2.0f / 11, kC4 = 2.0f / 9, kC3 = 2.0f / 7, kC2 = 2.0f / 5,
                kC1 = 2.0f / 3, kC0 = 2.0f;
}  // namespace log1pc

inline float log1p_unit(float e) {
  using namespace log1pc;
  const float s = e / (2.0f + e), z = s * s;
  float p = kC6 * z + kC5;
  p = p * z + kC4;
  p = p * z + kC3;
  p = p * z + kC2;
  p = p * z + kC1;
  p = p * z + kC0;
  return s * p;
}

// log(v) for v >= 0 (finite), normal or subnormal: v = 2^k m with m in [sqrt(1/2), sqrt(2)), so that
// m - 1 is exact and in [-0.3, 0.42], and log v = k ln2_hi + (k ln2_lo + log1p_unit(m - 1)) with k ln2_hi
// exact. Within a few ulp; log(0) = -Infinity.
inline float log_pos(float v) {
  if (v == 0.0f) return -__builtin_inff();
  float k = 0.0f;
  if (v < 0x1p-126f) {  // subnormal: scale into the normal range first
    v *= 0x1p24f;
    k = -24.0f;
  }
  const int32_t t = static_cast<int32_t>(float_to_bits(v)) - 0x3f3504f3;  // 0x3f3504f3 = sqrt(1/2)
  k += static_cast<float>(t >> 23);
  const float f = bits_to_float(static_cast<uint32_t>(t & 0x7fffff) + 0x3f3504f3) - 1.0f;
  return k * -expc::kMinusLn2Hi + (k * -expc::kMinusLn2Lo + log1p_unit(f));
}

// log(x) in float64, within 1 ulp, for the float64 logs of row sums (z-loss, focal loss: s in [1, C]) and of
// focal's 1 - q: fdlibm's e_log.c (Sun Microsystems 1993, "permission to use, copy, modify, and distribute
// this software is freely granted, provided that this notice is preserved"), without a table. With
// x = 2^k (1 + f), 1 + f in [sqrt(1/2), sqrt(2)) (f exact), s = f / (2 + f) and hfsq = f^2 / 2:
//   log(1 + f) = f - hfsq + s (hfsq + R(s^2)),   R(z) = Lg1 z + ... + Lg7 z^7,
// R a minimax polynomial (|error| < 2^-58.45 on |s| <= 0.1716), and log x = k ln2_hi + (that + k ln2_lo)
// with k ln2_hi exact. One division and about 20 other operations, inlined: libm's log (a call, a table)
// cost z-loss rows at C = 10 about 25 ns each, this one about a third of that. Measured against a long
// double log over 2e7 arguments each in [1, 2^20], [1/2, 1] and [1e-300, 1e300]: at most 0.85 ulp. Zero,
// negative, subnormal, infinite and NaN arguments take libm's log (one unsigned comparison on the fast
// path).
namespace logc {
constexpr double kLg1 = 6.666666666666735130e-01, kLg2 = 3.999999999940941908e-01,
                 kLg3 = 2.857142874366239149e-01, kLg4 = 2.222219843214978396e-01,
                 kLg5 = 1.818357216161805012e-01, kLg6 = 1.531383769920937332e-01,
                 kLg7 = 1.479819860511658591e-01;
constexpr double kLn2Hi = 6.93147180369123816490e-01, kLn2Lo = 1.90821492927058770002e-10;
}  // namespace logc

// Not inlined: a dozen call sites, and a call is cheap next to the division inside (inlined, they added
// 1 KiB gzipped to the SIMD build).
__attribute__((noinline)) inline double log_f64(double x) {
  using namespace logc;
  uint64_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  uint32_t hx = static_cast<uint32_t>(bits >> 32);
  if (hx - 0x00100000u >= 0x7fe00000u) return __builtin_log(x);  // not a positive normal number
  // 1 + f into [sqrt(1/2), sqrt(2)): 0x3fe6a09e are the high bits of sqrt(1/2).
  hx += 0x3ff00000u - 0x3fe6a09eu;
  const int k = static_cast<int>(hx >> 20) - 0x3ff;
  hx = (hx & 0x000fffffu) + 0x3fe6a09eu;
  bits = (static_cast<uint64_t>(hx) << 32) | (bits & 0xffffffffu);
  double m;
  std::memcpy(&m, &bits, sizeof m);
  const double f = m - 1.0, hfsq = 0.5 * f * f, s = f / (2.0 + f), z = s * s, w = z * z;
  const double r = w * (kLg2 + w * (kLg4 + w * kLg6)) + z * (kLg1 + w * (kLg3 + w * (kLg5 + w * kLg7)));
  const double dk = k;
  return s * (hfsq + r) + dk * kLn2Lo - hfsq + f + dk * kLn2Hi;
}

// float16 to float32, exactly (every half is a float32). With e the 15 bits below the sign: for a finite
// half, the bits e << 13 read as a float32 are the half's value times 2^-112 (its 5 exponent bits land in
// the low bits of float32's 8, its 10 fraction bits in the top of float32's 23; a subnormal half becomes a
// float32 subnormal with the same digits), so one exact multiplication by 2^112 finishes it. Infinity
// and NaN (e >= 0x7c00) take the all-ones float32 exponent instead, keeping a NaN's payload.
inline float half_to_float(uint16_t h) {
  const uint32_t e = h & 0x7fffu, sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const float v = e >= 0x7c00u ? bits_to_float((e << 13) | 0x7f800000u) : bits_to_float(e << 13) * 0x1p112f;
  return bits_to_float(float_to_bits(v) | sign);
}

#ifdef __wasm_simd128__
// The splatted constants of half_to_float, loaded once per call as ExpConsts below (inline v128.const
// values were rematerialised at every use and made widening cost as much as a softmax).
extern uint32_t half_consts[6][4];
struct HalfConsts {
  v128_t low15, scale, exponent, special, sign;
  HalfConsts()
      : low15(wasm_v128_load(half_consts[0])),
        scale(wasm_v128_load(half_consts[1])),
        exponent(wasm_v128_load(half_consts[2])),
        special(wasm_v128_load(half_consts[3])),
        sign(wasm_v128_load(half_consts[4])) {}
};

// Four halves, zero-extended to 32-bit lanes, as half_to_float: the finite result of the multiplication is
// 2^16 or more exactly when the half is an infinity or a NaN (exponent 31), which then take the all-ones
// exponent instead. A float comparison rather than an integer one: wasm has no unsigned 32-bit compare.
inline v128_t half_to_float(v128_t h, const HalfConsts& k) {
  const v128_t shifted = wasm_i32x4_shl(wasm_v128_and(h, k.low15), 13);
  const v128_t finite = wasm_f32x4_mul(shifted, k.scale);
  const v128_t v =
      wasm_v128_bitselect(wasm_v128_or(shifted, k.exponent), finite, wasm_f32x4_ge(finite, k.special));
  return wasm_v128_or(v, wasm_i32x4_shl(wasm_v128_and(h, k.sign), 16));
}
#endif

#ifdef __wasm_simd128__
// Four halves, sign-extended to 32-bit lanes, as float32 in three instructions where half_to_float above
// takes nine, exact for finite halves only. Shifted left by 13, a half's 15 bits below the sign land where
// half_to_float puts them and copies of its sign in bits 31 to 28; the mask keeps bit 31 and those 15
// bits, and the multiplication by 2^112 is exact and keeps the sign. An infinity or a NaN comes out
// finite instead: widen_halves checks for them apart.
inline v128_t finite_half_to_float(v128_t h, v128_t mask, v128_t scale) {
  return wasm_f32x4_mul(wasm_v128_and(wasm_i32x4_shl(h, 13), mask), scale);
}
#endif

// f[i] = half_to_float(h[i]) for i < n. The SIMD loop converts eight halves with finite_half_to_float
// and keeps the largest of their bits without the sign; when that shows an infinity or a NaN (exponent
// 31: 0x7c00 and above, 0xf800 shifted), it converts them all again with the exact vector form. What a
// float16 crossEntropy at 64 x 32000 costs over float32 in the kernel went from 0.45 to 0.27 ms (of 2.0).
inline void widen_halves(const uint16_t* h, float* f, size_t n) {
  size_t i = 0;
#ifdef __wasm_simd128__
  const v128_t mask = wasm_v128_load(half_consts[5]), scale = wasm_v128_load(half_consts[1]);
  v128_t top = wasm_i16x8_splat(0);
  for (; i + 8 <= n; i += 8) {  // eight halves per load, sign-extended to two vectors of 32-bit lanes
    const v128_t v = wasm_v128_load(h + i);
    top = wasm_u16x8_max(top, wasm_i16x8_shl(v, 1));
    wasm_v128_store(f + i, finite_half_to_float(wasm_i32x4_extend_low_i16x8(v), mask, scale));
    wasm_v128_store(f + i + 4, finite_half_to_float(wasm_i32x4_extend_high_i16x8(v), mask, scale));
  }
  if (wasm_v128_any_true(wasm_u16x8_ge(top, wasm_u16x8_splat(0xf800)))) {
    const HalfConsts k;
    for (size_t j = 0; j < i; j += 8) {
      const v128_t v = wasm_v128_load(h + j);
      wasm_v128_store(f + j, half_to_float(wasm_u32x4_extend_low_u16x8(v), k));
      wasm_v128_store(f + j + 4, half_to_float(wasm_u32x4_extend_high_u16x8(v), k));
    }
  }
#endif
  for (; i < n; i++) f[i] = half_to_float(h[i]);
}

#ifdef __wasm_simd128__
// The constants, splatted, in a mutable array defined in vmath.cc: compiled separately (there is no LTO),
// its loads cannot be folded into v128.const, which V8 re-materialises at every use inside a loop (about
// four instructions each), while values loaded once into locals stay in registers.
extern float exp_consts[10][4];

struct ExpConsts {
  v128_t log2e, magic, ln2_hi, ln2_lo, c5, c4, c3, c2, c1, lowest;
  ExpConsts()
      : log2e(wasm_v128_load(exp_consts[0])),
        magic(wasm_v128_load(exp_consts[1])),
        ln2_hi(wasm_v128_load(exp_consts[2])),
        ln2_lo(wasm_v128_load(exp_consts[3])),
        c5(wasm_v128_load(exp_consts[4])),
        c4(wasm_v128_load(exp_consts[5])),
        c3(wasm_v128_load(exp_consts[6])),
        c2(wasm_v128_load(exp_consts[7])),
        c1(wasm_v128_load(exp_consts[8])),
        lowest(wasm_v128_load(exp_consts[9])) {}
};

// a * b + c. Only in the relaxed-SIMD experiment (bench/relaxed/, built with clang 19 and -mrelaxed-simd,
// which defines __wasm_relaxed_simd__) is it relaxed_madd, fused where the CPU has FMA: that changes the
// bits, so no shipped build uses it (see bench/relaxed/README.md for what it measured).
inline v128_t madd(v128_t a, v128_t b, v128_t c) {
#ifdef __wasm_relaxed_simd__
  return wasm_f32x4_relaxed_madd(a, b, c);
#else
  return wasm_f32x4_add(wasm_f32x4_mul(a, b), c);
#endif
}

// Four lanes of exp_nonpos, the same operations in the same order. kClamp = false leaves out step 0,
// which changes nothing for inputs >= -88: the row kernels drop it for rows that have none below (see
// needs_clamp), because that one instruction measured 8% of a softmax.
template <bool kClamp = true>
inline v128_t exp_nonpos(v128_t x, const ExpConsts& k) {
  if (kClamp) x = wasm_f32x4_pmax(x, k.lowest);  // x < lowest ? lowest : x, so NaN passes through
  v128_t n = madd(x, k.log2e, k.magic);
  const v128_t s = wasm_i32x4_shl(n, 23);
  n = wasm_f32x4_sub(n, k.magic);
  v128_t t = madd(n, k.ln2_hi, x);
  t = madd(n, k.ln2_lo, t);
  const v128_t t2 = wasm_f32x4_mul(t, t);
#ifdef __wasm_relaxed_simd__
  const v128_t p = madd(t2, madd(t2, k.c5, madd(k.c4, t, k.c3)), madd(k.c2, t, k.c1));
#else  // the same sums as above, in the operand order of the shipped builds (so their code is unchanged)
  const v128_t p = wasm_f32x4_add(
      wasm_f32x4_add(wasm_f32x4_mul(k.c2, t), k.c1),
      wasm_f32x4_mul(
          t2, wasm_f32x4_add(wasm_f32x4_add(wasm_f32x4_mul(k.c4, t), k.c3), wasm_f32x4_mul(t2, k.c5))));
#endif
  t = wasm_f32x4_mul(t, s);
  return madd(t, p, s);
}

// The splatted constants of log1p_unit and log_pos, loaded once per kernel call like ExpConsts (hoisting them
// out of the loop measured 5% of a BCE with gradient).
extern float log1p_consts[11][4];

struct Log1pConsts {
  v128_t two, c6, c5, c4, c3, c2, c1, c0, one, ln2_hi, ln2_lo;  // the last three for log_pos
  Log1pConsts()
      : two(wasm_v128_load(log1p_consts[0])),
        c6(wasm_v128_load(log1p_consts[1])),
        c5(wasm_v128_load(log1p_consts[2])),
        c4(wasm_v128_load(log1p_consts[3])),
        c3(wasm_v128_load(log1p_consts[4])),
        c2(wasm_v128_load(log1p_consts[5])),
        c1(wasm_v128_load(log1p_consts[6])),
        c0(wasm_v128_load(log1p_consts[7])),
        one(wasm_v128_load(log1p_consts[8])),
        ln2_hi(wasm_v128_load(log1p_consts[9])),
        ln2_lo(wasm_v128_load(log1p_consts[10])) {}
};

// Four lanes of log1p_unit, the same operations in the same order.
inline v128_t log1p_unit(v128_t e, const Log1pConsts& k) {
  const v128_t s = wasm_f32x4_div(e, wasm_f32x4_add(k.two, e)), z = wasm_f32x4_mul(s, s);
  v128_t p = wasm_f32x4_add(wasm_f32x4_mul(k.c6, z), k.c5);
  p = wasm_f32x4_add(wasm_f32x4_mul(p, z), k.c4);
  p = wasm_f32x4_add(wasm_f32x4_mul(p, z), k.c3);
  p = wasm_f32x4_add(wasm_f32x4_mul(p, z), k.c2);
  p = wasm_f32x4_add(wasm_f32x4_mul(p, z), k.c1);
  p = wasm_f32x4_add(wasm_f32x4_mul(p, z), k.c0);
  return wasm_f32x4_mul(s, p);
}

// Four lanes of log_pos for normal v (>= 2^-126; callers with a subnormal lower bound take the scalar
// path), the same operations in the same order.
inline v128_t log_pos(v128_t v, const Log1pConsts& k) {
  const v128_t sqrt_half = wasm_i32x4_splat(0x3f3504f3);
  const v128_t t = wasm_i32x4_sub(v, sqrt_half);
  const v128_t n = wasm_f32x4_convert_i32x4(wasm_i32x4_shr(t, 23));
  const v128_t f =
      wasm_f32x4_sub(wasm_i32x4_add(wasm_v128_and(t, wasm_i32x4_splat(0x7fffff)), sqrt_half), k.one);
  return wasm_f32x4_add(wasm_f32x4_mul(n, k.ln2_hi),
                        wasm_f32x4_add(wasm_f32x4_mul(n, k.ln2_lo), log1p_unit(f, k)));
}

// Adds the four float32 lanes of v to two float64 accumulators (lanes 0,1 and 2,3).
inline void add_f64(v128_t v, v128_t& lo, v128_t& hi) {
  lo = wasm_f64x2_add(lo, wasm_f64x2_promote_low_f32x4(v));
  hi = wasm_f64x2_add(hi, wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(v, v, 2, 3, 2, 3)));
}

inline double hsum_f64(v128_t lo, v128_t hi) {
  const v128_t s = wasm_f64x2_add(lo, hi);
  return wasm_f64x2_extract_lane(s, 0) + wasm_f64x2_extract_lane(s, 1);
}

inline float hmin_f32(v128_t v) {
  v = wasm_f32x4_pmin(v, wasm_i32x4_shuffle(v, v, 2, 3, 0, 1));
  v = wasm_f32x4_pmin(v, wasm_i32x4_shuffle(v, v, 1, 0, 3, 2));
  return wasm_f32x4_extract_lane(v, 0);
}

inline float hmax_f32(v128_t v) {
  v = wasm_f32x4_pmax(v, wasm_i32x4_shuffle(v, v, 2, 3, 0, 1));
  v = wasm_f32x4_pmax(v, wasm_i32x4_shuffle(v, v, 1, 0, 3, 2));
  return wasm_f32x4_extract_lane(v, 0);
}
#endif

}  // namespace xe
