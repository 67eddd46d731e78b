#include <doctest/doctest.h>

#include <cmath>

#include "rbmkit/core/error.hpp"
#include "rbmkit/estimators/semi_hard.hpp"

using namespace rbmkit;

namespace {

/// Activations a = b + W x for random inputs x ~ N(0, 1): each unit's input varies per column.
arma::mat activations(const arma::vec& b, const arma::mat& W, std::size_t B, Rng& rng) {
  arma::mat x(W.n_cols, B);
  for (double& v : x) v = rng.normal();
  arma::mat a = W * x;
  a.each_col() += b;
  return a;
}

/// Fraction of columns in which each unit fires, over `B` fresh samples.
arma::vec firing_rate(const arma::vec& b, const arma::mat& W, double sigma, std::size_t B, Rng& rng) {
  const arma::mat h = semi_hard_sample(activations(b, W, B, rng), sigma, rng);
  return arma::mean(arma::conv_to<arma::mat>::from(h > 0), 1);
}

}  // namespace

TEST_SUITE("semi_hard") {
  TEST_CASE("the noisy rectifier fires with probability Phi(a/sigma) and has mean a Phi + sigma phi") {
    // 100000 draws per unit, 3 units, 2 statistics: 5-sigma bounds, false-alarm rate < 4e-6.
    Rng rng(5);
    const arma::vec a{-1.0, 0.0, 0.7};
    const double sigma = 0.5;
    const std::size_t N = 100000;
    const arma::mat h = semi_hard_sample(arma::mat(arma::repmat(a, 1, N)), sigma, rng);
    CHECK(h.min() >= 0.0);
    for (arma::uword i = 0; i < a.n_elem; ++i) {
      const double p = semi_hard_firing_probability(a[i], sigma);
      const arma::rowvec on = arma::conv_to<arma::rowvec>::from(h.row(i) > 0);
      CHECK(std::abs(arma::mean(on) - p) < 5 * std::sqrt(p * (1 - p) / N));
      CHECK(std::abs(arma::mean(h.row(i)) - semi_hard_mean(a[i], sigma)) <
            5 * arma::stddev(h.row(i)) / std::sqrt(double(N)));
    }
    // σ = 0 is the plain rectifier.
    const arma::mat plain = semi_hard_sample(arma::mat{{-1.0, 2.0}}, 0.0, rng);
    CHECK(plain(0, 0) == 0.0);
    CHECK(plain(0, 1) == 2.0);
  }

  TEST_CASE("back-propagation through the sampled rectifier is unbiased for dE[h]/da") {
    // ∂h/∂a = 1[h > 0] for fixed noise; its mean must be dE[h]/da, checked against central
    // differences of the closed-form E[h] (100000 draws, 5-sigma bound).
    Rng rng(6);
    const double sigma = 0.8;
    for (double a : {-1.5, 0.3}) {
      const std::size_t N = 100000;
      const arma::mat h = semi_hard_sample(arma::mat(1, N, arma::fill::value(a)), sigma, rng);
      const arma::mat g = semi_hard_backward(h, arma::mat(1, N, arma::fill::ones));
      const double eps = 1e-5;
      const double exact = (semi_hard_mean(a + eps, sigma) - semi_hard_mean(a - eps, sigma)) / (2 * eps);
      const double p = semi_hard_firing_probability(a, sigma);
      CHECK(exact == doctest::Approx(p).epsilon(1e-6));
      CHECK(std::abs(arma::mean(g.row(0)) - exact) < 5 * std::sqrt(p * (1 - p) / N));
    }
  }

  TEST_CASE("a semi-hard unit trained by back-propagation reaches a target mean output") {
    // Minimise E[(h − 1)²] over the bias b with SGD on the back-propagated gradient; the minimum
    // of E[(max(0, b + σε) − 1)²] for σ = 0.3 is near b = 1.
    Rng rng(7);
    arma::mat b(1, 1, arma::fill::value(-0.5));
    for (int t = 0; t < 3000; ++t) {
      const arma::mat a = arma::repmat(b, 1, 32);
      const arma::mat h = semi_hard_sample(a, 0.3, rng);
      const arma::mat g = semi_hard_backward(h, arma::mat(2.0 * (h - 1.0)));
      b -= 0.05 * arma::mean(g, 1);
    }
    CHECK(std::abs(b(0, 0) - 1.0) < 0.1);
  }

  TEST_CASE("the firing-rate controller brings every unit to the target rate") {
    // 6 units with very different starting biases; after 3000 updates the rate measured on
    // 20000 fresh samples per unit is within 0.03 of the target (its standard error is 0.003).
    Rng rng(8);
    const std::size_t n = 6;
    arma::mat W(n, 3);
    for (double& v : W) v = 0.5 * rng.normal();
    arma::vec b{-3.0, -1.0, 0.0, 1.0, 2.0, 4.0};
    FiringRateConfig cfg;
    cfg.target = 0.2;
    FiringRateController ctl(n, cfg);
    const double sigma = 1.0;
    for (int t = 0; t < 3000; ++t) {
      const arma::mat h = semi_hard_sample(activations(b, W, 64, rng), sigma, rng);
      ctl.update(h, b);
    }
    const arma::vec rate = firing_rate(b, W, sigma, 20000, rng);
    for (arma::uword i = 0; i < n; ++i) {
      CAPTURE(i);
      CHECK(std::abs(rate[i] - 0.2) < 0.03);
      CHECK(std::abs(ctl.rate()[i] - 0.2) < 0.05);
    }
  }

  TEST_CASE("a unit pushed far into the off state comes back - and without the controller it stays off") {
    Rng rng(9);
    const std::size_t n = 2;
    arma::mat W(n, 3);
    for (double& v : W) v = 0.5 * rng.normal();
    arma::vec b{-40.0, 0.0};
    const double sigma = 1.0;
    CHECK(arma::accu(firing_rate(b, W, sigma, 5000, rng).head(1)) == 0.0);  // dead
    // Without the controller nothing moves it: its back-propagated gradient is exactly zero.
    const arma::mat h0 = semi_hard_sample(activations(b, W, 64, rng), sigma, rng);
    CHECK(arma::accu(arma::abs(semi_hard_backward(h0, arma::mat(n, 64, arma::fill::ones)).row(0))) == 0.0);
    FiringRateConfig cfg;
    cfg.target = 0.1;
    FiringRateController ctl(n, cfg);
    // Off, it gains step·target = 0.05 per update: 40 units of bias take about 800 updates.
    for (int t = 0; t < 3000; ++t) ctl.update(semi_hard_sample(activations(b, W, 64, rng), sigma, rng), b);
    const arma::vec rate = firing_rate(b, W, sigma, 20000, rng);
    MESSAGE("revived unit: bias " << b[0] << ", firing rate " << rate[0]);
    CHECK(rate[0] > 0.07);
    CHECK(rate[0] < 0.13);
  }

  TEST_CASE("bad settings and shapes are rejected") {
    FiringRateConfig c;
    CHECK_THROWS_AS(FiringRateController(0, c), InvalidArgument);
    c.target = 1.0;
    CHECK_THROWS_AS(FiringRateController(2, c), InvalidArgument);
    c.target = 0.1;
    c.decay = 1.0;
    CHECK_THROWS_AS(FiringRateController(2, c), InvalidArgument);
    c.decay = 0.9;
    c.step = 0.0;
    CHECK_THROWS_AS(FiringRateController(2, c), InvalidArgument);
    c.step = 0.1;
    FiringRateController ctl(2, c);
    arma::vec b(3, arma::fill::zeros);
    CHECK_THROWS_AS(ctl.update(arma::mat(2, 4, arma::fill::zeros), b), DimensionError);
    Rng rng(1);
    CHECK_THROWS_AS(semi_hard_sample(arma::mat(2, 2), -1.0, rng), InvalidArgument);
    CHECK_THROWS_AS(semi_hard_backward(arma::mat(2, 2), arma::mat(2, 3)), DimensionError);
    CHECK_THROWS_AS(semi_hard_firing_probability(0.0, 0.0), InvalidArgument);
  }
}
