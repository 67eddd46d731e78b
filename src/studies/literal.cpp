#include "rbmkit/studies/literal.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>

#include "rbmkit/core/error.hpp"
#include "rbmkit/core/math.hpp"
#include "rbmkit/evaluation/exact.hpp"
#include "rbmkit/models/boltzmann.hpp"

namespace rbmkit {

namespace {

/// Σ R·f over the stream, for every statistic, in BM form (all n units).
struct StreamSums {
  std::size_t n;
  arma::vec s, cs;
  arma::mat ss, G;
  explicit StreamSums(std::size_t n_units)
      : n(n_units), s(n, arma::fill::zeros), cs(n, arma::fill::zeros),
        ss(n, n, arma::fill::zeros), G(n, n, arma::fill::zeros) {}
  void add(double r, const arma::vec& st, const arma::vec& p) {
    std::vector<std::size_t> on;
    for (std::size_t i = 0; i < n; ++i)
      if (st[i] != 0.0) on.push_back(i);
    for (std::size_t i : on) {
      s[i] += r;
      for (std::size_t j : on) ss(i, j) += r;
    }
    for (std::size_t i = 0; i < n; ++i) {
      const double e = r * (st[i] - p[i]);
      cs[i] += e;
      for (std::size_t j : on) G(i, j) += e;
    }
  }
};

/// BM-form sums divided by n₊, masked, diagonal zero; in RBM form when `rbm`.
Statistics<double> finish_sums(const arma::vec& s, const arma::mat& ss, std::size_t pairs, std::size_t nv,
                    const arma::mat& mask, bool rbm) {
  const std::size_t n = s.n_elem;
  arma::mat W = ss / double(pairs);
  for (arma::uword k = 0; k < W.n_elem; ++k)
    if (mask[k] == 0.0) W[k] = 0.0;
  const arma::vec bias = s / double(pairs);
  if (rbm) return {W.submat(0, nv, nv - 1, n - 1), bias.head(nv), bias.tail(n - nv)};
  return {W, bias.head(nv), bias.tail(n - nv)};
}

/// Runs the chain through `step(s, p)` (advance one step; s the new binary state of all units,
/// p = P(s_i = 1 | s_−i) for each unit) and builds the ±1 stream of §4.2.
template <class Step>
LiteralResult run_literal(std::size_t nv, std::size_t nh, const arma::mat& mask, bool rbm_form,
                          const ExactQuantities& ex, const arma::vec& p_data,
                          const LiteralConfig& cfg, const char* who, Rng& rng, Step step) {
  if (cfg.pairs == 0) throw InvalidArgument("LiteralConfig::pairs: must be at least 1, got 0");
  if (!(cfg.z > 0) || !std::isfinite(cfg.z))
    throw InvalidArgument("LiteralConfig::z: must be positive and finite, got " +
                          std::to_string(cfg.z));
  const std::size_t n = nv + nh;
  LiteralResult res;
  // Rejection constant: p_data(v) ≤ M p_model(v) for every v.
  double M = 0;
  for (arma::uword x = 0; x < p_data.n_elem; ++x)
    if (p_data[x] > 0) M = std::max(M, p_data[x] / ex.p_visible[x]);
  res.rejection_constant = M;
  const double expected = double(cfg.burn_in) + double(cfg.pairs) * M * 1.05;
  if (!(expected <= double(cfg.max_chain_steps)))
    throw InvalidArgument(std::string(who) + ": the rejection constant M = " +
                          std::to_string(M) + " needs about " + std::to_string(expected) +
                          " chain steps, more than LiteralConfig::max_chain_steps; use a model "
                          "closer to the data or a smaller LiteralConfig::pairs");
  res.exact = ex.ll_gradient;
  res.centered_available = ex.has_centered;
  if (ex.has_centered) res.centered_target = ex.centered_target;
  const double q = 1.0 / M;  // the negatives' coin: the positives' average acceptance rate

  arma::vec s(n), p(n);
  for (std::size_t t = 0; t < cfg.burn_in; ++t) step(s, p);
  std::deque<std::pair<arma::vec, arma::vec>> pos, neg;
  StreamSums sums(n);
  std::size_t pairs = 0, n_accepted = 0;
  std::uint64_t steps = 0;
  std::size_t next_checkpoint = std::min<std::size_t>(100, cfg.pairs);
  while (pairs < cfg.pairs) {
    if (steps >= cfg.max_chain_steps)
      throw InvalidArgument(std::string(who) + ": reached LiteralConfig::max_chain_steps = " +
                            std::to_string(cfg.max_chain_steps) + " chain steps before " +
                            std::to_string(cfg.pairs) + " pairs");
    step(s, p);
    ++steps;
    const double pd = p_data[visible_index(s.memptr(), nv)];
    const double pm = ex.p_visible[visible_index(s.memptr(), nv)];
    const double alpha = cfg.reject ? pd / (M * pm) : q;
    if (rng.uniform() < alpha) {
      pos.emplace_back(s, p);
      ++n_accepted;
    }
    if (rng.uniform() < q) neg.emplace_back(s, p);
    while (!pos.empty() && !neg.empty() && pairs < cfg.pairs) {
      sums.add(+1.0, pos.front().first, pos.front().second);
      sums.add(-1.0, neg.front().first, neg.front().second);
      pos.pop_front();
      neg.pop_front();
      ++pairs;
      if (pairs == next_checkpoint) {
        LiteralCheckpoint c;
        c.pairs = pairs;
        c.chain_steps = steps;
        c.error = max_abs_difference(finish_sums(sums.s, sums.ss, pairs, nv, mask, rbm_form),
                                     ex.ll_gradient, rbm_form ? 0 : nv);
        c.bound = cfg.z * std::sqrt(1.0 / (2.0 * double(pairs)));
        res.checkpoints.push_back(c);
        next_checkpoint = next_checkpoint * 10 < cfg.pairs ? next_checkpoint * 10 : cfg.pairs;
      }
    }
  }
  res.chain_steps = steps;
  res.acceptance_rate = double(n_accepted) / double(steps);
  res.estimate = finish_sums(sums.s, sums.ss, pairs, nv, mask, rbm_form);
  if (ex.has_centered) {
    const arma::mat C = sums.G + sums.G.t();
    res.centered_estimate = finish_sums(sums.cs, C, pairs, nv, mask, rbm_form);
  }
  return res;
}

}  // namespace

LiteralResult literal_rbm(const Rbm<double>& rbm, const arma::mat& data,
                          const LiteralConfig& cfg, Rng& rng) {
  const std::size_t nv = rbm.n_visible(), nh = rbm.n_hidden();
  const ExactQuantities ex = exact_rbm(rbm, data, /*with_centered=*/true);
  const arma::vec p_data = data_distribution(data);
  const arma::mat mask = connectivity_mask(nv, nh, Connectivity::restricted);
  const arma::mat& W = rbm.W();
  arma::vec v = data.col(0), h(nh, arma::fill::zeros);
  // P(h_j = 1 | v) = sigm(c_j + W_{·j}ᵀv).
  auto hidden_probability = [&](std::size_t j) {
    double a = rbm.c()[j];
    const double* w = W.colptr(j);
    for (std::size_t i = 0; i < nv; ++i) a += w[i] * v[i];
    return sigmoid(a);
  };
  // One block Gibbs step h ~ P(h | v), v ~ P(v | h): (v, h) is then a joint sample.
  auto step = [&](arma::vec& s, arma::vec& p) {
    for (std::size_t j = 0; j < nh; ++j) h[j] = rng.uniform() < hidden_probability(j) ? 1.0 : 0.0;
    for (std::size_t i = 0; i < nv; ++i) {
      double a = rbm.b()[i];
      for (std::size_t j = 0; j < nh; ++j) a += W(i, j) * h[j];
      p[i] = sigmoid(a);
      v[i] = rng.uniform() < p[i] ? 1.0 : 0.0;
    }
    // The conditional of each hidden unit given all other units is P(h_j = 1 | v).
    for (std::size_t j = 0; j < nh; ++j) p[nv + j] = hidden_probability(j);
    s.head(nv) = v;
    s.tail(nh) = h;
  };
  return run_literal(nv, nh, mask, /*rbm_form=*/true, ex, p_data, cfg, "literal_rbm", rng, step);
}

LiteralResult literal_bm(const BoltzmannMachine<double>& bm, const arma::mat& data,
                         const LiteralConfig& cfg, Rng& rng) {
  const std::size_t nv = bm.n_visible(), nh = bm.n_hidden(), n = bm.n_units();
  const ExactQuantities ex = exact_bm(bm, data);
  const arma::vec p_data = data_distribution(data);
  const arma::mat& W = bm.W();
  const arma::vec& b = bm.bias();
  arma::vec state(n, arma::fill::zeros);
  state.head(nv) = data.col(0);
  // P(s_i = 1 | s_−i) = sigm(b_i + W_{·i}ᵀs) (zero diagonal) in the current state.
  auto conditional = [&](std::size_t i) {
    double a = b[i];
    const double* w = W.colptr(i);
    for (std::size_t j = 0; j < n; ++j) a += w[j] * state[j];
    return sigmoid(a);
  };
  // One sequential sweep over all units; afterwards p_i = P(s_i = 1 | s_−i) of the final state.
  auto step = [&](arma::vec& s, arma::vec& p) {
    for (std::size_t i = 0; i < n; ++i) state[i] = rng.uniform() < conditional(i) ? 1.0 : 0.0;
    for (std::size_t i = 0; i < n; ++i) p[i] = conditional(i);
    s = state;
  };
  return run_literal(nv, nh, bm.mask(), /*rbm_form=*/false, ex, p_data, cfg, "literal_bm", rng,
                     step);
}

}  // namespace rbmkit
