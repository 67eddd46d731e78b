#include <doctest/doctest.h>

#include <vector>

#include "rbmkit/core/error.hpp"
#include "rbmkit/training/rbm_trainer.hpp"

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
  c.centering = centering;
  c.centering_rate = 0.25;
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
      Rbm<double> rbm = start;
      RbmTrainer<double> t(bare(true), rbm);
      Rng rng(3);
      const Statistics<double> g = t.step(V, 0.1, 0.0, rng);
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
    Rbm<double> rbm = start;
    RbmTrainer<double> t(bare(false), rbm);
    Rng rng(5);
    const Statistics<double> g = t.step(random_batch(7, 10, 6), 0.1, 0.0, rng);
    CHECK(arma::approx_equal(rbm.W() - start.W(), 0.1 * g.dW, "absdiff", 1e-14));
    CHECK(arma::approx_equal(rbm.b() - start.b(), 0.1 * g.db, "absdiff", 1e-14));
    CHECK(arma::approx_equal(rbm.c() - start.c(), 0.1 * g.dc, "absdiff", 1e-14));
  }

  TEST_CASE("the final model is the mean of the iterates once averaging has begun") {
    TrainConfig c = bare(true);
    c.average_from = 0;  // from the first update
    Rbm<double> rbm = random_rbm(7, 4, 7);
    RbmTrainer<double> t(c, rbm);
    Rng rng(8);
    arma::mat W(7, 4, arma::fill::zeros);
    arma::vec b(7, arma::fill::zeros), cc(4, arma::fill::zeros);
    for (int s = 0; s < 3; ++s) {
      t.step(random_batch(7, 10, 10 + s), 0.1, 0.0, rng);
      W += rbm.W() / 3;
      b += rbm.b() / 3;
      cc += rbm.c() / 3;
    }
    CHECK(t.averaged_updates() == 3);
    const Rbm<double> f = t.final_model();
    CHECK(arma::approx_equal(f.W(), W, "absdiff", 1e-12));
    CHECK(arma::approx_equal(f.b(), b, "absdiff", 1e-12));
    CHECK(arma::approx_equal(f.c(), cc, "absdiff", 1e-12));
    CHECK_FALSE(arma::approx_equal(f.W(), rbm.W(), "absdiff", 1e-6));  // not the last iterate
  }

  TEST_CASE("averaging starts at epoch floor(average_from * epochs) - 1 keeps the last iterate") {
    Dataset d;
    d.source = "random";
    d.pixels.set_size(7, 40);
    Rng fill(9);
    for (auto& p : d.pixels) p = fill.uniform() < 0.3 ? 255 : 0;
    for (double from : {0.5, 1.0}) {
      CAPTURE(from);
      TrainConfig c = bare(true);
      c.average_from = from;
      Rbm<double> rbm = random_rbm(7, 4, 11);
      RbmTrainer<double> t(c, rbm);
      Rng rng(12);
      for (std::size_t e = 0; e < c.epochs; ++e) {
        t.run_epoch(d, rng);
        const bool averaging = from < 1 && e + 1 > 2;  // epochs 3 and 4 of 4 (0-based 2, 3)
        CHECK(t.averaged_updates() == (averaging ? (e - 1) * 4 : 0));
      }
      if (from == 1.0) CHECK(arma::approx_equal(t.final_model().W(), rbm.W(), "absdiff", 0.0));
    }
  }

  TEST_CASE("centring and averaging settings are validated naming the option") {
    TrainConfig c;
    c.centering_rate = 1.5;
    CHECK_THROWS_WITH_AS(c.validate(), doctest::Contains("--centering-rate"), InvalidArgument);
    c = TrainConfig();
    c.average_from = -0.1;
    CHECK_THROWS_WITH_AS(c.validate(), doctest::Contains("--average-from"), InvalidArgument);
    c = TrainConfig();
    CHECK_NOTHROW(c.validate());
  }
}
