#include "kernels/kernels.hpp"
#include "kernels/simd.hpp"

#include <cmath>
#include <cstring>
#include <vector>

namespace rbmkit::detail {
namespace {

using namespace simd;

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

RBMKIT_CLONES void exp_pair(const double* x, std::size_t n, double* ep, double* em) {
  for (std::size_t i = 0; i < n; i += 8) {
    const vd v = load(x + i);
    const vd e = exp_nonpos(v < 0.0 ? v : -v), inv = 1.0 / e;
    store(ep + i, v < 0.0 ? e : inv);
    store(em + i, v < 0.0 ? inv : e);
  }
}

RBMKIT_CLONES void sigmoid_pair(const double* x, std::size_t n, double* s, double* u) {
  for (std::size_t i = 0; i < n; i += 8) {
    const vd v = load(x + i);
    const vd e = exp_nonpos(v < 0.0 ? v : -v), big = 1.0 / (1.0 + e), small = e * big;
    store(s + i, v < 0.0 ? small : big);
    store(u + i, v < 0.0 ? big : small);
  }
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
  // The 8 lanes of the product as two vectors of 4 in registers (GCC keeps a 64-byte vector it
  // has to split in memory, which made this loop wait on stores); lane by lane the same
  // operations as LogProduct's, so the same bits.
  typedef double half __attribute__((vector_size(32)));
  auto load4 = [](const double* x) {
    half v;
    std::memcpy(&v, x, sizeof v);
    return v;
  };
  LogProduct prod;
  half p0, p1;
  char* whole = reinterpret_cast<char*>(&prod.p);
  auto split = [&] {  // prod.p into the halves
    std::memcpy(&p0, whole, sizeof p0);
    std::memcpy(&p1, whole + sizeof p0, sizeof p1);
  };
  auto sync = [&] {  // the halves into prod.p
    std::memcpy(whole, &p0, sizeof p0);
    std::memcpy(whole + sizeof p0, &p1, sizeof p1);
  };
  split();
  std::size_t since = 0;
  for (std::size_t i = 0; i < n; i += 8) {
    p0 *= load4(u + i) + load4(s + i) * load4(R + i);
    p1 *= load4(u + i + 4) + load4(s + i + 4) * load4(R + i + 4);
    if (++since == renorm_every) {
      sync();
      prod.renormalise();
      split();
      since = 0;
    }
  }
  sync();
  return prod.log();
}

RBMKIT_CLONES void sum_log_mix4(const double* const u[4], const double* const s[4],
                                const double* const R[4], std::size_t n,
                                std::size_t renorm_every, double out[4]) {
  // Each example's 8 lanes in two vectors of 4, as sum_log_mix keeps them: eight independent
  // product chains, each lane's operations those of sum_log_mix, so the same bits.
  typedef double half __attribute__((vector_size(32)));
  auto load = [](const double* x) {
    half v;
    std::memcpy(&v, x, sizeof v);
    return v;
  };
  const double *u0 = u[0], *u1 = u[1], *u2 = u[2], *u3 = u[3];
  const double *s0 = s[0], *s1 = s[1], *s2 = s[2], *s3 = s[3];
  const double *R0 = R[0], *R1 = R[1], *R2 = R[2], *R3 = R[3];
  LogProduct prod[4];
  const half one = half{} + 1.0;
  half a0 = one, a1 = one, a2 = one, a3 = one, b0 = one, b1 = one, b2 = one, b3 = one;
  auto store = [&](int e, const half& a, const half& b) {  // the lanes into prod[e].p
    char* whole = reinterpret_cast<char*>(&prod[e].p);
    std::memcpy(whole, &a, sizeof a);
    std::memcpy(whole + sizeof a, &b, sizeof b);
  };
  auto sync = [&](int e, half& a, half& b) {  // the lanes renormalised in prod[e]
    store(e, a, b);
    prod[e].renormalise();
    const char* whole = reinterpret_cast<const char*>(&prod[e].p);
    std::memcpy(&a, whole, sizeof a);
    std::memcpy(&b, whole + sizeof a, sizeof b);
  };
  std::size_t since = 0;
  for (std::size_t i = 0; i < n; i += 8) {
    a0 *= load(u0 + i) + load(s0 + i) * load(R0 + i);
    a1 *= load(u1 + i) + load(s1 + i) * load(R1 + i);
    a2 *= load(u2 + i) + load(s2 + i) * load(R2 + i);
    a3 *= load(u3 + i) + load(s3 + i) * load(R3 + i);
    b0 *= load(u0 + i + 4) + load(s0 + i + 4) * load(R0 + i + 4);
    b1 *= load(u1 + i + 4) + load(s1 + i + 4) * load(R1 + i + 4);
    b2 *= load(u2 + i + 4) + load(s2 + i + 4) * load(R2 + i + 4);
    b3 *= load(u3 + i + 4) + load(s3 + i + 4) * load(R3 + i + 4);
    if (++since == renorm_every) {
      sync(0, a0, b0);
      sync(1, a1, b1);
      sync(2, a2, b2);
      sync(3, a3, b3);
      since = 0;
    }
  }
  store(0, a0, b0);
  store(1, a1, b1);
  store(2, a2, b2);
  store(3, a3, b3);
  for (int e = 0; e < 4; ++e) out[e] = prod[e].log();
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

namespace {
/// narrow_product for the rows [row, row + NV·L) and the columns [e0, e0 + C) (C ≤ 4).
template <class T, int NV, int C>
RBMKIT_INLINE void narrow_slab(const T* M, std::size_t ldm, std::size_t row, std::size_t inner,
                               const T* X, std::size_t ldx, std::size_t e0, const T* init,
                               T* out, std::size_t ldo) {
  using V = typename Vec32<T>::V;
  constexpr std::size_t L = Vec32<T>::n;
  V acc[C][NV];
#pragma GCC unroll 4
  for (int c = 0; c < C; ++c)
#pragma GCC unroll 2
    for (int v = 0; v < NV; ++v) {
      if (init)
        std::memcpy(&acc[c][v], init + row + v * L, sizeof(V));
      else
        acc[c][v] = V{};
    }
  for (std::size_t j = 0; j < inner; ++j) {
    V m[NV];
#pragma GCC unroll 2
    for (int v = 0; v < NV; ++v) std::memcpy(&m[v], M + row + v * L + j * ldm, sizeof(V));
#pragma GCC unroll 4
    for (int c = 0; c < C; ++c) {
      const T x = X[j + (e0 + std::size_t(c)) * ldx];
#pragma GCC unroll 2
      for (int v = 0; v < NV; ++v) acc[c][v] += m[v] * x;
    }
  }
#pragma GCC unroll 4
  for (int c = 0; c < C; ++c)
#pragma GCC unroll 2
    for (int v = 0; v < NV; ++v)
      std::memcpy(out + row + v * L + (e0 + std::size_t(c)) * ldo, &acc[c][v], sizeof(V));
}

template <class T, int NV>
RBMKIT_INLINE void narrow_rows(const T* M, std::size_t ldm, std::size_t row, std::size_t inner,
                               const T* X, std::size_t ldx, std::size_t cols, const T* init,
                               T* out, std::size_t ldo) {
  std::size_t e = 0;
  for (; e + 4 <= cols; e += 4)
    narrow_slab<T, NV, 4>(M, ldm, row, inner, X, ldx, e, init, out, ldo);
  switch (cols - e) {
    case 3: narrow_slab<T, NV, 3>(M, ldm, row, inner, X, ldx, e, init, out, ldo); break;
    case 2: narrow_slab<T, NV, 2>(M, ldm, row, inner, X, ldx, e, init, out, ldo); break;
    case 1: narrow_slab<T, NV, 1>(M, ldm, row, inner, X, ldx, e, init, out, ldo); break;
    default: break;
  }
}

template <class T>
RBMKIT_INLINE void narrow_product_impl(const T* M, std::size_t ldm, std::size_t rows,
                                       std::size_t inner, const T* X, std::size_t ldx,
                                       std::size_t cols, const T* init, T* out,
                                       std::size_t ldo) {
  constexpr std::size_t L = Vec32<T>::n;
  std::size_t row = 0;
  for (; row + 2 * L <= rows; row += 2 * L)
    narrow_rows<T, 2>(M, ldm, row, inner, X, ldx, cols, init, out, ldo);
  for (; row + L <= rows; row += L)
    narrow_rows<T, 1>(M, ldm, row, inner, X, ldx, cols, init, out, ldo);
  for (; row < rows; ++row)  // the last rows % L, one at a time, the same operations
    for (std::size_t e = 0; e < cols; ++e) {
      T a = init ? init[row] : T(0);
      for (std::size_t j = 0; j < inner; ++j) a += M[row + j * ldm] * X[j + e * ldx];
      out[row + e * ldo] = a;
    }
}
}  // namespace

RBMKIT_CLONES void narrow_product(const float* M, std::size_t ldm, std::size_t rows,
                                  std::size_t inner, const float* X, std::size_t ldx,
                                  std::size_t cols, const float* init, float* out,
                                  std::size_t ldo) {
  narrow_product_impl(M, ldm, rows, inner, X, ldx, cols, init, out, ldo);
}
RBMKIT_CLONES void narrow_product(const double* M, std::size_t ldm, std::size_t rows,
                                  std::size_t inner, const double* X, std::size_t ldx,
                                  std::size_t cols, const double* init, double* out,
                                  std::size_t ldo) {
  narrow_product_impl(M, ldm, rows, inner, X, ldx, cols, init, out, ldo);
}

}  // namespace rbmkit::detail
