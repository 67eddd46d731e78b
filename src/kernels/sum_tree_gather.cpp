#include "kernels/simd.hpp"
#include "kernels/sum_tree.hpp"

#include <algorithm>

// The sums of sum_tree.hpp's trees (the trees are built in sum_tree.cpp).

namespace rbmkit::detail {
namespace {

using simd::Vec32;

/// How a leaf's sum reaches `out`: written (the terms added to init, or with write_subtract
/// subtracted from it), or the tree sum from +0 added to out's own value (add_to) or subtracted
/// from it (subtract_from).
enum class Mode { write, write_subtract, add_to, subtract_from };

/// The rows [row, row + NV·L) of every column's sum, the tree walked once in preorder: each
/// node's partial sum is its parent's (kept on `stack`, one slot of NV vectors per depth) plus
/// (write_subtract: minus) its own terms; a leaf's sum then goes to `out` as Mode says.
template <class T, int NV, Mode mode>
RBMKIT_INLINE void tree_slab(const T* M, std::size_t ldm, std::size_t row, const SumTree& t,
                             const T* init, T* out, std::size_t ldo, T* stack) {
  using V = typename Vec32<T>::V;
  constexpr std::size_t L = Vec32<T>::n, slot = NV * L;
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

/// Slabs of 8 vectors (64 floats or 32 doubles: 256 bytes of each of M's columns, so that the
/// columns of a slab stay in the L2 cache while the tree is walked), then the remaining whole
/// vectors, then (when writing) one vector ending at `last` that overlaps the one before (the
/// same bits again), otherwise row by row. The stack of partial sums is the thread's own, kept
/// between calls (no allocation per product).
template <class T, Mode mode>
RBMKIT_INLINE void tree_gather_impl(const T* M, std::size_t ldm, const SumTree& t,
                                    std::size_t first, std::size_t last, const T* init, T* out,
                                    std::size_t ldo) {
  constexpr std::size_t L = Vec32<T>::n, NV = 8;
  thread_local std::vector<T> stack;
  stack.resize(std::max<std::size_t>(t.height, 1) * NV * L);
  T* st = stack.data();
  std::size_t row = first;
  for (; row + NV * L <= last; row += NV * L)
    tree_slab<T, NV, mode>(M, ldm, row, t, init, out, ldo, st);
  // The remaining whole vectors as slabs of 4, 2 and 1 (fewer variants of the loop than one
  // per count: a smaller program; each row's operations are the same in any slab).
  if (row + 4 * L <= last) {
    tree_slab<T, 4, mode>(M, ldm, row, t, init, out, ldo, st);
    row += 4 * L;
  }
  if (row + 2 * L <= last) {
    tree_slab<T, 2, mode>(M, ldm, row, t, init, out, ldo, st);
    row += 2 * L;
  }
  if (row + L <= last) {
    tree_slab<T, 1, mode>(M, ldm, row, t, init, out, ldo, st);
    row += L;
  }
  if (row == last) return;
  constexpr bool writes = mode == Mode::write || mode == Mode::write_subtract;
  if (writes && last - first >= L) {  // accumulating, the overlap would count twice
    tree_slab<T, 1, mode>(M, ldm, last - L, t, init, out, ldo, st);
    return;
  }
  for (; row < last; ++row) tree_row<T, mode>(M, ldm, row, t, init, out, ldo, st);
}

template <class T>
RBMKIT_INLINE void tree_gather_mode(const T* M, std::size_t ldm, const SumTree& t,
                                    std::size_t first, std::size_t last, const T* init, T* out,
                                    std::size_t ldo, bool subtract, bool accumulate) {
  if (accumulate) {
    if (subtract)
      tree_gather_impl<T, Mode::subtract_from>(M, ldm, t, first, last, nullptr, out, ldo);
    else
      tree_gather_impl<T, Mode::add_to>(M, ldm, t, first, last, nullptr, out, ldo);
  } else if (subtract) {
    tree_gather_impl<T, Mode::write_subtract>(M, ldm, t, first, last, init, out, ldo);
  } else {
    tree_gather_impl<T, Mode::write>(M, ldm, t, first, last, init, out, ldo);
  }
}

}  // namespace

RBMKIT_CLONES void tree_gather(const float* M, std::size_t ldm, const SumTree& t,
                               std::size_t first, std::size_t last, const float* init,
                               float* out, std::size_t ldo, bool subtract, bool accumulate) {
  tree_gather_mode(M, ldm, t, first, last, init, out, ldo, subtract, accumulate);
}
RBMKIT_CLONES void tree_gather(const double* M, std::size_t ldm, const SumTree& t,
                               std::size_t first, std::size_t last, const double* init,
                               double* out, std::size_t ldo, bool subtract, bool accumulate) {
  tree_gather_mode(M, ldm, t, first, last, init, out, ldo, subtract, accumulate);
}

}  // namespace rbmkit::detail
