#include "kernels/binary.hpp"
#include "kernels/simd.hpp"

#include <algorithm>
#include <type_traits>

namespace rbmkit::detail {
namespace {

using namespace simd;

/// The gathers' vectors (simd.hpp): sixteen accumulators of a slab stay in AVX2's registers.
template <class T>
using Gather = Vec32<T>;
template <class V, class T>
RBMKIT_INLINE V loadv(const T* p) {
  V v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
template <class V, class T>
RBMKIT_INLINE void storev(T* p, V v) {
  std::memcpy(p, &v, sizeof v);
}

/// NV (1 to 16) vectors of values, which GCC keeps in registers (the loops over them unrolled).
template <class T, int NV>
struct Slab {
  using V = typename Gather<T>::V;
  static constexpr std::size_t L = Gather<T>::n;
  V a[NV] = {};
  RBMKIT_INLINE_MEMBER void load_from(const T* p) {
#pragma GCC unroll 16
    for (int v = 0; v < NV; ++v) a[v] = loadv<V>(p + v * L);
  }
  RBMKIT_INLINE_MEMBER void add(const T* p) {
#pragma GCC unroll 16
    for (int v = 0; v < NV; ++v) a[v] += loadv<V>(p + v * L);
  }
  RBMKIT_INLINE_MEMBER void sub(const T* p) {
#pragma GCC unroll 16
    for (int v = 0; v < NV; ++v) a[v] -= loadv<V>(p + v * L);
  }
  RBMKIT_INLINE_MEMBER void store_to(T* p) const {
#pragma GCC unroll 16
    for (int v = 0; v < NV; ++v) storev(p + v * L, a[v]);
  }
};

/// Rows [row, row + NV·L) of out[·, r] for r in [first, last). Each value is its start (init, or
/// out's own value when `accumulate`) plus (Sub: minus) its terms in increasing k whatever the
/// blocking, so slabs that overlap write the same bits.
template <class T, int NV, bool Sub>
RBMKIT_INLINE void gather_tile(const T* M, std::size_t ldm, std::size_t row, std::size_t cols,
                               const std::uint32_t* idx, const std::size_t* start,
                               std::size_t first, std::size_t last, const T* init,
                               bool accumulate, T* out, std::size_t ldo, std::size_t* pos) {
  // 64 columns of the slab of M (16 or 32 KiB) stay in the L1 or L2 cache while every column
  // of S takes its ones from them; a narrow M (the statistics' hidden values) in one block.
  const std::size_t block_cols = cols <= 128 ? cols : 64;
  Slab<T, NV> iv;
  if (init) iv.load_from(init + row);
  for (std::size_t r = first; r < last; ++r) pos[r - first] = start[r];
  const T* Mrow = M + row;
  for (std::size_t q = block_cols; q < cols + block_cols; q += block_cols) {
    for (std::size_t r = first; r < last; ++r) {
      std::size_t k = pos[r - first];
      const std::size_t end = start[r + 1];
      if (k == end || idx[k] >= q) continue;
      T* o = out + r * ldo + row;
      Slab<T, NV> a = iv;
      if (accumulate || k != start[r]) a.load_from(o);  // continue the sum
      do {
        if constexpr (Sub)
          a.sub(Mrow + std::size_t(idx[k]) * ldm);
        else
          a.add(Mrow + std::size_t(idx[k]) * ldm);
        ++k;
      } while (k < end && idx[k] < q);
      pos[r - first] = k;
      a.store_to(o);
    }
  }
  if (!accumulate)
    for (std::size_t r = first; r < last; ++r)  // columns of S without ones
      if (start[r] == start[r + 1]) iv.store_to(out + r * ldo + row);
}

/// Calls tile(std::integral_constant<int, NV>(), row) over the whole vectors of rows [0, rows):
/// slabs of 16 vectors, then one of 8, then the remaining whole vectors in one slab. Returns the
/// first row not covered (the last rows % L are left to the caller).
template <class T, class Tile>
RBMKIT_INLINE std::size_t whole_vector_slabs(std::size_t rows, const Tile& tile) {
  constexpr std::size_t L = Gather<T>::n;
  std::size_t row = 0;
  for (; row + 16 * L <= rows; row += 16 * L) tile(std::integral_constant<int, 16>(), row);
  if (row + 8 * L <= rows) {
    tile(std::integral_constant<int, 8>(), row);
    row += 8 * L;
  }
  switch ((rows - row) / L) {
    case 0: break;
    case 1: tile(std::integral_constant<int, 1>(), row); break;
    case 2: tile(std::integral_constant<int, 2>(), row); break;
    case 3: tile(std::integral_constant<int, 3>(), row); break;
    case 4: tile(std::integral_constant<int, 4>(), row); break;
    case 5: tile(std::integral_constant<int, 5>(), row); break;
    case 6: tile(std::integral_constant<int, 6>(), row); break;
    default: tile(std::integral_constant<int, 7>(), row); break;
  }
  return row + (rows - row) / L * L;
}

template <class T, bool Sub = false>
RBMKIT_INLINE void gather_add_impl(const T* M, std::size_t ldm, std::size_t rows,
                                   std::size_t cols, const std::uint32_t* idx,
                                   const std::size_t* start, std::size_t first, std::size_t last,
                                   const T* init, T* out, std::size_t ldo,
                                   bool accumulate = false) {
  constexpr std::size_t L = Gather<T>::n;
  std::vector<std::size_t> pos(last - first);
  auto tile = [&](auto n, std::size_t at) __attribute__((always_inline)) {
    gather_tile<T, decltype(n)::value, Sub>(M, ldm, at, cols, idx, start, first, last, init,
                                            accumulate, out, ldo, pos.data());
  };
  const std::size_t row = whole_vector_slabs<T>(rows, tile);
  if (row == rows) return;
  // The last rows % L as one vector ending at the last row, overlapping the slab before (the
  // same bits; not when accumulating, where the overlap would add twice: then the last rows one
  // by one).
  if (rows >= L && !accumulate) {
    tile(std::integral_constant<int, 1>(), rows - L);
    return;
  }
  for (std::size_t r = first; r < last; ++r) {  // the last rows one by one
    T* o = out + r * ldo;
    if (!accumulate)
      for (std::size_t i = row; i < rows; ++i) o[i] = init ? init[i] : T(0);
    for (std::size_t k = start[r]; k < start[r + 1]; ++k) {
      const T* c = M + std::size_t(idx[k]) * ldm;
      for (std::size_t i = row; i < rows; ++i) {
        if constexpr (Sub)
          o[i] -= c[i];
        else
          o[i] += c[i];
      }
    }
  }
}

/// Rows [row, row + NV·L) of out[·, r] = Σ_k M1[·, idx1[k]] − Σ_k M2[·, idx2[k]] for r in
/// [first, last): the first sum from +0 in increasing k, then each term of the second subtracted
/// in increasing k, which is what gather_add and then gather_accumulate with `subtract` compute
/// when the columns of M1 and M2 fit in one block of gather_tile.
template <class T, int NV>
RBMKIT_INLINE void difference_tile(const T* M1, const T* M2, std::size_t ldm, std::size_t row,
                                   const std::uint32_t* idx1, const std::size_t* start1,
                                   const std::uint32_t* idx2, const std::size_t* start2,
                                   std::size_t first, std::size_t last, T* out, std::size_t ldo) {
  for (std::size_t r = first; r < last; ++r) {
    Slab<T, NV> a;
    for (std::size_t k = start1[r]; k < start1[r + 1]; ++k)
      a.add(M1 + row + std::size_t(idx1[k]) * ldm);
    for (std::size_t k = start2[r]; k < start2[r + 1]; ++k)
      a.sub(M2 + row + std::size_t(idx2[k]) * ldm);
    a.store_to(out + r * ldo + row);
  }
}

template <class T>
RBMKIT_INLINE void gather_difference_impl(const T* M1, const T* M2, std::size_t ldm,
                                          std::size_t rows, const std::uint32_t* idx1,
                                          const std::size_t* start1, const std::uint32_t* idx2,
                                          const std::size_t* start2, std::size_t first,
                                          std::size_t last, T* out, std::size_t ldo) {
  constexpr std::size_t L = Gather<T>::n;
  auto tile = [&](auto n, std::size_t at) __attribute__((always_inline)) {
    difference_tile<T, decltype(n)::value>(M1, M2, ldm, at, idx1, start1, idx2, start2, first,
                                           last, out, ldo);
  };
  // As gather_add_impl: whole vectors, then an overlapping last one.
  if (whole_vector_slabs<T>(rows, tile) == rows) return;
  if (rows >= L) {
    tile(std::integral_constant<int, 1>(), rows - L);
    return;
  }
  for (std::size_t r = first; r < last; ++r) {  // fewer rows than one vector
    T* o = out + r * ldo;
    for (std::size_t i = 0; i < rows; ++i) o[i] = T(0);
    for (std::size_t k = start1[r]; k < start1[r + 1]; ++k)
      for (std::size_t i = 0; i < rows; ++i) o[i] += M1[std::size_t(idx1[k]) * ldm + i];
    for (std::size_t k = start2[r]; k < start2[r + 1]; ++k)
      for (std::size_t i = 0; i < rows; ++i) o[i] -= M2[std::size_t(idx2[k]) * ldm + i];
  }
}

typedef unsigned long long gl __attribute__((vector_size(32)));
typedef unsigned gi __attribute__((vector_size(32)));

/// sigm(z) = 1 / (1 + e) for z ≥ 0 and e / (1 + e) otherwise, e = exp(−|z|).
RBMKIT_INLINE gd sigm(gd z) {
  const gd e = exp_nonpos_v<gd, gl>(z < 0.0 ? z : -z);
  const gd r = 1.0 / (1.0 + e);
  return z >= 0.0 ? r : e * r;
}
RBMKIT_INLINE gf sigm(gf z) {
  const gf e = expf_nonpos_v<gf, gi>(z < 0.0f ? z : -z);
  const gf r = 1.0f / (1.0f + e);
  return z >= 0.0f ? r : e * r;
}

/// n values: p = sigm(a) (or p = a when `apply_sigmoid` is false), written to P when not null,
/// and the states 1[u < p] written to S when not null (u from U, which may be S).
template <class T>
RBMKIT_INLINE void sigmoid_sample_impl(const T* a, std::size_t n, bool apply_sigmoid, T* P, T* S,
                                       const T* U) {
  using V = typename Gather<T>::V;
  constexpr std::size_t L = Gather<T>::n;
  const V one = V{} + T(1), zero = V{};
  auto step = [&](const T* ai, T* pi, const T* ui, T* si) {
    V p = loadv<V>(ai);
    if (apply_sigmoid) p = sigm(p);
    if (pi) storev(pi, p);
    if (si) storev(si, loadv<V>(ui) < p ? one : zero);
  };
  std::size_t i = 0;
  for (; i + L <= n; i += L)
    step(a + i, P ? P + i : nullptr, S ? U + i : nullptr, S ? S + i : nullptr);
  if (i == n) return;
  // The last n % L values through buffers of one vector.
  const std::size_t m = n - i;
  T ab[L] = {}, pb[L], ub[L] = {}, sb[L];
  std::copy(a + i, a + n, ab);
  if (S) std::copy(U + i, U + n, ub);
  step(ab, pb, ub, S ? sb : nullptr);
  if (P) std::copy(pb, pb + m, P + i);
  if (S) std::copy(sb, sb + m, S + i);
}

/// The 8 × 8 block at a (leading dimension lda) transposed into b (leading dimension ldb).
RBMKIT_INLINE void transpose_square(const float* a, std::size_t lda, float* b, std::size_t ldb) {
  const gf x0 = loadv<gf>(a), x1 = loadv<gf>(a + lda), x2 = loadv<gf>(a + 2 * lda),
           x3 = loadv<gf>(a + 3 * lda), x4 = loadv<gf>(a + 4 * lda), x5 = loadv<gf>(a + 5 * lda),
           x6 = loadv<gf>(a + 6 * lda), x7 = loadv<gf>(a + 7 * lda);
  const gi lo{0, 8, 1, 9, 4, 12, 5, 13}, hi{2, 10, 3, 11, 6, 14, 7, 15};
  const gi lo2{0, 1, 8, 9, 4, 5, 12, 13}, hi2{2, 3, 10, 11, 6, 7, 14, 15};
  const gi first{0, 1, 2, 3, 8, 9, 10, 11}, second{4, 5, 6, 7, 12, 13, 14, 15};
  // Pairs of columns interleaved, then pairs of pairs, then the halves of 128 bits.
  const gf t0 = __builtin_shuffle(x0, x1, lo), t1 = __builtin_shuffle(x0, x1, hi);
  const gf t2 = __builtin_shuffle(x2, x3, lo), t3 = __builtin_shuffle(x2, x3, hi);
  const gf t4 = __builtin_shuffle(x4, x5, lo), t5 = __builtin_shuffle(x4, x5, hi);
  const gf t6 = __builtin_shuffle(x6, x7, lo), t7 = __builtin_shuffle(x6, x7, hi);
  const gf u0 = __builtin_shuffle(t0, t2, lo2), u1 = __builtin_shuffle(t0, t2, hi2);
  const gf u2 = __builtin_shuffle(t1, t3, lo2), u3 = __builtin_shuffle(t1, t3, hi2);
  const gf u4 = __builtin_shuffle(t4, t6, lo2), u5 = __builtin_shuffle(t4, t6, hi2);
  const gf u6 = __builtin_shuffle(t5, t7, lo2), u7 = __builtin_shuffle(t5, t7, hi2);
  storev(b, __builtin_shuffle(u0, u4, first));
  storev(b + ldb, __builtin_shuffle(u1, u5, first));
  storev(b + 2 * ldb, __builtin_shuffle(u2, u6, first));
  storev(b + 3 * ldb, __builtin_shuffle(u3, u7, first));
  storev(b + 4 * ldb, __builtin_shuffle(u0, u4, second));
  storev(b + 5 * ldb, __builtin_shuffle(u1, u5, second));
  storev(b + 6 * ldb, __builtin_shuffle(u2, u6, second));
  storev(b + 7 * ldb, __builtin_shuffle(u3, u7, second));
}
/// The 4 × 4 block of doubles at a transposed into b.
RBMKIT_INLINE void transpose_square(const double* a, std::size_t lda, double* b, std::size_t ldb) {
  const gd x0 = loadv<gd>(a), x1 = loadv<gd>(a + lda), x2 = loadv<gd>(a + 2 * lda),
           x3 = loadv<gd>(a + 3 * lda);
  const gl lo{0, 4, 2, 6}, hi{1, 5, 3, 7}, first{0, 1, 4, 5}, second{2, 3, 6, 7};
  const gd t0 = __builtin_shuffle(x0, x1, lo), t1 = __builtin_shuffle(x0, x1, hi);
  const gd t2 = __builtin_shuffle(x2, x3, lo), t3 = __builtin_shuffle(x2, x3, hi);
  storev(b, __builtin_shuffle(t0, t2, first));
  storev(b + ldb, __builtin_shuffle(t1, t3, first));
  storev(b + 2 * ldb, __builtin_shuffle(t0, t2, second));
  storev(b + 3 * ldb, __builtin_shuffle(t1, t3, second));
}

template <class T>
RBMKIT_INLINE void transpose_block_impl(const T* a, std::size_t lda, std::size_t rows,
                                        std::size_t cols, T* b, std::size_t ldb) {
  constexpr std::size_t L = Gather<T>::n;
  std::size_t i = 0;
  for (; i + L <= rows; i += L) {
    std::size_t j = 0;
    for (; j + L <= cols; j += L) transpose_square(a + i + j * lda, lda, b + j + i * ldb, ldb);
    for (; j < cols; ++j)
      for (std::size_t r = i; r < i + L; ++r) b[j + r * ldb] = a[r + j * lda];
  }
  for (; i < rows; ++i)
    for (std::size_t j = 0; j < cols; ++j) b[j + i * ldb] = a[i + j * lda];
}

/// gather_add_impl with the sign of the terms chosen at run time.
template <class T>
RBMKIT_INLINE void gather(const T* M, std::size_t ldm, std::size_t rows, std::size_t cols,
                          const std::uint32_t* idx, const std::size_t* start, std::size_t first,
                          std::size_t last, const T* init, T* out, std::size_t ldo, bool subtract,
                          bool accumulate) {
  if (subtract)
    gather_add_impl<T, true>(M, ldm, rows, cols, idx, start, first, last, init, out, ldo,
                             accumulate);
  else
    gather_add_impl<T, false>(M, ldm, rows, cols, idx, start, first, last, init, out, ldo,
                              accumulate);
}

}  // namespace

RBMKIT_CLONES void gather_add(const float* M, std::size_t ldm, std::size_t rows, std::size_t cols,
                              const std::uint32_t* idx, const std::size_t* start,
                              std::size_t first, std::size_t last, const float* init, float* out,
                              std::size_t ldo, bool subtract) {
  gather(M, ldm, rows, cols, idx, start, first, last, init, out, ldo, subtract, false);
}
RBMKIT_CLONES void gather_add(const double* M, std::size_t ldm, std::size_t rows, std::size_t cols,
                              const std::uint32_t* idx, const std::size_t* start,
                              std::size_t first, std::size_t last, const double* init, double* out,
                              std::size_t ldo, bool subtract) {
  gather(M, ldm, rows, cols, idx, start, first, last, init, out, ldo, subtract, false);
}

RBMKIT_CLONES void gather_accumulate(const float* M, std::size_t ldm, std::size_t rows,
                                     std::size_t cols, const std::uint32_t* idx,
                                     const std::size_t* start, std::size_t first,
                                     std::size_t last, float* out, std::size_t ldo,
                                     bool subtract) {
  gather<float>(M, ldm, rows, cols, idx, start, first, last, nullptr, out, ldo, subtract, true);
}
RBMKIT_CLONES void gather_accumulate(const double* M, std::size_t ldm, std::size_t rows,
                                     std::size_t cols, const std::uint32_t* idx,
                                     const std::size_t* start, std::size_t first,
                                     std::size_t last, double* out, std::size_t ldo,
                                     bool subtract) {
  gather<double>(M, ldm, rows, cols, idx, start, first, last, nullptr, out, ldo, subtract, true);
}

RBMKIT_CLONES void gather_difference(const float* M1, const float* M2, std::size_t ldm,
                                     std::size_t rows, const std::uint32_t* idx1,
                                     const std::size_t* start1, const std::uint32_t* idx2,
                                     const std::size_t* start2, std::size_t first,
                                     std::size_t last, float* out, std::size_t ldo) {
  gather_difference_impl(M1, M2, ldm, rows, idx1, start1, idx2, start2, first, last, out, ldo);
}
RBMKIT_CLONES void gather_difference(const double* M1, const double* M2, std::size_t ldm,
                                     std::size_t rows, const std::uint32_t* idx1,
                                     const std::size_t* start1, const std::uint32_t* idx2,
                                     const std::size_t* start2, std::size_t first,
                                     std::size_t last, double* out, std::size_t ldo) {
  gather_difference_impl(M1, M2, ldm, rows, idx1, start1, idx2, start2, first, last, out, ldo);
}

RBMKIT_CLONES void sigmoid_sample(const float* A, std::size_t rows, std::size_t cols, float* P,
                                  float* S, const float* U) {
  sigmoid_sample_impl(A, rows * cols, true, P, S, U);
}
RBMKIT_CLONES void sigmoid_sample(const double* A, std::size_t rows, std::size_t cols, double* P,
                                  double* S, const double* U) {
  sigmoid_sample_impl(A, rows * cols, true, P, S, U);
}

RBMKIT_CLONES void bernoulli(const float* P, std::size_t n, float* S, const float* U) {
  sigmoid_sample_impl<float>(P, n, false, nullptr, S, U);
}
RBMKIT_CLONES void bernoulli(const double* P, std::size_t n, double* S, const double* U) {
  sigmoid_sample_impl<double>(P, n, false, nullptr, S, U);
}

RBMKIT_CLONES void transpose_block(const float* a, std::size_t lda, std::size_t rows,
                                   std::size_t cols, float* b, std::size_t ldb) {
  transpose_block_impl(a, lda, rows, cols, b, ldb);
}
RBMKIT_CLONES void transpose_block(const double* a, std::size_t lda, std::size_t rows,
                                   std::size_t cols, double* b, std::size_t ldb) {
  transpose_block_impl(a, lda, rows, cols, b, ldb);
}

template <class T>
RBMKIT_INLINE void binarize_bytes_impl(const std::uint8_t* bytes, std::size_t n, int below, T* out) {
  for (std::size_t i = 0; i < n; ++i) out[i] = T(int(bytes[i]) > below);
}
RBMKIT_CLONES void binarize_bytes(const std::uint8_t* bytes, std::size_t n, int below, float* out) {
  binarize_bytes_impl(bytes, n, below, out);
}
RBMKIT_CLONES void binarize_bytes(const std::uint8_t* bytes, std::size_t n, int below,
                                  double* out) {
  binarize_bytes_impl(bytes, n, below, out);
}

template <class T>
RBMKIT_INLINE void row_sums_impl(const T* M, std::size_t ld, std::size_t rows, std::size_t cols,
                                 T* out) {
  constexpr std::size_t chunk = 64;  // rows whose sums stay in the L1 cache across the columns
  for (std::size_t i0 = 0; i0 < rows; i0 += chunk) {
    const std::size_t n = std::min(chunk, rows - i0);
    T* o = out + i0;
    std::copy(M + i0, M + i0 + n, o);
    for (std::size_t j = 1; j < cols; ++j) {
      const T* x = M + j * ld + i0;
      for (std::size_t i = 0; i < n; ++i) o[i] += x[i];
    }
  }
}
RBMKIT_CLONES void row_sums(const float* M, std::size_t ld, std::size_t rows, std::size_t cols,
                            float* out) {
  row_sums_impl(M, ld, rows, cols, out);
}
RBMKIT_CLONES void row_sums(const double* M, std::size_t ld, std::size_t rows, std::size_t cols,
                            double* out) {
  row_sums_impl(M, ld, rows, cols, out);
}

}  // namespace rbmkit::detail
