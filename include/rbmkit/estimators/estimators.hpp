#pragma once
/// Gradient estimators for a layer of stochastic binary neurons (Bengio 2013, §3).
///
/// A layer of n units with activations a (one example per column of an n x B matrix) emits
/// h_i = 1[z_i < sigm(a_i)], z_i ~ U(0,1) (Eq. 2). A loss L(h, later noise) is observed afterwards.
/// Each estimator returns, for every column, an estimate ĝ of g = ∂E[L]/∂a, where the expectation
/// is over the layer's noise and all later noise (Theorem 1).
///
/// | estimator                | formula                                                  | unbiased |
/// |--------------------------|----------------------------------------------------------|----------|
/// | reinforce                | (h − sigm(a)) · L                             (Theorem 1)| yes      |
/// | centered-optimal         | (h_i − sigm(a_i)) · (L − L̄_i), L̄_i of Eq. 7 (Cor. 1)     | yes      |
/// | centered-constant        | (h − sigm(a)) · (L − c), one constant c for all units    | yes      |
/// | straight-through         | ∂L/∂h, thresholds treated as identity         (§3.2.1)   | no       |
/// | straight-through-scaled  | sigm'(a) ⊙ ∂L/∂h, every threshold's derivative → sigm'   | no       |
/// | learned                  | F(straight-through, low-noise inputs) ≈ E[unbiased given them] (§3.2.2) | → yes |
/// | reinforce-loo            | ½ (h¹ − h²)(L¹ − L²), two independent samples            | yes      |
/// | arm                      | (L(1[u > sigm(−a)]) − L(1[u < sigm(a)])) (u − ½)  (Yin & Zhou 2019) | yes |
///
/// The running averages of centered-optimal and the regressor of learned are updated from past
/// samples only (a sample's baseline never depends on its own noise), so the unbiased estimators
/// stay unbiased while they adapt.
#include <armadillo>
#include <cstddef>
#include <vector>

#include "rbmkit/core/enum_names.hpp"
#include "rbmkit/core/random.hpp"

namespace rbmkit {

/// The gradient estimators rbmkit implements.
enum class Estimator {
  reinforce,                ///< (h − sigm(a)) L, Theorem 1
  centered_optimal,         ///< (h_i − sigm(a_i))(L − L̄_i), per-unit optimal baseline (Eq. 7)
  centered_constant,        ///< (h − sigm(a))(L − c) with one fixed constant c
  straight_through,         ///< back-propagate through the threshold as if it were the identity
  straight_through_scaled,  ///< the same, multiplied by sigm'(a) at every threshold
  learned,                  ///< online regressor from straight-through to the unbiased estimate
  reinforce_loo,            ///< two samples, each centred by the other's loss
  arm                       ///< augment-REINFORCE-merge (Yin & Zhou 2019), antithetic pair
};

/// Names of Estimator for to_string / from_string (core/enum_names.hpp), as result files use them.
template <>
struct EnumNames<Estimator> {
  static constexpr const char* type = "Estimator";
  static constexpr std::pair<Estimator, const char*> names[] = {
      {Estimator::reinforce, "reinforce"},
      {Estimator::centered_optimal, "centered-optimal"},
      {Estimator::centered_constant, "centered-constant"},
      {Estimator::straight_through, "straight-through"},
      {Estimator::straight_through_scaled, "straight-through-scaled"},
      {Estimator::learned, "learned"},
      {Estimator::reinforce_loo, "reinforce-loo"},
      {Estimator::arm, "arm"}};
};

/// All estimators, in the order of the table above.
const std::vector<Estimator>& all_estimators();
/// True for the estimators whose expectation is the exact gradient by theory (InvalidArgument
/// for a value outside the enum, as loss_evaluations).
bool is_unbiased(Estimator e);
/// Loss evaluations per estimate (2 for reinforce-loo and arm, 1 otherwise).
std::size_t loss_evaluations(Estimator e);

/// sigm'(a) = sigm(a)(1 − sigm(a)), element-wise.
arma::mat sigmoid_derivative(const arma::mat& a);
/// Binary states h = 1[z < sigm(a)] for given uniforms z (Eq. 2); z and a have the same size.
arma::mat threshold_units(const arma::mat& a, const arma::mat& z);
/// Samples h_i = 1[z_i < sigm(a_i)], z_i ~ U(0,1), for every element of a (Eq. 2).
arma::mat sample_binary(const arma::mat& a, Rng& rng);

/// The computation that follows a layer of stochastic binary units and produces the loss.
/// States hold one example per column. Implementations draw any later noise from `rng`, and
/// draw the same number of values for the same shape of h (estimators rely on this to reuse the
/// later noise for two states: common random numbers).
class StochasticLoss {
public:
  virtual ~StochasticLoss() = default;
  /// The number of units of the layer this loss reads.
  virtual std::size_t n_units() const = 0;
  /// L for each column of h.
  virtual arma::rowvec loss(const arma::mat& h, Rng& rng) const = 0;
  /// L for each column of h and the straight-through derivative ∂L/∂h: exact through the
  /// deterministic parts, through later stochastic thresholds as if they were the identity
  /// (`scaled` = false) or had derivative sigm'(a) (`scaled` = true).
  virtual arma::rowvec loss_and_gradient(const arma::mat& h, bool scaled, arma::mat& grad,
                                         Rng& rng) const = 0;
};

/// Settings of an estimator.
struct EstimatorConfig {
  Estimator kind = Estimator::reinforce;
  /// c of centered-constant.
  double constant_baseline = 0.0;
  /// Memory, in samples (columns), of the running averages of centered-optimal and learned:
  /// each new sample's weight is 1/memory and older ones decay by 1 − 1/memory. 0 keeps plain
  /// cumulative averages (the right choice when the activations do not change).
  double memory = 0.0;
  /// learned: regress on [1, st, sigm'(a), sigm'(a)·st] instead of [1, st] (§3.2.2's "other
  /// low-noise inputs": deterministic functions of the activation).
  bool low_noise_inputs = true;
  /// learned: relative ridge strength that pulls the regressor toward the identity on the
  /// straight-through estimate (so an untrained learned estimator is straight-through).
  double ridge = 1e-6;
};

/// A gradient estimator for a layer of n stochastic binary units, with the state some estimators
/// keep between calls (running baseline averages, the learned regressor).
class GradientEstimator {
public:
  /// Throws InvalidArgument for zero units, or naming the EstimatorConfig field for a kind
  /// outside the enum or a negative or non-finite setting.
  GradientEstimator(std::size_t n_units, const EstimatorConfig& config);

  Estimator kind() const { return config_.kind; }
  std::size_t n_units() const { return n_; }

  /// Samples the layer at activations `a` (n x B), observes `loss` and returns ĝ (n x B), one
  /// estimate of ∂E[L]/∂a per column. While learning (the default) the running averages and the
  /// regressor then absorb this batch; the estimate itself uses only earlier batches.
  arma::mat estimate(const arma::mat& a, const StochasticLoss& loss, Rng& rng);

  /// The layer states sampled by the last estimate (the first of the two for reinforce-loo; the
  /// state 1[u < sigm(a)] for arm). Each is a draw of h ~ Bern(sigm(a)).
  const arma::mat& last_sample() const { return last_h_; }
  /// The losses observed by the last estimate (averaged over the two states for loo and arm).
  const arma::rowvec& last_loss() const { return last_loss_; }

  /// Turns updating of the running averages and the regressor on or off (frozen estimator).
  void set_learning(bool on) { learning_ = on; }
  bool learning() const { return learning_; }
  /// Changes c of centered-constant.
  void set_constant_baseline(double c);

  /// The current per-unit baselines L̄_i = E[(h_i − p_i)² L] / E[(h_i − p_i)²] (Eq. 7) from the
  /// two running averages; 0 for a unit with no data yet.
  arma::vec optimal_baseline() const;
  /// The learned regressor's coefficients, one column per unit, rows in the order of the
  /// features [1, st, sigm'(a), sigm'(a)·st] (or [1, st]).
  arma::mat learned_coefficients() const;
  /// Number of samples (columns) the running averages have absorbed.
  std::size_t samples_seen() const { return seen_; }

private:
  arma::mat baseline_estimate(const arma::mat& p, const arma::mat& h, const arma::rowvec& L) const;
  void absorb_baseline(const arma::mat& p, const arma::mat& h, const arma::rowvec& L);
  std::size_t n_features() const { return config_.low_noise_inputs ? 4 : 2; }
  void features(const arma::mat& st, const arma::mat& d, std::size_t i, std::size_t k,
                double* x) const;
  void refit() const;

  std::size_t n_;
  EstimatorConfig config_;
  bool learning_ = true;
  std::size_t seen_ = 0;
  arma::vec num_, den_;            // Eq. 7 running averages: E[(h − p)² L], E[(h − p)²]
  arma::cube xx_;                  // per unit: Σ x xᵀ (features x features x units)
  arma::mat xy_;                   // per unit: Σ x y (features x units)
  mutable arma::mat theta_;        // fitted coefficients (features x units)
  mutable bool stale_ = false;
  arma::mat last_h_;
  arma::rowvec last_loss_;
};

}  // namespace rbmkit
