#pragma once
// What the products of products.cpp and statistic_products.cpp share: how a product takes its
// operand (Operand, classify), the scans split among threads, the plain gathers and the binary
// products by gathers or sum trees. Included by those two files only.
#include <algorithm>
#include <armadillo>
#include <cstddef>
#include <stdexcept>
#include <vector>

#include "kernels/product_trees.hpp"
#include "kernels/products.hpp"
#include "rbmkit/core/parallel.hpp"

namespace rbmkit::detail {

/// How a product takes its operand X.
enum class Operand {
  dense,  ///< grey values (or the caller wants BLAS): BLAS
  ones,   ///< binary, at most half ones: gathers of the ones, listed in buf.ones
  zeros,  ///< binary, more than half ones: M·1 minus the gathers of the zeros, in buf.zeros
};

/// Below this many entries a scan or an element-wise pass runs on one thread.
inline constexpr std::size_t parallel_entries = std::size_t(1) << 15;

/// Joins the patterns parts[w] of the column blocks [first[w], last[w]) into `out`, in column
/// order.
void join_blocks(std::size_t rows, std::size_t cols, const std::vector<OnesPattern>& parts,
                 const std::vector<std::size_t>& first, const std::vector<std::size_t>& last,
                 OnesPattern& out);

/// Runs scan(first, last, pattern) on contiguous blocks of the columns [0, cols) among the
/// threads, each block filling the pattern of its columns, then joins the blocks into `out` in
/// column order: the same pattern at every thread count. False when a block's scan is.
template <class Scan>
bool scan_columns(std::size_t rows, std::size_t cols, std::vector<OnesPattern>& parts,
                  OnesPattern& out, const Scan& scan) {
  const std::size_t t = std::size_t(threads());
  // One thread: straight into the output (no per-thread copy of the pattern to join).
  if (rows * cols < parallel_entries || t == 1) return scan(0, cols, out);
  parts.resize(t);
  std::vector<std::size_t> first(t, cols), last(t, cols);
  std::vector<char> ok(t, 1);
  parallel_for(cols, [&](std::size_t f, std::size_t l, int w) {
    first[w] = f;
    last[w] = l;
    ok[w] = scan(f, l, parts[w]);
  });
  for (std::size_t w = 0; w < t; ++w)
    if (!ok[w]) return false;
  join_blocks(rows, cols, parts, first, last, out);
  return true;
}

/// The kind of a binary operand whose ones a scan has just put in buf.ones: Operand::ones, or
/// with more than half ones Operand::zeros, its zeros in buf.zeros from the complement of the
/// ones' bit sets (no second scan): bit sets and counts, their lists made only by a product
/// that takes the plain gathers (binary_product_into).
template <class T>
Operand ones_or_zeros(ProductBuffers<T>& buf) {
  if (buf.ones.density() <= 0.5) return Operand::ones;
  complement(buf.ones, buf.zeros, false);
  return Operand::zeros;
}

/// The kind of X, with its ones in buf.ones or (mostly ones) its zeros in buf.zeros: find_ones
/// with the columns split among the threads.
template <class T>
Operand classify(const arma::Mat<T>& X, ProductBuffers<T>& buf) {
  if (buf.dense_only || X.n_elem == 0 ||
      !scan_columns(X.n_rows, X.n_cols, buf.parts, buf.ones,
                    [&](std::size_t first, std::size_t last, OnesPattern& p) {
                      return find_ones(X.colptr(first), X.n_rows, last - first, X.n_rows, p);
                    }))
    return Operand::dense;
  return ones_or_zeros(buf);
}

/// The kind of Vᵀ, as classify(Vᵀ) gives it, scanned from V itself (its rows split among the
/// threads, each block of rows a block of Vᵀ's columns): its ones in buf.ones or (mostly ones)
/// its zeros in buf.zeros. For each visible unit, the examples where it is on (or off).
template <class T>
Operand classify_transposed(const arma::Mat<T>& V, ProductBuffers<T>& buf) {
  if (buf.dense_only || V.n_elem == 0 ||
      !scan_columns(V.n_cols, V.n_rows, buf.parts, buf.ones,
                    [&](std::size_t first, std::size_t last, OnesPattern& p) {
                      return find_ones_transposed(V.memptr() + first, last - first, V.n_cols,
                                                  V.n_rows, p);
                    }))
    return Operand::dense;
  return ones_or_zeros(buf);
}

/// The pattern a product of `kind` gathers.
template <class T>
const OnesPattern& pattern_of(Operand kind, const ProductBuffers<T>& buf) {
  return kind == Operand::ones ? buf.ones : buf.zeros;
}

/// C = op(A)·op(B) + init·1ᵀ by BLAS in blocks of 32 of C's columns, the blocks split among
/// rbmkit's threads, each one single-threaded BLAS call. The blocks depend only on the shapes,
/// so the bits do not depend on the thread count. `product(first, last)` gives the block of C's
/// columns [first, last].
template <class T, class Product>
void dense_product(arma::Mat<T>& C, arma::uword rows, arma::uword cols, const T* init,
                   const Product& product) {
  constexpr std::size_t width = 32;
  C.set_size(rows, cols);
  const std::size_t blocks = (std::size_t(cols) + width - 1) / width;
  auto body = [&](std::size_t first, std::size_t last, int) {
    for (std::size_t k = first; k < last; ++k) {
      const arma::uword a = arma::uword(k * width);
      const arma::uword b = std::min<arma::uword>(cols, arma::uword((k + 1) * width)) - 1;
      C.cols(a, b) = product(a, b);
      if (init)
        C.cols(a, b).each_col() += arma::Col<T>(const_cast<T*>(init), rows, false, true);
    }
  };
  if (std::size_t(rows) * cols < (std::size_t(1) << 14))
    body(0, blocks, 0);
  else
    parallel_for(blocks, body);
}

/// Runs gather(first, last) over the columns [0, cols) split among the threads into contiguous
/// ranges of about equal work (ones, plus a little per column) rather than equal counts: the ones
/// of images or hidden states gather unevenly. `ones_before(c)` is the number of ones in the
/// columns before c (c ≤ cols). Each column is still computed whole by one thread, so the bits
/// do not depend on the split. One thread below about a million additions of `rows` values.
template <class OnesBefore, class Gather>
void split_by_work(std::size_t cols, std::size_t rows, const OnesBefore& ones_before,
                   const Gather& gather) {
  const std::size_t ones = ones_before(cols);
  const std::size_t t = std::size_t(threads());
  if (ones * rows < (std::size_t(1) << 20) || t == 1 || cols < 2) {
    gather(0, cols);
    return;
  }
  // Work before column c: ones_before(c) + 2c (the constant stands for a column's loads and
  // stores).
  const std::size_t total = ones + 2 * cols;
  std::vector<std::size_t> bounds(t + 1, cols);
  bounds[0] = 0;
  std::size_t c = 0;
  for (std::size_t w = 1; w < t; ++w) {
    const std::size_t target = total * w / t;
    while (c < cols && ones_before(c) + 2 * c < target) ++c;
    bounds[w] = c;
  }
  parallel_for(t, [&](std::size_t first, std::size_t last, int) {
    for (std::size_t w = first; w < last; ++w)
      if (bounds[w] < bounds[w + 1]) gather(bounds[w], bounds[w + 1]);
  });
}

/// split_by_work over the columns of the pattern S.
template <class Gather>
void split_by_ones(const OnesPattern& S, std::size_t rows, const Gather& gather) {
  if (!S.lists)
    throw std::logic_error("plain gathers of a pattern whose lists are not made (make_lists)");
  split_by_work(S.cols(), rows, [&](std::size_t c) { return S.cols() ? S.start[c] : 0; },
                gather);
}

/// gather_product's sums written to the rows [0, M.n_rows) of `out`, a column-major array of
/// S.cols() columns with leading dimension ldo.
template <class T>
void gather_into(const arma::Mat<T>& M, const OnesPattern& S, const T* init, T* out,
                 std::size_t ldo, bool subtract) {
  split_by_ones(S, M.n_rows, [&](std::size_t first, std::size_t last) {
    gather_add(M.memptr(), M.n_rows, M.n_rows, M.n_cols, S.idx.data(), S.start.data(), first, last,
               init, out, ldo, subtract);
  });
}

/// gather_into by the sum tree of S (buf's cached trees) when worth_tree (for the whole
/// product's rows, `product_rows`: a block of Wᵀ decides as the whole Wᵀ does) and takes_tree;
/// false, writing nothing, when the plain gathers are to be used.
template <class T>
bool tree_gather_into(const arma::Mat<T>& M, const OnesPattern& S, const T* init, T* out,
                      std::size_t ldo, bool subtract, Sums sums, ProductBuffers<T>& buf,
                      std::size_t product_rows) {
  if (sums == Sums::gathers || !worth_tree(S, product_rows)) return false;
  const SumTree& t =
      tree_of(S, sums == Sums::greedy_tree ? Pairing::greedy : Pairing::neighbours, buf);
  if (!takes_tree(t)) return false;
  write_by_tree(M, t, init, out, ldo, subtract);
  return true;
}

/// out = M·X + init·1ᵀ for a binary X of `kind` (its pattern in buf), written to the rows
/// [0, M.n_rows) of `out` (S.cols() columns, leading dimension ldo). Mostly-ones X: (init + M·1)
/// minus the columns of M at X's zeros, subtracted one by one (an exact cancellation gives +0, as
/// an empty sum of the ones does, so the statistics of the two gradient paths keep their bitwise
/// equality); the work is the density of zeros times the dense product's, plus one pass over M.
template <class T>
void binary_product_into(const arma::Mat<T>& M, Operand kind, const T* init, T* out,
                         std::size_t ldo, ProductBuffers<T>& buf, Sums sums,
                         std::size_t product_rows) {
  if (kind == Operand::ones) {
    if (!tree_gather_into(M, buf.ones, init, out, ldo, false, sums, buf, product_rows))
      gather_into(M, buf.ones, init, out, ldo, false);
    return;
  }
  sum_rows(M, buf.row_sums);
  if (init) buf.row_sums += arma::Col<T>(const_cast<T*>(init), M.n_rows, false, true);
  if (!tree_gather_into(M, buf.zeros, buf.row_sums.memptr(), out, ldo, true, sums, buf,
                        product_rows)) {
    if (!buf.zeros.lists) make_lists(buf.zeros);  // (ones_or_zeros left them out)
    gather_into(M, buf.zeros, buf.row_sums.memptr(), out, ldo, true);
  }
}

/// out = M·X + init·1ᵀ (M.n_rows × X's columns) for a binary X of `kind`.
template <class T>
void binary_product(const arma::Mat<T>& M, Operand kind, const T* init, arma::Mat<T>& out,
                    ProductBuffers<T>& buf, Sums sums) {
  out.set_size(M.n_rows, pattern_of(kind, buf).cols());
  binary_product_into(M, kind, init, out.memptr(), out.n_rows, buf, sums, M.n_rows);
}

}  // namespace rbmkit::detail
