#include "rbmkit/studies/estimator_tasks.hpp"

#include <cmath>
#include <string>

#include "rbmkit/core/error.hpp"
#include "rbmkit/core/math.hpp"
#include "rbmkit/evaluation/exact.hpp"

namespace rbmkit {

namespace {

void check_finite(const arma::mat& m, const std::string& what) {
  if (!m.is_finite()) throw InvalidArgument(what + ": values must be finite");
}

/// Probabilities of all 2^k binary states (bit j of the index = unit j, the columns of
/// binary_states) under independent Bernoulli(q_j) units.
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
  const arma::vec p = sigmoid(a);
  const double m = arma::dot(w, p) - loss.y();
  return (p % (1 - p)) % (w % w % (1 - 2 * p) + 2 * w * m);
}

double QuadraticTask::expected_loss() const {
  const arma::vec& w = loss.w();
  const arma::vec p = sigmoid(a);
  const double m = arma::dot(w, p) - loss.y();
  return arma::accu(w % w % p % (1 - p)) + m * m;
}

arma::vec QuadraticTask::optimal_baseline() const {
  const arma::vec& w = loss.w();
  const arma::vec p = sigmoid(a);
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
  all_h2_loss_ = output_loss(binary_states(W2_.n_rows)).t();
}

arma::rowvec SbnLoss::output_loss(const arma::mat& h2) const {
  const arma::mat o = V_ * h2;
  arma::rowvec L(h2.n_cols, arma::fill::zeros);
  for (arma::uword k = 0; k < h2.n_cols; ++k)
    for (arma::uword j = 0; j < o.n_rows; ++j) {
      const double oj = o(j, k) + c_[j];
      L[k] += softplus(oj) - t_[j] * oj;
    }
  return L;
}

arma::mat SbnLoss::second_layer_input(const arma::mat& h, const char* who) const {
  if (h.n_rows != W2_.n_cols)
    throw DimensionError(std::string(who) + ": states have " + std::to_string(h.n_rows) +
                         " rows, the first layer has " + std::to_string(W2_.n_cols) + " units");
  arma::mat a2 = W2_ * h;
  a2.each_col() += b2_;
  return a2;
}

arma::rowvec SbnLoss::loss(const arma::mat& h, Rng& rng) const {
  return output_loss(sample_binary(second_layer_input(h, "SbnLoss::loss"), rng));
}

arma::rowvec SbnLoss::loss_and_gradient(const arma::mat& h, bool scaled, arma::mat& grad,
                                        Rng& rng) const {
  const arma::mat a2 = second_layer_input(h, "SbnLoss::loss_and_gradient");
  const arma::mat h2 = sample_binary(a2, rng);
  arma::mat o = V_ * h2;
  o.each_col() += c_;
  arma::mat d_o = sigmoid(o);
  d_o.each_col() -= t_;
  arma::mat d_a2 = V_.t() * d_o;  // ∂L/∂h2, then through the threshold
  if (scaled) d_a2 %= sigmoid_derivative(a2);
  grad = W2_.t() * d_a2;
  return output_loss(h2);
}

double SbnLoss::conditional_expected_loss(const arma::vec& h1) const {
  const arma::vec q = sigmoid(arma::mat(W2_ * h1 + b2_));
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
  const arma::vec p = sigmoid(a);
  const arma::vec P = state_probabilities(p);
  const arma::mat S = binary_states(a.n_elem);
  arma::vec g(a.n_elem, arma::fill::zeros);
  for (std::size_t s = 0; s < P.n_elem; ++s) {
    const arma::vec h1 = S.col(s);
    g += P[s] * loss.conditional_expected_loss(h1) * (h1 - p);
  }
  return g;
}

double SbnTask::expected_loss() const {
  const arma::vec P = state_probabilities(sigmoid(a));
  const arma::mat S = binary_states(a.n_elem);
  double e = 0;
  for (std::size_t s = 0; s < P.n_elem; ++s) e += P[s] * loss.conditional_expected_loss(S.col(s));
  return e;
}

}  // namespace rbmkit
