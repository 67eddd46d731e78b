#pragma once
/// The variance study of the gradient estimators (estimators.hpp) on the tasks of
/// estimator_tasks.hpp: bias and variance of each estimator against the exact gradient, their
/// scaling with the number of units, and the toy learning curves (Bengio 2013, §3 and §5).
/// The CSV files and plots of the results are in estimator_report.hpp.
#include <armadillo>
#include <cstdint>
#include <string>
#include <vector>

#include "rbmkit/core/random.hpp"
#include "rbmkit/estimators/estimators.hpp"
#include "rbmkit/studies/estimator_tasks.hpp"

namespace rbmkit {

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

/// Streams estimates (n × B batches, one estimate per column) and summarises them against the
/// exact gradient: mean, per-coordinate variance and standard errors, and the bias projected on
/// the exact gradient's direction.
class EstimateSummary {
public:
  /// Throws InvalidArgument when `exact` is empty, not finite or zero.
  explicit EstimateSummary(arma::vec exact);
  /// Adds the columns of `estimates` (n rows; DimensionError otherwise).
  void add(const arma::mat& estimates);
  std::size_t count() const { return count_; }
  arma::vec mean() const;
  /// Unbiased per-coordinate sample variance of one estimate.
  arma::vec variance() const;
  /// Fills bias, bias_stderr, max_z, variance and samples of a row (InvalidArgument for fewer
  /// than 2 estimates).
  VarianceRow row(const std::string& task, const std::string& estimator) const;

private:
  arma::vec exact_, unit_;
  std::size_t count_ = 0;
  arma::vec sum_, sum_sq_;  // of (estimate − exact)
  double proj_sum_ = 0, proj_sum_sq_ = 0;
};

/// How the estimators are measured.
struct StudyConfig {
  std::size_t samples = 20000;  ///< estimates per row (at least 2)
  std::size_t batch = 250;      ///< estimates drawn per call (at least 1)
  /// Samples used to train centered-optimal's running averages and learned's regressor before
  /// measuring (0: as many as `samples`). learned is then frozen; centered-optimal keeps
  /// updating (from past samples only).
  std::size_t warmup = 0;
};

/// Estimates of ∂E[L]/∂a at activations `a` (n entries) by `config`, summarised against `exact`
/// (n entries). Throws InvalidArgument naming the StudyConfig field for too few samples or a
/// zero batch, DimensionError when `a` and `exact` differ in length.
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
/// The sbn task with n = m at each size (1 to 12; InvalidArgument otherwise), d = 8 outputs.
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
/// split from `seed` apart from those of quadratic_study and sbn_study. Throws InvalidArgument
/// for another task, no instances or an sbn size outside 1 to 12.
std::vector<ScalingRow> scaling_study(const std::string& task, const std::vector<std::size_t>& sizes,
                                      const std::vector<Estimator>& estimators,
                                      std::size_t instances, const StudyConfig& study,
                                      std::uint64_t seed);

/// Settings of the toy learning curves: `runs` independent runs of plain SGD θ ← θ − lr·ĝ
/// from θ0, advanced together as the columns of one batch.
struct ToyConfig {
  std::size_t steps = 10000;        ///< SGD steps (at least 1)
  std::size_t runs = 32;            ///< independent runs (at least 1)
  double learning_rate = 1.0;       ///< lr, positive
  double theta0 = 0.0;              ///< starting θ, finite
  std::size_t record_every = 100;   ///< steps per point of a curve (at least 1)
  double memory = 1000;  ///< running averages' memory in samples (columns) while θ moves
};

/// One point of a toy learning curve, over the runs.
struct ToyPoint {
  std::string estimator;
  std::size_t step = 0;
  double theta_mean = 0, theta_sd = 0;
  double expected_loss = 0;  ///< E[(b − 0.499)²] at each run's θ, averaged over runs
};

/// Learning curves of θ on the toy task for each estimator. Throws InvalidArgument naming the
/// ToyConfig field that is out of range.
std::vector<ToyPoint> toy_learning_curves(const std::vector<Estimator>& estimators,
                                          const ToyConfig& config, std::uint64_t seed);

}  // namespace rbmkit
