#pragma once
/// The RBM's products, each choosing its kernel: the binary gathers of binary.hpp when one
/// operand is a 0/1 matrix no denser than max_binary_density, BLAS otherwise (grey data, dense
/// states). The choice depends only on the operands, never on timing or threads, and the gathers
/// are split among threads by output column, so the same inputs give the same bits at any thread
/// count. Rbm::hidden_input/visible_input, the Gibbs steps and the gradient statistics all call
/// these, so both gradient paths run the same kernels.
#include <armadillo>

#include "kernels/binary.hpp"

namespace rbmkit::detail {

/// The densest binary operand the gathers take; denser ones go to BLAS. bench/bench_kernels
/// puts the crossovers with one-thread BLAS between 0.35 and 0.6 (docs/performance.md).
constexpr double max_binary_density = 0.5;

/// Buffers of the products, kept by a caller that repeats them so that they allocate nothing.
template <class T>
struct ProductBuffers {
  OnesPattern ones, ones_t;
  arma::Mat<T> Wt;        ///< Wᵀ for the gathers of Wᵀ·V
  bool wt_ready = false;  ///< Wt holds the transpose of the W of the current products
  arma::Mat<T> A;         ///< pre-activations of a Gibbs half-step
  arma::Mat<T> S;         ///< sampled hidden states of a Gibbs step
  bool dense_only = false;  ///< BLAS for every product (Gaussian visible data), never the gathers
};

/// out = M·S + init·1ᵀ for the binary S given by its pattern (init null = 0): gather_add split
/// among threads by column of S (one thread below about a million additions).
template <class T>
void gather_product(const arma::Mat<T>& M, const OnesPattern& S, const T* init, arma::Mat<T>& out);

/// B = Aᵀ in tiles of 32 × 32, split among threads by blocks of columns of B.
template <class T>
void transpose(const arma::Mat<T>& A, arma::Mat<T>& B);

/// A = Wᵀ V + c·1ᵀ (hidden pre-activations). Builds buf.Wt unless buf.wt_ready.
template <class T>
void hidden_input(const arma::Mat<T>& W, const arma::Col<T>& c, const arma::Mat<T>& V,
                  arma::Mat<T>& A, ProductBuffers<T>& buf);
/// A = W H + b·1ᵀ (visible pre-activations).
template <class T>
void visible_input(const arma::Mat<T>& W, const arma::Col<T>& b, const arma::Mat<T>& H,
                   arma::Mat<T>& A, ProductBuffers<T>& buf);
/// Pt = H Vᵀ, the transpose of the statistic V Hᵀ (n_visible × n_hidden), gathered from the
/// columns of H for each visible unit when V is binary. Negating H negates Pt exactly.
template <class T>
void outer_transposed(const arma::Mat<T>& V, const arma::Mat<T>& H, arma::Mat<T>& Pt,
                      ProductBuffers<T>& buf);

#define RBMKIT_PRODUCTS_EXTERN(T)                                                           \
  extern template void gather_product(const arma::Mat<T>&, const OnesPattern&, const T*,    \
                                      arma::Mat<T>&);                                       \
  extern template void transpose(const arma::Mat<T>&, arma::Mat<T>&);                       \
  extern template void hidden_input(const arma::Mat<T>&, const arma::Col<T>&,               \
                                    const arma::Mat<T>&, arma::Mat<T>&, ProductBuffers<T>&); \
  extern template void visible_input(const arma::Mat<T>&, const arma::Col<T>&,              \
                                     const arma::Mat<T>&, arma::Mat<T>&, ProductBuffers<T>&); \
  extern template void outer_transposed(const arma::Mat<T>&, const arma::Mat<T>&,           \
                                        arma::Mat<T>&, ProductBuffers<T>&);
RBMKIT_PRODUCTS_EXTERN(float)
RBMKIT_PRODUCTS_EXTERN(double)
#undef RBMKIT_PRODUCTS_EXTERN

}  // namespace rbmkit::detail
