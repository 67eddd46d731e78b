#include "kernels/products.hpp"
#include "kernels/product_trees.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "rbmkit/core/parallel.hpp"

namespace rbmkit::detail {
namespace {

/// How a product takes its operand X.
enum class Operand {
  dense,  ///< grey values (or the caller wants BLAS): BLAS
  ones,   ///< binary, at most half ones: gathers of the ones, listed in buf.ones
  zeros,  ///< binary, more than half ones: M·1 minus the gathers of the zeros, in buf.zeros
};

/// Below this many entries a scan or an element-wise pass runs on one thread.
constexpr std::size_t parallel_entries = std::size_t(1) << 15;

/// Joins the patterns parts[w] of the column blocks [first[w], last[w]) into `out`, in column
/// order.
void join_blocks(std::size_t rows, std::size_t cols, const std::vector<OnesPattern>& parts,
                 const std::vector<std::size_t>& first, const std::vector<std::size_t>& last,
                 OnesPattern& out) {
  std::vector<std::size_t> order;
  for (std::size_t w = 0; w < parts.size(); ++w)
    if (first[w] < last[w]) order.push_back(w);
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return first[a] < first[b]; });
  std::size_t total = 0;
  for (const std::size_t w : order) total += parts[w].start.back();
  out.rows = rows;
  out.start.resize(cols + 1);
  out.make_room(total);
  std::size_t offset = 0;
  for (const std::size_t w : order) {
    const OnesPattern& q = parts[w];
    for (std::size_t j = first[w]; j < last[w]; ++j) out.start[j] = offset + q.start[j - first[w]];
    std::copy(q.idx.begin(), q.idx.begin() + std::ptrdiff_t(q.start.back()),
              out.idx.begin() + std::ptrdiff_t(offset));
    offset += q.start.back();
  }
  out.start[cols] = offset;
  // The bit sets, in the same column order.
  const std::size_t words = out.words();
  out.bits.resize(cols * words);
  for (const std::size_t w : order) {
    const auto from = parts[w].bits.begin();
    std::copy(from, from + std::ptrdiff_t((last[w] - first[w]) * words),
              out.bits.begin() + std::ptrdiff_t(first[w] * words));
  }
}

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
/// with more than half ones Operand::zeros, its zeros listed in buf.zeros from the complement of
/// the ones' bit sets (no second scan).
template <class T>
Operand ones_or_zeros(ProductBuffers<T>& buf) {
  if (buf.ones.density() <= 0.5) return Operand::ones;
  complement(buf.ones, buf.zeros);
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
                        product_rows))
    gather_into(M, buf.zeros, buf.row_sums.memptr(), out, ldo, true);
}

/// out = M·X + init·1ᵀ (M.n_rows × X's columns) for a binary X of `kind`.
template <class T>
void binary_product(const arma::Mat<T>& M, Operand kind, const T* init, arma::Mat<T>& out,
                    ProductBuffers<T>& buf, Sums sums) {
  out.set_size(M.n_rows, pattern_of(kind, buf).cols());
  binary_product_into(M, kind, init, out.memptr(), out.n_rows, buf, sums, M.n_rows);
}

/// A = Wᵀ V + c·1ᵀ (n_hidden × cols) for a binary V of `kind` (its pattern in buf), Wᵀ formed in
/// buf.Wt buf.wt_block hidden units at a time: each block of A's rows is the product of that
/// block of Wᵀ, which sums every row in the same order as the whole Wᵀ does (the same choice of
/// tree or gathers, for the whole product's rows, and the same cached tree: same bits).
template <class T>
void blocked_hidden_input(const arma::Mat<T>& W, const arma::Col<T>& c, Operand kind,
                          std::size_t cols, arma::Mat<T>& A, ProductBuffers<T>& buf) {
  A.set_size(W.n_cols, cols);
  for (arma::uword j0 = 0; j0 < W.n_cols; j0 += buf.wt_block) {
    const arma::uword n = std::min<arma::uword>(buf.wt_block, W.n_cols - j0);
    transpose(arma::Mat<T>(const_cast<T*>(W.colptr(j0)), W.n_rows, n, false, true), buf.Wt);
    binary_product_into(buf.Wt, kind, c.memptr() + j0, A.memptr() + j0, A.n_rows, buf,
                        Sums::greedy_tree, W.n_cols);
  }
}

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

}  // namespace

template <class T>
void sum_rows(const arma::Mat<T>& M, arma::Col<T>& out) {
  constexpr std::size_t block = 256;
  out.set_size(M.n_rows);
  const std::size_t blocks = (std::size_t(M.n_rows) + block - 1) / block;
  auto sums = [&](std::size_t first, std::size_t last, int) {
    for (std::size_t k = first; k < last; ++k) {
      const std::size_t i0 = k * block, n = std::min<std::size_t>(block, M.n_rows - i0);
      row_sums(M.memptr() + i0, M.n_rows, n, M.n_cols, out.memptr() + i0);
    }
  };
  if (M.n_cols == 0)
    out.zeros();
  else if (M.n_elem < parallel_entries)
    sums(0, blocks, 0);
  else
    parallel_for(blocks, sums);
}

template <class T>
void gather_product(const arma::Mat<T>& M, const OnesPattern& S, const T* init, arma::Mat<T>& out,
                    bool subtract) {
  out.set_size(M.n_rows, S.cols());
  gather_into(M, S, init, out.memptr(), out.n_rows, subtract);
}

template <class T>
void sigmoid_sample_split(const T* A, std::size_t rows, std::size_t cols, T* P, T* S,
                          const T* U) {
  auto body = [&](std::size_t first, std::size_t last, int) {
    const std::size_t at = first * rows;
    sigmoid_sample(A + at, rows, last - first, P ? P + at : nullptr, S ? S + at : nullptr,
                   U ? U + at : nullptr);
  };
  if (rows * cols < parallel_entries)
    body(0, cols, 0);
  else
    parallel_for(cols, body);
}

template <class T>
void transpose(const arma::Mat<T>& A, arma::Mat<T>& B, T divisor) {
  constexpr arma::uword tile = 32;
  B.set_size(A.n_cols, A.n_rows);
  const T* a = A.memptr();
  T* b = B.memptr();
  const arma::uword rows = A.n_rows, cols = A.n_cols;
  auto body = [&](std::size_t first, std::size_t last, int) {  // tiles of A's rows
    for (arma::uword i0 = first * tile; i0 < std::min<arma::uword>(last * tile, rows); i0 += tile)
      for (arma::uword j0 = 0; j0 < cols; j0 += tile) {
        const arma::uword i1 = std::min(rows, i0 + tile), j1 = std::min(cols, j0 + tile);
        transpose_block(a + i0 + j0 * rows, rows, i1 - i0, j1 - j0, b + j0 + i0 * cols, cols);
        if (divisor != T(1))
          for (arma::uword i = i0; i < i1; ++i)
            for (arma::uword j = j0; j < j1; ++j) b[j + i * cols] /= divisor;
      }
  };
  const std::size_t tiles = (rows + tile - 1) / tile;
  if (A.n_elem < (std::size_t(1) << 16))
    body(0, tiles, 0);
  else
    parallel_for(tiles, body);
}

template <class T>
void hidden_input(const arma::Mat<T>& W, const arma::Col<T>& c, const arma::Mat<T>& V,
                  arma::Mat<T>& A, ProductBuffers<T>& buf) {
  const Operand kind = classify(V, buf);
  if (kind != Operand::dense && !buf.wt_ready && buf.wt_block > 0 && buf.wt_block < W.n_cols) {
    blocked_hidden_input(W, c, kind, V.n_cols, A, buf);
    return;
  }
  if (kind != Operand::dense) {
    if (!buf.wt_ready) {
      transpose(W, buf.Wt);
      buf.wt_ready = true;
    }
    binary_product(buf.Wt, kind, c.memptr(), A, buf, Sums::greedy_tree);
    return;
  }
  dense_product(A, W.n_cols, V.n_cols, c.memptr(),
                [&](arma::uword a, arma::uword b) -> arma::Mat<T> { return W.t() * V.cols(a, b); });
}

template <class T>
bool hidden_inputs_together(const arma::Mat<T>& W, const arma::Col<T>& c, const arma::Mat<T>& V1,
                            const arma::Mat<T>& V2, arma::Mat<T>& A1, arma::Mat<T>& A2,
                            ProductBuffers<T>& buf) {
  if (!buf.wt_ready && buf.wt_block > 0 && buf.wt_block < W.n_cols) return false;
  // The trees tree_gather_into would take for each product, in the same order (the second
  // built, if need be, over the other cached tree, so the first stays).
  auto tree_for = [&](const arma::Mat<T>& V) -> const SumTree* {
    if (classify(V, buf) != Operand::ones || !worth_tree(buf.ones, W.n_cols)) return nullptr;
    const SumTree& t = tree_of(buf.ones, Pairing::greedy, buf);
    return takes_tree(t) ? &t : nullptr;
  };
  const SumTree* t1 = tree_for(V1);
  if (!t1) return false;
  const SumTree* t2 = tree_for(V2);
  if (!t2) return false;
  if (!buf.wt_ready) {
    transpose(W, buf.Wt);
    buf.wt_ready = true;
  }
  const arma::Mat<T>& Wt = buf.Wt;
  A1.set_size(W.n_cols, V1.n_cols);
  A2.set_size(W.n_cols, V2.n_cols);
  split_tree_rows(Wt.n_rows, t1->owned() + t2->owned(), [&](std::size_t first, std::size_t last) {
    tree_gather(Wt.memptr(), Wt.n_rows, *t1, first, last, c.memptr(), A1.memptr(), A1.n_rows,
                false);
    tree_gather(Wt.memptr(), Wt.n_rows, *t2, first, last, c.memptr(), A2.memptr(), A2.n_rows,
                false);
  });
  return true;
}

template <class T>
void visible_input(const arma::Mat<T>& W, const arma::Col<T>& b, const arma::Mat<T>& H,
                   arma::Mat<T>& A, ProductBuffers<T>& buf) {
  const Operand kind = classify(H, buf);
  if (kind != Operand::dense) {
    binary_product(W, kind, b.memptr(), A, buf, Sums::greedy_tree);
    return;
  }
  dense_product(A, W.n_rows, H.n_cols, b.memptr(),
                [&](arma::uword a, arma::uword e) -> arma::Mat<T> { return W * H.cols(a, e); });
}

template <class T>
void outer_transposed(const arma::Mat<T>& V, const arma::Mat<T>& H, arma::Mat<T>& Pt,
                      ProductBuffers<T>& buf) {
  outer_transposed_of_kind(classify_transposed(V, buf), V, H, Pt, buf);
}


template <class T>
bool outer_difference_transposed(const arma::Mat<T>& Vp, const arma::Mat<T>& Hp,
                                 const arma::Mat<T>& Vn, const arma::Mat<T>& Hn, arma::Mat<T>& Pt,
                                 ProductBuffers<T>& buf) {
  if (Vp.n_rows != Vn.n_rows || Hp.n_rows != Hn.n_rows || Hp.n_cols != Vp.n_cols ||
      Hn.n_cols != Vn.n_cols)
    throw std::logic_error("outer_difference_transposed: shapes do not match");
  // One block of the gathers' columns (at most 128 examples a phase), both phases' Vᵀ binary
  // with at most half ones: otherwise the caller takes the two products.
  if (buf.dense_only || Hp.n_cols > 128 || Hn.n_cols > 128 || Vp.n_elem == 0 || Vn.n_elem == 0)
    return false;
  if (classify_transposed(Vp, buf) != Operand::ones) return false;
  std::swap(buf.ones, buf.zeros);  // the positive phase's list, kept while the negative's is made
  if (classify_transposed(Vn, buf) != Operand::ones) return false;
  const OnesPattern &P = buf.zeros, &N = buf.ones;
  Pt.set_size(Hp.n_rows, Vp.n_rows);
  // Each phase takes its tree when outer_transposed (the positive) and
  // accumulate_outer_transposed (the negative) would: the same decision on the same pattern and
  // shape, the same tree, the same bits. The phases may differ in examples.
  SumTree &tp = buf.statistic_trees[0], &tn = buf.statistic_trees[1];
  const bool p_worth = worth_tree(P, Hp.n_rows), n_worth = worth_tree(N, Hn.n_rows);
  auto build = [&](std::size_t first, std::size_t last, int) {  // the two trees side by side
    for (std::size_t k = first; k < last; ++k)
      if (k == 0 ? p_worth : n_worth)
        build_sum_tree(k == 0 ? P : N, k == 0 ? tp : tn, Pairing::neighbours, tree_share, false);
  };
  if (!p_worth || !n_worth || P.start.back() + N.start.back() < (std::size_t(1) << 12))
    build(0, 2, 0);
  else
    parallel_for(2, build);
  const bool p_tree = p_worth && takes_tree(tp), n_tree = n_worth && takes_tree(tn);
  if (p_tree && n_tree) {  // both in one pass over each share of Pt's rows
    split_tree_rows(Hp.n_rows, tp.owned() + tn.owned(), [&](std::size_t first, std::size_t last) {
      tree_gather(Hp.memptr(), Hp.n_rows, tp, first, last, static_cast<const T*>(nullptr),
                  Pt.memptr(), Pt.n_rows, false);
      tree_gather(Hn.memptr(), Hn.n_rows, tn, first, last, static_cast<const T*>(nullptr),
                  Pt.memptr(), Pt.n_rows, true, true);
    });
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

#define RBMKIT_PRODUCTS_INSTANTIATE(T)                                                          \
  template void sum_rows(const arma::Mat<T>&, arma::Col<T>&);                                   \
  template void gather_product(const arma::Mat<T>&, const OnesPattern&, const T*, arma::Mat<T>&, \
                               bool);                                                          \
  template void transpose(const arma::Mat<T>&, arma::Mat<T>&, T);                               \
  template void sigmoid_sample_split(const T*, std::size_t, std::size_t, T*, T*, const T*);     \
  template void hidden_input(const arma::Mat<T>&, const arma::Col<T>&, const arma::Mat<T>&,    \
                             arma::Mat<T>&, ProductBuffers<T>&);                               \
  template bool hidden_inputs_together(const arma::Mat<T>&, const arma::Col<T>&,              \
                                       const arma::Mat<T>&, const arma::Mat<T>&, arma::Mat<T>&, \
                                       arma::Mat<T>&, ProductBuffers<T>&);                      \
  template void visible_input(const arma::Mat<T>&, const arma::Col<T>&, const arma::Mat<T>&,   \
                              arma::Mat<T>&, ProductBuffers<T>&);                              \
  template void accumulate_outer_transposed(const arma::Mat<T>&, const arma::Mat<T>&,          \
                                            arma::Mat<T>&, bool, ProductBuffers<T>&);           \
  template void outer_transposed(const arma::Mat<T>&, const arma::Mat<T>&, arma::Mat<T>&,      \
                                 ProductBuffers<T>&);                                          \
  template bool outer_difference_transposed(const arma::Mat<T>&, const arma::Mat<T>&,          \
                                            const arma::Mat<T>&, const arma::Mat<T>&,          \
                                            arma::Mat<T>&, ProductBuffers<T>&);
RBMKIT_PRODUCTS_INSTANTIATE(float)
RBMKIT_PRODUCTS_INSTANTIATE(double)
#undef RBMKIT_PRODUCTS_INSTANTIATE

}  // namespace rbmkit::detail
