// Exact enumeration for general Boltzmann machines: log Z over every joint state, free energies
// (closed form or over the hidden states), and everything about a tiny machine.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "evaluation/exact_detail.hpp"
#include "rbmkit/core/error.hpp"
#include "rbmkit/core/math.hpp"
#include "rbmkit/core/parallel.hpp"
#include "rbmkit/evaluation/exact.hpp"

namespace rbmkit {

namespace {

/// ℓ(s) = −E(s) of the states first, …, first + count − 1 of the units `units` (state bit t is
/// unit units[t]; other units fixed by `a0`, `l0`: activations and −E with all of `units` off),
/// visited in Gray-code order of the low bits: out[i] is the state first ^ g(i). `count` is a
/// power of two and `first` a multiple of it. W is the full symmetric matrix.
void gray_block(const arma::mat& W, const std::vector<std::size_t>& units, const arma::vec& a0,
                double l0, std::uint64_t first, std::size_t count, double* out) {
  arma::vec a = a0;
  double l = l0;
  auto flip = [&](std::size_t k, bool on) {
    if (on) {
      l += a[k];  // a_k does not depend on s_k (zero diagonal)
      a += W.col(k);
    } else {
      a -= W.col(k);
      l -= a[k];
    }
  };
  for (std::size_t t = 0; t < units.size(); ++t)
    if (first >> t & 1) flip(units[t], true);
  for (std::size_t i = 0; i < count; ++i) {
    out[i] = l;
    if (i + 1 < count) {
      const detail::GrayStep g = detail::gray_step(i + 1);
      flip(units[g.bit], g.set);
    }
  }
}

/// True when the hidden units of a machine with weights W (n × n) and `nv` visible units have no
/// weights among themselves, so they are independent given v.
template <class M>
bool hidden_units_independent(const M& W, std::size_t nv) {
  return nv == W.n_rows ||
         !arma::any(arma::vectorise(W.submat(nv, nv, W.n_rows - 1, W.n_cols - 1)));
}

/// The machine in double, with what the free energies need to know about it.
struct Prepared {
  arma::mat W;
  arma::vec b;
  std::size_t nv = 0;
  bool closed = false;  ///< no hidden–hidden weights: −F(v) has a closed form

  template <class T>
  explicit Prepared(const BoltzmannMachine<T>& bm)
      : W(arma::conv_to<arma::mat>::from(bm.W())),
        b(arma::conv_to<arma::vec>::from(bm.bias())),
        nv(bm.n_visible()),
        closed(hidden_units_independent(W, nv)) {}
};

/// −F(v) of every column of V for a checked machine (see neg_free_energy).
arma::vec neg_free_energy_of(const Prepared& m, const arma::mat& V) {
  const std::size_t nv = m.nv, n = m.b.n_elem, nh = n - nv;
  arma::vec out(V.n_cols);
  std::vector<std::size_t> hidden(nh);
  for (std::size_t j = 0; j < nh; ++j) hidden[j] = nv + j;
  parallel_for(V.n_cols, [&](std::size_t begin, std::size_t end, int) {
    std::vector<double> terms(m.closed ? 0 : std::size_t(1) << nh);
    arma::vec s(n, arma::fill::zeros);
    for (std::size_t e = begin; e < end; ++e) {
      s.head(nv) = V.col(e);
      const arma::vec a = m.W * s + m.b;  // every unit's activation with the hidden units off
      // −E(v, 0) = b_vᵀv + ½ vᵀW_vv v = ½ vᵀ(b_v + a_v)
      const double l0 = 0.5 * arma::dot(V.col(e), m.b.head(nv) + a.head(nv));
      if (m.closed) {
        double f = l0;
        for (std::size_t j = nv; j < n; ++j) f += softplus(a[j]);
        out[e] = f;
      } else {
        gray_block(m.W, hidden, a, l0, 0, terms.size(), terms.data());
        out[e] = log_sum_exp(terms);
      }
    }
  });
  return out;
}

}  // namespace

template <class T>
double exact_log_partition(const BoltzmannMachine<T>& bm, std::size_t max_units) {
  bm.check("exact_log_partition");
  const std::size_t n = bm.n_units();
  if (n == 0) throw InvalidArgument("exact_log_partition: the machine has no units");
  if (n > max_units || n > 62)
    throw InvalidArgument("exact_log_partition: a Boltzmann machine of " + std::to_string(n) +
                          " units is too large to enumerate (at most " +
                          std::to_string(std::min<std::size_t>(max_units, 62)) + ")");
  const arma::mat W = arma::conv_to<arma::mat>::from(bm.W());
  const arma::vec b = arma::conv_to<arma::vec>::from(bm.bias());
  std::vector<std::size_t> units(n);
  for (std::size_t i = 0; i < n; ++i) units[i] = i;
  return log_sum_exp_enumerated(n, [&](std::uint64_t first, std::size_t count, double* out) {
    gray_block(W, units, b, 0.0, first, count, out);
  });
}

template <class T>
std::string free_energy_obstacle(const BoltzmannMachine<T>& bm, std::size_t max_hidden) {
  const std::size_t nh = bm.n_hidden();
  if (nh <= max_hidden || hidden_units_independent(bm.W(), bm.n_visible())) return "";
  return "the free energy of a Boltzmann machine with " + std::to_string(nh) +
         " hidden units and hidden-hidden weights sums 2^" + std::to_string(nh) +
         " terms per example (enumeration allows at most " + std::to_string(max_hidden) +
         " hidden units)";
}

template <class T>
double free_energy_cost(const BoltzmannMachine<T>& bm) {
  const std::size_t n = bm.n_units(), nh = bm.n_hidden();
  if (hidden_units_independent(bm.W(), bm.n_visible())) return double(n) * double(n);
  return nh > 62 ? std::numeric_limits<double>::infinity() : std::ldexp(double(nh), int(nh));
}

template <class T>
arma::vec neg_free_energy(const BoltzmannMachine<T>& bm, const arma::mat& V,
                          std::size_t max_hidden) {
  bm.check("neg_free_energy");
  const std::size_t nv = bm.n_visible();
  if (V.n_rows != nv)
    throw DimensionError("neg_free_energy: examples have " + std::to_string(V.n_rows) +
                         " dimensions, the machine " + std::to_string(nv) + " visible units");
  const std::string obstacle = free_energy_obstacle(bm, max_hidden);
  if (!obstacle.empty()) throw InvalidArgument("neg_free_energy: " + obstacle);
  return neg_free_energy_of(Prepared(bm), V);
}

ExactQuantities exact_bm(const BoltzmannMachine<double>& bm, const arma::mat& data) {
  bm.check("exact_bm");
  const std::size_t nv = bm.n_visible(), n = bm.n_units();
  if (nv > 16 || n > 20)
    throw InvalidArgument("exact_bm: enumeration needs at most 16 visible and 20 units in all, "
                          "got " + std::to_string(nv) + " and " + std::to_string(n));
  const arma::vec p_data = detail::checked_data_distribution(data, nv, "exact_bm");
  const arma::mat& W = bm.W();
  const arma::vec& b = bm.bias();
  const std::size_t N = std::size_t(1) << n, vmask = (std::size_t(1) << nv) - 1;
  // −E of every joint state: out[i] of the Gray-code walk is state g(i).
  std::vector<double> walk(N), logw(N);
  std::vector<std::size_t> units(n);
  for (std::size_t i = 0; i < n; ++i) units[i] = i;
  gray_block(W, units, b, 0.0, 0, N, walk.data());
  for (std::size_t i = 0; i < N; ++i) logw[i ^ (i >> 1)] = walk[i];
  ExactQuantities e;
  e.log_z = log_sum_exp(logw);
  e.p_visible.zeros(vmask + 1);
  for (std::size_t x = 0; x < N; ++x) e.p_visible[x & vmask] += std::exp(logw[x] - e.log_z);
  e.mean_log_likelihood = detail::mean_log_likelihood(p_data, e.p_visible);
  // Σ_s (p̃(s) − p(s)) f(s), p̃(s) = p_data(v) P(h | v): the clamped minus the free expectation.
  arma::vec g_bias(n, arma::fill::zeros), c_bias(n, arma::fill::zeros);
  arma::mat g_W(n, n, arma::fill::zeros), G(n, n, arma::fill::zeros);
  arma::vec a(n);
  std::vector<std::size_t> on;
  on.reserve(n);
  for (std::size_t x = 0; x < N; ++x) {
    on.clear();
    for (std::size_t i = 0; i < n; ++i)
      if (x >> i & 1) on.push_back(i);
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

#define RBMKIT_EXACT_BM_INSTANTIATE(T)                                                         \
  template double exact_log_partition(const BoltzmannMachine<T>&, std::size_t);              \
  template std::string free_energy_obstacle(const BoltzmannMachine<T>&, std::size_t);        \
  template double free_energy_cost(const BoltzmannMachine<T>&);                              \
  template arma::vec neg_free_energy(const BoltzmannMachine<T>&, const arma::mat&, std::size_t);
RBMKIT_EXACT_BM_INSTANTIATE(float)
RBMKIT_EXACT_BM_INSTANTIATE(double)

}  // namespace rbmkit
