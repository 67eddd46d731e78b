#include "rbmkit/models/boltzmann.hpp"

#include <algorithm>
#include <cmath>

#include "rbmkit/core/error.hpp"

namespace rbmkit {

arma::mat connectivity_mask(std::size_t nv, std::size_t nh, Connectivity c) {
  const std::size_t n = nv + nh;
  arma::mat M(n, n, arma::fill::ones);
  if (c != Connectivity::full && nh > 0) M.submat(nv, nv, n - 1, n - 1).zeros();  // hidden–hidden
  if (c == Connectivity::restricted && nv > 0) M.submat(0, 0, nv - 1, nv - 1).zeros();
  M.diag().zeros();
  return M;
}

template <class T>
BoltzmannMachine<T>::BoltzmannMachine(std::size_t nv, std::size_t nh, Connectivity c)
    : n_visible_(nv),
      W_(nv + nh, nv + nh, arma::fill::zeros),
      bias_(nv + nh, arma::fill::zeros),
      mask_(arma::conv_to<Mat>::from(connectivity_mask(nv, nh, c))) {
  if (nv == 0) throw InvalidArgument("BoltzmannMachine: needs at least one visible unit");
}

template <class T>
void BoltzmannMachine<T>::set_mask(const Mat& mask) {
  const std::size_t n = n_units();
  if (mask.n_rows != n || mask.n_cols != n)
    throw DimensionError("BoltzmannMachine::set_mask: mask is " + std::to_string(mask.n_rows) +
                         " x " + std::to_string(mask.n_cols) + ", machine has " +
                         std::to_string(n) + " units");
  for (std::size_t j = 0; j < n; ++j)
    for (std::size_t i = 0; i < n; ++i) {
      const T m = mask(i, j);
      if (m != T(0) && m != T(1))
        throw InvalidArgument("BoltzmannMachine::set_mask: entries must be 0 or 1");
      if (m != mask(j, i))
        throw InvalidArgument("BoltzmannMachine::set_mask: mask is not symmetric");
      if (i == j && m != T(0))
        throw InvalidArgument("BoltzmannMachine::set_mask: a unit cannot connect to itself");
    }
  mask_ = mask;
  for (arma::uword k = 0; k < W_.n_elem; ++k)
    if (mask_[k] == T(0)) W_[k] = T(0);
}

template <class T>
void BoltzmannMachine<T>::check(const std::string& who) const {
  const std::size_t n = n_units();
  if (W_.n_rows != n || W_.n_cols != n || mask_.n_rows != n || mask_.n_cols != n)
    throw DimensionError(who + ": weights or mask are not " + std::to_string(n) + " x " +
                         std::to_string(n));
  if (!W_.is_finite() || !bias_.is_finite())
    throw InvalidArgument(who + ": parameters contain NaN or infinity");
  for (std::size_t j = 0; j < n; ++j)
    for (std::size_t i = 0; i <= j; ++i) {
      if (W_(i, j) != W_(j, i))
        throw InvalidArgument(who + ": weights are not symmetric at (" + std::to_string(i) +
                              ", " + std::to_string(j) + ")");
      if (mask_(i, j) == T(0) && W_(i, j) != T(0))
        throw InvalidArgument(who + ": weight (" + std::to_string(i) + ", " + std::to_string(j) +
                              ") is not zero outside the connectivity mask");
    }
}

template <class T>
void BoltzmannMachine<T>::initialize(const arma::vec& p, Rng& rng, double weight_std,
                                     double clip) {
  if (p.n_elem != n_visible_)
    throw DimensionError("BoltzmannMachine::initialize: " + std::to_string(p.n_elem) +
                         " marginals for " + std::to_string(n_visible_) + " visible units");
  const std::size_t n = n_units();
  // Upper triangle in column-major order, mirrored: depends only on the seed and the shape.
  W_.zeros();
  for (std::size_t j = 0; j < n; ++j)
    for (std::size_t i = 0; i < j; ++i) {
      const double z = rng.normal();
      if (mask_(i, j) != T(0)) W_(i, j) = W_(j, i) = T(weight_std * z);
    }
  for (std::size_t i = 0; i < n_visible_; ++i) {
    const double q = std::clamp(p[i], clip, 1.0 - clip);
    bias_[i] = T(std::log(q / (1.0 - q)));
  }
  for (std::size_t i = n_visible_; i < n; ++i) bias_[i] = T(0);
}

template <class T>
typename BoltzmannMachine<T>::Mat BoltzmannMachine<T>::input(const Mat& S) const {
  if (S.n_rows != n_units())
    throw DimensionError("BoltzmannMachine::input: states have " + std::to_string(S.n_rows) +
                         " rows, machine has " + std::to_string(n_units()) + " units");
  Mat A = W_ * S;
  A.each_col() += bias_;
  return A;
}

template <class T>
arma::vec BoltzmannMachine<T>::energy(const Mat& S) const {
  if (S.n_rows != n_units())
    throw DimensionError("BoltzmannMachine::energy: states have " + std::to_string(S.n_rows) +
                         " rows, machine has " + std::to_string(n_units()) + " units");
  const arma::mat Sd = arma::conv_to<arma::mat>::from(S);
  const arma::mat Wd = arma::conv_to<arma::mat>::from(W_);
  const arma::vec bd = arma::conv_to<arma::vec>::from(bias_);
  const arma::mat WS = Wd * Sd;
  arma::vec e(S.n_cols);
  for (arma::uword t = 0; t < S.n_cols; ++t)
    e[t] = -arma::dot(bd, Sd.col(t)) - 0.5 * arma::dot(Sd.col(t), WS.col(t));
  return e;
}

template <class T>
BoltzmannMachine<T> to_boltzmann(const Rbm<T>& rbm) {
  const std::size_t nv = rbm.n_visible(), nh = rbm.n_hidden();
  BoltzmannMachine<T> bm(nv, nh, Connectivity::restricted);
  if (nh > 0) {
    bm.W().submat(0, nv, nv - 1, nv + nh - 1) = rbm.W();
    bm.W().submat(nv, 0, nv + nh - 1, nv - 1) = rbm.W().t();
  }
  bm.bias().head(nv) = rbm.b();
  bm.bias().tail(nh) = rbm.c();
  return bm;
}

template class BoltzmannMachine<float>;
template class BoltzmannMachine<double>;
template BoltzmannMachine<float> to_boltzmann(const Rbm<float>&);
template BoltzmannMachine<double> to_boltzmann(const Rbm<double>&);

}  // namespace rbmkit
