#include "rbmkit/estimators/semi_hard.hpp"

#include <cmath>
#include <string>

#include "rbmkit/core/error.hpp"

namespace rbmkit {

template <class T>
arma::Mat<T> semi_hard_sample(const arma::Mat<T>& a, double sigma, Rng& rng) {
  if (!(sigma >= 0) || !std::isfinite(sigma))
    throw InvalidArgument("semi_hard_sample: sigma must be finite and >= 0, got " +
                          std::to_string(sigma));
  arma::Mat<T> h(a.n_rows, a.n_cols);
  for (arma::uword k = 0; k < a.n_elem; ++k) {
    const double v = double(a[k]) + sigma * rng.normal();
    h[k] = T(v > 0 ? v : 0);
  }
  return h;
}

template <class T>
arma::Mat<T> semi_hard_backward(const arma::Mat<T>& h, const arma::Mat<T>& grad_h) {
  if (h.n_rows != grad_h.n_rows || h.n_cols != grad_h.n_cols)
    throw DimensionError("semi_hard_backward: states are " + std::to_string(h.n_rows) + " x " +
                         std::to_string(h.n_cols) + ", gradient " + std::to_string(grad_h.n_rows) +
                         " x " + std::to_string(grad_h.n_cols));
  arma::Mat<T> g(h.n_rows, h.n_cols);
  for (arma::uword k = 0; k < h.n_elem; ++k) g[k] = h[k] > 0 ? grad_h[k] : T(0);
  return g;
}

double semi_hard_firing_probability(double a, double sigma) {
  if (!(sigma > 0)) throw InvalidArgument("semi_hard_firing_probability: sigma must be > 0");
  return 0.5 * std::erfc(-a / (sigma * std::sqrt(2.0)));
}

double semi_hard_mean(double a, double sigma) {
  if (!(sigma > 0)) throw InvalidArgument("semi_hard_mean: sigma must be > 0");
  const double t = a / sigma;
  const double pdf = std::exp(-0.5 * t * t) / std::sqrt(2 * M_PI);
  return a * semi_hard_firing_probability(a, sigma) + sigma * pdf;
}

FiringRateController::FiringRateController(std::size_t n_units, const FiringRateConfig& config)
    : config_(config), rate_(n_units, arma::fill::zeros) {
  if (n_units == 0) throw InvalidArgument("FiringRateController: needs at least one unit");
  if (!(config.target > 0 && config.target < 1))
    throw InvalidArgument("FiringRateController: target rate must be in (0, 1), got " +
                          std::to_string(config.target));
  if (!(config.decay >= 0 && config.decay < 1))
    throw InvalidArgument("FiringRateController: decay must be in [0, 1), got " +
                          std::to_string(config.decay));
  if (!(config.step > 0) || !std::isfinite(config.step))
    throw InvalidArgument("FiringRateController: step must be positive and finite");
}

template <class T>
void FiringRateController::update(const arma::Mat<T>& h, arma::Col<T>& bias) {
  if (h.n_rows != rate_.n_elem || bias.n_elem != rate_.n_elem || h.n_cols == 0)
    throw DimensionError("FiringRateController::update: " + std::to_string(rate_.n_elem) +
                         " units, states " + std::to_string(h.n_rows) + " x " +
                         std::to_string(h.n_cols) + ", biases " + std::to_string(bias.n_elem));
  for (arma::uword i = 0; i < h.n_rows; ++i) {
    double on = 0;
    for (arma::uword k = 0; k < h.n_cols; ++k) on += h(i, k) > 0 ? 1.0 : 0.0;
    on /= double(h.n_cols);
    rate_[i] = started_ ? config_.decay * rate_[i] + (1 - config_.decay) * on : on;
    bias[i] += T(config_.step * (config_.target - rate_[i]));
  }
  started_ = true;
}

template arma::Mat<float> semi_hard_sample(const arma::Mat<float>&, double, Rng&);
template arma::Mat<double> semi_hard_sample(const arma::Mat<double>&, double, Rng&);
template arma::Mat<float> semi_hard_backward(const arma::Mat<float>&, const arma::Mat<float>&);
template arma::Mat<double> semi_hard_backward(const arma::Mat<double>&, const arma::Mat<double>&);
template void FiringRateController::update(const arma::Mat<float>&, arma::Col<float>&);
template void FiringRateController::update(const arma::Mat<double>&, arma::Col<double>&);

}  // namespace rbmkit
