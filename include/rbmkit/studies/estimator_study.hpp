#pragma once
/// The variance study of the gradient estimators (estimators.hpp): tasks with exact gradients,
/// bias and variance measurements, the toy learning curves, and their CSV files and plots.
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
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "rbmkit/estimators/estimators.hpp"
#include "rbmkit/studies/image.hpp"
#include "rbmkit/core/random.hpp"

namespace rbmkit {

/// L(h) = (wᵀh − y)² for each column of h; ∂L/∂h = 2w(wᵀh − y). No later noise.
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

  /// n units: a_i ~ N(0,1), w_i ~ N(0,1)/√n, y ~ N(0,1).
  static QuadraticTask random(std::size_t n, Rng& rng);
  /// The toy task at θ: one unit, w = 1, y = 0.499.
  static QuadraticTask toy(double theta);

  /// ∂E[L]/∂a_i = sigm'(a_i)·[w_i²(1 − 2p_i) + 2w_i(Σ_j w_j p_j − y)].
  arma::vec exact_gradient() const;
  /// E[L] = Σ_i w_i² p_i(1 − p_i) + (Σ_i w_i p_i − y)².
  double expected_loss() const;
  /// The per-unit optimal baselines of Eq. 7: L̄_i = (1 − p_i)·E[L | h_i = 1] + p_i·E[L | h_i = 0].
  arma::vec optimal_baseline() const;
};

/// The part of the sbn task after its first layer: h2 ~ Bern(sigm(W2 h1 + b2)), output
/// logits o = V h2 + c, L = Σ_j softplus(o_j) − t_j o_j. Draws m uniforms per column.
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
  /// b2 ~ N(0, 1/4), V ~ N(0, 4/m), c ~ N(0, 1/4), t ~ Bern(1/2). n + m <= 24.
  static SbnTask random(std::size_t n, std::size_t m, std::size_t d, Rng& rng);
  /// ∂E[L]/∂a = Σ_{h1} P(h1)·E[L | h1]·(h1 − sigm(a)), enumerated over both layers.
  arma::vec exact_gradient() const;
  /// E[L], enumerated.
  double expected_loss() const;
};

/// One line of variance.csv.
struct VarianceRow {
  std::string task, estimator;
  std::size_t units = 0, samples = 0;
  double bias = 0;         ///< (mean estimate − exact)·u, u = exact / ‖exact‖
  double bias_stderr = 0;  ///< standard error of `bias`
  double max_z = 0;        ///< max_i |mean_i − exact_i| / stderr_i
  // Standard errors are floored at 1e-12·‖exact‖ (the resolution of the sums).
  double variance = 0;     ///< per-coordinate variance of one estimate, averaged over coordinates
};

/// Streams estimates (n x B batches, one estimate per column) and summarises them against the
/// exact gradient: mean, per-coordinate variance and standard errors, and the bias projected on
/// the exact gradient's direction.
class EstimateSummary {
public:
  /// Throws InvalidArgument when `exact` is empty, not finite or zero.
  explicit EstimateSummary(arma::vec exact);
  /// Adds the columns of `estimates`.
  void add(const arma::mat& estimates);
  std::size_t count() const { return count_; }
  arma::vec mean() const;
  /// Unbiased per-coordinate sample variance of one estimate.
  arma::vec variance() const;
  /// Fills bias, bias_stderr, max_z, variance and samples of a row (needs >= 2 estimates).
  VarianceRow row(const std::string& task, const std::string& estimator) const;

private:
  arma::vec exact_, unit_;
  std::size_t count_ = 0;
  arma::vec sum_, sum_sq_;  // of (estimate − exact)
  double proj_sum_ = 0, proj_sum_sq_ = 0;
};

/// How the estimators are measured.
struct StudyConfig {
  std::size_t samples = 20000;  ///< estimates per row
  std::size_t batch = 250;      ///< estimates drawn per call
  /// Samples used to train centered-optimal's running averages and learned's regressor before
  /// measuring (0: as many as `samples`). learned is then frozen; centered-optimal keeps
  /// updating (from past samples only).
  std::size_t warmup = 0;
};

/// Estimates of ∂E[L]/∂a at activations `a` by `config` (an estimator with default settings
/// except the constant baseline), summarised against `exact`.
VarianceRow measure_estimator(const std::string& task, const EstimatorConfig& config,
                              const arma::vec& a, const StochasticLoss& loss,
                              const arma::vec& exact, const StudyConfig& study, Rng& rng);

/// Settings of one estimator for the study: cumulative averages; centered-constant uses the
/// exact E[L] as its constant.
EstimatorConfig study_estimator(Estimator e, double expected_loss);

/// Exact quantities of one task instance, for gradients.csv.
struct TaskSignal {
  std::string task;
  std::size_t units = 0;
  double grad_norm = 0;         ///< ‖∂E[L]/∂a‖
  double mean_sq_gradient = 0;  ///< ‖∂E[L]/∂a‖² / n
  double expected_loss = 0;
};

/// Result of a study over sizes: rows of variance.csv and the exact quantities per size.
struct StudyResult {
  std::vector<VarianceRow> rows;
  std::vector<TaskSignal> signals;
};

/// The quadratic task at each size in `sizes` for each estimator. Each instance and each
/// estimator's stream are split from `seed` alone, so a row does not depend on the others run.
StudyResult quadratic_study(const std::vector<std::size_t>& sizes,
                            const std::vector<Estimator>& estimators, const StudyConfig& study,
                            std::uint64_t seed);
/// The sbn task with n = m at each size, d = 8 outputs.
StudyResult sbn_study(const std::vector<std::size_t>& sizes, const std::vector<Estimator>& estimators,
                      const StudyConfig& study, std::uint64_t seed);
/// The toy task at θ = 0 (one row per estimator).
StudyResult toy_study(const std::vector<Estimator>& estimators, const StudyConfig& study,
                      std::uint64_t seed);

/// One line of scaling.csv: an estimator's variance relative to the squared gradient,
/// variance / (‖∂E[L]/∂a‖²/n), over several random instances of a task at one size.
struct ScalingRow {
  std::string task, estimator;
  std::size_t units = 0, instances = 0, samples = 0;
  double median = 0, min = 0, max = 0;  ///< of the relative variance over the instances
};

/// Relative variance of each estimator on `instances` random instances of "quadratic" or "sbn"
/// (n = m, d = 8) at each size, `study.samples` estimates per instance. Instance streams are
/// split from `seed` apart from those of quadratic_study and sbn_study.
std::vector<ScalingRow> scaling_study(const std::string& task, const std::vector<std::size_t>& sizes,
                                      const std::vector<Estimator>& estimators,
                                      std::size_t instances, const StudyConfig& study,
                                      std::uint64_t seed);
/// Writes task,estimator,units,instances,samples,median,min,max and the rows.
void write_scaling_csv(std::ostream& os, const std::vector<ScalingRow>& rows);
/// Log–log plot of the median relative variance against units, one line per estimator.
Plot scaling_plot(const std::vector<ScalingRow>& rows, const std::string& task,
                  const std::string& title);

/// Settings of the toy learning curves: `runs` independent runs of plain SGD θ ← θ − lr·ĝ
/// from θ0, advanced together as the columns of one batch.
struct ToyConfig {
  std::size_t steps = 10000;
  std::size_t runs = 32;
  double learning_rate = 1.0;
  double theta0 = 0.0;
  std::size_t record_every = 100;
  double memory = 1000;  ///< running averages' memory in samples (columns) while θ moves
};

/// One point of a toy learning curve, over the runs.
struct ToyPoint {
  std::string estimator;
  std::size_t step = 0;
  double theta_mean = 0, theta_sd = 0;
  double expected_loss = 0;  ///< E[(b − 0.499)²] at each run's θ, averaged over runs
};

/// Learning curves of θ on the toy task for each estimator.
std::vector<ToyPoint> toy_learning_curves(const std::vector<Estimator>& estimators,
                                          const ToyConfig& config, std::uint64_t seed);

/// Writes the header task,estimator,units,samples,bias,bias_stderr,max_z,variance and the rows.
void write_variance_csv(std::ostream& os, const std::vector<VarianceRow>& rows);
/// Writes task,units,grad_norm,mean_sq_gradient,expected_loss and the rows.
void write_signal_csv(std::ostream& os, const std::vector<TaskSignal>& signals);
/// Writes estimator,step,theta_mean,theta_sd,expected_loss and the points.
void write_toy_csv(std::ostream& os, const std::vector<ToyPoint>& points);

/// Log–log plot of variance against units, one line per estimator, for the rows of `task`.
Plot variance_plot(const std::vector<VarianceRow>& rows, const std::string& task,
                   const std::string& title);
/// Toy learning curves: mean θ against step, one line per estimator.
Plot toy_plot(const std::vector<ToyPoint>& points);

}  // namespace rbmkit
