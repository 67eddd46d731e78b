#include <doctest/doctest.h>

#include "rbmkit/core/error.hpp"
#include "rbmkit/sampling/gibbs.hpp"
#include "rbmkit/training/statistics.hpp"
#include "tiny.hpp"

using namespace rbmkit;
using rbmkit::test::all_states;

namespace {

/// Exact expectation of the CD-1 statistics (contrastive path, hidden conditional means) for
/// the data columns of V: enumerate the sampled hidden state h ~ P(h|v) and the reconstruction
/// v' ~ P(v'|h).
Statistics<double> exact_cd1(const Rbm<double>& rbm, const arma::mat& V) {
  const arma::mat H = all_states(rbm.n_hidden()), Vs = all_states(rbm.n_visible());
  const arma::mat PhV = rbm.hidden_mean(Vs);  // P(h=1|v') for every v'
  const arma::mat PvH = rbm.visible_mean(H);  // P(v=1|h) for every h
  Statistics<double> g;
  g.dW.zeros(rbm.n_visible(), rbm.n_hidden());
  g.db.zeros(rbm.n_visible());
  g.dc.zeros(rbm.n_hidden());
  auto prob = [](const arma::vec& s, const arma::vec& p) {
    double q = 1;
    for (std::size_t i = 0; i < s.n_elem; ++i) q *= s[i] > 0.5 ? p[i] : 1 - p[i];
    return q;
  };
  for (std::size_t n = 0; n < V.n_cols; ++n) {
    const arma::vec v = V.col(n);
    const arma::vec ph = rbm.hidden_mean(arma::mat(v));
    g.dW += v * ph.t();
    g.db += v;
    g.dc += ph;
    for (std::size_t b = 0; b < H.n_cols; ++b) {
      const double p_h = prob(H.col(b), ph);
      for (std::size_t a = 0; a < Vs.n_cols; ++a) {
        const double w = p_h * prob(Vs.col(a), PvH.col(b));
        g.dW -= w * Vs.col(a) * PhV.col(a).t();
        g.db -= w * Vs.col(a);
        g.dc -= w * PhV.col(a);
      }
    }
  }
  g.dW /= double(V.n_cols);
  g.db /= double(V.n_cols);
  g.dc /= double(V.n_cols);
  return g;
}

arma::vec flatten(const Statistics<double>& g) {
  return arma::join_cols(arma::vectorise(g.dW), g.db, g.dc);
}

/// Largest |mean − exact| / standard error over the coordinates of `samples` (one per column).
double max_z(const arma::mat& samples, const arma::vec& exact) {
  const arma::vec mean = arma::mean(samples, 1);
  const arma::vec se = arma::stddev(samples, 0, 1) / std::sqrt(double(samples.n_cols));
  double z = 0;
  for (std::size_t i = 0; i < exact.n_elem; ++i)
    if (se[i] > 0) z = std::max(z, std::abs(mean[i] - exact[i]) / se[i]);
    else if (mean[i] != exact[i]) z = 1e300;
  return z;
}

}  // namespace

TEST_SUITE("gibbs") {
  TEST_CASE("Bernoulli samples have the requested probabilities") {
    // 100000 draws per cell: se <= 0.0016; 5-sigma bound, false alarm < 1e-5 over 4 cells.
    Rng rng(21);
    const arma::mat P = {{0.0, 0.1}, {0.5, 1.0}};
    arma::mat acc(2, 2, arma::fill::zeros);
    const int n = 100000;
    for (int i = 0; i < n; ++i) acc += sample_bernoulli<double>(P, rng);
    acc /= n;
    CHECK(acc(0, 0) == 0.0);
    CHECK(acc(1, 1) == 1.0);
    CHECK(std::abs(acc(0, 1) - 0.1) < 5 * std::sqrt(0.09 / n));
    CHECK(std::abs(acc(1, 0) - 0.5) < 5 * std::sqrt(0.25 / n));
  }

  TEST_CASE("CD-1 update matches its exact expectation on a 4x3 RBM") {
    // 20000 independent CD-1 updates on a fixed batch of 4 examples. Each of the 19
    // coordinates must lie within 5 standard errors of the enumerated expectation:
    // two-sided false-alarm rate <= 19 * 5.7e-7 ~ 1e-5 (seed fixed).
    Rng rng(22);
    const Rbm<double> rbm = test::random_rbm(4, 3, rng);
    const arma::mat V = {{1, 0, 1, 1}, {0, 0, 1, 1}, {1, 1, 0, 1}, {0, 1, 0, 0}};
    const arma::vec exact = flatten(exact_cd1(rbm, V));
    const int reps = 20000;
    arma::mat samples(exact.n_elem, reps);
    for (int r = 0; r < reps; ++r) {
      Phase<double> pos{V, rbm.hidden_mean(V)};
      const Phase<double> neg = gibbs_chain_from(rbm, pos.h, 1, rng);
      samples.col(r) = flatten(contrastive_gradient(pos, neg));
    }
    CHECK(max_z(samples, exact) < 5.0);

    // The same statistic rejects the expectation of a slightly different model.
    Rbm<double> other = rbm;
    other.b() += 0.3;
    CHECK(max_z(samples, flatten(exact_cd1(other, V))) > 5.0);
  }

  TEST_CASE("gibbs_chain rejects k = 0") {
    Rng rng(23);
    const Rbm<double> rbm(3, 2);
    CHECK_THROWS(gibbs_chain(rbm, arma::mat(3, 1, arma::fill::zeros), 0, rng));
  }

  TEST_CASE("sample_model draws from the model's distribution of visible states") {
    // 20000 independent chains of 30 steps on a 3x2 RBM; each of the 8 states' frequency within
    // 5 standard errors of exp(-F(v))/Z (false alarm < 8 * 6e-7; 30 steps leave a mixing
    // error far below one standard error on a model this small).
    Rng rng(5);
    const Rbm<double> rbm = test::random_rbm(3, 2, rng);
    const arma::mat S = sample_model(rbm, 20000, 30, rng);
    REQUIRE(S.n_rows == 3);
    REQUIRE(S.n_cols == 20000);
    const arma::mat states = all_states(3);
    const arma::vec neg_f = -rbm.free_energy(states);
    const arma::vec p = arma::exp(neg_f - test::naive_log_sum_exp(neg_f));
    arma::vec freq(8, arma::fill::zeros);
    for (std::size_t j = 0; j < S.n_cols; ++j)
      freq[std::size_t(S(0, j) + 2 * S(1, j) + 4 * S(2, j))] += 1.0 / double(S.n_cols);
    for (std::size_t k = 0; k < 8; ++k) {
      CAPTURE(k);
      CHECK(std::abs(freq[k] - p[k]) < 5 * std::sqrt(p[k] * (1 - p[k]) / double(S.n_cols)));
    }
    // The same bound tells the samples from another model's distribution.
    const Rbm<double> other = test::random_rbm(3, 2, rng);
    const arma::vec other_neg_f = -other.free_energy(states);
    const arma::vec q = arma::exp(other_neg_f - test::naive_log_sum_exp(other_neg_f));
    bool told = false;
    for (std::size_t k = 0; k < 8; ++k)
      told = told || std::abs(freq[k] - q[k]) >= 5 * std::sqrt(q[k] * (1 - q[k]) / double(S.n_cols));
    CHECK(told);
    CHECK_THROWS_AS(sample_model(rbm, 5, 0, rng), InvalidArgument);
  }
}
