// Exact enumeration for RBMs: log Z over the smaller layer, and everything about a tiny RBM.
#include <algorithm>
#include <cmath>
#include <vector>

#include "evaluation/exact_detail.hpp"
#include "kernels/kernels.hpp"
#include "rbmkit/core/error.hpp"
#include "rbmkit/core/math.hpp"
#include "rbmkit/evaluation/exact.hpp"

namespace rbmkit {

using detail::round_up;

template <class T>
double exact_log_partition(const Rbm<T>& rbm, std::size_t max_units) {
  if (rbm.visible_units() == UnitType::gaussian) return detail::gaussian_log_partition(rbm, max_units);
  const std::size_t nv = rbm.n_visible(), nh = rbm.n_hidden();
  if (nv == 0 || nh == 0) throw InvalidArgument("exact_log_partition: the model has no units");
  const bool enum_hidden = nh <= nv;
  const std::size_t m = enum_hidden ? nh : nv;  // enumerated units
  const std::size_t n = enum_hidden ? nv : nh;  // summed out analytically
  if (m > max_units)
    throw InvalidArgument("exact_log_partition: the smaller layer has " + std::to_string(m) +
                          " units, more than the " + std::to_string(max_units) +
                          " exact enumeration allows (use AIS)");
  // Columns of Wd are the weights of the enumerated units; `other` the biases summed out.
  const arma::mat W = arma::conv_to<arma::mat>::from(rbm.W());
  const arma::mat Wd = enum_hidden ? W : arma::mat(W.t());
  const arma::vec enum_bias = arma::conv_to<arma::vec>::from(enum_hidden ? rbm.c() : rbm.b());
  const arma::vec other = arma::conv_to<arma::vec>::from(enum_hidden ? rbm.b() : rbm.c());
  if (!Wd.is_finite() || !enum_bias.is_finite() || !other.is_finite())
    throw InvalidArgument("exact_log_partition: the model has non-finite parameters");
  const std::size_t np = round_up(n, detail::lanes);

  // |x_i| ≤ bound_i for every state, x = other + Wd·s: decides whether exp(x) is safe.
  const arma::vec bound = arma::abs(other) + arma::sum(arma::abs(Wd), 1);
  const double bmax = bound.max();
  const bool product_path = bmax < 600;
  // Product path: E = exp(x), updated by factors exp(±W_j); Σ log(1 + E) as one product.
  arma::mat up, down;
  std::size_t renorm = 1;
  if (product_path) {
    up.ones(np, m);
    down.ones(np, m);
    up.rows(0, n - 1) = arma::exp(Wd);
    down.rows(0, n - 1) = arma::exp(-Wd);
    renorm = std::max<std::size_t>(1, std::size_t(690.0 / (bmax + 1.0)));
  }
  const arma::vec ones_col(np, arma::fill::ones);

  auto block = [&](std::uint64_t first, std::size_t count, double* out) {
    // State of integer t in Gray-code order: g(t) = t ^ (t >> 1).
    const std::uint64_t g0 = first ^ (first >> 1);
    std::vector<double> x(np, detail::softplus_zero_pad);
    for (std::size_t i = 0; i < n; ++i) x[i] = other[i];
    double lin = 0;
    for (std::size_t j = 0; j < m; ++j)
      if ((g0 >> j) & 1) {
        lin += enum_bias[j];
        const double* col = Wd.colptr(j);
        for (std::size_t i = 0; i < n; ++i) x[i] += col[i];
      }
    if (product_path) {
      std::vector<double> E(np, 0.0);
      for (std::size_t i = 0; i < n; ++i) E[i] = std::exp(x[i]);
      for (std::size_t t = 0; t < count; ++t) {
        const double* R = ones_col.memptr();
        double dlin = 0;
        if (t + 1 < count) {
          const detail::GrayStep g = detail::gray_step(first + t + 1);
          R = g.set ? up.colptr(g.bit) : down.colptr(g.bit);
          dlin = g.set ? enum_bias[g.bit] : -enum_bias[g.bit];
        }
        out[t] = lin + detail::log_prod_1p_scale(E.data(), R, np, renorm);
        lin += dlin;
      }
    } else {
      for (std::size_t t = 0; t < count; ++t) {
        out[t] = lin + detail::sum_softplus(x.data(), np);
        if (t + 1 == count) break;
        const detail::GrayStep g = detail::gray_step(first + t + 1);
        const double sign = g.set ? 1.0 : -1.0;
        const double* col = Wd.colptr(g.bit);
        for (std::size_t i = 0; i < n; ++i) x[i] += sign * col[i];
        lin += sign * enum_bias[g.bit];
      }
    }
  };
  return log_sum_exp_enumerated(m, block);
}

ExactQuantities exact_rbm(const Rbm<double>& rbm, const arma::mat& data, bool with_centered) {
  const std::size_t nv = rbm.n_visible(), nh = rbm.n_hidden();
  if (nv > 16)
    throw InvalidArgument("exact_rbm: enumeration needs at most 16 visible units, got " +
                          std::to_string(nv));
  const arma::vec p_data = detail::checked_data_distribution(data, nv, "exact_rbm");
  const arma::mat V = binary_states(nv);
  const arma::vec neg_f = -rbm.free_energy(V);  // unnormalised log P(v) of every v
  ExactQuantities e;
  e.log_z = log_sum_exp(neg_f);
  e.p_visible = arma::exp(neg_f - e.log_z);
  e.mean_log_likelihood = detail::mean_log_likelihood(p_data, e.p_visible);
  // Σ_v (p_data(v) − P(v)) (v, E[h | v], v E[h | v]ᵀ): the clamped minus the free expectation.
  const arma::rowvec w = (p_data - e.p_visible).t();
  const arma::mat MH = rbm.hidden_mean(V);
  e.ll_gradient = {(V.each_row() % w) * MH.t(), V * w.t(), MH * w.t()};
  if (with_centered && nv + nh <= 20) {
    const ExactQuantities full = exact_bm(to_boltzmann(rbm), data);
    e.has_centered = true;
    e.centered_target = {full.centered_target.dW.submat(0, nv, nv - 1, nv + nh - 1),
                         full.centered_target.db, full.centered_target.dc};
  }
  return e;
}

template double exact_log_partition(const Rbm<float>&, std::size_t);
template double exact_log_partition(const Rbm<double>&, std::size_t);

}  // namespace rbmkit
