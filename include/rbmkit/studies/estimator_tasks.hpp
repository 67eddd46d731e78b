#pragma once
/// The tasks of the estimator study (estimator_study.hpp): a layer of stochastic binary units
/// (Bengio 2013, Eq. 2) followed by a loss whose expectation and gradient are known exactly.
/// States hold one example per column (units × examples).
///
/// Tasks (all with fixed, seeded random parameters):
/// - quadratic: n units with logits a_i ~ N(0,1), loss L(h) = (Σ_i w_i h_i − y)² with
///   w_i ~ N(0,1)/√n, y ~ N(0,1). With p = sigm(a) the exact gradient is
///   ∂E[L]/∂a_i = sigm'(a_i)·[w_i²(1 − 2p_i) + 2w_i(Σ_j w_j p_j − y)].
/// - toy: E_{b ~ Bern(sigm(θ))}[(b − 0.499)²], the single-unit problem of REBAR, RELAX and ARM
///   (the quadratic task with w = 1, y = 0.499); ∂/∂θ = sigm'(θ)·0.002.
/// - sbn: a two-layer sigmoid belief net: n first-layer units with logits a_i ~ N(0,1), m second-
///   layer units h2 ~ Bern(sigm(W2 h1 + b2)), output r = sigm(V h2 + c) and the cross-entropy
///   loss L = −Σ_j [t_j log r_j + (1 − t_j) log(1 − r_j)] of a fixed binary target t. The gradient
///   with respect to the first layer's logits is enumerated exactly over both layers.
#include <armadillo>
#include <cstddef>

#include "rbmkit/core/random.hpp"
#include "rbmkit/estimators/estimators.hpp"

namespace rbmkit {

/// L(h) = (wᵀh − y)² for each column of h (n × B); ∂L/∂h = 2w(wᵀh − y). No later noise.
/// Throws InvalidArgument for no weights or non-finite w or y; DimensionError for states of
/// another height.
class QuadraticLoss : public StochasticLoss {
public:
  QuadraticLoss(arma::vec w, double y);
  std::size_t n_units() const override { return w_.n_elem; }
  arma::rowvec loss(const arma::mat& h, Rng& rng) const override;
  arma::rowvec loss_and_gradient(const arma::mat& h, bool scaled, arma::mat& grad,
                                 Rng& rng) const override;
  const arma::vec& w() const { return w_; }
  double y() const { return y_; }

private:
  arma::vec w_;
  double y_;
};

/// The quadratic task: logits a and the loss (Σ_i w_i h_i − y)², with everything exact.
struct QuadraticTask {
  arma::vec a;
  QuadraticLoss loss;

  /// n units: a_i ~ N(0,1), w_i ~ N(0,1)/√n, y ~ N(0,1). Throws InvalidArgument for n = 0.
  static QuadraticTask random(std::size_t n, Rng& rng);
  /// The toy task at θ: one unit, w = 1, y = 0.499. Throws InvalidArgument for a non-finite θ.
  static QuadraticTask toy(double theta);

  /// ∂E[L]/∂a_i = sigm'(a_i)·[w_i²(1 − 2p_i) + 2w_i(Σ_j w_j p_j − y)] (n entries).
  arma::vec exact_gradient() const;
  /// E[L] = Σ_i w_i² p_i(1 − p_i) + (Σ_i w_i p_i − y)².
  double expected_loss() const;
  /// The per-unit optimal baselines of Eq. 7: L̄_i = (1 − p_i)·E[L | h_i = 1] + p_i·E[L | h_i = 0].
  arma::vec optimal_baseline() const;
};

/// The part of the sbn task after its first layer: h2 ~ Bern(sigm(W2 h1 + b2)), output
/// logits o = V h2 + c, L = Σ_j softplus(o_j) − t_j o_j. Draws m uniforms per column.
/// W2 is m × n, V d × m; throws DimensionError when the shapes do not fit, InvalidArgument for
/// empty layers, non-finite parameters, a target that is not 0/1 or m > 20 (enumerated).
class SbnLoss : public StochasticLoss {
public:
  SbnLoss(arma::mat W2, arma::vec b2, arma::mat V, arma::vec c, arma::vec target);
  std::size_t n_units() const override { return W2_.n_cols; }
  arma::rowvec loss(const arma::mat& h, Rng& rng) const override;
  arma::rowvec loss_and_gradient(const arma::mat& h, bool scaled, arma::mat& grad,
                                 Rng& rng) const override;
  /// E[L | h1] for one first-layer state, exactly (enumerating the second layer).
  double conditional_expected_loss(const arma::vec& h1) const;
  std::size_t n_second() const { return W2_.n_rows; }

private:
  arma::mat second_layer_input(const arma::mat& h, const char* who) const;  // W2 h + b2
  arma::rowvec output_loss(const arma::mat& h2) const;
  arma::mat W2_, V_;
  arma::vec b2_, c_, t_;
  arma::vec all_h2_loss_;  // L for every second-layer state (index bit k = unit k)
};

/// The sbn task: first-layer logits and the rest of the net.
struct SbnTask {
  arma::vec a;
  SbnLoss loss;

  /// n first-layer units, m second-layer units, d outputs: a ~ N(0,1), W2 ~ N(0, 4/n),
  /// b2 ~ N(0, 1/4), V ~ N(0, 4/m), c ~ N(0, 1/4), t ~ Bern(1/2). Throws InvalidArgument for an
  /// empty layer or n + m > 24.
  static SbnTask random(std::size_t n, std::size_t m, std::size_t d, Rng& rng);
  /// ∂E[L]/∂a = Σ_{h1} P(h1)·E[L | h1]·(h1 − sigm(a)), enumerated over both layers (Theorem 1).
  arma::vec exact_gradient() const;
  /// E[L], enumerated.
  double expected_loss() const;
};

}  // namespace rbmkit
