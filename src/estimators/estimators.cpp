#include "rbmkit/estimators/estimators.hpp"

#include <cmath>
#include <string>

#include "rbmkit/core/error.hpp"
#include "rbmkit/core/math.hpp"

namespace rbmkit {

namespace {

/// What the estimator table of estimators.hpp says about each estimator.
struct Traits {
  Estimator e;
  bool unbiased;
  std::size_t evaluations;  ///< loss evaluations per estimate
};

const Traits kTraits[] = {
    {Estimator::reinforce, true, 1},
    {Estimator::centered_optimal, true, 1},
    {Estimator::centered_constant, true, 1},
    {Estimator::straight_through, false, 1},
    {Estimator::straight_through_scaled, false, 1},
    {Estimator::learned, false, 1},
    {Estimator::reinforce_loo, true, 2},
    {Estimator::arm, true, 2},
};

/// The traits of `e`; InvalidArgument naming `who` for a value outside the enum.
const Traits& traits(Estimator e, const std::string& who) {
  for (const Traits& t : kTraits)
    if (t.e == e) return t;
  throw InvalidArgument(who + ": not a valid Estimator value");
}

arma::mat uniforms(std::size_t rows, std::size_t cols, Rng& rng) {
  arma::mat z(rows, cols);
  for (double& v : z) v = rng.uniform();
  return z;
}

/// Solves (A + λI) θ = c + λ θ0 for a small symmetric positive definite A by Cholesky
/// (d <= 4). Returns false when a pivot is not positive.
bool ridge_solve(const double* A, const double* c, const double* theta0, double lambda,
                 std::size_t d, double* theta) {
  double L[16] = {0}, rhs[4], y[4];
  for (std::size_t i = 0; i < d; ++i) rhs[i] = c[i] + lambda * theta0[i];
  for (std::size_t j = 0; j < d; ++j) {
    double s = A[j * d + j] + lambda;
    for (std::size_t k = 0; k < j; ++k) s -= L[j * d + k] * L[j * d + k];
    if (!(s > 0)) return false;
    L[j * d + j] = std::sqrt(s);
    for (std::size_t i = j + 1; i < d; ++i) {
      double t = A[i * d + j];
      for (std::size_t k = 0; k < j; ++k) t -= L[i * d + k] * L[j * d + k];
      L[i * d + j] = t / L[j * d + j];
    }
  }
  for (std::size_t i = 0; i < d; ++i) {
    double s = rhs[i];
    for (std::size_t k = 0; k < i; ++k) s -= L[i * d + k] * y[k];
    y[i] = s / L[i * d + i];
  }
  for (std::size_t i = d; i-- > 0;) {
    double s = y[i];
    for (std::size_t k = i + 1; k < d; ++k) s -= L[k * d + i] * theta[k];
    theta[i] = s / L[i * d + i];
  }
  return true;
}

}  // namespace

const std::vector<Estimator>& all_estimators() {
  static const std::vector<Estimator> all = [] {
    std::vector<Estimator> v;
    for (const auto& entry : EnumNames<Estimator>::names) v.push_back(entry.first);
    return v;
  }();
  return all;
}

bool is_unbiased(Estimator e) { return traits(e, "is_unbiased").unbiased; }
std::size_t loss_evaluations(Estimator e) { return traits(e, "loss_evaluations").evaluations; }

arma::mat sigmoid_derivative(const arma::mat& a) {
  const arma::mat p = sigmoid(a);
  return p % (1.0 - p);
}

arma::mat threshold_units(const arma::mat& a, const arma::mat& z) {
  if (a.n_rows != z.n_rows || a.n_cols != z.n_cols)
    throw DimensionError("threshold_units: activations are " + std::to_string(a.n_rows) + " x " +
                         std::to_string(a.n_cols) + ", uniforms " + std::to_string(z.n_rows) +
                         " x " + std::to_string(z.n_cols));
  arma::mat h(a.n_rows, a.n_cols);
  for (arma::uword k = 0; k < a.n_elem; ++k) h[k] = z[k] < sigmoid(a[k]) ? 1.0 : 0.0;
  return h;
}

arma::mat sample_binary(const arma::mat& a, Rng& rng) {
  return threshold_units(a, uniforms(a.n_rows, a.n_cols, rng));
}

// ---- GradientEstimator --------------------------------------------------------

GradientEstimator::GradientEstimator(std::size_t n_units, const EstimatorConfig& config)
    : n_(n_units), config_(config) {
  traits(config.kind, "EstimatorConfig::kind");
  if (n_units == 0) throw InvalidArgument("GradientEstimator: the layer needs at least one unit");
  if (!std::isfinite(config.constant_baseline))
    throw InvalidArgument("EstimatorConfig::constant_baseline: must be finite");
  if (!(config.memory == 0 || (config.memory >= 1 && std::isfinite(config.memory))))
    throw InvalidArgument("EstimatorConfig::memory: must be 0 (cumulative) or at least 1, got " +
                          std::to_string(config.memory));
  if (!(config.ridge > 0 && std::isfinite(config.ridge)))
    throw InvalidArgument("EstimatorConfig::ridge: must be positive and finite");
  num_.zeros(n_);
  den_.zeros(n_);
  if (config.kind == Estimator::learned) {
    const std::size_t d = n_features();
    xx_.zeros(d, d, n_);
    xy_.zeros(d, n_);
    theta_.zeros(d, n_);
    theta_.row(1).ones();  // identity on the straight-through estimate
  }
}

void GradientEstimator::set_constant_baseline(double c) {
  if (!std::isfinite(c))
    throw InvalidArgument("GradientEstimator::set_constant_baseline: c must be finite");
  config_.constant_baseline = c;
}

arma::vec GradientEstimator::optimal_baseline() const {
  arma::vec b(n_, arma::fill::zeros);
  for (std::size_t i = 0; i < n_; ++i)
    if (den_[i] > 0) b[i] = num_[i] / den_[i];
  return b;
}

arma::mat GradientEstimator::learned_coefficients() const {
  if (config_.kind != Estimator::learned)
    throw InvalidArgument("GradientEstimator::learned_coefficients: the estimator is " +
                          to_string(config_.kind) + ", not learned");
  refit();
  return theta_;
}

arma::mat GradientEstimator::baseline_estimate(const arma::mat& p, const arma::mat& h,
                                               const arma::rowvec& L) const {
  const arma::vec b = optimal_baseline();
  arma::mat g(h.n_rows, h.n_cols);
  for (arma::uword k = 0; k < h.n_cols; ++k)
    for (arma::uword i = 0; i < h.n_rows; ++i) g(i, k) = (h(i, k) - p(i, k)) * (L[k] - b[i]);
  return g;
}

void GradientEstimator::absorb_baseline(const arma::mat& p, const arma::mat& h,
                                        const arma::rowvec& L) {
  if (config_.memory > 0) {
    const double decay = std::pow(1.0 - 1.0 / config_.memory, double(h.n_cols));
    num_ *= decay;
    den_ *= decay;
  }
  for (arma::uword k = 0; k < h.n_cols; ++k)
    for (arma::uword i = 0; i < h.n_rows; ++i) {
      const double e = h(i, k) - p(i, k), e2 = e * e;
      num_[i] += e2 * L[k];
      den_[i] += e2;
    }
}

void GradientEstimator::features(const arma::mat& st, const arma::mat& d, std::size_t i,
                                 std::size_t k, double* x) const {
  x[0] = 1.0;
  x[1] = st(i, k);
  if (config_.low_noise_inputs) {
    x[2] = d(i, k);
    x[3] = d(i, k) * st(i, k);
  }
}

void GradientEstimator::refit() const {
  if (!stale_) return;
  const std::size_t d = n_features();
  double theta0[4] = {0, 1, 0, 0};
  for (std::size_t i = 0; i < n_; ++i) {
    const double* A = xx_.slice(i).memptr();
    double trace = 0;
    for (std::size_t j = 0; j < d; ++j) trace += A[j * d + j];
    const double lambda = config_.ridge * trace / double(d) + 1e-300;
    double theta[4];
    if (ridge_solve(A, xy_.colptr(i), theta0, lambda, d, theta))
      for (std::size_t j = 0; j < d; ++j) theta_(j, i) = theta[j];
  }
  stale_ = false;
}

arma::mat GradientEstimator::estimate(const arma::mat& a, const StochasticLoss& loss, Rng& rng) {
  if (a.n_rows != n_)
    throw DimensionError("GradientEstimator::estimate: activations have " +
                         std::to_string(a.n_rows) + " rows, the layer has " + std::to_string(n_) +
                         " units");
  if (loss.n_units() != n_)
    throw DimensionError("GradientEstimator::estimate: the loss reads " +
                         std::to_string(loss.n_units()) + " units, the layer has " +
                         std::to_string(n_));
  if (a.n_cols == 0) throw InvalidArgument("GradientEstimator::estimate: no columns");
  if (!a.is_finite()) throw InvalidArgument("GradientEstimator::estimate: activations not finite");
  const std::size_t B = a.n_cols;
  const arma::mat p = sigmoid(a);
  auto check_loss = [&](const arma::rowvec& L) {
    if (L.n_elem != B)
      throw DimensionError("GradientEstimator::estimate: the loss returned " +
                           std::to_string(L.n_elem) + " values for " + std::to_string(B) +
                           " columns");
  };
  auto check_grad = [&](const arma::mat& g) {
    if (g.n_rows != n_ || g.n_cols != B)
      throw DimensionError("GradientEstimator::estimate: the loss gradient is " +
                           std::to_string(g.n_rows) + " x " + std::to_string(g.n_cols) +
                           ", expected " + std::to_string(n_) + " x " + std::to_string(B));
  };
  arma::mat g;
  switch (config_.kind) {
    case Estimator::reinforce:
    case Estimator::centered_constant:
    case Estimator::centered_optimal: {
      last_h_ = sample_binary(a, rng);
      last_loss_ = loss.loss(last_h_, rng);
      check_loss(last_loss_);
      if (config_.kind == Estimator::centered_optimal) {
        g = baseline_estimate(p, last_h_, last_loss_);
        if (learning_) absorb_baseline(p, last_h_, last_loss_);
      } else {
        const double c = config_.kind == Estimator::reinforce ? 0.0 : config_.constant_baseline;
        g = (last_h_ - p).eval().each_row() % (last_loss_ - c);
      }
      break;
    }
    case Estimator::straight_through:
    case Estimator::straight_through_scaled: {
      const bool scaled = config_.kind == Estimator::straight_through_scaled;
      last_h_ = sample_binary(a, rng);
      last_loss_ = loss.loss_and_gradient(last_h_, scaled, g, rng);
      check_loss(last_loss_);
      check_grad(g);
      if (scaled) g %= p % (1.0 - p);
      break;
    }
    case Estimator::learned: {
      last_h_ = sample_binary(a, rng);
      arma::mat st;
      last_loss_ = loss.loss_and_gradient(last_h_, false, st, rng);
      check_loss(last_loss_);
      check_grad(st);
      const arma::mat target = baseline_estimate(p, last_h_, last_loss_);
      const arma::mat dsig = p % (1.0 - p);
      refit();
      const std::size_t d = n_features();
      g.set_size(n_, B);
      double x[4];
      for (std::size_t k = 0; k < B; ++k)
        for (std::size_t i = 0; i < n_; ++i) {
          features(st, dsig, i, k, x);
          double s = 0;
          for (std::size_t j = 0; j < d; ++j) s += theta_(j, i) * x[j];
          g(i, k) = s;
        }
      if (learning_) {
        absorb_baseline(p, last_h_, last_loss_);
        if (config_.memory > 0) {
          const double decay = std::pow(1.0 - 1.0 / config_.memory, double(B));
          xx_ *= decay;
          xy_ *= decay;
        }
        for (std::size_t i = 0; i < n_; ++i) {
          double* A = xx_.slice(i).memptr();
          double* c = xy_.colptr(i);
          for (std::size_t k = 0; k < B; ++k) {
            features(st, dsig, i, k, x);
            const double y = target(i, k);
            for (std::size_t r = 0; r < d; ++r) {
              c[r] += x[r] * y;
              for (std::size_t q = 0; q < d; ++q) A[r * d + q] += x[r] * x[q];
            }
          }
        }
        stale_ = true;
      }
      break;
    }
    case Estimator::reinforce_loo: {
      const arma::mat h1 = sample_binary(a, rng);
      const arma::mat h2 = sample_binary(a, rng);
      const arma::rowvec L1 = loss.loss(h1, rng);
      const arma::rowvec L2 = loss.loss(h2, rng);
      check_loss(L1);
      check_loss(L2);
      g = (h1 - h2).eval().each_row() % (0.5 * (L1 - L2));
      last_h_ = h1;
      last_loss_ = 0.5 * (L1 + L2);
      break;
    }
    case Estimator::arm: {
      const arma::mat u = uniforms(n_, B, rng);
      const arma::mat b1 = threshold_units(a, 1.0 - u);  // 1[u > sigm(−a)]
      const arma::mat b2 = threshold_units(a, u);        // 1[u < sigm(a)]
      Rng later = rng;                                    // common later noise for both states
      const arma::rowvec L1 = loss.loss(b1, rng);
      const arma::rowvec L2 = loss.loss(b2, later);
      check_loss(L1);
      check_loss(L2);
      g = (u - 0.5).eval().each_row() % (L1 - L2);
      last_h_ = b2;
      last_loss_ = 0.5 * (L1 + L2);
      break;
    }
  }
  seen_ += learning_ ? B : 0;
  return g;
}

}  // namespace rbmkit
