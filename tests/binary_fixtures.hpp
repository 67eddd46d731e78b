#pragma once
// Binary operands and the summation bound the binary-product tests hold their kernels to.
#include <doctest/doctest.h>

#include <armadillo>
#include <cmath>
#include <cstddef>
#include <limits>

#include "kernels/patterns.hpp"

namespace fixtures {

/// Independent bits, each one with probability `density` (Armadillo's generator, seeded).
template <class T>
arma::Mat<T> random_bits(arma::uword rows, arma::uword cols, double density, unsigned seed) {
  arma::arma_rng::set_seed(seed);
  return arma::conv_to<arma::Mat<T>>::from(arma::randu<arma::mat>(rows, cols) < density);
}

/// The ones of a 0/1 matrix, as the products list them (a test failure if X is not binary).
template <class T>
rbmkit::detail::OnesPattern ones_of(const arma::Mat<T>& X) {
  rbmkit::detail::OnesPattern p;
  REQUIRE(rbmkit::detail::find_ones(X.memptr(), X.n_rows, X.n_cols, X.n_rows, p));
  return p;
}

/// True when |A − R| ≤ 2 K ε |terms| element-wise: a sum of at most K terms rounded in any order
/// is off by at most (K − 1) ε Σ|terms| (Higham, Accuracy and Stability, §4.2), and a BLAS
/// reference by as much again. R is the exact-in-double reference, `absolute` its sums of
/// absolute terms.
template <class T>
bool within_sum_bound(const arma::Mat<T>& A, const arma::mat& R, const arma::mat& absolute,
                      std::size_t K) {
  const double eps = std::numeric_limits<T>::epsilon();
  for (arma::uword k = 0; k < A.n_elem; ++k)
    if (std::abs(double(A[k]) - R[k]) > 2.0 * double(K + 1) * eps * absolute[k] + 1e-300)
      return false;
  return true;
}

}  // namespace fixtures
