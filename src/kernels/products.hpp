#pragma once
/// The RBM's products, each choosing its kernel: when one operand is a 0/1 matrix, the sums of
/// its ones (when at most half are ones; otherwise M·1 minus the sums of its zeros, so they never
/// do more than half the dense product's work, plus one pass over M for M·1) by a sum tree
/// (sum_tree.hpp) when its columns share enough ones, else by the plain gathers of binary.hpp;
/// BLAS otherwise (grey data, real-valued states). The choice depends only on the operands and
/// shapes, never on timing or threads; the plain gathers are split among threads by output
/// column and the trees by rows of M, so the same inputs give the same bits at any thread
/// count. Rbm::hidden_input/visible_input, the Gibbs steps and the gradient statistics all call
/// these, so both gradient paths run the same kernels. When the trees are taken:
/// product_trees.hpp.
#include <armadillo>
#include <functional>

#include "kernels/binary.hpp"
#include "kernels/sum_tree.hpp"
#include "rbmkit/core/random.hpp"

namespace rbmkit::detail {

/// Buffers of the products, kept by a caller that repeats them so that they allocate nothing.
template <class T>
struct ProductBuffers {
  OnesPattern ones, zeros;
  arma::Mat<T> term;      ///< a product formed apart, to be added (accumulate_outer_transposed)
  std::vector<OnesPattern> parts;  ///< per-thread patterns of a split scan's column blocks
  arma::Col<T> row_sums;  ///< M·1 + init of a product with a mostly-ones operand
  arma::Mat<T> Wt;        ///< Wᵀ for the gathers of Wᵀ·V; a step's statistics, sharing these
                          ///< buffers, form the weight statistic in it afterwards, and RbmStep's
                          ///< update writes Wᵀ of the new weights over it
  bool wt_ready = false;  ///< Wt holds the transpose of the W of the current products (cleared
                          ///< by draw_phases unless kept for it, and by the statistics that
                          ///< overwrite Wt)
  arma::Mat<T> A;         ///< pre-activations of a Gibbs half-step
  bool dense_only = false;  ///< BLAS for every product (Gaussian visible data), never the gathers
  /// Sum trees of the last two operands of the Gibbs half-steps' products (each recognises the
  /// pattern it was built from): a persistent chain's visible states are the operand of the
  /// product that ends one step and of the one that starts the next, and are paired once.
  SumTree trees[2];
  std::size_t tree_newest = 0;  ///< index of the tree built or used last
  SumTree statistic_trees[2];   ///< the statistic difference's trees (of Vpᵀ and Vnᵀ), rebuilt
                                ///< for every statistic
  arma::uword wt_block = 0;  ///< 0: hidden_input forms the whole Wᵀ in Wt and keeps it for the
                             ///< next products; 0 < k < n_hidden and no Wᵀ ready: it forms
                             ///< Wᵀ k hidden units at a time in Wt (k × n_visible values), the
                             ///< same bits, and keeps none (callers of one product, such as
                             ///< Rbm::hidden_input)
};

/// out = M·S + init·1ᵀ for the binary S given by its pattern (init null = 0; with `subtract`,
/// init·1ᵀ − M·S): gather_add split among threads by column of S (one thread below about a
/// million additions).
template <class T>
void gather_product(const arma::Mat<T>& M, const OnesPattern& S, const T* init, arma::Mat<T>& out,
                    bool subtract = false);

/// out = M·1 (n_rows values), arma::sum(M, 1) bit for bit (row_sums of binary.hpp), the rows in
/// blocks of 256 split among threads.
template <class T>
void sum_rows(const arma::Mat<T>& M, arma::Col<T>& out);

/// sigmoid_sample (binary.hpp) of A (rows × cols, packed), its columns split among threads
/// (element-wise: the same bits at every thread count).
template <class T>
void sigmoid_sample_split(const T* A, std::size_t rows, std::size_t cols, T* P, T* S, const T* U);

/// sigmoid_sample_split(A, rows, cols, P, S, U) for the uniforms U that fill_uniform(rng, U,
/// rows·cols) would draw (uniforms.hpp), each block of the stream drawn into a buffer of the
/// thread that then samples it, instead of the whole stream stored first and read back: the
/// same states (S, not null) and means (P, or null), and rng advances by the same single draw.
/// The blocks are split among threads (element-wise: the same bits at every thread count).
template <class T>
void sigmoid_sample_drawn(Rng& rng, const T* A, std::size_t rows, std::size_t cols, T* P, T* S);

/// B = Aᵀ in tiles of 32 × 32, split among threads by blocks of columns of B; with a
/// `divisor`, B = Aᵀ / divisor (each value divided, as B /= divisor would), in the same pass.
template <class T>
void transpose(const arma::Mat<T>& A, arma::Mat<T>& B, T divisor = T(1));

/// A = Wᵀ V + c·1ᵀ (hidden pre-activations). Builds buf.Wt unless buf.wt_ready: all of it, or
/// buf.wt_block hidden units at a time (see ProductBuffers::wt_block).
template <class T>
void hidden_input(const arma::Mat<T>& W, const arma::Col<T>& c, const arma::Mat<T>& V,
                  arma::Mat<T>& A, ProductBuffers<T>& buf);
/// A1 = Wᵀ V1 + c·1ᵀ and A2 = Wᵀ V2 + c·1ᵀ in one pass over each thread's rows of Wᵀ, when both
/// take a sum tree: the bits of hidden_input(W, c, V1, A1) followed by hidden_input(W, c, V2, A2),
/// with each slab of Wᵀ read once for both (a PCD step's positive phase and its chains' first
/// half-step). Returns false, with A1 and A2 unspecified, when the pass does not apply (an operand
/// grey, with more than half ones or without a tree; Wᵀ to be formed in blocks); the caller then
/// takes the two products.
template <class T>
bool hidden_inputs_together(const arma::Mat<T>& W, const arma::Col<T>& c, const arma::Mat<T>& V1,
                            const arma::Mat<T>& V2, arma::Mat<T>& A1, arma::Mat<T>& A2,
                            ProductBuffers<T>& buf);
/// A = W H + b·1ᵀ (visible pre-activations).
template <class T>
void visible_input(const arma::Mat<T>& W, const arma::Col<T>& b, const arma::Mat<T>& H,
                   arma::Mat<T>& A, ProductBuffers<T>& buf);
/// Pt ← Pt + H Vᵀ (with `subtract`, Pt − H Vᵀ), for Pt of outer_transposed's shape: with a
/// binary V of at most half ones each term is added to (subtracted from) Pt's sums one by one
/// (gather_add accumulating); otherwise H Vᵀ is formed by outer_transposed and then added
/// (subtracted). Subtracting the terms of H equals adding those of −H bit for bit.
template <class T>
void accumulate_outer_transposed(const arma::Mat<T>& V, const arma::Mat<T>& H, arma::Mat<T>& Pt,
                                 bool subtract, ProductBuffers<T>& buf);
/// Pt = H Vᵀ, the transpose of the statistic V Hᵀ (n_visible × n_hidden), gathered from the
/// columns of H for each visible unit when V is binary. Negating H negates Pt exactly.
template <class T>
void outer_transposed(const arma::Mat<T>& V, const arma::Mat<T>& H, arma::Mat<T>& Pt,
                      ProductBuffers<T>& buf);

/// Called by outer_difference_transposed with rows [first, last) of Pt once they are final, on
/// the thread that formed them (`worker` < threads(), as parallel_for_dynamic's): ranges of
/// whole units of `rows_unit` rows (the last may end at n_hidden), disjoint, possibly on
/// several threads at once.
using RowsDone = std::function<void(std::size_t first, std::size_t last, int worker)>;
constexpr std::size_t rows_unit = 32;

/// Pt = Hp Vpᵀ − Hn Vnᵀ (n_hidden × n_visible) in one pass over Pt, with the bits of
/// outer_transposed(Vp, Hp) followed by accumulate_outer_transposed(Vn, Hn, subtract): the
/// positive phase's terms summed, then the negative phase's subtracted one by one. Returns false,
/// leaving Pt unspecified, when that pass does not apply (a phase with more than 128 examples,
/// a Vᵀ with more than half ones or grey values, dense_only); the caller then takes those two
/// products. With `rows_done` (not empty): when both phases take sum trees and their rows are
/// split among threads, calls it for every range of rows as soon as that range is final, and sets
/// `*rows_reported` (otherwise it stays false and rows_done is not called): the caller's next
/// pass over the rows of Pt goes on while other rows are still being summed.
template <class T>
bool outer_difference_transposed(const arma::Mat<T>& Vp, const arma::Mat<T>& Hp,
                                 const arma::Mat<T>& Vn, const arma::Mat<T>& Hn, arma::Mat<T>& Pt,
                                 ProductBuffers<T>& buf, const RowsDone& rows_done = RowsDone(),
                                 bool* rows_reported = nullptr);

#define RBMKIT_PRODUCTS_EXTERN(T)                                                           \
  extern template void sum_rows(const arma::Mat<T>&, arma::Col<T>&);                        \
  extern template void gather_product(const arma::Mat<T>&, const OnesPattern&, const T*,    \
                                      arma::Mat<T>&, bool);                                 \
  extern template void transpose(const arma::Mat<T>&, arma::Mat<T>&, T);                    \
  extern template void sigmoid_sample_split(const T*, std::size_t, std::size_t, T*, T*,      \
                                            const T*);                                       \
  extern template void hidden_input(const arma::Mat<T>&, const arma::Col<T>&,               \
                                    const arma::Mat<T>&, arma::Mat<T>&, ProductBuffers<T>&); \
  extern template bool hidden_inputs_together(const arma::Mat<T>&, const arma::Col<T>&,       \
                                              const arma::Mat<T>&, const arma::Mat<T>&,       \
                                              arma::Mat<T>&, arma::Mat<T>&,                   \
                                              ProductBuffers<T>&);                            \
  extern template void visible_input(const arma::Mat<T>&, const arma::Col<T>&,              \
                                     const arma::Mat<T>&, arma::Mat<T>&, ProductBuffers<T>&); \
  extern template void accumulate_outer_transposed(const arma::Mat<T>&, const arma::Mat<T>&, \
                                                   arma::Mat<T>&, bool, ProductBuffers<T>&);  \
  extern template void outer_transposed(const arma::Mat<T>&, const arma::Mat<T>&,           \
                                        arma::Mat<T>&, ProductBuffers<T>&);                  \
  extern template bool outer_difference_transposed(                                         \
      const arma::Mat<T>&, const arma::Mat<T>&, const arma::Mat<T>&, const arma::Mat<T>&,    \
      arma::Mat<T>&, ProductBuffers<T>&, const RowsDone&, bool*);
RBMKIT_PRODUCTS_EXTERN(float)
RBMKIT_PRODUCTS_EXTERN(double)
#undef RBMKIT_PRODUCTS_EXTERN

}  // namespace rbmkit::detail
