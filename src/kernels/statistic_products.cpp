#include "kernels/product_kinds.hpp"

#include <stdexcept>
#include <utility>

namespace rbmkit::detail {
namespace {

/// Pt = H Vᵀ for V already classified as `kind` (its pattern, of Vᵀ, in buf): outer_transposed
/// after the scan.
template <class T>
void outer_transposed_of_kind(Operand kind, const arma::Mat<T>& V, const arma::Mat<T>& H,
                              arma::Mat<T>& Pt, ProductBuffers<T>& buf) {
  if (kind != Operand::dense) {
    binary_product(H, kind, static_cast<const T*>(nullptr), Pt, buf, Sums::neighbour_tree);
    return;
  }
  dense_product(Pt, H.n_rows, V.n_rows, static_cast<const T*>(nullptr),
                [&](arma::uword a, arma::uword b) -> arma::Mat<T> {
                  return H * V.rows(a, b).t();
                });
}

/// Pt[·, r] ± the columns of H at the ones of S's column r, each added (subtracted) in turn:
/// gather_accumulate split among threads by column of S.
template <class T>
void accumulate_gathers(const arma::Mat<T>& H, const OnesPattern& S, arma::Mat<T>& Pt,
                        bool subtract) {
  split_by_ones(S, H.n_rows, [&](std::size_t first, std::size_t last) {
    gather_accumulate(H.memptr(), H.n_rows, H.n_rows, H.n_cols, S.idx.data(), S.start.data(),
                      first, last, Pt.memptr(), Pt.n_rows, subtract);
  });
}

}  // namespace

template <class T>
void outer_transposed(const arma::Mat<T>& V, const arma::Mat<T>& H, arma::Mat<T>& Pt,
                      ProductBuffers<T>& buf) {
  outer_transposed_of_kind(classify_transposed(V, buf), V, H, Pt, buf);
}


template <class T>
bool outer_difference_transposed(const arma::Mat<T>& Vp, const arma::Mat<T>& Hp,
                                 const arma::Mat<T>& Vn, const arma::Mat<T>& Hn, arma::Mat<T>& Pt,
                                 ProductBuffers<T>& buf, const RowsDone& rows_done,
                                 bool* rows_reported) {
  if (rows_reported) *rows_reported = false;
  if (Vp.n_rows != Vn.n_rows || Hp.n_rows != Hn.n_rows || Hp.n_cols != Vp.n_cols ||
      Hn.n_cols != Vn.n_cols)
    throw std::logic_error("outer_difference_transposed: shapes do not match");
  // One block of the gathers' columns (at most 128 examples a phase), both phases' Vᵀ binary
  // with at most half ones: otherwise the caller takes the two products.
  if (buf.dense_only || Hp.n_cols > 128 || Hn.n_cols > 128 || Vp.n_elem == 0 || Vn.n_elem == 0)
    return false;
  // Each phase's pattern of Vᵀ (classify_transposed's: the pattern does not depend on how the
  // scan is split) and its tree. Each phase takes its tree when outer_transposed (the positive)
  // and accumulate_outer_transposed (the negative) would: the same decision on the same pattern
  // and shape, the same tree, the same bits. The phases may differ in examples.
  OnesPattern &P = buf.zeros, &N = buf.ones;
  SumTree &tp = buf.statistic_trees[0], &tn = buf.statistic_trees[1];
  bool ones[2] = {false, false}, worth[2] = {false, false};
  auto pair = [&](std::size_t k) {
    worth[k] = ones[k] && worth_tree(k == 0 ? P : N, (k == 0 ? Hp : Hn).n_rows);
    if (worth[k]) build_sum_tree(k == 0 ? P : N, k == 0 ? tp : tn, Pairing::neighbours, tree_share,
                                 false);
  };
  const bool large = Vp.n_elem + Vn.n_elem >= 2 * parallel_entries;
  if (threads() <= 2 || !large) {
    // The two phases side by side, each scanned and paired on one thread: one parallel loop
    // instead of a split scan per phase and then the pairings.
    auto phase = [&](std::size_t first, std::size_t last, int) {
      for (std::size_t k = first; k < last; ++k) {
        const arma::Mat<T>& V = k == 0 ? Vp : Vn;
        OnesPattern& S = k == 0 ? P : N;
        // Operand::ones of classify_transposed: 0/1 entries, at most half of them ones.
        ones[k] = find_ones_transposed(V.memptr(), V.n_rows, V.n_cols, V.n_rows, S) &&
                  S.density() <= 0.5;
        pair(k);
      }
    };
    if (large)
      parallel_for(2, phase);
    else
      phase(0, 2, 0);
  } else {
    // More threads: each scan split among all of them, then the two pairings side by side.
    ones[0] = classify_transposed(Vp, buf) == Operand::ones;
    if (!ones[0]) return false;
    std::swap(buf.ones, buf.zeros);  // the positive phase's pattern, kept in P
    ones[1] = classify_transposed(Vn, buf) == Operand::ones;
    if (!ones[1]) return false;
    parallel_for(2, [&](std::size_t first, std::size_t last, int) {
      for (std::size_t k = first; k < last; ++k) pair(k);
    });
  }
  if (!ones[0] || !ones[1]) return false;
  Pt.set_size(Hp.n_rows, Vp.n_rows);
  const bool p_worth = worth[0], n_worth = worth[1];
  const bool p_tree = p_worth && takes_tree(tp), n_tree = n_worth && takes_tree(tn);
  if (p_tree && n_tree) {  // both in one pass over each share of Pt's rows
    auto rows = [&](std::size_t first, std::size_t last) {
      tree_gather(Hp.memptr(), Hp.n_rows, tp, first, last, static_cast<const T*>(nullptr),
                  Pt.memptr(), Pt.n_rows, false);
      tree_gather(Hn.memptr(), Hn.n_rows, tn, first, last, static_cast<const T*>(nullptr),
                  Pt.memptr(), Pt.n_rows, true, true);
    };
    const std::size_t n = Hp.n_rows, owned = tp.owned() + tn.owned();
    if (rows_done && splits_tree_rows(n, owned)) {
      // Units of rows_unit rows (whole 128-byte units in float and in double), each piece
      // handed on once summed; the bits of any split.
      static_assert(rows_unit % (128 / sizeof(T)) == 0, "rows_unit: whole 128-byte units");
      parallel_for_dynamic((n + rows_unit - 1) / rows_unit,
                           [&](std::size_t first, std::size_t last, int worker) {
                             const std::size_t a = first * rows_unit;
                             const std::size_t b = std::min(n, last * rows_unit);
                             rows(a, b);
                             rows_done(a, b, worker);
                           });
      if (rows_reported) *rows_reported = true;
      return true;
    }
    split_tree_rows<T>(n, owned, rows);
    return true;
  }
  if (p_tree || n_tree) {  // one phase by its tree, the other by plain gathers, in turn
    if (p_tree)
      write_by_tree(Hp, tp, static_cast<const T*>(nullptr), Pt.memptr(), Pt.n_rows, false);
    else
      gather_into(Hp, P, static_cast<const T*>(nullptr), Pt.memptr(), Pt.n_rows, false);
    if (n_tree)
      accumulate_by_tree(Hn, tn, Pt, true);
    else
      accumulate_gathers(Hn, N, Pt, true);
    return true;
  }
  const auto ones_before = [&](std::size_t c) { return P.start[c] + N.start[c]; };
  split_by_work(P.cols(), Hp.n_rows, ones_before, [&](std::size_t first, std::size_t last) {
    gather_difference(Hp.memptr(), Hn.memptr(), Hp.n_rows, Hp.n_rows, P.idx.data(),
                      P.start.data(), N.idx.data(), N.start.data(), first, last, Pt.memptr(),
                      Pt.n_rows);
  });
  return true;
}

template <class T>
void accumulate_outer_transposed(const arma::Mat<T>& V, const arma::Mat<T>& H, arma::Mat<T>& Pt,
                                 bool subtract, ProductBuffers<T>& buf) {
  if (Pt.n_rows != H.n_rows || Pt.n_cols != V.n_rows || H.n_cols != V.n_cols)
    throw std::logic_error("accumulate_outer_transposed: shapes do not match");
  const Operand kind = classify_transposed(V, buf);
  if (kind == Operand::ones) {
    const OnesPattern& S = buf.ones;  // the pattern of Vᵀ
    const SumTree* t =
        worth_tree(S, H.n_rows) ? &tree_of(S, Pairing::neighbours, buf) : nullptr;
    if (t && takes_tree(*t))
      accumulate_by_tree(H, *t, Pt, subtract);
    else
      accumulate_gathers(H, S, Pt, subtract);
    return;
  }
  outer_transposed_of_kind(kind, V, H, buf.term, buf);  // Vᵀ already classified
  if (subtract)
    Pt -= buf.term;
  else
    Pt += buf.term;
}

#define RBMKIT_STATISTIC_PRODUCTS_INSTANTIATE(T)                                              \
  template void accumulate_outer_transposed(const arma::Mat<T>&, const arma::Mat<T>&,          \
                                            arma::Mat<T>&, bool, ProductBuffers<T>&);           \
  template void outer_transposed(const arma::Mat<T>&, const arma::Mat<T>&, arma::Mat<T>&,      \
                                 ProductBuffers<T>&);                                          \
  template bool outer_difference_transposed(const arma::Mat<T>&, const arma::Mat<T>&,          \
                                            const arma::Mat<T>&, const arma::Mat<T>&,          \
                                            arma::Mat<T>&, ProductBuffers<T>&,                 \
                                            const RowsDone&, bool*);
RBMKIT_STATISTIC_PRODUCTS_INSTANTIATE(float)
RBMKIT_STATISTIC_PRODUCTS_INSTANTIATE(double)
#undef RBMKIT_STATISTIC_PRODUCTS_INSTANTIATE

}  // namespace rbmkit::detail
