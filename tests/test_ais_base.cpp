#include <doctest/doctest.h>

#include <cmath>

#include "rbmkit/evaluation/ais_base.hpp"
#include "rbmkit/core/error.hpp"
#include "rbmkit/evaluation/likelihood.hpp"
#include "rbmkit/core/parallel.hpp"
#include "thread_guard.hpp"

using namespace rbmkit;

namespace {

/// Random binary data: 48 pixels, each on with probability 0.3.
Dataset noise(std::size_t n, std::uint64_t seed) {
  Rng rng(seed);
  Dataset d;
  d.source = "noise";
  d.pixels.set_size(48, n);
  for (auto& p : d.pixels) p = rng.uniform() < 0.3 ? 255 : 0;
  return d;
}

/// A 48 x 6 RBM with a trap for annealing: five hidden units with small random weights give a
/// broad, data-like mode; the sixth, with weights of about 10 to every pixel and a bias that
/// nearly cancels them, gives a sharp mode (almost all pixels on) that holds all but about
/// e^−10 of the mass at β = 1 (exact log Z 33.38; the rest sums to about 23.3) and little of it
/// at smaller β, whose distributions favour the broad mode. Annealing from the base rate of
/// `noise` never reaches it: p(h₆ = 1 | v) is below e^−100 unless some 44 of 48 pixels are on.
Rbm<double> trap_rbm() {
  Rng rng(5);
  Rbm<double> r(48, 6);
  for (std::size_t i = 0; i < 48; ++i) {
    for (std::size_t j = 0; j < 5; ++j) r.W()(i, j) = 0.3 * rng.normal();
    r.W()(i, 5) = 10 + 0.5 * rng.normal();
    r.b()[i] = -0.8 + 0.2 * rng.normal();
  }
  for (std::size_t j = 0; j < 5; ++j) r.c()[j] = 0.3 * rng.normal();
  // log p*(h₆ = 1) ≈ c₆ + Σ_i (b_i + W_i6); put it several nats above the rest.
  double rest = 0;  // log Σ over h with h₆ = 0, roughly: 5 log 2 + Σ softplus(b)
  for (std::size_t i = 0; i < 48; ++i) rest += std::log1p(std::exp(r.b()[i]));
  rest += 5 * std::log(2.0);
  double on = 0;
  for (std::size_t i = 0; i < 48; ++i) on += r.b()[i] + r.W()(i, 5);
  r.c()[5] = rest + 4.6 - on;
  return r;
}

}  // namespace

TEST_SUITE("ais_base") {
  TEST_CASE("AIS from the base-rate model misses a late mode - the modes base finds it") {
    // Bounds: missing the trap mode costs about 10 nats, so the base-rate estimate must be low
    // by more than 2 (over 12 seeds it was low by 10.00 to 10.06). With the mode as a component
    // the estimate must lie within 0.4 nats (over 12 seeds: errors −0.16 to +0.12, standard
    // errors about 0.05, so 0.4 is a margin of more than 6 standard errors; the seed is fixed).
    const Rbm<double> r = trap_rbm();
    const double exact = exact_log_partition(r);
    const Dataset data = noise(500, 1);
    const arma::vec rate = base_rate_biases(data);
    const std::vector<double> betas = ais_schedule(1000);
    Rng rng(3);
    const LogZEstimate plain = ais_log_partition(r, rate, 100, betas, rng);
    const AisBase modes = mode_mixture_base(r, data, rate);
    const LogZEstimate mixed = ais_log_partition(r, modes, 100, betas, rng);
    MESSAGE("trap: exact " << exact << ", base-rate AIS " << plain.log_z << " +- "
                           << plain.log_z_stderr << ", modes AIS " << mixed.log_z << " +- "
                           << mixed.log_z_stderr << " (" << modes.components() << " components)");
    CHECK(exact - plain.log_z > 2.0);
    CHECK(std::abs(mixed.log_z - exact) < 0.4);
    // The trap mode is among the components: h₆ on.
    bool has_trap = false;
    for (std::size_t k = 1; k < modes.components(); ++k) has_trap |= modes.modes(5, k) == 1;
    CHECK(has_trap);
  }

  TEST_CASE("the components are local maxima of p*(h) with the stated weights") {
    const Rbm<double> r = trap_rbm();
    const Dataset data = noise(300, 2);
    const arma::vec rate = base_rate_biases(data);
    ModeBaseOptions o;
    o.max_modes = 4;
    const AisBase base = mode_mixture_base(r, data, rate, o);
    REQUIRE(base.components() >= 2);
    REQUIRE(base.components() <= 5);
    CHECK(base.starts == 300);
    CHECK(base.distinct_modes >= base.components() - 1);
    CHECK(arma::approx_equal(base.logits.col(0), rate, "absdiff", 0.0));
    CHECK(std::isnan(base.mode_log_p[0]));
    CHECK(arma::accu(base.weights) == doctest::Approx(1.0).epsilon(1e-12));
    CHECK(base.weights[0] == doctest::Approx(0.25).epsilon(1e-12));
    auto log_p = [&](const arma::vec& h) {
      const arma::vec a = r.b() + r.W() * h;
      double s = arma::dot(r.c(), h);
      for (double x : a) s += std::max(x, 0.0) + std::log1p(std::exp(-std::abs(x)));
      return s;
    };
    for (std::size_t k = 1; k < base.components(); ++k) {
      CAPTURE(k);
      const arma::vec h = arma::conv_to<arma::vec>::from(base.modes.col(k));
      CHECK(base.mode_log_p[k] == doctest::Approx(log_p(h)).epsilon(1e-12));
      CHECK(arma::approx_equal(base.logits.col(k), r.b() + r.W() * h, "absdiff", 1e-12));
      if (k > 1) CHECK(base.mode_log_p[k] <= base.mode_log_p[k - 1]);  // most probable first
      for (std::size_t j = 0; j < h.n_elem; ++j) {
        arma::vec f = h;
        f[j] = 1 - f[j];
        CHECK(log_p(f) <= log_p(h) + 1e-9);  // no single flip improves it
      }
    }
  }

  TEST_CASE("the mode search does not depend on the thread count - AIS from it is reproducible") {
    fixtures::ThreadGuard guard;
    const Rbm<double> r = trap_rbm();
    const Dataset data = noise(200, 3);
    const arma::vec rate = base_rate_biases(data);
    set_threads(1);
    const AisBase one = mode_mixture_base(r, data, rate);
    set_threads(2);
    const AisBase two = mode_mixture_base(r, data, rate);
    CHECK(arma::approx_equal(one.logits, two.logits, "absdiff", 0.0));
    CHECK(arma::approx_equal(one.weights, two.weights, "absdiff", 0.0));
    Rng a(1), b(1), c(2);
    const auto betas = ais_schedule(100);
    const LogZEstimate ea = ais_log_partition(r, two, 37, betas, a);
    const LogZEstimate eb = ais_log_partition(r, two, 37, betas, b);
    const LogZEstimate ec = ais_log_partition(r, two, 37, betas, c);
    CHECK(arma::approx_equal(ea.log_weights, eb.log_weights, "absdiff", 0.0));
    CHECK_FALSE(arma::approx_equal(ea.log_weights, ec.log_weights, "absdiff", 0.0));
  }

  TEST_CASE("a base reweighted by forward runs takes the share of the weights each component's runs carried") {
    AisBase base = base_rate_base(arma::vec(4, arma::fill::zeros));
    base.logits = arma::mat(4, 3, arma::fill::zeros);
    base.weights = {0.5, 0.25, 0.25};
    // Runs from components 0, 0, 1, 2, 2 with weights 1, 1, 6, 0, 2 (as logs): shares 2/10, 6/10,
    // 2/10, then 1% of the original weights mixed in.
    const arma::uvec start = {0, 0, 1, 2, 2};
    const arma::vec log_w = arma::log(arma::vec{1, 1, 6, 1e-300, 2}) + 700.0;  // scale-free
    const AisBase r = reweighted_base(base, start, log_w);
    CHECK(r.weights[0] == doctest::Approx(0.99 * 0.2 + 0.01 * 0.5));
    CHECK(r.weights[1] == doctest::Approx(0.99 * 0.6 + 0.01 * 0.25));
    CHECK(r.weights[2] == doctest::Approx(0.99 * 0.2 + 0.01 * 0.25));
    CHECK(arma::approx_equal(r.logits, base.logits, "absdiff", 0.0));
    // A component no run started from keeps a positive weight.
    const AisBase only0 = reweighted_base(base, arma::uvec{0, 0}, arma::vec{0.0, 1.0});
    CHECK(only0.weights[1] == doctest::Approx(0.01 * 0.25));
    CHECK(arma::accu(only0.weights) == doctest::Approx(1.0));
    CHECK_THROWS_AS(reweighted_base(base, arma::uvec{0, 3}, arma::vec{0.0, 0.0}), DimensionError);
    CHECK_THROWS_AS(reweighted_base(base, arma::uvec{0}, arma::vec{0.0, 0.0}), DimensionError);
  }

  TEST_CASE("bad bases and options are rejected naming the function or field") {
    const Rbm<double> r = trap_rbm();
    const Dataset data = noise(10, 4);
    const arma::vec rate = base_rate_biases(data);
    Rng rng(1);
    CHECK_THROWS_WITH_AS(mode_mixture_base(r, noise(0, 1), rate),
                         doctest::Contains("mode_mixture_base"), DataError);
    CHECK_THROWS_AS(mode_mixture_base(r, data, arma::vec(47, arma::fill::zeros)), DimensionError);
    ModeBaseOptions o;
    o.base_rate_weight = 1.0;
    CHECK_THROWS_WITH_AS(mode_mixture_base(r, data, rate, o),
                         doctest::Contains("ModeBaseOptions::base_rate_weight"), InvalidArgument);
    AisBase bad = base_rate_base(rate);
    bad.weights[0] = 0.5;  // does not sum to 1
    CHECK_THROWS_WITH_AS(ais_log_partition(r, bad, 10, ais_schedule(10), rng),
                         doctest::Contains("ais_log_partition"), InvalidArgument);
  }

  TEST_CASE("AIS bases and likelihood methods are named through EnumNames") {
    CHECK_THROWS_WITH_AS(from_string<AisBaseKind>("both"),
                         doctest::Contains("AisBaseKind: expected rate or modes, got 'both'"),
                         InvalidArgument);
    CHECK(from_string<AisBaseKind>("rate") == AisBaseKind::base_rate);
    CHECK(from_string<AisBaseKind>("modes") == AisBaseKind::modes);
    CHECK(to_string(AisBaseKind::base_rate) == "rate");
    CHECK(to_string(AisBaseKind::modes) == "modes");
    for (LikelihoodMethod m :
         {LikelihoodMethod::automatic, LikelihoodMethod::exact, LikelihoodMethod::ais})
      CHECK(from_string<LikelihoodMethod>(to_string(m)) == m);
    CHECK(to_string(LikelihoodMethod::ais) == "ais");
    CHECK_THROWS_WITH_AS(from_string<LikelihoodMethod>("AIS"),
                         doctest::Contains("LikelihoodMethod"), InvalidArgument);
  }
}
