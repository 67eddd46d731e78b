#pragma once
/// Semi-hard stochastic neurons (Bengio 2013, §2): noisy rectifiers h = max(0, a + σε),
/// ε ~ N(0, 1), trained by ordinary back-propagation, and the firing-rate controller that keeps
/// units from dying in the off state.
///
/// For fixed noise the rectifier is differentiable almost everywhere, ∂h/∂a = 1[h > 0], so
/// back-propagation gives an unbiased estimate of ∂E[L]/∂a; in particular
/// ∂E[h]/∂a = P(h > 0) = Φ(a/σ) = E[1[h > 0]]. A unit whose total input stays far below zero
/// rarely fires, so rarely receives a gradient: the controller keeps a moving average of each
/// unit's firing rate P(h_i > 0) and moves its bias toward a target rate.
/// States hold one example per column (n_units x B).
#include <armadillo>
#include <cstddef>

#include "rbmkit/core/random.hpp"

namespace rbmkit {

/// Samples h = max(0, a + σε), ε ~ N(0,1), element-wise; σ >= 0 (σ = 0 is the plain rectifier).
template <class T>
arma::Mat<T> semi_hard_sample(const arma::Mat<T>& a, double sigma, Rng& rng);

/// Back-propagates through the sampled rectifier: ∂L/∂a = ∂L/∂h ⊙ 1[h > 0] (§2).
template <class T>
arma::Mat<T> semi_hard_backward(const arma::Mat<T>& h, const arma::Mat<T>& grad_h);

/// P(h > 0) = Φ(a/σ) for one unit (σ > 0).
double semi_hard_firing_probability(double a, double sigma);
/// E[h] = a Φ(a/σ) + σ φ(a/σ) for one unit (σ > 0).
double semi_hard_mean(double a, double sigma);

/// Settings of the firing-rate controller.
struct FiringRateConfig {
  double target = 0.1;  ///< desired P(h_i > 0), in (0, 1)
  double decay = 0.9;   ///< moving average r_i ← decay·r_i + (1 − decay)·(batch firing rate)
  double step = 0.5;    ///< bias change per update: b_i += step·(target − r_i)
};

/// Per-unit moving averages of the firing rate and the bias adjustment toward a target (§2).
class FiringRateController {
public:
  /// Throws InvalidArgument for zero units, a target outside (0, 1), a decay outside [0, 1)
  /// or a non-positive step.
  FiringRateController(std::size_t n_units, const FiringRateConfig& config);

  /// Folds the firing 1[h_ik > 0] of a batch (n_units x B) into the moving averages (the first
  /// batch initialises them) and moves each bias: b_i += step·(target − r_i).
  template <class T>
  void update(const arma::Mat<T>& h, arma::Col<T>& bias);

  /// The moving averages of the firing rates.
  const arma::vec& rate() const { return rate_; }
  const FiringRateConfig& config() const { return config_; }

private:
  FiringRateConfig config_;
  arma::vec rate_;
  bool started_ = false;
};

extern template arma::Mat<float> semi_hard_sample(const arma::Mat<float>&, double, Rng&);
extern template arma::Mat<double> semi_hard_sample(const arma::Mat<double>&, double, Rng&);
extern template arma::Mat<float> semi_hard_backward(const arma::Mat<float>&, const arma::Mat<float>&);
extern template arma::Mat<double> semi_hard_backward(const arma::Mat<double>&,
                                                     const arma::Mat<double>&);
extern template void FiringRateController::update(const arma::Mat<float>&, arma::Col<float>&);
extern template void FiringRateController::update(const arma::Mat<double>&, arma::Col<double>&);

}  // namespace rbmkit
