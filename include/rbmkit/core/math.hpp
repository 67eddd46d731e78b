#pragma once
/// The scalar and element-wise functions every part of rbmkit shares: the logistic sigmoid, its
/// inverse (logit), softplus, log-sum-exp and Bernoulli sampling (Eq. 2 of Bengio 2013,
/// "Estimating or Propagating Gradients Through Stochastic Neurons": h = 1[z < sigm(a)]).
/// One definition each; hot kernels with their own vectorised forms live in src/kernels/.
#include <armadillo>
#include <cmath>
#include <vector>

#include "rbmkit/core/random.hpp"

namespace rbmkit {

/// Logistic sigmoid sigm(x) = 1 / (1 + exp(−x)).
inline double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }
/// The same in single precision.
inline float sigmoid(float x) { return 1.0f / (1.0f + std::exp(-x)); }
/// softplus(x) = log(1 + exp(x)), computed stably as max(x, 0) + log1p(exp(−|x|)).
inline double softplus(double x) { return (x > 0 ? x : 0.0) + std::log1p(std::exp(-std::abs(x))); }
/// logit(p) = log(p / (1 − p)), the inverse of sigm; ±inf at p = 1 or 0.
inline double logit(double p) { return std::log(p) - std::log1p(-p); }

/// sigm element-wise (same shape as `x`).
template <class T>
arma::Mat<T> sigmoid(const arma::Mat<T>& x);
/// softplus element-wise (same shape as `x`), the stable form above.
template <class T>
arma::Mat<T> softplus(const arma::Mat<T>& x);

/// log Σ_i exp(x_i), shifted by the largest term and summed in long double; the largest term
/// itself when it is not finite (−inf for no mass). Empty input gives −inf.
double log_sum_exp(const std::vector<double>& x);
/// The same over the elements of an Armadillo vector.
double log_sum_exp(const arma::vec& x);

/// One uniform draw in [0, 1) in the element type T: 24 random bits for float, 53 for double.
template <class T>
T uniform(Rng& rng);
template <>
inline float uniform<float>(Rng& rng) { return rng.uniform_float(); }
template <>
inline double uniform<double>(Rng& rng) { return rng.uniform(); }

/// Binary states s with s = 1 where u < P (Eq. 2 of the paper: h = 1[z < sigm(a)]); the result
/// has the shape of P. The uniforms u, one per entry in column-major order, are the Gibbs
/// samplers' stream: one 64-bit key drawn from `rng` (which advances by that one draw, whatever
/// the size of P), and for each block of 4,096 entries four xoshiro256++ generators seeded from
/// the key and the block's number (24 random bits per float, 52 per double; docs/performance.md).
/// The values depend only on `rng`'s state: a large P is drawn on rbmkit's threads, block by
/// block, with the same result at every thread count.
template <class T>
arma::Mat<T> sample_bernoulli(const arma::Mat<T>& P, Rng& rng);

extern template arma::Mat<float> sigmoid(const arma::Mat<float>&);
extern template arma::Mat<double> sigmoid(const arma::Mat<double>&);
extern template arma::Mat<float> softplus(const arma::Mat<float>&);
extern template arma::Mat<double> softplus(const arma::Mat<double>&);
extern template arma::Mat<float> sample_bernoulli(const arma::Mat<float>&, Rng&);
extern template arma::Mat<double> sample_bernoulli(const arma::Mat<double>&, Rng&);

}  // namespace rbmkit
