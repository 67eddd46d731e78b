#include "kernels/products.hpp"

#include <algorithm>

#include "rbmkit/core/parallel.hpp"

namespace rbmkit::detail {
namespace {

/// True when X is binary and sparse enough for the gathers (and the caller allows them: not
/// buf.dense_only); its ones are then in `ones`.
template <class T>
bool binary_operand(const arma::Mat<T>& X, OnesPattern& ones, bool dense_only) {
  return !dense_only && X.n_elem > 0 && find_ones(X.memptr(), X.n_rows, X.n_cols, X.n_rows, ones) &&
         ones.density() <= max_binary_density;
}

}  // namespace

template <class T>
void gather_product(const arma::Mat<T>& M, const OnesPattern& S, const T* init, arma::Mat<T>& out) {
  out.set_size(M.n_rows, S.cols());
  // Below about a million additions a thread costs more than it saves.
  const std::size_t work = S.start.back() * M.n_rows;
  auto body = [&](std::size_t first, std::size_t last, int) {
    gather_add(M.memptr(), M.n_rows, M.n_rows, M.n_cols, S.idx.data(), S.start.data(), first, last,
               init, out.memptr(), out.n_rows);
  };
  if (work < (std::size_t(1) << 20))
    body(0, S.cols(), 0);
  else
    parallel_for(S.cols(), body);
}

template <class T>
void transpose(const arma::Mat<T>& A, arma::Mat<T>& B) {
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
  if (binary_operand(V, buf.ones, buf.dense_only)) {
    if (!buf.wt_ready) {
      transpose(W, buf.Wt);
      buf.wt_ready = true;
    }
    gather_product(buf.Wt, buf.ones, c.memptr(), A);
    return;
  }
  A = W.t() * V;
  A.each_col() += c;
}

template <class T>
void visible_input(const arma::Mat<T>& W, const arma::Col<T>& b, const arma::Mat<T>& H,
                   arma::Mat<T>& A, ProductBuffers<T>& buf) {
  if (binary_operand(H, buf.ones, buf.dense_only)) {
    gather_product(W, buf.ones, b.memptr(), A);
    return;
  }
  A = W * H;
  A.each_col() += b;
}

template <class T>
void outer_transposed(const arma::Mat<T>& V, const arma::Mat<T>& H, arma::Mat<T>& Pt,
                      ProductBuffers<T>& buf) {
  if (binary_operand(V, buf.ones, buf.dense_only)) {
    transpose_pattern(buf.ones, buf.ones_t);  // for each visible unit, the examples where it is on
    gather_product(H, buf.ones_t, static_cast<const T*>(nullptr), Pt);
    return;
  }
  Pt = H * V.t();
}

#define RBMKIT_PRODUCTS_INSTANTIATE(T)                                                          \
  template void gather_product(const arma::Mat<T>&, const OnesPattern&, const T*, arma::Mat<T>&); \
  template void transpose(const arma::Mat<T>&, arma::Mat<T>&);                                  \
  template void hidden_input(const arma::Mat<T>&, const arma::Col<T>&, const arma::Mat<T>&,    \
                             arma::Mat<T>&, ProductBuffers<T>&);                               \
  template void visible_input(const arma::Mat<T>&, const arma::Col<T>&, const arma::Mat<T>&,   \
                              arma::Mat<T>&, ProductBuffers<T>&);                              \
  template void outer_transposed(const arma::Mat<T>&, const arma::Mat<T>&, arma::Mat<T>&,      \
                                 ProductBuffers<T>&);
RBMKIT_PRODUCTS_INSTANTIATE(float)
RBMKIT_PRODUCTS_INSTANTIATE(double)
#undef RBMKIT_PRODUCTS_INSTANTIATE

}  // namespace rbmkit::detail
