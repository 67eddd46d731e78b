#pragma once
// When and how the RBM's products (products.cpp) take sum trees (sum_tree.hpp): the choice of
// tree or plain gathers, the two cached trees of the Gibbs half-steps, and the trees' sums split
// among threads. Included through product_kinds.hpp by products.cpp and statistic_products.cpp.
#include <algorithm>
#include <armadillo>
#include <cstddef>

#include "kernels/products.hpp"
#include "kernels/sum_tree.hpp"
#include "rbmkit/core/parallel.hpp"

namespace rbmkit::detail {

/// How a binary product sums: plain gathers, or sum trees (sum_tree.hpp) paired greedily (the
/// Gibbs half-steps' products, whose columns are examples) or by neighbours (the statistics,
/// whose columns are visible units), when they pay.
enum class Sums { gathers, greedy_tree, neighbour_tree };

/// Sum trees pay when their nodes own at most this share of the operand's ones:
/// the tree's additions run at about two thirds of the plain gathers' rate (their slabs of M
/// stay in the L2 cache rather than the L1).
constexpr double tree_share = 0.6;

/// The sum tree of S paired as `pairing` says: one of buf's two cached trees when it was built
/// from the same pattern and pairing (SumTree::built_from), otherwise built over the older of
/// the two.
template <class T>
const SumTree& tree_of(const OnesPattern& S, Pairing pairing, ProductBuffers<T>& buf) {
  for (std::size_t k = 0; k < 2; ++k) {
    const std::size_t i = (buf.tree_newest + k) % 2;
    if (buf.trees[i].built_from(S, pairing)) {
      buf.tree_newest = i;
      return buf.trees[i];
    }
  }
  const std::size_t i = 1 - buf.tree_newest;
  build_sum_tree(S, buf.trees[i], pairing, tree_share);
  buf.tree_newest = i;
  return buf.trees[i];
}

/// Whether a product of M (`rows` rows) with S is worth a sum tree at all: S has enough columns
/// to share ones and enough rows to have many, and M enough rows for the shared additions to
/// repay pairing the columns (60-100 µs for 100 columns of 784 rows). A 20-hidden RBM's
/// products took 15% longer with trees, and its sampled hidden states (20 rows) gained nothing.
/// The same answer for the same shapes everywhere, as takes_tree's.
/// By shape alone: an operand of `columns` columns and `operand_rows` rows.
inline bool worth_tree(std::size_t columns, std::size_t operand_rows, std::size_t rows) {
  return columns >= 8 && operand_rows >= 64 && rows >= 128;
}
inline bool worth_tree(const OnesPattern& S, std::size_t rows) {
  return worth_tree(S.cols(), S.rows, rows);
}

/// Whether hidden_input forms Wᵀ (of W, n_hidden = W.n_cols) wt_block hidden units at a time
/// rather than whole (ProductBuffers::wt_block).
template <class T>
bool forms_wt_in_blocks(const arma::Mat<T>& W, const ProductBuffers<T>& buf) {
  return !buf.wt_ready && buf.wt_block > 0 && buf.wt_block < W.n_cols;
}

/// Whether the products of S take the sum tree t (built from S) rather than plain gathers: t's
/// nodes own few enough of S's ones. The same answer for the same S everywhere, so that both
/// gradient paths' statistics take the same kernels.
inline bool takes_tree(const SumTree& t) {
  return t.complete && double(t.owned()) <= tree_share * double(t.ones);
}

/// Whether split_tree_rows splits the rows among threads: about a million additions or more
/// (`owned` per row, `rows` rows).
inline bool splits_tree_rows(std::size_t rows, std::size_t owned) {
  return owned * rows >= (std::size_t(1) << 20) && threads() > 1;
}

/// Runs body(first, last) over the rows [0, rows) of a tree's products of T values, split
/// among threads (parallel_for_dynamic) in pieces of whole units of 128 bytes of each column (32
/// floats or 16 doubles: four of tree_gather's 32-byte vectors, two of its 64-byte ones, so each
/// piece's tree walks stay wide);
/// one thread below about a million additions (`owned` per row). Each row's sums take the same
/// operations in any piece, so the bits do not depend on the split.
template <class T, class Body>
void split_tree_rows(std::size_t rows, std::size_t owned, const Body& body) {
  constexpr std::size_t step = 128 / sizeof(T);
  const std::size_t units = (rows + step - 1) / step;
  auto share = [&](std::size_t first, std::size_t last, int) {
    body(first * step, std::min(rows, last * step));
  };
  if (!splits_tree_rows(rows, owned))
    share(0, units, 0);
  else
    parallel_for_dynamic(units, share);
}

/// out[·, r] = init ± the tree sums of M's columns at S's ones (t built from S), M.n_rows rows
/// (leading dimension ldo), split among threads by rows.
template <class T>
void write_by_tree(const arma::Mat<T>& M, const SumTree& t, const T* init, T* out,
                   std::size_t ldo, bool subtract) {
  split_tree_rows<T>(M.n_rows, t.owned(), [&](std::size_t first, std::size_t last) {
    tree_gather(M.memptr(), M.n_rows, t, first, last, init, out, ldo, subtract);
  });
}

/// Pt ± the tree sums of M's columns (Pt += Σ or Pt −= Σ, the sums from +0), split among
/// threads by rows.
template <class T>
void accumulate_by_tree(const arma::Mat<T>& M, const SumTree& t, arma::Mat<T>& Pt,
                        bool subtract) {
  split_tree_rows<T>(M.n_rows, t.owned(), [&](std::size_t first, std::size_t last) {
    tree_gather(M.memptr(), M.n_rows, t, first, last, static_cast<const T*>(nullptr),
                Pt.memptr(), Pt.n_rows, subtract, true);
  });
}

}  // namespace rbmkit::detail
