#include "rbmkit/evaluation/exact.hpp"

#include <algorithm>
#include <cmath>

#include "rbmkit/core/error.hpp"
#include "rbmkit/core/math.hpp"

namespace rbmkit {

namespace detail {

std::size_t visible_index(const double* v, std::size_t nv) {
  std::size_t x = 0;
  for (std::size_t i = 0; i < nv; ++i)
    if (v[i] != 0.0) x |= std::size_t(1) << i;
  return x;
}

arma::vec data_distribution(const arma::mat& data) {
  const std::size_t nv = data.n_rows;
  if (nv == 0 || nv > 16)
    throw InvalidArgument("data_distribution: needs 1 to 16 visible units, got " +
                          std::to_string(nv));
  if (data.n_cols == 0) throw DataError("data_distribution: no examples");
  arma::vec p(std::size_t(1) << nv, arma::fill::zeros);
  for (arma::uword t = 0; t < data.n_cols; ++t) {
    for (arma::uword i = 0; i < nv; ++i)
      if (data(i, t) != 0.0 && data(i, t) != 1.0)
        throw DataError("data_distribution: example " + std::to_string(t) +
                        " is not binary (0/1)");
    p[visible_index(data.colptr(t), nv)] += 1.0;
  }
  return p / double(data.n_cols);
}

namespace {
double mean_ll(const arma::vec& p_data, const arma::vec& p_visible) {
  double ll = 0;
  for (arma::uword x = 0; x < p_data.n_elem; ++x)
    if (p_data[x] > 0) ll += p_data[x] * std::log(p_visible[x]);
  return ll;
}
}  // namespace

Exact exact_bm(const BoltzmannMachine<double>& bm, const arma::mat& data) {
  bm.check("exact_bm");
  const std::size_t nv = bm.n_visible(), n = bm.n_units();
  if (nv > 16 || n > 20)
    throw InvalidArgument("exact_bm: enumeration needs at most 16 visible and 20 units in all, "
                          "got " + std::to_string(nv) + " and " + std::to_string(n));
  if (data.n_rows != nv)
    throw DimensionError("exact_bm: data has " + std::to_string(data.n_rows) +
                         " rows, model has " + std::to_string(nv) + " visible units");
  const arma::vec p_data = data_distribution(data);
  const arma::mat& W = bm.W();
  const arma::vec& b = bm.bias();
  const std::size_t N = std::size_t(1) << n, vmask = (std::size_t(1) << nv) - 1;
  std::vector<double> logw(N);
  std::vector<std::size_t> on;
  on.reserve(n);
  auto active = [&](std::size_t x) {
    on.clear();
    for (std::size_t i = 0; i < n; ++i)
      if (x >> i & 1) on.push_back(i);
  };
  for (std::size_t x = 0; x < N; ++x) {
    active(x);
    double lw = 0;
    for (std::size_t a = 0; a < on.size(); ++a) {
      lw += b[on[a]];
      for (std::size_t c = a + 1; c < on.size(); ++c) lw += W(on[a], on[c]);
    }
    logw[x] = lw;
  }
  Exact e;
  e.log_z = log_sum_exp(logw);
  e.p_visible.zeros(vmask + 1);
  for (std::size_t x = 0; x < N; ++x) e.p_visible[x & vmask] += std::exp(logw[x] - e.log_z);
  e.mean_log_likelihood = mean_ll(p_data, e.p_visible);
  // Σ_s (p̃(s) − p(s)) f(s), p̃(s) = p_data(v) P(h | v): the clamped minus the free expectation.
  arma::vec g_bias(n, arma::fill::zeros), c_bias(n, arma::fill::zeros);
  arma::mat g_W(n, n, arma::fill::zeros), G(n, n, arma::fill::zeros);
  arma::vec a(n);
  for (std::size_t x = 0; x < N; ++x) {
    active(x);
    const double ps = std::exp(logw[x] - e.log_z);
    const std::size_t vi = x & vmask;
    const double pt = p_data[vi] > 0 ? p_data[vi] * ps / e.p_visible[vi] : 0.0;
    const double w = pt - ps;
    for (std::size_t i = 0; i < n; ++i) {
      double ai = b[i];
      for (std::size_t j : on) ai += W(i, j);  // W(i, i) = 0
      a[i] = ai;
    }
    for (std::size_t p : on) {
      g_bias[p] += w;
      for (std::size_t q : on) g_W(p, q) += w;
    }
    for (std::size_t i = 0; i < n; ++i) {
      const double ei = double(x >> i & 1) - sigmoid(a[i]);
      c_bias[i] += w * ei;
      for (std::size_t j : on) G(i, j) += w * ei;  // (s_i − σ_i) s_j
    }
  }
  arma::mat C = G + G.t();
  const arma::mat& M = bm.mask();
  for (arma::uword k = 0; k < M.n_elem; ++k)
    if (M[k] == 0.0) g_W[k] = C[k] = 0.0;
  e.ll_gradient = {g_W, g_bias.head(nv), g_bias.tail(n - nv)};
  e.has_centered = true;
  e.centered_target = {C, c_bias.head(nv), c_bias.tail(n - nv)};
  return e;
}

namespace {
Statistics<double> rbm_block(const Statistics<double>& u, std::size_t nv) {
  const std::size_t n = u.dW.n_rows;
  return {u.dW.submat(0, nv, nv - 1, n - 1), u.db, u.dc};
}
}  // namespace

Exact exact_rbm(const Rbm<double>& rbm, const arma::mat& data, bool with_centered) {
  const std::size_t nv = rbm.n_visible(), nh = rbm.n_hidden();
  if (nv > 16)
    throw InvalidArgument("exact_rbm: enumeration needs at most 16 visible units, got " +
                          std::to_string(nv));
  if (data.n_rows != nv)
    throw DimensionError("exact_rbm: data has " + std::to_string(data.n_rows) +
                         " rows, model has " + std::to_string(nv) + " visible units");
  const arma::vec p_data = data_distribution(data);
  const std::size_t N = std::size_t(1) << nv;
  std::vector<double> logw(N);
  arma::vec v(nv);
  auto set_v = [&](std::size_t x) {
    for (std::size_t i = 0; i < nv; ++i) v[i] = double(x >> i & 1);
  };
  for (std::size_t x = 0; x < N; ++x) {
    set_v(x);
    const arma::vec ah = rbm.W().t() * v + rbm.c();
    double lw = arma::dot(rbm.b(), v);
    for (std::size_t j = 0; j < nh; ++j) lw += softplus(ah[j]);
    logw[x] = lw;  // −F(v)
  }
  Exact e;
  e.log_z = log_sum_exp(logw);
  e.p_visible.set_size(N);
  for (std::size_t x = 0; x < N; ++x) e.p_visible[x] = std::exp(logw[x] - e.log_z);
  e.mean_log_likelihood = mean_ll(p_data, e.p_visible);
  Statistics<double> g{arma::mat(nv, nh, arma::fill::zeros), arma::vec(nv, arma::fill::zeros),
            arma::vec(nh, arma::fill::zeros)};
  for (std::size_t x = 0; x < N; ++x) {
    const double w = p_data[x] - e.p_visible[x];
    set_v(x);
    arma::vec mh = rbm.W().t() * v + rbm.c();
    for (std::size_t j = 0; j < nh; ++j) mh[j] = sigmoid(mh[j]);
    g.db += w * v;
    g.dc += w * mh;
    g.dW += w * v * mh.t();
  }
  e.ll_gradient = g;
  if (with_centered && nv + nh <= 20) {
    const Exact full = exact_bm(to_boltzmann(rbm), data);
    e.has_centered = true;
    e.centered_target = rbm_block(full.centered_target, nv);
  }
  return e;
}

}  // namespace detail

}  // namespace rbmkit
