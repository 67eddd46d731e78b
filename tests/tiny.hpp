#pragma once
// Brute-force enumeration helpers for tiny RBMs, shared by the tests.
#include <armadillo>
#include <cmath>
#include <vector>

#include "rbmkit/models/rbm.hpp"

namespace rbmkit::test {

/// All 2^n binary vectors as columns of an n x 2^n matrix (bit i of the column index = row i).
inline arma::mat all_states(std::size_t n) {
  arma::mat S(n, std::size_t(1) << n);
  for (std::size_t k = 0; k < S.n_cols; ++k)
    for (std::size_t i = 0; i < n; ++i) S(i, k) = double((k >> i) & 1u);
  return S;
}

inline double naive_log_sum_exp(const arma::vec& x) {
  const double m = x.max();
  return m + std::log(arma::accu(arma::exp(x - m)));
}

/// log Z by summing exp(−E(v,h)) over every joint state (no free energy involved).
inline double brute_log_z(const Rbm<double>& rbm) {
  const arma::mat V = all_states(rbm.n_visible()), H = all_states(rbm.n_hidden());
  arma::vec terms(V.n_cols * H.n_cols);
  std::size_t t = 0;
  for (std::size_t a = 0; a < V.n_cols; ++a)
    for (std::size_t b = 0; b < H.n_cols; ++b)
      terms[t++] = -rbm.energy(V.col(a), H.col(b))[0];
  return naive_log_sum_exp(terms);
}

/// Exact mean negative log-likelihood (nats) of the columns of V; log Z sums exp(−F(v)) over
/// every visible state (free energy checked against the joint enumeration in test_rbm).
inline double exact_nll(const Rbm<double>& rbm, const arma::mat& V) {
  const double log_z = naive_log_sum_exp(-rbm.free_energy(all_states(rbm.n_visible())));
  return arma::mean(rbm.free_energy(V)) + log_z;
}

/// A random RBM with N(0, scale²) parameters.
inline Rbm<double> random_rbm(std::size_t nv, std::size_t nh, Rng& rng, double scale = 1.0) {
  Rbm<double> r(nv, nh);
  for (auto& x : r.W()) x = scale * rng.normal();
  for (auto& x : r.b()) x = scale * rng.normal();
  for (auto& x : r.c()) x = scale * rng.normal();
  return r;
}

/// The bars-and-stripes patterns of an s x s grid (2^(s+1) − 2 distinct), one per column.
inline arma::mat bars_and_stripes(std::size_t s) {
  std::vector<arma::vec> pats;
  for (std::size_t m = 0; m < (std::size_t(1) << s); ++m) {
    arma::vec bars(s * s), stripes(s * s);
    for (std::size_t r = 0; r < s; ++r)
      for (std::size_t c = 0; c < s; ++c) {
        bars[r * s + c] = double((m >> c) & 1u);
        stripes[r * s + c] = double((m >> r) & 1u);
      }
    pats.push_back(bars);
    if (m != 0 && m != (std::size_t(1) << s) - 1) pats.push_back(stripes);
  }
  arma::mat P(s * s, pats.size());
  for (std::size_t k = 0; k < pats.size(); ++k) P.col(k) = pats[k];
  return P;
}

}  // namespace rbmkit::test
