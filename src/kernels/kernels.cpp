#include "kernels/kernels.hpp"

#include <cmath>
#include <cstring>
#include <vector>

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

namespace rbmkit::detail {
namespace {

typedef double vd __attribute__((vector_size(64)));
typedef unsigned long long vl __attribute__((vector_size(64)));
typedef float vf __attribute__((vector_size(64)));
typedef unsigned vi __attribute__((vector_size(64)));
typedef float vf8 __attribute__((vector_size(32)));

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
RBMKIT_INLINE vd splat(double x) { return vd{} + x; }
RBMKIT_INLINE vf splat(float x) { return vf{} + x; }
RBMKIT_INLINE double hsum(vd v) {
  // Fixed pairwise order, independent of the instruction set.
  return ((v[0] + v[4]) + (v[2] + v[6])) + ((v[1] + v[5]) + (v[3] + v[7]));
}

/// exp(y) for y ≤ 0 (y below −708 is treated as −708): Cody–Waite reduction y = k ln2 + r,
/// |r| ≤ ln2/2, a degree-13 Taylor polynomial for exp(r), and 2^k built in the exponent bits.
RBMKIT_INLINE vd exp_nonpos(vd y) {
  const vd lo = splat(-708.0);
  y = y < lo ? lo : y;
  const vd shifter = splat(0x1.8p52);
  vd kd = y * 1.4426950408889634 + shifter;
  const vl ki = (vl)kd;
  kd -= shifter;
  const vd r = (y - kd * 6.93147180369123816490e-01) - kd * 1.90821492927058770002e-10;
  vd p = splat(1.0 / 6227020800.0);
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
  const vl bits = (ki + 1023) << 52;
  return p * (vd)bits;
}

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
RBMKIT_INLINE vf expf_nonpos(vf y) {
  const vf lo = splat(-87.0f);
  y = y < lo ? lo : y;
  const vf shifter = splat(0x1.8p23f);
  vf kd = y * 1.44269504f + shifter;
  const vi ki = (vi)kd;
  kd -= shifter;
  const vf r = (y - kd * 0.693145751953125f) - kd * 1.428606765330187045e-06f;
  vf p = splat(1.0f / 5040.0f);
  p = p * r + 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  const vi bits = (ki + 127) << 23;
  return p * (vf)bits;
}


/// A product of positive factors kept as 8 lanes of mantissa × 2^exponent, so that it neither
/// overflows nor underflows: renormalise() moves the binary exponents of the lanes into `e`.
struct LogProduct {
  vd p = splat(1.0);
  vl e{};
  RBMKIT_INLINE_MEMBER void renormalise() {
    const vl bits = (vl)p;
    e += (bits >> 52) - 1023;  // factors are positive: no sign bit
    p = (vd)((bits & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL);
  }
  /// log of the product; `p` is renormalised first, so the lanes' product is in [1, 256).
  RBMKIT_INLINE_MEMBER double log() {
    renormalise();
    long long exponent = 0;
    for (int l = 0; l < 8; ++l) exponent += (long long)e[l];
    const double mantissas = ((p[0] * p[4]) * (p[2] * p[6])) * ((p[1] * p[5]) * (p[3] * p[7]));
    return double(exponent) * 0.69314718055994530942 + std::log(mantissas);
  }
};

}  // namespace

RBMKIT_CLONES double sum_softplus(const double* x, std::size_t n) {
  vd acc0{}, acc1{};
  std::size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    acc0 += softplus(load(x + i));
    acc1 += softplus(load(x + i + 8));
  }
  for (; i < n; i += 8) acc0 += softplus(load(x + i));
  return hsum(acc0 + acc1);
}

RBMKIT_CLONES double sum_softplus_affine(const double* a, const double* w, double d,
                                         std::size_t n) {
  vd acc0{}, acc1{};
  std::size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    acc0 += softplus(load(a + i) + d * load(w + i));
    acc1 += softplus(load(a + i + 8) + d * load(w + i + 8));
  }
  for (; i < n; i += 8) acc0 += softplus(load(a + i) + d * load(w + i));
  return hsum(acc0 + acc1);
}

RBMKIT_CLONES double log_prod_1p_scale(double* E, const double* R, std::size_t n,
                                       std::size_t renorm_every) {
  LogProduct prod;
  std::size_t since = 0;
  for (std::size_t i = 0; i < n; i += 8) {
    const vd e = load(E + i);
    prod.p *= 1.0 + e;
    const vd scaled = e * load(R + i);
    std::memcpy(E + i, &scaled, sizeof scaled);
    if (++since == renorm_every) {
      prod.renormalise();
      since = 0;
    }
  }
  return prod.log();
}

RBMKIT_CLONES double sum_log_mix(const double* u, const double* s, const double* R,
                                 std::size_t n, std::size_t renorm_every) {
  LogProduct prod;
  std::size_t since = 0;
  for (std::size_t i = 0; i < n; i += 8) {
    prod.p *= load(u + i) + load(s + i) * load(R + i);
    if (++since == renorm_every) {
      prod.renormalise();
      since = 0;
    }
  }
  return prod.log();
}

RBMKIT_CLONES double ais_hidden_step(const float* a, std::size_t n, double beta1, double beta0,
                                     float* p) {
  // softplus(β₁x) − softplus(β₀x) = max(β₁x, 0) − max(β₀x, 0) + log[(1 + e₁) / (1 + e₀)],
  // e_β = exp(−|βx|); the ratios lie in [1/2, 2], so their product needs no renormalisation
  // for n ≤ 8000 and its log is taken once.
  const vd zero = splat(0.0), one = splat(1.0);
  vd lin{};
  LogProduct prod;
  for (std::size_t i = 0; i < n; i += 8) {
    const vd x = load8(a + i);
    const vd x1 = beta1 * x, x0 = beta0 * x;
    const vd e1 = exp_nonpos(x1 < zero ? x1 : -x1);
    const vd e0 = exp_nonpos(x0 < zero ? x0 : -x0);
    lin += (x1 > zero ? x1 : zero) - (x0 > zero ? x0 : zero);
    const vd d1 = one + e1;
    prod.p *= d1 / (one + e0);
    const vd r = one / d1;
    const vd q = x1 >= zero ? r : e1 * r;  // sigm(β₁x)
    const vf8 qf = __builtin_convertvector(q, vf8);
    std::memcpy(p + i, &qf, sizeof qf);
  }
  return hsum(lin) + prod.log();
}

RBMKIT_CLONES void sigmoid_affine(const float* x, float s, const float* o, float* p,
                                  std::size_t n) {
  const vf zero = splat(0.0f), one = splat(1.0f);
  for (std::size_t i = 0; i < n; i += 16) {
    vf z = s * load(x + i);
    if (o) z += load(o + i);
    const vf e = expf_nonpos(z < zero ? z : -z);  // exp(−|z|)
    const vf r = one / (one + e);
    store(p + i, z >= zero ? r : e * r);
  }
}

RBMKIT_CLONES void accumulate_columns(const float* M, std::size_t rows, std::size_t cols,
                                      const std::uint32_t* idx, const std::size_t* start,
                                      std::size_t n_lists, const float* init, float* out) {
  // Blocked for the L1 cache: a tile of 64 rows by 32 columns of M (8 KiB) is applied to
  // every list before the next. The lists are sorted, so each list's position advances
  // monotonically through the column blocks.
  constexpr std::size_t block_cols = 32;
  std::vector<std::size_t> pos(n_lists);
  for (std::size_t t = 0; t < rows; t += tile_rows) {
    const vf i0 = load(init + t), i1 = load(init + t + 16), i2 = load(init + t + 32),
             i3 = load(init + t + 48);
    for (std::size_t r = 0; r < n_lists; ++r) {
      float* o = out + r * rows + t;
      store(o, i0);
      store(o + 16, i1);
      store(o + 32, i2);
      store(o + 48, i3);
      pos[r] = start[r];
    }
    for (std::size_t q = block_cols; q < cols + block_cols; q += block_cols) {
      for (std::size_t r = 0; r < n_lists; ++r) {
        std::size_t k = pos[r];
        const std::size_t end = start[r + 1];
        if (k == end || idx[k] >= q) continue;
        float* o = out + r * rows + t;
        vf a0 = load(o), a1 = load(o + 16), a2 = load(o + 32), a3 = load(o + 48);
        vf b0{}, b1{}, b2{}, b3{};
        for (; k + 2 <= end && idx[k + 1] < q; k += 2) {
          const float* c = M + std::size_t(idx[k]) * rows + t;
          const float* d = M + std::size_t(idx[k + 1]) * rows + t;
          a0 += load(c);
          a1 += load(c + 16);
          a2 += load(c + 32);
          a3 += load(c + 48);
          b0 += load(d);
          b1 += load(d + 16);
          b2 += load(d + 32);
          b3 += load(d + 48);
        }
        if (k < end && idx[k] < q) {
          const float* c = M + std::size_t(idx[k]) * rows + t;
          a0 += load(c);
          a1 += load(c + 16);
          a2 += load(c + 32);
          a3 += load(c + 48);
          ++k;
        }
        pos[r] = k;
        store(o, a0 + b0);
        store(o + 16, a1 + b1);
        store(o + 32, a2 + b2);
        store(o + 48, a3 + b3);
      }
    }
  }
}

}  // namespace rbmkit::detail
