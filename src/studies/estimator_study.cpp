#include "rbmkit/studies/estimator_study.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>

#include "rbmkit/core/error.hpp"

namespace rbmkit {

namespace {

double softplus1(double x) { return (x > 0 ? x : 0.0) + std::log1p(std::exp(-std::abs(x))); }
arma::mat sigm(const arma::mat& x) { return 1.0 / (1.0 + arma::exp(-x)); }

void check_finite(const arma::mat& m, const std::string& what) {
  if (!m.is_finite()) throw InvalidArgument(what + ": values must be finite");
}

std::string number(double x) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.9g", x);
  return buf;
}

/// Probabilities of all 2^k binary states (bit j of the index = unit j) under independent
/// Bernoulli(q_j) units.
arma::vec state_probabilities(const arma::vec& q) {
  arma::vec P(std::size_t(1) << q.n_elem);
  P[0] = 1.0;
  std::size_t size = 1;
  for (arma::uword j = 0; j < q.n_elem; ++j) {
    for (std::size_t s = 0; s < size; ++s) {
      P[s + size] = P[s] * q[j];
      P[s] *= 1.0 - q[j];
    }
    size <<= 1;
  }
  return P;
}

arma::vec state_vector(std::size_t index, std::size_t k) {
  arma::vec h(k);
  for (std::size_t j = 0; j < k; ++j) h[j] = double((index >> j) & 1u);
  return h;
}

}  // namespace

// ---- quadratic --------------------------------------------------------------

QuadraticLoss::QuadraticLoss(arma::vec w, double y) : w_(std::move(w)), y_(y) {
  if (w_.n_elem == 0) throw InvalidArgument("QuadraticLoss: needs at least one weight");
  check_finite(w_, "QuadraticLoss: w");
  if (!std::isfinite(y)) throw InvalidArgument("QuadraticLoss: y must be finite");
}

arma::rowvec QuadraticLoss::loss(const arma::mat& h, Rng&) const {
  if (h.n_rows != w_.n_elem)
    throw DimensionError("QuadraticLoss::loss: states have " + std::to_string(h.n_rows) +
                         " rows, the loss " + std::to_string(w_.n_elem) + " units");
  const arma::rowvec r = w_.t() * h - y_;
  return r % r;
}

arma::rowvec QuadraticLoss::loss_and_gradient(const arma::mat& h, bool, arma::mat& grad,
                                              Rng& rng) const {
  const arma::rowvec L = loss(h, rng);
  const arma::rowvec r = w_.t() * h - y_;
  grad = 2.0 * w_ * r;
  return L;
}

QuadraticTask QuadraticTask::random(std::size_t n, Rng& rng) {
  if (n == 0) throw InvalidArgument("QuadraticTask::random: needs at least one unit");
  arma::vec a(n), w(n);
  for (double& v : a) v = rng.normal();
  for (double& v : w) v = rng.normal() / std::sqrt(double(n));
  const double y = rng.normal();
  return {a, QuadraticLoss(w, y)};
}

QuadraticTask QuadraticTask::toy(double theta) {
  if (!std::isfinite(theta)) throw InvalidArgument("QuadraticTask::toy: theta must be finite");
  return {arma::vec{theta}, QuadraticLoss(arma::vec{1.0}, 0.499)};
}

arma::vec QuadraticTask::exact_gradient() const {
  const arma::vec& w = loss.w();
  const arma::vec p = sigm(arma::mat(a));
  const double m = arma::dot(w, p) - loss.y();
  return (p % (1 - p)) % (w % w % (1 - 2 * p) + 2 * w * m);
}

double QuadraticTask::expected_loss() const {
  const arma::vec& w = loss.w();
  const arma::vec p = sigm(arma::mat(a));
  const double m = arma::dot(w, p) - loss.y();
  return arma::accu(w % w % p % (1 - p)) + m * m;
}

arma::vec QuadraticTask::optimal_baseline() const {
  const arma::vec& w = loss.w();
  const arma::vec p = sigm(arma::mat(a));
  const double V = arma::accu(w % w % p % (1 - p));
  const double M = arma::dot(w, p) - loss.y();
  arma::vec b(a.n_elem);
  for (arma::uword i = 0; i < a.n_elem; ++i) {
    const double v_rest = V - w[i] * w[i] * p[i] * (1 - p[i]);
    const double m_rest = M - w[i] * p[i];
    const double l1 = v_rest + (m_rest + w[i]) * (m_rest + w[i]);
    const double l0 = v_rest + m_rest * m_rest;
    b[i] = (1 - p[i]) * l1 + p[i] * l0;
  }
  return b;
}

// ---- sbn --------------------------------------------------------------------

SbnLoss::SbnLoss(arma::mat W2, arma::vec b2, arma::mat V, arma::vec c, arma::vec target)
    : W2_(std::move(W2)), V_(std::move(V)), b2_(std::move(b2)), c_(std::move(c)),
      t_(std::move(target)) {
  if (W2_.n_elem == 0 || V_.n_elem == 0) throw InvalidArgument("SbnLoss: empty layers");
  if (b2_.n_elem != W2_.n_rows || V_.n_cols != W2_.n_rows || c_.n_elem != V_.n_rows ||
      t_.n_elem != V_.n_rows)
    throw DimensionError("SbnLoss: W2 " + std::to_string(W2_.n_rows) + " x " +
                         std::to_string(W2_.n_cols) + ", b2 " + std::to_string(b2_.n_elem) +
                         ", V " + std::to_string(V_.n_rows) + " x " + std::to_string(V_.n_cols) +
                         ", c " + std::to_string(c_.n_elem) + ", target " +
                         std::to_string(t_.n_elem) + " do not fit together");
  check_finite(W2_, "SbnLoss: W2");
  check_finite(V_, "SbnLoss: V");
  check_finite(b2_, "SbnLoss: b2");
  check_finite(c_, "SbnLoss: c");
  for (double v : t_)
    if (v != 0 && v != 1) throw InvalidArgument("SbnLoss: the target must be binary");
  if (W2_.n_rows > 20) throw InvalidArgument("SbnLoss: at most 20 second-layer units (enumerated)");
  const std::size_t m = W2_.n_rows, states = std::size_t(1) << m;
  arma::mat all(m, states);
  for (std::size_t s = 0; s < states; ++s) all.col(s) = state_vector(s, m);
  all_h2_loss_ = output_loss(all).t();
}

arma::rowvec SbnLoss::output_loss(const arma::mat& h2) const {
  const arma::mat o = V_ * h2;
  arma::rowvec L(h2.n_cols, arma::fill::zeros);
  for (arma::uword k = 0; k < h2.n_cols; ++k)
    for (arma::uword j = 0; j < o.n_rows; ++j) {
      const double oj = o(j, k) + c_[j];
      L[k] += softplus1(oj) - t_[j] * oj;
    }
  return L;
}

arma::rowvec SbnLoss::loss(const arma::mat& h, Rng& rng) const {
  if (h.n_rows != W2_.n_cols)
    throw DimensionError("SbnLoss::loss: states have " + std::to_string(h.n_rows) +
                         " rows, the first layer has " + std::to_string(W2_.n_cols) + " units");
  arma::mat a2 = W2_ * h;
  a2.each_col() += b2_;
  return output_loss(sample_binary(a2, rng));
}

arma::rowvec SbnLoss::loss_and_gradient(const arma::mat& h, bool scaled, arma::mat& grad,
                                        Rng& rng) const {
  if (h.n_rows != W2_.n_cols)
    throw DimensionError("SbnLoss::loss_and_gradient: states have " + std::to_string(h.n_rows) +
                         " rows, the first layer has " + std::to_string(W2_.n_cols) + " units");
  arma::mat a2 = W2_ * h;
  a2.each_col() += b2_;
  const arma::mat h2 = sample_binary(a2, rng);
  arma::mat o = V_ * h2;
  o.each_col() += c_;
  arma::mat d_o = sigm(o);
  d_o.each_col() -= t_;
  arma::mat d_a2 = V_.t() * d_o;  // ∂L/∂h2, then through the threshold
  if (scaled) d_a2 %= sigmoid_derivative(a2);
  grad = W2_.t() * d_a2;
  return output_loss(h2);
}

double SbnLoss::conditional_expected_loss(const arma::vec& h1) const {
  const arma::vec q = sigm(arma::mat(W2_ * h1 + b2_));
  return arma::dot(state_probabilities(q), all_h2_loss_);
}

SbnTask SbnTask::random(std::size_t n, std::size_t m, std::size_t d, Rng& rng) {
  if (n == 0 || m == 0 || d == 0) throw InvalidArgument("SbnTask::random: empty layer");
  if (n + m > 24) throw InvalidArgument("SbnTask::random: n + m must be at most 24 (enumerated)");
  auto normal = [&](std::size_t r, std::size_t c, double sd) {
    arma::mat x(r, c);
    for (double& v : x) v = sd * rng.normal();
    return x;
  };
  const arma::vec a = normal(n, 1, 1.0);
  const arma::mat W2 = normal(m, n, 2.0 / std::sqrt(double(n)));
  const arma::vec b2 = normal(m, 1, 0.5);
  const arma::mat V = normal(d, m, 2.0 / std::sqrt(double(m)));
  const arma::vec c = normal(d, 1, 0.5);
  arma::vec t(d);
  for (double& v : t) v = rng.uniform() < 0.5 ? 1.0 : 0.0;
  return {a, SbnLoss(W2, b2, V, c, t)};
}

arma::vec SbnTask::exact_gradient() const {
  const std::size_t n = a.n_elem;
  const arma::vec p = sigm(arma::mat(a));
  const arma::vec P = state_probabilities(p);
  arma::vec g(n, arma::fill::zeros);
  for (std::size_t s = 0; s < P.n_elem; ++s) {
    const arma::vec h1 = state_vector(s, n);
    g += P[s] * loss.conditional_expected_loss(h1) * (h1 - p);
  }
  return g;
}

double SbnTask::expected_loss() const {
  const std::size_t n = a.n_elem;
  const arma::vec P = state_probabilities(sigm(arma::mat(a)));
  double e = 0;
  for (std::size_t s = 0; s < P.n_elem; ++s)
    e += P[s] * loss.conditional_expected_loss(state_vector(s, n));
  return e;
}

// ---- summaries --------------------------------------------------------------

EstimateSummary::EstimateSummary(arma::vec exact) : exact_(std::move(exact)) {
  if (exact_.n_elem == 0) throw InvalidArgument("EstimateSummary: empty exact gradient");
  check_finite(exact_, "EstimateSummary: exact gradient");
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
  if (study.samples < 2 || study.batch == 0)
    throw InvalidArgument("measure_estimator: needs at least 2 samples and a positive batch");
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
    if (n == 0 || n > 12) throw InvalidArgument("sbn_study: sizes must be in 1..12, got " + std::to_string(n));
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
    if (task == "sbn" && (n == 0 || n > 12))
      throw InvalidArgument("scaling_study: sbn sizes must be in 1..12, got " + std::to_string(n));
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

void write_scaling_csv(std::ostream& os, const std::vector<ScalingRow>& rows) {
  os << "task,estimator,units,instances,samples,median,min,max\n";
  for (const ScalingRow& r : rows)
    os << r.task << ',' << r.estimator << ',' << r.units << ',' << r.instances << ','
       << r.samples << ',' << number(r.median) << ',' << number(r.min) << ',' << number(r.max)
       << '\n';
}

Plot scaling_plot(const std::vector<ScalingRow>& rows, const std::string& task,
                  const std::string& title) {
  std::vector<VarianceRow> as_rows;
  for (const ScalingRow& r : rows) {
    VarianceRow v;
    v.task = r.task;
    v.estimator = r.estimator;
    v.units = r.units;
    v.variance = r.median;
    as_rows.push_back(v);
  }
  Plot plot = variance_plot(as_rows, task, title);
  plot.y_label = "variance / mean squared gradient (median)";
  return plot;
}

std::vector<ToyPoint> toy_learning_curves(const std::vector<Estimator>& estimators,
                                          const ToyConfig& config, std::uint64_t seed) {
  if (config.steps == 0 || config.runs == 0 || config.record_every == 0)
    throw InvalidArgument("toy_learning_curves: steps, runs and record_every must be positive");
  if (!(config.learning_rate > 0) || !std::isfinite(config.learning_rate) ||
      !std::isfinite(config.theta0))
    throw InvalidArgument("toy_learning_curves: learning rate must be positive, theta0 finite");
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
      const arma::rowvec p = 1.0 / (1.0 + arma::exp(-theta.row(0)));
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

// ---- files and plots --------------------------------------------------------

void write_variance_csv(std::ostream& os, const std::vector<VarianceRow>& rows) {
  os << "task,estimator,units,samples,bias,bias_stderr,max_z,variance\n";
  for (const VarianceRow& r : rows)
    os << r.task << ',' << r.estimator << ',' << r.units << ',' << r.samples << ','
       << number(r.bias) << ',' << number(r.bias_stderr) << ',' << number(r.max_z) << ','
       << number(r.variance) << '\n';
}

void write_signal_csv(std::ostream& os, const std::vector<TaskSignal>& signals) {
  os << "task,units,grad_norm,mean_sq_gradient,expected_loss\n";
  for (const TaskSignal& s : signals)
    os << s.task << ',' << s.units << ',' << number(s.grad_norm) << ','
       << number(s.mean_sq_gradient) << ',' << number(s.expected_loss) << '\n';
}

void write_toy_csv(std::ostream& os, const std::vector<ToyPoint>& points) {
  os << "estimator,step,theta_mean,theta_sd,expected_loss\n";
  for (const ToyPoint& p : points)
    os << p.estimator << ',' << p.step << ',' << number(p.theta_mean) << ','
       << number(p.theta_sd) << ',' << number(p.expected_loss) << '\n';
}

Plot variance_plot(const std::vector<VarianceRow>& rows, const std::string& task,
                   const std::string& title) {
  Plot plot;
  plot.title = title;
  plot.x_label = "units (independent noise sources in the layer)";
  plot.y_label = "variance of one estimate (mean over units)";
  plot.log_x = plot.log_y = true;
  std::map<std::string, std::size_t> index;
  for (const VarianceRow& r : rows) {
    if (r.task != task) continue;
    auto it = index.find(r.estimator);
    if (it == index.end()) {
      it = index.emplace(r.estimator, plot.series.size()).first;
      Series s;
      s.label = r.estimator;
      const Estimator e = parse_estimator(r.estimator);
      s.color = palette(std::size_t(e));
      plot.series.push_back(s);
    }
    plot.series[it->second].x.push_back(double(r.units));
    plot.series[it->second].y.push_back(r.variance);
  }
  return plot;
}

Plot toy_plot(const std::vector<ToyPoint>& points) {
  Plot plot;
  plot.title = "toy E[(b - 0.499)^2]: mean theta over runs (lower is better)";
  plot.x_label = "SGD step";
  plot.y_label = "theta";
  std::map<std::string, std::size_t> index;
  for (const ToyPoint& p : points) {
    auto it = index.find(p.estimator);
    if (it == index.end()) {
      it = index.emplace(p.estimator, plot.series.size()).first;
      Series s;
      s.label = p.estimator;
      s.color = palette(std::size_t(parse_estimator(p.estimator)));
      plot.series.push_back(s);
    }
    plot.series[it->second].x.push_back(double(p.step));
    plot.series[it->second].y.push_back(p.theta_mean);
  }
  return plot;
}

}  // namespace rbmkit
