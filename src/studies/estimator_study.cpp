#include "rbmkit/studies/estimator_study.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "rbmkit/core/error.hpp"
#include "rbmkit/core/math.hpp"

namespace rbmkit {

// ---- summaries --------------------------------------------------------------

EstimateSummary::EstimateSummary(arma::vec exact) : exact_(std::move(exact)) {
  if (exact_.n_elem == 0) throw InvalidArgument("EstimateSummary: empty exact gradient");
  if (!exact_.is_finite()) throw InvalidArgument("EstimateSummary: the exact gradient is not finite");
  const double norm = arma::norm(exact_);
  if (!(norm > 0)) throw InvalidArgument("EstimateSummary: the exact gradient is zero");
  unit_ = exact_ / norm;
  sum_.zeros(exact_.n_elem);
  sum_sq_.zeros(exact_.n_elem);
}

void EstimateSummary::add(const arma::mat& estimates) {
  if (estimates.n_rows != exact_.n_elem)
    throw DimensionError("EstimateSummary::add: estimates have " +
                         std::to_string(estimates.n_rows) + " rows, the gradient " +
                         std::to_string(exact_.n_elem));
  arma::mat D = estimates;
  D.each_col() -= exact_;
  sum_ += arma::sum(D, 1);
  sum_sq_ += arma::sum(D % D, 1);
  const arma::rowvec proj = unit_.t() * D;
  proj_sum_ += arma::accu(proj);
  proj_sum_sq_ += arma::accu(proj % proj);
  count_ += estimates.n_cols;
}

arma::vec EstimateSummary::mean() const { return exact_ + sum_ / double(count_); }

arma::vec EstimateSummary::variance() const {
  const double N = double(count_);
  return arma::clamp((sum_sq_ - sum_ % sum_ / N) / (N - 1), 0.0, arma::datum::inf);
}

VarianceRow EstimateSummary::row(const std::string& task, const std::string& estimator) const {
  if (count_ < 2) throw InvalidArgument("EstimateSummary::row: needs at least two estimates");
  const double N = double(count_);
  VarianceRow r;
  r.task = task;
  r.estimator = estimator;
  r.units = exact_.n_elem;
  r.samples = count_;
  // Standard errors are floored at the resolution of double sums, so that an estimator with
  // (near) zero variance is not flagged for its rounding errors.
  const double floor = 1e-12 * arma::norm(exact_);
  r.bias = proj_sum_ / N;
  const double pvar = std::max(0.0, (proj_sum_sq_ - proj_sum_ * proj_sum_ / N) / (N - 1));
  r.bias_stderr = std::max(std::sqrt(pvar / N), floor);
  const arma::vec var = variance();
  r.variance = arma::mean(var);
  double max_z = 0;
  for (arma::uword i = 0; i < var.n_elem; ++i) {
    const double diff = std::abs(sum_[i] / N);
    const double se = std::max(std::sqrt(var[i] / N), floor);
    max_z = std::max(max_z, diff / se);
  }
  r.max_z = max_z;
  return r;
}

// ---- measurements -----------------------------------------------------------

EstimatorConfig study_estimator(Estimator e, double expected_loss) {
  EstimatorConfig c;
  c.kind = e;
  c.constant_baseline = expected_loss;
  c.memory = 0;
  return c;
}

VarianceRow measure_estimator(const std::string& task, const EstimatorConfig& config,
                              const arma::vec& a, const StochasticLoss& loss,
                              const arma::vec& exact, const StudyConfig& study, Rng& rng) {
  if (study.samples < 2)
    throw InvalidArgument("StudyConfig::samples: must be at least 2, got " +
                          std::to_string(study.samples));
  if (study.batch == 0) throw InvalidArgument("StudyConfig::batch: must be at least 1, got 0");
  if (a.n_elem != exact.n_elem)
    throw DimensionError("measure_estimator: " + std::to_string(a.n_elem) + " activations, " +
                         std::to_string(exact.n_elem) + " gradient coordinates");
  GradientEstimator est(a.n_elem, config);
  const arma::mat A = arma::repmat(a, 1, std::min(study.batch, study.samples));
  auto run = [&](std::size_t total, EstimateSummary* summary) {
    for (std::size_t done = 0; done < total;) {
      const std::size_t b = std::min<std::size_t>(A.n_cols, total - done);
      const arma::mat g = est.estimate(b == A.n_cols ? A : A.head_cols(b), loss, rng);
      if (summary) summary->add(g);
      done += b;
    }
  };
  if (config.kind == Estimator::centered_optimal || config.kind == Estimator::learned) {
    run(study.warmup ? study.warmup : study.samples, nullptr);
    if (config.kind == Estimator::learned) est.set_learning(false);
  }
  EstimateSummary summary(exact);
  run(study.samples, &summary);
  return summary.row(task, to_string(config.kind));
}

namespace {

constexpr std::uint64_t kQuadraticStream = 1, kToyStream = 2, kSbnStream = 3, kCurveStream = 4;

std::uint64_t estimator_stream(std::size_t units, std::size_t j) {
  return (std::uint64_t(1) << 40) + (std::uint64_t(units) << 8) + j;
}

/// The sbn task enumerates 2^(2n) states: sizes 1 to 12.
void check_sbn_size(std::size_t n, const char* who) {
  if (n == 0 || n > 12)
    throw InvalidArgument(std::string(who) + ": sbn sizes must be in 1..12, got " +
                          std::to_string(n));
}

template <class Task>
void study_instance(const std::string& name, const Task& task, std::size_t units,
                    const std::vector<Estimator>& estimators, const StudyConfig& study,
                    const Rng& stream, StudyResult& out) {
  const arma::vec exact = task.exact_gradient();
  const double el = task.expected_loss();
  out.signals.push_back({name, units, arma::norm(exact),
                         arma::dot(exact, exact) / double(exact.n_elem), el});
  for (std::size_t j = 0; j < estimators.size(); ++j) {
    Rng rng = stream.split(estimator_stream(units, std::size_t(estimators[j])));
    out.rows.push_back(measure_estimator(name, study_estimator(estimators[j], el), task.a,
                                         task.loss, exact, study, rng));
  }
}

}  // namespace

StudyResult quadratic_study(const std::vector<std::size_t>& sizes,
                            const std::vector<Estimator>& estimators, const StudyConfig& study,
                            std::uint64_t seed) {
  const Rng stream = Rng(seed).split(kQuadraticStream);
  StudyResult out;
  for (std::size_t n : sizes) {
    Rng inst = stream.split(n);
    const QuadraticTask task = QuadraticTask::random(n, inst);
    study_instance("quadratic", task, n, estimators, study, stream, out);
  }
  return out;
}

StudyResult sbn_study(const std::vector<std::size_t>& sizes, const std::vector<Estimator>& estimators,
                      const StudyConfig& study, std::uint64_t seed) {
  const Rng stream = Rng(seed).split(kSbnStream);
  StudyResult out;
  for (std::size_t n : sizes) {
    check_sbn_size(n, "sbn_study");
    Rng inst = stream.split(n);
    const SbnTask task = SbnTask::random(n, n, 8, inst);
    study_instance("sbn", task, n, estimators, study, stream, out);
  }
  return out;
}

StudyResult toy_study(const std::vector<Estimator>& estimators, const StudyConfig& study,
                      std::uint64_t seed) {
  const Rng stream = Rng(seed).split(kToyStream);
  StudyResult out;
  study_instance("toy", QuadraticTask::toy(0.0), 1, estimators, study, stream, out);
  return out;
}

std::vector<ScalingRow> scaling_study(const std::string& task, const std::vector<std::size_t>& sizes,
                                      const std::vector<Estimator>& estimators,
                                      std::size_t instances, const StudyConfig& study,
                                      std::uint64_t seed) {
  if (task != "quadratic" && task != "sbn")
    throw InvalidArgument("scaling_study: unknown task '" + task + "' (quadratic, sbn)");
  if (instances == 0) throw InvalidArgument("scaling_study: needs at least one instance");
  const Rng stream = Rng(seed).split(task == "quadratic" ? kQuadraticStream : kSbnStream);
  std::vector<ScalingRow> out;
  for (std::size_t n : sizes) {
    if (task == "sbn") check_sbn_size(n, "scaling_study");
    std::vector<std::vector<double>> rel(estimators.size());
    for (std::size_t k = 0; k < instances; ++k) {
      const std::uint64_t id = (std::uint64_t(1) << 48) + (std::uint64_t(k) << 16) + n;
      Rng inst = stream.split(id);
      StudyResult r;
      if (task == "quadratic")
        study_instance(task, QuadraticTask::random(n, inst), n, estimators, study,
                       stream.split(id + (std::uint64_t(1) << 60)), r);
      else
        study_instance(task, SbnTask::random(n, n, 8, inst), n, estimators, study,
                       stream.split(id + (std::uint64_t(1) << 60)), r);
      for (std::size_t j = 0; j < estimators.size(); ++j)
        rel[j].push_back(r.rows[j].variance / r.signals[0].mean_sq_gradient);
    }
    for (std::size_t j = 0; j < estimators.size(); ++j) {
      std::vector<double>& v = rel[j];
      std::sort(v.begin(), v.end());
      const std::size_t m = v.size();
      ScalingRow row;
      row.task = task;
      row.estimator = to_string(estimators[j]);
      row.units = n;
      row.instances = m;
      row.samples = study.samples;
      row.median = m % 2 ? v[m / 2] : 0.5 * (v[m / 2 - 1] + v[m / 2]);
      row.min = v.front();
      row.max = v.back();
      out.push_back(row);
    }
  }
  return out;
}

std::vector<ToyPoint> toy_learning_curves(const std::vector<Estimator>& estimators,
                                          const ToyConfig& config, std::uint64_t seed) {
  if (config.steps == 0) throw InvalidArgument("ToyConfig::steps: must be at least 1, got 0");
  if (config.runs == 0) throw InvalidArgument("ToyConfig::runs: must be at least 1, got 0");
  if (config.record_every == 0)
    throw InvalidArgument("ToyConfig::record_every: must be at least 1, got 0");
  if (!(config.learning_rate > 0) || !std::isfinite(config.learning_rate))
    throw InvalidArgument("ToyConfig::learning_rate: must be positive and finite, got " +
                          std::to_string(config.learning_rate));
  if (!std::isfinite(config.theta0)) throw InvalidArgument("ToyConfig::theta0: must be finite");
  const Rng stream = Rng(seed).split(kCurveStream);
  const QuadraticTask start = QuadraticTask::toy(config.theta0);
  std::vector<ToyPoint> points;
  for (Estimator e : estimators) {
    Rng rng = stream.split(std::size_t(e));
    EstimatorConfig ec = study_estimator(e, start.expected_loss());
    ec.memory = config.memory;
    GradientEstimator est(1, ec);
    arma::mat theta(1, config.runs, arma::fill::value(config.theta0));
    auto record = [&](std::size_t step) {
      ToyPoint pt;
      pt.estimator = to_string(e);
      pt.step = step;
      pt.theta_mean = arma::mean(theta.row(0));
      pt.theta_sd = config.runs > 1 ? arma::stddev(theta.row(0)) : 0.0;
      const arma::rowvec p = sigmoid(theta);
      pt.expected_loss = arma::mean(0.499 * 0.499 + p * (0.501 * 0.501 - 0.499 * 0.499));
      points.push_back(pt);
    };
    for (std::size_t step = 0; step < config.steps; ++step) {
      if (step % config.record_every == 0) record(step);
      theta -= config.learning_rate * est.estimate(theta, start.loss, rng);
    }
    record(config.steps);
  }
  return points;
}

}  // namespace rbmkit
