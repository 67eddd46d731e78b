#include <doctest/doctest.h>

#include <cmath>

#include "rbmkit/core/error.hpp"
#include "rbmkit/sampling/gibbs.hpp"
#include "rbmkit/sampling/phases.hpp"
#include "rbmkit/sampling/tempering.hpp"
#include "rbmkit/training/config.hpp"
#include "tiny.hpp"

using namespace rbmkit;

namespace {

/// Exact P(v) of a tiny RBM over the columns of test::all_states(n_visible).
arma::vec exact_visible(const Rbm<double>& rbm) {
  arma::vec lp = -rbm.free_energy(test::all_states(rbm.n_visible()));
  lp -= lp.max();
  const arma::vec p = arma::exp(lp);
  return p / arma::accu(p);
}

/// Pearson's χ² of the visible states V (columns, binary) against the probabilities p.
double chi_square(const arma::mat& V, const arma::vec& p) {
  arma::vec counts(p.n_elem, arma::fill::zeros);
  for (arma::uword j = 0; j < V.n_cols; ++j) {
    std::size_t index = 0;
    for (arma::uword i = 0; i < V.n_rows; ++i) index |= std::size_t(V(i, j) > 0.5) << i;
    counts[index] += 1;
  }
  const arma::vec expected = p * double(V.n_cols);
  return arma::accu(arma::square(counts - expected) / expected);
}

/// A symmetric two-mode RBM: 16 visible units and one hidden unit, W = w, b = −w/2,
/// c = −16 w/2. The energy is unchanged by v → 1 − v, h → 1 − h, so the modes "h = 0, v
/// mostly off" and "h = 1, v mostly on" hold equal mass at every inverse temperature. From a
/// mode, P(h flips | v) = sigm(−w (|v| − 8)) is about 0.5 only when half the pixels are on, which
/// for w = 8 has probability about 10⁻¹⁰ per step: block Gibbs at β = 1 practically never
/// changes mode, while at β ≈ 0.1 it changes mode every few steps.
/// (Not the trap model of test_ais_base.cpp: its sharp mode holds almost no mass below β ≈ 0.8,
/// a first-order transition that no tempered chain crosses either; docs/sampling.md.)
Rbm<double> two_mode_rbm(double w = 8) {
  Rbm<double> r(16, 1);
  r.W().fill(w);
  r.b().fill(-w / 2);
  r.c().fill(-16 * w / 2);
  return r;
}

}  // namespace

TEST_SUITE("tempering") {
  TEST_CASE("inverse temperatures are evenly spaced from 1 to 0") {
    const std::vector<double> b = tempering_betas(5);
    REQUIRE(b.size() == 5);
    CHECK(b[0] == 1.0);
    CHECK(b[1] == doctest::Approx(0.75));
    CHECK(b[2] == doctest::Approx(0.5));
    CHECK(b[4] == 0.0);
    CHECK(tempering_betas(1) == std::vector<double>{1.0});
    CHECK_THROWS_AS(tempering_betas(0), InvalidArgument);
  }

  TEST_CASE("tempered steps check their inputs and repeat their bits for a seed") {
    Rng init(3);
    const Rbm<double> rbm = test::random_rbm(5, 3, init);
    arma::mat V(5, 8, arma::fill::zeros);
    Rng rng(1);
    CHECK_THROWS_AS(tempered_step(rbm, {1.0, 0.5, 0.0}, V, rng), DimensionError);  // 8 % 3
    CHECK_THROWS_AS(tempered_step(rbm, {0.9, 0.5}, V, rng), InvalidArgument);
    CHECK_THROWS_AS(tempered_step(rbm, {1.0, 1.0}, V, rng), InvalidArgument);
    CHECK_THROWS_AS(tempered_step(rbm, {1.0, -0.5}, V, rng), InvalidArgument);
    arma::mat W(4, 8, arma::fill::zeros);
    CHECK_THROWS_AS(tempered_step(rbm, {1.0, 0.5}, W, rng), DimensionError);
    CHECK_THROWS_AS(tempered_chain(rbm, {1.0, 0.5}, V, 0, rng), InvalidArgument);
    CHECK_THROWS_AS(sample_tempered(rbm, 0, 1, 0, 2, rng), InvalidArgument);
    CHECK_THROWS_AS(sample_tempered(rbm, 1, 1, 0, 0, rng), InvalidArgument);

    Rng a(7), b(7), c(8);
    const TemperedSamples<double> sa = sample_tempered(rbm, 6, 5, 2, 3, a);
    const TemperedSamples<double> sb = sample_tempered(rbm, 6, 5, 2, 3, b);
    const TemperedSamples<double> sc = sample_tempered(rbm, 6, 5, 2, 3, c);
    CHECK(arma::approx_equal(sa.v, sb.v, "absdiff", 0.0));
    CHECK(arma::approx_equal(sa.v_mean, sb.v_mean, "absdiff", 0.0));
    CHECK_FALSE(arma::approx_equal(sa.v_mean, sc.v_mean, "absdiff", 0.0));
    REQUIRE(sa.swaps.proposed.size() == 2);
    // 6 chains, 5 counted steps: every pair is proposed once per step and chain.
    CHECK(sa.swaps.proposed[0] == 30);
    CHECK(sa.swaps.proposed[1] == 30);
    for (double r : sa.swaps.rates()) CHECK((r >= 0 && r <= 1));
    CHECK(sa.v.n_rows == 5);
    CHECK(sa.v.n_cols == 6);
    CHECK(sa.v_mean.min() > 0);
    CHECK(sa.v_mean.max() < 1);
  }

  TEST_CASE("tempered samples of a 4x3 RBM follow its exact distribution (chi-square)") {
    // 20000 independent chains (the swaps couple temperatures of one chain, never two chains),
    // 4 temperatures, 30 steps from a uniform start; the β = 1 states are compared with the
    // exact P(v) over the 16 visible states by Pearson's χ² with 15 degrees of freedom.
    // Bound: 37.70, the 0.999 quantile of χ²₁₅ (false-alarm rate 10⁻³ for an exact sampler;
    // the seed is fixed). The same statistic must reject (a) the states of the β = 2/3 block
    // and (b) a model whose visible biases differ by 0.3, showing the test can fail.
    Rng init(11);
    Rbm<double> rbm = test::random_rbm(4, 3, init, 1.5);
    const arma::vec p = exact_visible(rbm);
    const std::size_t C = 20000;
    const std::vector<double> betas = tempering_betas(4);
    Rng rng(2024);
    arma::mat V = sample_bernoulli<double>(arma::mat(4, C * 4, arma::fill::value(0.5)), rng);
    SwapCounts counts;
    const Phase<double> ph = tempered_chain(rbm, betas, V, 30, rng, &counts);
    const double chi2 = chi_square(ph.v, p);
    MESSAGE("chi-square at beta = 1: " << chi2 << "; swap acceptance " << counts.rates()[0]
                                       << " " << counts.rates()[1] << " " << counts.rates()[2]);
    CHECK(chi2 < 37.70);
    CHECK(chi_square(V.cols(C, 2 * C - 1), p) > 37.70);  // β = 2/3 samples
    Rbm<double> shifted = rbm;
    shifted.b() += 0.3;
    CHECK(chi_square(ph.v, exact_visible(shifted)) > 37.70);
    // Swaps happen and are not all accepted (the acceptance is a real test).
    for (double r : counts.rates()) CHECK((r > 0.05 && r < 0.999));
  }

  TEST_CASE("a two-mode RBM: Gibbs sampling stays in its mode - parallel tempering visits both") {
    // 100 chains started in the "off" mode, 500 steps. Gibbs at β = 1: escaping needs about
    // 8 of 16 pixels on at once (probability about 10⁻¹⁰ per step), so no chain may ever reach
    // the "on" mode (≥ 12 pixels on). Tempering with 10 temperatures: every chain must visit
    // both modes at β = 1 within the 500 steps and the time spent in the "on" mode, whose exact
    // share is 1/2 by symmetry, must lie in [0.35, 0.65]: 100 chains whose time fractions vary
    // by at most 1/2 each give a mean with standard deviation at most 0.05 (3 standard
    // deviations; the seed is fixed).
    const Rbm<double> rbm = two_mode_rbm();
    const std::size_t C = 100, steps = 500;
    Rng rng(5);
    arma::mat G(16, C, arma::fill::zeros);
    std::size_t gibbs_on = 0;
    for (std::size_t s = 0; s < steps; ++s) {
      G = gibbs_chain(rbm, G, 1, rng).v;
      gibbs_on += arma::accu(arma::sum(G, 0) >= 12);
    }
    CHECK(gibbs_on == 0);

    const std::vector<double> betas = tempering_betas(10);
    arma::mat V(16, C * betas.size(), arma::fill::zeros);
    arma::uvec seen_on(C, arma::fill::zeros), seen_off(C, arma::fill::zeros);
    std::size_t on = 0;
    SwapCounts counts;
    for (std::size_t s = 0; s < steps; ++s) {
      tempered_step(rbm, betas, V, rng, &counts);
      const arma::rowvec ones = arma::sum(V.cols(0, C - 1), 0);
      for (std::size_t j = 0; j < C; ++j) {
        seen_on[j] |= ones[j] >= 12;
        seen_off[j] |= ones[j] <= 4;
        on += ones[j] >= 12;
      }
    }
    const double share = double(on) / double(C * steps);
    MESSAGE("tempered: share of time in the on mode " << share << ", chains that saw both "
                                                      << arma::accu(seen_on % seen_off)
                                                      << ", overall swap acceptance "
                                                      << counts.overall_rate());
    CHECK(arma::accu(seen_on % seen_off) == C);
    CHECK(share > 0.35);
    CHECK(share < 0.65);
  }

  TEST_CASE("draw_phases with pt: C chains at T temperatures - the negative phase is the beta = 1 "
            "block") {
    Rng init(4);
    const Rbm<double> rbm = test::random_rbm(6, 4, init);
    const arma::mat V = sample_bernoulli<double>(arma::mat(6, 5, arma::fill::value(0.5)), init);
    PhaseConfig pc{Method::pt, 2, 0, 3};
    arma::mat chains;
    Rng rng(9);
    const Phases<double> ph = draw_phases(rbm, V, pc, chains, rng);
    REQUIRE(chains.n_cols == 5 * 3);  // empty chains start as B chains at each temperature
    CHECK(arma::approx_equal(ph.negative.v, chains.cols(0, 4), "absdiff", 0.0));
    CHECK(arma::approx_equal(ph.negative.h, rbm.hidden_mean(chains.cols(0, 4)), "absdiff", 1e-15));
    CHECK(arma::approx_equal(ph.positive.v, V, "absdiff", 0.0));
    arma::mat odd = chains.cols(0, 13);  // 14 columns do not split into 3 temperatures
    CHECK_THROWS_AS(draw_phases(rbm, V, pc, odd, rng), DimensionError);
    pc.temperatures = 0;
    CHECK_THROWS_AS(draw_phases(rbm, V, pc, chains, rng), InvalidArgument);
  }

  TEST_CASE("training configuration: pt needs an RBM and at least 2 temperatures - both are "
            "recorded") {
    TrainConfig c;
    c.method = Method::pt;
    c.temperatures = 4;
    CHECK_NOTHROW(c.validate());
    const auto m = c.to_map();
    CHECK(m.at("temperatures") == "4");
    CHECK(m.count("chains") == 1);
    CHECK(TrainConfig::from_map(m, "test").temperatures == 4);
    c.temperatures = 1;
    CHECK_THROWS_WITH_AS(c.validate(), doctest::Contains("TrainConfig::temperatures"),
                         InvalidArgument);
    c.temperatures = 4;
    c.machine = MachineKind::bm;
    CHECK_THROWS_WITH_AS(c.validate(), doctest::Contains("TrainConfig::method"), InvalidArgument);
    TrainConfig p;  // pcd records no temperatures
    CHECK(p.to_map().count("temperatures") == 0);
  }
}
