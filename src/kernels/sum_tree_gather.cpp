#include "kernels/simd.hpp"
#include "kernels/sum_tree.hpp"

#include <algorithm>
#include <atomic>

// The sums of sum_tree.hpp's trees (the trees are built in sum_tree.cpp).

namespace rbmkit::detail {
namespace {

using simd::Vec32;
using simd::Vec64;

/// How a leaf's sum reaches `out`: written (the terms added to init, or with write_subtract
/// subtracted from it), or the tree sum from +0 added to out's own value (add_to) or subtracted
/// from it (subtract_from).
enum class Mode { write, write_subtract, add_to, subtract_from };

/// The rows [row, row + NV·L) of every column's sum, the tree walked once in preorder: each
/// node's partial sum is its parent's (kept on `stack`, one slot of NV vectors per depth) plus
/// (write_subtract: minus) its own terms; a leaf's sum then goes to `out` as Mode says.
template <class T, class W, int NV, Mode mode>
RBMKIT_INLINE void tree_slab(const T* M, std::size_t ldm, std::size_t row, const SumTree& t,
                             const T* init, T* out, std::size_t ldo, T* stack) {
  using V = typename W::V;
  constexpr std::size_t L = W::n, slot = NV * L;
  V start[NV];
#pragma GCC unroll 8
  for (int v = 0; v < NV; ++v) {
    if (init)
      std::memcpy(&start[v], init + row + v * L, sizeof(V));
    else
      start[v] = V{};
  }
  const T* Mrow = M + row;
  const std::size_t nodes = t.depth.size();
  for (std::size_t n = 0; n < nodes; ++n) {
    const std::uint32_t d = t.depth[n];
    V a[NV];
    if (d == 0) {
#pragma GCC unroll 8
      for (int v = 0; v < NV; ++v) a[v] = start[v];
    } else {
#pragma GCC unroll 8
      for (int v = 0; v < NV; ++v) std::memcpy(&a[v], stack + (d - 1) * slot + v * L, sizeof(V));
    }
    for (std::size_t k = t.start[n]; k < t.start[n + 1]; ++k) {
      const T* p = Mrow + std::size_t(t.idx[k]) * ldm;
      // The slab's column six terms ahead, from the L2 cache into the L1 (the indices are
      // padded past the last node: SumTree::idx).
      const char* ahead = reinterpret_cast<const char*>(Mrow + std::size_t(t.idx[k + 6]) * ldm);
      for (std::size_t b = 0; b < NV * sizeof(V); b += 64) __builtin_prefetch(ahead + b);
#pragma GCC unroll 8
      for (int v = 0; v < NV; ++v) {
        V x;
        std::memcpy(&x, p + v * L, sizeof(V));
        if constexpr (mode == Mode::write_subtract)
          a[v] -= x;
        else
          a[v] += x;
      }
    }
    const std::int32_t r = t.column[n];
    T* o = r < 0 ? stack + d * slot : out + std::size_t(r) * ldo + row;
#pragma GCC unroll 8
    for (int v = 0; v < NV; ++v) {
      if constexpr (mode == Mode::add_to || mode == Mode::subtract_from) {
        if (r >= 0) {
          V y;
          std::memcpy(&y, o + v * L, sizeof(V));
          a[v] = mode == Mode::add_to ? y + a[v] : y - a[v];
        }
      }
      std::memcpy(o + v * L, &a[v], sizeof(V));
    }
  }
}

/// tree_slab for one row at a time (ranges narrower than a vector).
template <class T, Mode mode>
RBMKIT_INLINE void tree_row(const T* M, std::size_t ldm, std::size_t row, const SumTree& t,
                            const T* init, T* out, std::size_t ldo, T* stack) {
  const std::size_t nodes = t.depth.size();
  for (std::size_t n = 0; n < nodes; ++n) {
    const std::uint32_t d = t.depth[n];
    T a = d == 0 ? (init ? init[row] : T(0)) : stack[d - 1];
    for (std::size_t k = t.start[n]; k < t.start[n + 1]; ++k) {
      if constexpr (mode == Mode::write_subtract)
        a -= M[row + std::size_t(t.idx[k]) * ldm];
      else
        a += M[row + std::size_t(t.idx[k]) * ldm];
    }
    const std::int32_t r = t.column[n];
    if (r < 0) {
      stack[d] = a;
      continue;
    }
    T& o = out[std::size_t(r) * ldo + row];
    if constexpr (mode == Mode::add_to)
      o = o + a;
    else if constexpr (mode == Mode::subtract_from)
      o = o - a;
    else
      o = a;
  }
}

/// Slabs of 256 bytes of each of M's columns (64 floats or 32 doubles: 8 vectors W of 32
/// bytes, or 4 of 64; the columns of a slab stay in the L2 cache while the tree is walked), then
/// the remaining whole vectors (with 64-byte vectors, then one of 32 bytes). The rows left:
/// when writing a range of at least one vector W, the vector ending at `last`, which overlaps
/// the one before (the same bits again);
/// otherwise the lanes of the 32-byte vector ending at `last`, summed into the thread's own
/// buffer and copied or added; row by row only when `last` is below one 32-byte vector. The
/// stack of partial sums is the thread's own, kept between calls (no allocation per product).
template <class T, class W, Mode mode>
RBMKIT_INLINE void tree_gather_impl(const T* M, std::size_t ldm, const SumTree& t,
                                    std::size_t first, std::size_t last, const T* init, T* out,
                                    std::size_t ldo) {
  constexpr std::size_t L = W::n, NV = 256 / sizeof(typename W::V);
  thread_local std::vector<T> stack;
  stack.resize(std::max<std::size_t>(t.height, 1) * NV * L);
  T* st = stack.data();
  std::size_t row = first;
  for (; row + NV * L <= last; row += NV * L)
    tree_slab<T, W, NV, mode>(M, ldm, row, t, init, out, ldo, st);
  // The remaining whole vectors as slabs of 4 (of 32-byte vectors), 2 and 1 (fewer variants
  // of the loop than one per count: a smaller program; each row's operations are the same in
  // any slab and with either vector width).
  if constexpr (NV > 4) {
    if (row + 4 * L <= last) {
      tree_slab<T, W, 4, mode>(M, ldm, row, t, init, out, ldo, st);
      row += 4 * L;
    }
  }
  if (row + 2 * L <= last) {
    tree_slab<T, W, 2, mode>(M, ldm, row, t, init, out, ldo, st);
    row += 2 * L;
  }
  if (row + L <= last) {
    tree_slab<T, W, 1, mode>(M, ldm, row, t, init, out, ldo, st);
    row += L;
  }
  if constexpr (L > Vec32<T>::n) {  // then a 32-byte vector
    if (row + Vec32<T>::n <= last) {
      tree_slab<T, Vec32<T>, 1, mode>(M, ldm, row, t, init, out, ldo, st);
      row += Vec32<T>::n;
    }
  }
  if (row == last) return;
  constexpr bool writes = mode == Mode::write || mode == Mode::write_subtract;
  if (writes && last - first >= L) {  // accumulating, the overlap would count twice
    tree_slab<T, W, 1, mode>(M, ldm, last - L, t, init, out, ldo, st);
    return;
  }
  constexpr std::size_t L32 = Vec32<T>::n;
  if (last >= L32) {
    // The fewer than L32 rows left, as lanes of the 32-byte vector of rows ending at `last`,
    // summed into the thread's own buffer (the rows before `row` are not this call's to
    // write); then copied, or added to (subtracted from) out: each lane the operations of
    // tree_row, one rounding more only where tree_row also takes it (out ± the sum from +0).
    thread_local std::vector<T> tail;
    tail.resize(t.columns * L32);
    const std::size_t base = last - L32;
    constexpr Mode sum_mode = writes ? mode : Mode::write;
    tree_slab<T, Vec32<T>, 1, sum_mode>(M + base, ldm, 0, t,
                                        writes && init ? init + base : nullptr, tail.data(),
                                        L32, st);
    for (std::size_t r = 0; r < t.columns; ++r) {
      const T* x = tail.data() + r * L32;
      T* o = out + r * ldo;
      for (std::size_t i = row; i < last; ++i) {
        if constexpr (mode == Mode::add_to)
          o[i] = o[i] + x[i - base];
        else if constexpr (mode == Mode::subtract_from)
          o[i] = o[i] - x[i - base];
        else
          o[i] = x[i - base];
      }
    }
    return;
  }
  for (; row < last; ++row) tree_row<T, mode>(M, ldm, row, t, init, out, ldo, st);
}

template <class T, class W>
RBMKIT_INLINE void tree_gather_mode(const T* M, std::size_t ldm, const SumTree& t,
                                    std::size_t first, std::size_t last, const T* init, T* out,
                                    std::size_t ldo, bool subtract, bool accumulate) {
  if (accumulate) {
    if (subtract)
      tree_gather_impl<T, W, Mode::subtract_from>(M, ldm, t, first, last, nullptr, out, ldo);
    else
      tree_gather_impl<T, W, Mode::add_to>(M, ldm, t, first, last, nullptr, out, ldo);
  } else if (subtract) {
    tree_gather_impl<T, W, Mode::write_subtract>(M, ldm, t, first, last, init, out, ldo);
  } else {
    tree_gather_impl<T, W, Mode::write>(M, ldm, t, first, last, init, out, ldo);
  }
}

/// use_narrow_tree_sums's setting.
std::atomic<bool> narrow_sums{false};

#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__)
/// The sums in 64-byte vectors, AVX-512 registers: fewer loads and additions per term than two
/// 32-byte vectors (a greedy tree's sums of 100 Fashion-MNIST images over 500 rows of Wᵀ: 12%
/// less time on an AMD EPYC). Same operations on every row, so the same bits.
template <class T>
__attribute__((target("avx512f"))) void tree_gather_wide(const T* M, std::size_t ldm,
                                                         const SumTree& t, std::size_t first,
                                                         std::size_t last, const T* init, T* out,
                                                         std::size_t ldo, bool subtract,
                                                         bool accumulate) {
  tree_gather_mode<T, Vec64<T>>(M, ldm, t, first, last, init, out, ldo, subtract, accumulate);
}

/// Whether tree_gather takes tree_gather_wide: the CPU has AVX-512 and use_narrow_tree_sums did
/// not turn it off.
bool wide_sums() {
  static const bool has = __builtin_cpu_supports("avx512f");
  return has && !narrow_sums.load(std::memory_order_relaxed);
}
#define RBMKIT_NARROW_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define RBMKIT_NARROW_CLONES
#endif

/// The sums in 32-byte vectors (AVX2 or SSE2 registers).
RBMKIT_NARROW_CLONES void tree_gather_narrow(const float* M, std::size_t ldm, const SumTree& t,
                                             std::size_t first, std::size_t last,
                                             const float* init, float* out, std::size_t ldo,
                                             bool subtract, bool accumulate) {
  tree_gather_mode<float, Vec32<float>>(M, ldm, t, first, last, init, out, ldo, subtract,
                                        accumulate);
}
RBMKIT_NARROW_CLONES void tree_gather_narrow(const double* M, std::size_t ldm, const SumTree& t,
                                             std::size_t first, std::size_t last,
                                             const double* init, double* out, std::size_t ldo,
                                             bool subtract, bool accumulate) {
  tree_gather_mode<double, Vec32<double>>(M, ldm, t, first, last, init, out, ldo, subtract,
                                          accumulate);
}

template <class T>
void tree_gather_any(const T* M, std::size_t ldm, const SumTree& t, std::size_t first,
                     std::size_t last, const T* init, T* out, std::size_t ldo, bool subtract,
                     bool accumulate) {
#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__)
  if (wide_sums()) {
    tree_gather_wide(M, ldm, t, first, last, init, out, ldo, subtract, accumulate);
    return;
  }
#endif
  tree_gather_narrow(M, ldm, t, first, last, init, out, ldo, subtract, accumulate);
}

}  // namespace

void use_narrow_tree_sums(bool narrow) { narrow_sums.store(narrow, std::memory_order_relaxed); }

void tree_gather(const float* M, std::size_t ldm, const SumTree& t, std::size_t first,
                 std::size_t last, const float* init, float* out, std::size_t ldo, bool subtract,
                 bool accumulate) {
  tree_gather_any(M, ldm, t, first, last, init, out, ldo, subtract, accumulate);
}
void tree_gather(const double* M, std::size_t ldm, const SumTree& t, std::size_t first,
                 std::size_t last, const double* init, double* out, std::size_t ldo,
                 bool subtract, bool accumulate) {
  tree_gather_any(M, ldm, t, first, last, init, out, ldo, subtract, accumulate);
}

}  // namespace rbmkit::detail
