// PCD's persistent chains on a phase workspace: each draw_phases call draws the hidden states the
// next call continues from (PhaseWorkspace::chain_hidden).
#include <doctest/doctest.h>

#include <cmath>

#include "rbmkit/core/random.hpp"
#include "rbmkit/sampling/phases.hpp"
#include "tiny.hpp"

using namespace rbmkit;
using rbmkit::test::all_states;

namespace {

/// Largest |frequency − P(v)| / standard error over the 2^n visible states of the columns of S
/// (n ≤ 4 rows of 0/1), P(v) = exp(−F(v)) / Z of `rbm`.
double max_state_z(const Rbm<double>& rbm, const arma::mat& S) {
  const arma::mat states = all_states(rbm.n_visible());
  const arma::vec neg_f = -rbm.free_energy(states);
  const arma::vec p = arma::exp(neg_f - test::naive_log_sum_exp(neg_f));
  arma::vec freq(states.n_cols, arma::fill::zeros);
  for (std::size_t j = 0; j < S.n_cols; ++j) {
    std::size_t k = 0;
    for (std::size_t i = 0; i < S.n_rows; ++i) k += std::size_t(S(i, j)) << i;
    freq[k] += 1.0 / double(S.n_cols);
  }
  double z = 0;
  for (std::size_t k = 0; k < p.n_elem; ++k)
    z = std::max(z, std::abs(freq[k] - p[k]) / std::sqrt(p[k] * (1 - p[k]) / double(S.n_cols)));
  return z;
}

}  // namespace

TEST_SUITE("persistent chains") {
  TEST_CASE("PCD on a workspace keeps the chains' hidden states and continues from them") {
    Rng rng(41);
    const Rbm<double> rbm = test::random_rbm(4, 3, rng);
    const arma::mat V = arma::round(arma::randu<arma::mat>(4, 6, arma::distr_param(0, 1)));
    const PhaseConfig pcd{Method::pcd, 1, 0};
    PhaseWorkspace<double> ws;
    arma::mat chains;
    CHECK(ws.chain_hidden().is_empty());
    draw_phases(rbm, V, pcd, chains, rng, ws);
    const arma::mat h = ws.chain_hidden();
    REQUIRE(h.n_rows == 3);
    REQUIRE(h.n_cols == 6);
    CHECK(arma::all(arma::vectorise(h == 0.0 || h == 1.0)));
    CHECK(arma::approx_equal(chains, ws.phases.negative.v, "absdiff", 0.0));

    // The next call goes on from those hidden states, not from the visible states in `chains`:
    // other visible states with the same generator give the same phases.
    arma::mat other = 1.0 - chains;
    Rng r1 = rng, r2 = rng;
    PhaseWorkspace<double> w1 = ws, w2 = ws;  // a copy keeps the hidden states
    CHECK(arma::approx_equal(w1.chain_hidden(), h, "absdiff", 0.0));
    draw_phases(rbm, V, pcd, chains, r1, w1);
    draw_phases(rbm, V, pcd, other, r2, w2);
    CHECK(arma::approx_equal(w1.phases.negative.v, w2.phases.negative.v, "absdiff", 0.0));
    CHECK(arma::approx_equal(w1.phases.negative.h, w2.phases.negative.h, "absdiff", 0.0));
    // Without them (cleared, or released buffers that keep them), the visible states count.
    PhaseWorkspace<double> w3 = ws;
    w3.release_buffers();
    CHECK(arma::approx_equal(w3.chain_hidden(), h, "absdiff", 0.0));
    w3.set_chain_hidden(arma::mat());
    Rng r3 = rng;
    arma::mat other3 = 1.0 - other;  // == chains before the calls above
    draw_phases(rbm, V, pcd, other3, r3, w3);
    Rng r4 = rng;
    PhaseWorkspace<double> w4;
    arma::mat flipped = other;
    draw_phases(rbm, V, pcd, flipped, r4, w4);
    CHECK_FALSE(arma::approx_equal(w3.phases.negative.v, w4.phases.negative.v, "absdiff", 0.0));
    // Hidden states of another shape (other chains) are not taken.
    PhaseWorkspace<double> w5 = ws;
    w5.set_chain_hidden(arma::mat(3, 5, arma::fill::ones));
    arma::mat c5 = chains;
    Rng r5 = rng;
    CHECK_NOTHROW(draw_phases(rbm, V, pcd, c5, r5, w5));
    CHECK(w5.chain_hidden().n_cols == 6);
  }

  TEST_CASE("chains continued from their hidden states sample the model's distribution") {
    // 20000 chains of a 4x3 RBM with fixed parameters, 40 calls of draw_phases on one workspace
    // (PCD-1), all chains started at the same state: the chains' visible states after the last
    // call against exp(−F(v))/Z, each of the 16 states within 5 standard errors (false alarm
    // < 16 · 6e-7 for independent chains; 40 steps leave a mixing error far below one standard
    // error on a model this small).
    Rng rng(7);
    const Rbm<double> rbm = test::random_rbm(4, 3, rng);
    const std::size_t n = 20000;
    const arma::mat V(4, n, arma::fill::zeros);
    const PhaseConfig pcd{Method::pcd, 1, 0};
    auto run = [&](bool broken) {
      Rng r(11);
      PhaseWorkspace<double> ws;
      arma::mat chains;
      for (int t = 0; t < 40; ++t) {
        draw_phases(rbm, V, pcd, chains, r, ws);
        // The broken chain continues from the complements of the states it drew.
        if (broken) ws.set_chain_hidden(1.0 - ws.chain_hidden());
      }
      return chains;
    };
    const arma::mat S = run(false);
    REQUIRE(S.n_cols == n);
    CHECK(max_state_z(rbm, S) < 5.0);
    // The same bound catches a chain whose hidden half-step is wrong.
    CHECK(max_state_z(rbm, run(true)) > 5.0);
  }
}
