#include <doctest/doctest.h>

#include <vector>

#include "rbmkit/core/error.hpp"
#include "rbmkit/training/rbm_step.hpp"

using namespace rbmkit;

namespace {

Rbm<double> random_rbm(std::size_t nv, std::size_t nh, std::uint64_t seed) {
  Rng rng(seed);
  Rbm<double> r(nv, nh);
  for (auto& x : r.W()) x = 0.5 * rng.normal();
  for (auto& x : r.b()) x = 0.5 * rng.normal();
  for (auto& x : r.c()) x = 0.5 * rng.normal();
  return r;
}

arma::mat random_batch(std::size_t nv, std::size_t n, std::uint64_t seed) {
  Rng rng(seed);
  arma::mat V(nv, n);
  for (auto& x : V) x = rng.uniform() < 0.3 ? 1.0 : 0.0;
  return V;
}

/// A configuration whose update is the bare gradient step, so the transform can be checked.
TrainConfig bare(bool centering) {
  TrainConfig c;
  c.hidden = 4;
  c.epochs = 4;
  c.batch = 10;
  c.method = Method::cd;
  c.momentum = c.initial_momentum = 0;
  c.weight_decay = 0;
  c.rbm.centering = centering;
  c.rbm.centering_rate = 0.25;
  c.average_from = 1;
  return c;
}

}  // namespace

TEST_SUITE("trainer-centering") {
  TEST_CASE("a centred step is the raw gradient transformed by the offsets") {
    // First step: μ starts at the minibatch mean v̄ and λ at 1/2, then both slide once:
    // μ = v̄, λ = (1 − r)/2 + r h̄. Update: ΔW = lr (g_W − μ g_cᵀ − g_b λᵀ),
    // Δb = lr (g_b − ΔW/lr λ), Δc = lr (g_c − ΔWᵀ/lr μ).
    const Rbm<double> start = random_rbm(7, 4, 1);
    const arma::mat V = random_batch(7, 10, 2);
    for (bool centering : {true, false}) {
      CAPTURE(centering);
      RbmStep<double> t(bare(true), start);
      Rng rng(3);
      const Statistics<double> g = t.update(V, {}, 0.1, 0.0, rng);
      const Rbm<double>& rbm = t.model();
      const arma::vec mu = arma::mean(V, 1);
      const arma::vec lambda = 0.75 * 0.5 + 0.25 * arma::vec(arma::mean(start.hidden_mean(V), 1));
      arma::mat dW = g.dW;
      arma::vec db = g.db, dc = g.dc;
      if (centering) {
        dW = g.dW - mu * g.dc.t() - g.db * lambda.t();
        db = g.db - dW * lambda;
        dc = g.dc - dW.t() * mu;
      }
      const bool w_ok = arma::approx_equal(rbm.W() - start.W(), 0.1 * dW, "absdiff", 1e-14);
      const bool b_ok = arma::approx_equal(rbm.b() - start.b(), 0.1 * db, "absdiff", 1e-14);
      const bool c_ok = arma::approx_equal(rbm.c() - start.c(), 0.1 * dc, "absdiff", 1e-14);
      // The trainer centres: the formula holds, and the uncentred expectation is refused.
      CHECK(w_ok == centering);
      CHECK(b_ok == centering);
      CHECK(c_ok == centering);
    }
  }

  TEST_CASE("without centring a step is the raw gradient") {
    const Rbm<double> start = random_rbm(7, 4, 4);
    RbmStep<double> t(bare(false), start);
    Rng rng(5);
    const Statistics<double> g = t.update(random_batch(7, 10, 6), {}, 0.1, 0.0, rng);
    const Rbm<double>& rbm = t.model();
    CHECK(arma::approx_equal(rbm.W() - start.W(), 0.1 * g.dW, "absdiff", 1e-14));
    CHECK(arma::approx_equal(rbm.b() - start.b(), 0.1 * g.db, "absdiff", 1e-14));
    CHECK(arma::approx_equal(rbm.c() - start.c(), 0.1 * g.dc, "absdiff", 1e-14));
  }

  TEST_CASE("centring and averaging settings are validated naming the field") {
    TrainConfig c;
    c.rbm.centering_rate = 1.5;
    CHECK_THROWS_WITH_AS(c.validate(), doctest::Contains("RbmConfig::centering_rate"),
                         InvalidArgument);
    c = TrainConfig();
    c.average_from = -0.1;
    CHECK_THROWS_WITH_AS(c.validate(), doctest::Contains("TrainConfig::average_from"),
                         InvalidArgument);
    c = TrainConfig();
    CHECK_NOTHROW(c.validate());
  }
}
