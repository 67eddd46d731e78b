#pragma once
/// The vector types and elementary functions every kernel of src/kernels/ shares: GCC generic
/// vectors of 64 bytes, loads and stores, and the vectorised exponentials. Include only from
/// kernel sources (it sets the floating-point contraction of the including file).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#pragma GCC diagnostic ignored "-Wpsabi"

// One source, three instruction sets: GCC's generic vectors of 64 bytes become one AVX-512
// register, two AVX2 registers or four SSE2 registers. target_clones picks the variant at load
// time. No variant enables FMA, so all round identically.
#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__)
#define RBMKIT_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define RBMKIT_CLONES
#endif
#define RBMKIT_INLINE static inline __attribute__((always_inline))
#define RBMKIT_INLINE_MEMBER inline __attribute__((always_inline))

// Keep a * b + c as two roundings in every variant (AVX-512 would otherwise fuse them).
#pragma GCC optimize("fp-contract=off")

namespace rbmkit::detail::simd {

typedef double vd __attribute__((vector_size(64)));
typedef unsigned long long vl __attribute__((vector_size(64)));
typedef float vf __attribute__((vector_size(64)));
typedef unsigned vi __attribute__((vector_size(64)));
typedef float vf8 __attribute__((vector_size(32)));

/// Vectors of 32 bytes, one AVX2 register each (the gathers and the sum trees keep their
/// accumulators in them: GCC keeps 64-byte vectors in memory when it has to split them).
typedef float gf __attribute__((vector_size(32)));
typedef double gd __attribute__((vector_size(32)));
/// The vector of `Bytes` bytes of T and its number of lanes (GCC's vector types are the same
/// type for the same element and size: Vec<float, 32>::V is gf, Vec<double, 64>::V is vd).
template <class T, std::size_t Bytes>
struct Vec {
  typedef T V __attribute__((vector_size(Bytes)));
  static constexpr std::size_t n = Bytes / sizeof(T);
};
/// 32 bytes: one AVX2 register. 64 bytes: one AVX-512 register (for kernels compiled for
/// AVX-512 alone, which keep their accumulators in registers).
template <class T>
using Vec32 = Vec<T, 32>;
template <class T>
using Vec64 = Vec<T, 64>;
static_assert(std::is_same_v<Vec32<float>::V, gf> && std::is_same_v<Vec64<double>::V, vd>);

RBMKIT_INLINE vd load(const double* p) {
  vd v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
RBMKIT_INLINE vf load(const float* p) {
  vf v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
RBMKIT_INLINE vd load8(const float* p) {
  vf8 v;
  std::memcpy(&v, p, sizeof v);
  return __builtin_convertvector(v, vd);
}
RBMKIT_INLINE void store(float* p, vf v) { std::memcpy(p, &v, sizeof v); }
RBMKIT_INLINE void store(double* p, vd v) { std::memcpy(p, &v, sizeof v); }
RBMKIT_INLINE vd splat(double x) { return vd{} + x; }
RBMKIT_INLINE vf splat(float x) { return vf{} + x; }
RBMKIT_INLINE double hsum(vd v) {
  // Fixed pairwise order, independent of the instruction set.
  return ((v[0] + v[4]) + (v[2] + v[6])) + ((v[1] + v[5]) + (v[3] + v[7]));
}

/// exp(y) for y ≤ 0 (y below −708 is treated as −708): Cody–Waite reduction y = k ln2 + r,
/// |r| ≤ ln2/2, a degree-13 Taylor polynomial for exp(r), and 2^k built in the exponent bits.
/// V is a vector of doubles, U the vector of 64-bit unsigned integers of the same size.
template <class V, class U>
RBMKIT_INLINE V exp_nonpos_v(V y) {
  const V lo = V{} - 708.0;
  y = y < lo ? lo : y;
  const V shifter = V{} + 0x1.8p52;
  V kd = y * 1.4426950408889634 + shifter;
  const U ki = (U)kd;
  kd -= shifter;
  const V r = (y - kd * 6.93147180369123816490e-01) - kd * 1.90821492927058770002e-10;
  V p = V{} + 1.0 / 6227020800.0;
  p = p * r + 1.0 / 479001600.0;
  p = p * r + 1.0 / 39916800.0;
  p = p * r + 1.0 / 3628800.0;
  p = p * r + 1.0 / 362880.0;
  p = p * r + 1.0 / 40320.0;
  p = p * r + 1.0 / 5040.0;
  p = p * r + 1.0 / 720.0;
  p = p * r + 1.0 / 120.0;
  p = p * r + 1.0 / 24.0;
  p = p * r + 1.0 / 6.0;
  p = p * r + 0.5;
  p = p * r + 1.0;
  p = p * r + 1.0;
  const U bits = (ki + 1023) << 52;
  return p * (V)bits;
}
RBMKIT_INLINE vd exp_nonpos(vd y) { return exp_nonpos_v<vd, vl>(y); }

/// log(y) for y in [1, 2]: y = 2^k (1 + f) with 1 + f in [√2/2, √2], then fdlibm's
/// log(1 + f) = f − (f²/2 − s(f²/2 + R(s²))), s = f / (2 + f).
RBMKIT_INLINE vd log_1_2(vd y) {
  const auto big = y > 1.4142135623730951;
  const vd f = big ? y * 0.5 - 1.0 : y - 1.0;
  const vd k = big ? splat(1.0) : splat(0.0);
  const vd s = f / (2.0 + f);
  const vd z = s * s;
  const vd w = z * z;
  const vd t1 = w * (3.999999999940941908e-01 +
                     w * (2.222219843214978396e-01 + w * 1.531383769920937332e-01));
  const vd t2 = z * (6.666666666666735130e-01 +
                     w * (2.857142874366239149e-01 +
                          w * (1.818357216161805012e-01 + w * 1.479819860511658591e-01)));
  const vd R = t2 + t1;
  const vd hfsq = 0.5 * f * f;
  return k * 6.93147180369123816490e-01 -
         ((hfsq - (s * (hfsq + R) + k * 1.90821492927058770002e-10)) - f);
}

/// softplus(x) = max(x, 0) + log(1 + exp(−|x|)).
RBMKIT_INLINE vd softplus(vd x) {
  const vd zero = splat(0.0);
  const vd ax = x < zero ? -x : x;
  const vd pos = x > zero ? x : zero;
  return pos + log_1_2(1.0 + exp_nonpos(-ax));
}

/// exp(y) for y ≤ 0 in float (y below −87 is treated as −87), degree-7 Taylor polynomial.
/// V is a vector of floats, U the vector of 32-bit unsigned integers of the same size.
template <class V, class U>
RBMKIT_INLINE V expf_nonpos_v(V y) {
  const V lo = V{} - 87.0f;
  y = y < lo ? lo : y;
  const V shifter = V{} + 0x1.8p23f;
  V kd = y * 1.44269504f + shifter;
  const U ki = (U)kd;
  kd -= shifter;
  const V r = (y - kd * 0.693145751953125f) - kd * 1.428606765330187045e-06f;
  V p = V{} + 1.0f / 5040.0f;
  p = p * r + 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  const U bits = (ki + 127) << 23;
  return p * (V)bits;
}
RBMKIT_INLINE vf expf_nonpos(vf y) { return expf_nonpos_v<vf, vi>(y); }

}  // namespace rbmkit::detail::simd
