#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "rbmkit/core/error.hpp"
#include "rbmkit/io/model_file.hpp"
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

  TEST_CASE_TEMPLATE("the visible offsets slide with arma::mean's bits of the minibatch", T, float,
                     double) {
    // The step forms the minibatch means from row sums it shares with the statistics; the
    // offsets must have the bits of arma::mean (its sum starts from +0): a row of −0 alone
    // (grey data, not binarised, may hold −0) gives +0, not −0, and the other rows their sums.
    // A mean taken as the sum times 1/n (not a division) is caught: the offsets' bits differ.
    Rng data_rng(5);
    arma::Mat<T> V(9, 30);
    for (auto& x : V) x = data_rng.uniform() < 0.3 ? T(1) : T(0);
    V.row(2).fill(T(-0.0));
    V.row(4).zeros();
    V(6, 0) = T(-0.0);  // −0 first, then other values
    for (arma::uword j = 0; j < V.n_cols; ++j) V(7, j) = T(data_rng.uniform());  // grey
    TrainConfig cfg = bare(true);
    cfg.batch = 30;
    cfg.rbm.centering_rate = 0.3;
    Rbm<T> start(9, 4);
    Rng init(6);
    for (auto& x : start.W()) x = T(0.3 * init.normal());
    RbmStep<T> step(cfg, start);
    Rng rng(7);
    step.update(V, {}, 0.1, 0.0, rng);
    ModelFile f;
    step.save_state(f);
    const arma::Mat<T> mu = f.get<T>("state.centering.mu");
    // The first minibatch's offsets start at its mean and then slide towards it once.
    const arma::Col<T> m = arma::mean(V, 1);
    const T r = T(cfg.rbm.centering_rate);
    const arma::Col<T> expected = (T(1) - r) * m + r * m;
    REQUIRE(mu.n_elem == expected.n_elem);
    CHECK(std::memcmp(mu.memptr(), expected.memptr(), sizeof(T) * mu.n_elem) == 0);
    CHECK_FALSE(std::signbit(mu[2]));
    const arma::Col<T> by_product = arma::sum(V, 1) * (T(1) / T(V.n_cols));
    const arma::Col<T> wrong = (T(1) - r) * by_product + r * by_product;
    CHECK(std::memcmp(wrong.memptr(), expected.memptr(), sizeof(T) * mu.n_elem) != 0);
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
