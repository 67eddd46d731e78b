#include "kernels/products.hpp"
#include "kernels/product_kinds.hpp"
#include "kernels/uniforms.hpp"

#include <algorithm>

#include "rbmkit/core/parallel.hpp"

namespace rbmkit::detail {

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
  out.lists = true;
}

namespace {

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
    parallel_for_dynamic(cols, body);
}

template <class T>
void sigmoid_sample_drawn(Rng& rng, const T* A, std::size_t rows, std::size_t cols, T* P, T* S) {
  const std::size_t n = rows * cols;
  const std::uint64_t key = rng.next();  // fill_uniform's one draw
  const std::size_t blocks = (n + uniform_block - 1) / uniform_block;
  auto body = [&](std::size_t first, std::size_t last, int) {
    alignas(64) T u[uniform_block];
    for (std::size_t b = first; b < last; ++b) {
      const std::size_t at = b * uniform_block, count = std::min(uniform_block, n - at);
      uniform_block_of(key, b, u, count);
      sigmoid_sample(A + at, count, 1, P ? P + at : nullptr, S + at, u);
    }
  };
  if (n < parallel_entries)
    body(0, blocks, 0);
  else
    parallel_for_dynamic(blocks, body);
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
  if (kind != Operand::dense && forms_wt_in_blocks(W, buf)) {
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
  if (forms_wt_in_blocks(W, buf)) return false;
  // Shapes that take no tree are refused before any scan.
  if (!worth_tree(V1.n_cols, V1.n_rows, W.n_cols) || !worth_tree(V2.n_cols, V2.n_rows, W.n_cols))
    return false;
  // The trees tree_gather_into would take for each product, in the same order (the second
  // built, if need be, over the other cached tree, so the first stays); V2's tree, a PCD
  // chain's, is usually the one the step before kept. V1's pattern comes from a split scan.
  // On two threads, when the pairing counts on one thread anyway, V1's pairing runs on one
  // thread beside V2's scan on the other (into buf.zeros, free here); otherwise V2's scan is
  // split among the threads after the pairing. A scan's pattern does not depend on its split.
  if (classify(V1, buf) != Operand::ones || !worth_tree(buf.ones, W.n_cols)) return false;
  const SumTree* t1 = nullptr;
  const OnesPattern* P2 = nullptr;
  bool ones2 = false;
  auto pair_first = [&] {
    const SumTree& t = tree_of(buf.ones, Pairing::greedy, buf);
    t1 = takes_tree(t) ? &t : nullptr;
  };
  if (threads() == 2 && greedy_pairing_on_one_thread() &&
      V1.n_elem + V2.n_elem >= 2 * parallel_entries) {
    parallel_for(2, [&](std::size_t first, std::size_t last, int) {
      for (std::size_t k = first; k < last; ++k) {
        if (k == 0) {
          pair_first();
        } else {  // Operand::ones of classify: 0/1 entries, at most half of them ones
          ones2 = find_ones(V2.memptr(), V2.n_rows, V2.n_cols, V2.n_rows, buf.zeros) &&
                  buf.zeros.density() <= 0.5;
        }
      }
    });
    P2 = &buf.zeros;
  } else {
    pair_first();
    if (t1) ones2 = classify(V2, buf) == Operand::ones;
    P2 = &buf.ones;
  }
  if (!t1 || !ones2 || !worth_tree(*P2, W.n_cols)) return false;
  const SumTree& shared = tree_of(*P2, Pairing::greedy, buf);
  if (!takes_tree(shared)) return false;
  const SumTree* t2 = &shared;
  if (!buf.wt_ready) {
    transpose(W, buf.Wt);
    buf.wt_ready = true;
  }
  const arma::Mat<T>& Wt = buf.Wt;
  A1.set_size(W.n_cols, V1.n_cols);
  A2.set_size(W.n_cols, V2.n_cols);
  split_tree_rows<T>(Wt.n_rows, t1->owned() + t2->owned(), [&](std::size_t first, std::size_t last) {
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

#define RBMKIT_PRODUCTS_INSTANTIATE(T)                                                          \
  template void sum_rows(const arma::Mat<T>&, arma::Col<T>&);                                   \
  template void gather_product(const arma::Mat<T>&, const OnesPattern&, const T*, arma::Mat<T>&, \
                               bool);                                                          \
  template void transpose(const arma::Mat<T>&, arma::Mat<T>&, T);                               \
  template void sigmoid_sample_split(const T*, std::size_t, std::size_t, T*, T*, const T*);     \
  template void sigmoid_sample_drawn(Rng&, const T*, std::size_t, std::size_t, T*, T*);         \
  template void hidden_input(const arma::Mat<T>&, const arma::Col<T>&, const arma::Mat<T>&,    \
                             arma::Mat<T>&, ProductBuffers<T>&);                               \
  template bool hidden_inputs_together(const arma::Mat<T>&, const arma::Col<T>&,              \
                                       const arma::Mat<T>&, const arma::Mat<T>&, arma::Mat<T>&, \
                                       arma::Mat<T>&, ProductBuffers<T>&);                      \
  template void visible_input(const arma::Mat<T>&, const arma::Col<T>&, const arma::Mat<T>&,   \
                              arma::Mat<T>&, ProductBuffers<T>&);
RBMKIT_PRODUCTS_INSTANTIATE(float)
RBMKIT_PRODUCTS_INSTANTIATE(double)
#undef RBMKIT_PRODUCTS_INSTANTIATE

}  // namespace rbmkit::detail
