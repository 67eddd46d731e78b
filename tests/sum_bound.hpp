#pragma once
// The summation bound the binary-product tests hold their kernels to.
#include <armadillo>
#include <cmath>
#include <cstddef>
#include <limits>

namespace fixtures {

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
