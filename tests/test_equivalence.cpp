#include <doctest/doctest.h>

#include <cmath>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "equiv_fixtures.hpp"
#include "rbmkit/training/bm_statistics.hpp"
#include "rbmkit/evaluation/exact.hpp"
#include "rbmkit/studies/equivalence.hpp"
#include "rbmkit/studies/literal.hpp"
#include "rbmkit/core/error.hpp"
#include "rbmkit/core/math.hpp"
#include "rbmkit/sampling/sweeps.hpp"
#include "rbmkit/sampling/gibbs.hpp"
#include "rbmkit/training/statistics.hpp"

using namespace rbmkit;

namespace {

double max_abs(const Statistics<double>& u) {
  return std::max({arma::abs(u.dW).max(), arma::abs(u.db).max(),
                   u.dc.n_elem ? arma::abs(u.dc).max() : 0.0});
}

/// Central finite differences of the exact mean log-likelihood of an RBM, in gradient form.
Statistics<double> rbm_finite_differences(const Rbm<double>& rbm, const arma::mat& X, double eps) {
  auto ll = [&](const Rbm<double>& r) { return exact_rbm(r, X).mean_log_likelihood; };
  Statistics<double> g{arma::mat(arma::size(rbm.W())), arma::vec(rbm.n_visible()), arma::vec(rbm.n_hidden())};
  auto diff = [&](auto&& param, double& out) {
    Rbm<double> p = rbm, m = rbm;
    param(p) += eps;
    param(m) -= eps;
    out = (ll(p) - ll(m)) / (2 * eps);
  };
  for (arma::uword k = 0; k < g.dW.n_elem; ++k)
    diff([k](Rbm<double>& r) -> double& { return r.W()[k]; }, g.dW[k]);
  for (arma::uword i = 0; i < g.db.n_elem; ++i)
    diff([i](Rbm<double>& r) -> double& { return r.b()[i]; }, g.db[i]);
  for (arma::uword j = 0; j < g.dc.n_elem; ++j)
    diff([j](Rbm<double>& r) -> double& { return r.c()[j]; }, g.dc[j]);
  return g;
}

/// Runs the literal setup through `run(config, rng)` for 20000 pairs from `seed` and checks it:
/// the error stays within the bound at every checkpoint (5·sqrt(1/(2·pairs)), each statistic in
/// [0, 1]: a false alarm below 5.7e-7 per parameter for independent samples) while the gradient
/// stands well above it; the negative control, positives chosen by a coin that ignores v, follows
/// the model instead of the data, so its stream estimates zero, far outside the bound.
template <class Run>
LiteralResult check_literal_converges(Run run, std::uint64_t seed) {
  LiteralConfig cfg;
  cfg.pairs = 20000;
  Rng rng(seed);
  const LiteralResult r = run(cfg, rng);
  MESSAGE("M = " << r.rejection_constant << ", acceptance " << r.acceptance_rate
                 << ", chain steps " << r.chain_steps);
  for (const LiteralCheckpoint& c : r.checkpoints) {
    CAPTURE(c.pairs);
    CHECK(c.error.max() < c.bound);
  }
  CHECK(max_abs(r.exact) > 4 * r.checkpoints.back().bound);
  cfg.reject = false;
  Rng rng2(seed);
  const LiteralResult bad = run(cfg, rng2);
  CHECK(bad.checkpoints.back().error.max() > 3 * bad.checkpoints.back().bound);
  return r;
}

}  // namespace

TEST_SUITE("equivalence") {
  TEST_CASE("exact LL gradient of a 5x3 RBM: the contrastive expectation equals finite "
            "differences of the enumerated log-likelihood") {
    const auto rbm = fixtures::random_rbm<double>(5, 3, 0.8, 31);
    const arma::mat X = fixtures::binary_matrix(fixtures::random_binary_dataset(5, 40, 1));
    const ExactQuantities ex = exact_rbm(rbm, X);
    const Statistics<double> fd = rbm_finite_differences(rbm, X, 1e-5);
    // Central differences with eps = 1e-5: truncation ~ eps² · |third derivative| < 1e-9,
    // rounding ~ 1e-16 / 1e-5 = 1e-11.
    CHECK(max_abs_difference(ex.ll_gradient, fd).max() < 1e-7);
    CHECK(max_abs(ex.ll_gradient) > 0.05);  // not a trivially zero gradient
    // The RBM as a general BM gives the same log-likelihood and gradient by full enumeration.
    const ExactQuantities bm = exact_bm(to_boltzmann(rbm), X);
    CHECK(bm.mean_log_likelihood == doctest::Approx(ex.mean_log_likelihood).epsilon(1e-12));
    CHECK(arma::abs(bm.ll_gradient.dW.submat(0, 5, 4, 7) - ex.ll_gradient.dW).max() < 1e-12);
    CHECK(arma::abs(bm.ll_gradient.db - ex.ll_gradient.db).max() < 1e-12);
    CHECK(arma::abs(bm.ll_gradient.dc - ex.ll_gradient.dc).max() < 1e-12);
  }

  TEST_CASE("exact LL gradient of a 4+3 fully connected BM equals finite differences") {
    const auto bm = fixtures::random_bm<double>(4, 3, 0.7, 5);
    const arma::mat X = fixtures::binary_matrix(fixtures::random_binary_dataset(4, 30, 2));
    const ExactQuantities ex = exact_bm(bm, X);
    const double eps = 1e-5;
    const std::size_t n = 7;
    double worst = 0;
    for (std::size_t j = 0; j < n; ++j) {
      for (std::size_t i = 0; i < j; ++i) {  // W_ij = W_ji is one parameter
        auto p = bm, m = bm;
        p.W()(i, j) += eps;
        p.W()(j, i) += eps;
        m.W()(i, j) -= eps;
        m.W()(j, i) -= eps;
        const double fd = (exact_bm(p, X).mean_log_likelihood -
                           exact_bm(m, X).mean_log_likelihood) / (2 * eps);
        worst = std::max(worst, std::abs(fd - ex.ll_gradient.dW(i, j)));
      }
      auto p = bm, m = bm;
      p.bias()[j] += eps;
      m.bias()[j] -= eps;
      const double fd = (exact_bm(p, X).mean_log_likelihood -
                         exact_bm(m, X).mean_log_likelihood) / (2 * eps);
      const double g = j < 4 ? ex.ll_gradient.db[j] : ex.ll_gradient.dc[j - 4];
      worst = std::max(worst, std::abs(fd - g));
    }
    CHECK(worst < 1e-7);
    CHECK(max_abs(ex.ll_gradient) > 0.05);
  }

  TEST_CASE("sampled RBM contrastive updates converge to the exact LL gradient (5 sigma)") {
    // Positive phase: every example with its exact P(h | v). Negative phase: 20000 independent
    // chains of 30 Gibbs steps from uniform random states (the 5x3 RBM with weights of std 0.8
    // mixes in a few steps). Every negative statistic lies in [0, 1], so its mean has standard
    // error ≤ 0.5/sqrt(20000) = 0.0035; the bound is 5 of those (false alarm < 23 x 6e-7).
    const auto rbm = fixtures::random_rbm<double>(5, 3, 0.8, 31);
    const arma::mat X = fixtures::binary_matrix(fixtures::random_binary_dataset(5, 40, 1));
    const ExactQuantities ex = exact_rbm(rbm, X);
    Rng rng(8);
    Phase<double> pos{X, rbm.hidden_mean(X)};
    arma::mat V0(5, 20000);
    for (auto& x : V0) x = rng.uniform() < 0.5;
    const Phase<double> neg = gibbs_chain(rbm, V0, 30, rng);
    const Statistics<double> g = contrastive_gradient(pos, neg);
    const double bound = 5 * 0.5 / std::sqrt(20000.0);
    const UpdateDifference d = max_abs_difference({g.dW, g.db, g.dc}, ex.ll_gradient);
    MESSAGE("largest error " << d.max() << ", bound " << bound);
    CHECK(d.max() < bound);
    CHECK(max_abs(ex.ll_gradient) > 3 * bound);  // the bound can tell a gradient from zero
  }

  TEST_CASE("sampled BM contrastive updates converge to the exact LL gradient (5 sigma)") {
    // Positive phase: each of the 30 examples clamped in 200 chains (6000), 30 hidden sweeps;
    // negative phase: 20000 free chains of 40 sweeps. Each statistic lies in [0, 1]: the
    // difference of the two means has standard error ≤ sqrt(0.25/6000 + 0.25/20000) = 0.0074.
    const auto bm = fixtures::random_bm<double>(4, 3, 0.7, 5);
    const arma::mat X = fixtures::binary_matrix(fixtures::random_binary_dataset(4, 30, 2));
    const ExactQuantities ex = exact_bm(bm, X);
    Rng rng(10);
    arma::mat S_pos(7, 6000, arma::fill::zeros);
    for (arma::uword t = 0; t < 6000; ++t) S_pos.col(t).head(4) = X.col(t % 30);
    gibbs_sweeps_clamped(bm, S_pos, 30, rng);
    arma::mat S_neg(7, 20000, arma::fill::zeros);
    gibbs_sweeps_free(bm, S_neg, 40, rng);
    const Statistics<double> g = bm_contrastive_gradient(bm, S_pos, S_neg);
    const double bound = 5 * std::sqrt(0.25 / 6000 + 0.25 / 20000);
    const UpdateDifference d = max_abs_difference({g.dW, g.db, g.dc}, ex.ll_gradient, 4);
    MESSAGE("largest error " << d.max() << " (vv " << d.weights_vv << ", vh " << d.weights_vh
                             << ", hh " << d.weights_hh << "), bound " << bound);
    CHECK(d.max() < bound);
    CHECK(max_abs(ex.ll_gradient) > 3 * bound);
  }

  TEST_CASE("literal setup - RBM: the reward correlator converges to the exact LL gradient") {
    const auto rbm = fixtures::random_rbm<double>(5, 3, 0.5, 41);
    const arma::mat X = fixtures::binary_matrix(fixtures::random_binary_dataset(5, 40, 3));
    const LiteralResult r = check_literal_converges(
        [&](const LiteralConfig& c, Rng& rng) { return literal_rbm(rbm, X, c, rng); }, 1);
    CHECK(r.checkpoints.size() == 4);  // 100, 1000, 10000, 20000
    CHECK(r.acceptance_rate == doctest::Approx(1.0 / r.rejection_constant).epsilon(0.05));
  }

  TEST_CASE("literal setup - BM: the reward correlator converges to the exact LL gradient") {
    const auto bm = fixtures::random_bm<double>(5, 3, 0.4, 42);
    const arma::mat X = fixtures::binary_matrix(fixtures::random_binary_dataset(5, 40, 2));
    check_literal_converges(
        [&](const LiteralConfig& c, Rng& rng) { return literal_bm(bm, X, c, rng); }, 2);
  }

  TEST_CASE("centered path: its target is M·dE[R]/da_i of Theorem 1 - not the LL gradient") {
    // Exact, by enumeration on a 4+2 BM. The reward of a state, averaged over the two coins of
    // the literal setup, is R̄(s) = α(v) − 1/M with α(v) = p_data(v) / (M p_model(v)).
    // Theorem 1: E[(s_i − sigm(a_i)) R̄] = ∂/∂a_i E[R̄ | s_−i] averaged over s_−i, where only
    // unit i's activation moves. The centered target of exact_bm is M times that.
    const auto bm = fixtures::random_bm<double>(4, 2, 0.7, 9);
    const arma::mat X = fixtures::binary_matrix(fixtures::random_binary_dataset(4, 25, 5));
    const ExactQuantities ex = exact_bm(bm, X);
    const arma::vec p = fixtures::exact_state_probabilities(bm);
    const arma::vec p_data = data_distribution(X);
    double M = 0;
    for (std::size_t v = 0; v < 16; ++v)
      if (p_data[v] > 0) M = std::max(M, p_data[v] / ex.p_visible[v]);
    auto R = [&](std::size_t x) { return p_data[x & 15] / (M * ex.p_visible[x & 15]) - 1.0 / M; };
    const arma::vec target = arma::join_cols(ex.centered_target.db, ex.centered_target.dc);
    for (std::size_t i = 0; i < 6; ++i) {
      auto expected_R = [&](double delta) {  // E over s_−i of E[R̄ | s_−i] with a_i shifted
        double e = 0;
        for (std::size_t x = 0; x < 64; ++x) {
          if (x >> i & 1) continue;
          const std::size_t x1 = x | (std::size_t(1) << i);
          double a = bm.bias()[i];
          for (std::size_t j = 0; j < 6; ++j)
            if (x >> j & 1) a += bm.W()(i, j);
          const double q = sigmoid(a + delta);
          e += (p[x] + p[x1]) * (q * R(x1) + (1 - q) * R(x));
        }
        return e;
      };
      const double derivative = (expected_R(1e-5) - expected_R(-1e-5)) / 2e-5;
      CAPTURE(i);
      CHECK(M * derivative == doctest::Approx(target[i]).epsilon(1e-6).scale(1.0));
    }
    // R̄ depends on v only, so a hidden unit's decision cannot change it: zero target.
    CHECK(arma::abs(ex.centered_target.dc).max() < 1e-12);
    // The log-likelihood gradient of those biases is far from zero: a different quantity.
    CHECK(arma::abs(ex.ll_gradient.dc).max() > 0.05);
    CHECK(max_abs_difference(ex.centered_target, ex.ll_gradient, 4).max() > 0.05);
  }

  TEST_CASE("centered path - sampled: converges to dE[R]/da and stays away from the LL gradient") {
    // Bounds: a centered bias statistic lies in (−1, 1) (variance ≤ 1, difference of two means
    // ≤ 2/pairs), a centered weight statistic in (−2, 2) (variance ≤ 4): z = 5 on both.
    const auto rbm = fixtures::random_rbm<double>(5, 3, 0.8, 41);
    const arma::mat X = fixtures::binary_matrix(fixtures::random_binary_dataset(5, 40, 3));
    LiteralConfig cfg;
    cfg.pairs = 20000;
    Rng rng(7);
    const LiteralResult r = literal_rbm(rbm, X, cfg, rng);
    REQUIRE(r.centered_available);
    const double K = double(cfg.pairs);
    const UpdateDifference to_target = max_abs_difference(r.centered_estimate, r.centered_target);
    CHECK(std::max(to_target.visible_bias, to_target.hidden_bias) < 5 * std::sqrt(2 / K));
    CHECK(to_target.weights < 5 * std::sqrt(8 / K));
    // RBM hidden units: target exactly zero, LL gradient not.
    CHECK(arma::abs(r.centered_target.dc).max() < 1e-12);
    // The two targets differ by more than twice the bound, and the estimate sits on its own.
    const double bias_bound = 5 * std::sqrt(2 / K);
    const double gap = max_abs_difference(r.centered_target, r.exact).max();
    const UpdateDifference to_ll = max_abs_difference(r.centered_estimate, r.exact);
    MESSAGE("centered vs its target " << to_target.max() << ", vs the LL gradient "
                                      << to_ll.max() << "; the targets differ by " << gap);
    CHECK(gap > 2 * bias_bound);
    CHECK(to_ll.max() > bias_bound);
    // The uncentered correlator over the same stream is the one that estimates the LL gradient.
    CHECK(max_abs_difference(r.estimate, r.exact).max() < 5 * std::sqrt(1 / (2 * K)));
  }

  TEST_CASE("equivalence dump: files - shapes and a re-computation from stream.csv") {
    const auto rbm = fixtures::random_rbm<double>(6, 4, 0.5, 2);
    const Dataset data = fixtures::random_binary_dataset(6, 20, 2);
    EquivConfig cfg;
    cfg.batch = 5;
    cfg.k = 2;
    Rng rng(3);
    const EquivResult r = rbm_equivalence(rbm, data, cfg, rng);
    const std::string dir = "/tmp/rbmkit_test_dump_" + std::to_string(::getpid());
    write_equivalence_dump(dir, r);
    arma::mat stream, dW;
    REQUIRE(stream.load(dir + "/stream.csv", arma::csv_ascii));
    REQUIRE(dW.load(dir + "/correlator_dW.csv", arma::csv_ascii));
    CHECK(stream.n_rows == 10);
    CHECK(stream.n_cols == 1 + 6 + 4);
    CHECK(dW.n_rows == 6);
    CHECK(dW.n_cols == 4);
    // Σ R v hᵀ / n₊ from the file equals the dumped correlator to 17 significant digits.
    const arma::mat V = stream.cols(1, 6), H = stream.cols(7, 10);
    arma::mat Rv = V;
    Rv.each_col() %= stream.col(0);
    CHECK(arma::abs(Rv.t() * H / 5.0 - dW).max() < 1e-12);
    for (const char* f : {"stream", "contrastive_dW", "contrastive_db", "contrastive_dc",
                          "correlator_dW", "correlator_db", "correlator_dc"})
      std::remove((dir + "/" + f + ".csv").c_str());
    ::rmdir(dir.c_str());
    // A dump into a path that is a file fails with OutputError.
    const std::string file = dir + ".file";
    std::ofstream(file) << "x";
    CHECK_THROWS_AS(write_equivalence_dump(file, r), OutputError);
    std::remove(file.c_str());
  }

  TEST_CASE("equivalence inputs are validated") {
    const auto rbm = fixtures::random_rbm<double>(6, 4, 0.5, 2);
    const Dataset data = fixtures::random_binary_dataset(6, 20, 2);
    const Dataset wrong = fixtures::random_binary_dataset(5, 20, 2);
    EquivConfig cfg;
    cfg.batch = 21;
    Rng rng(1);
    CHECK_THROWS_AS(rbm_equivalence(rbm, data, cfg, rng), InvalidArgument);
    cfg.batch = 5;
    CHECK_THROWS_AS(rbm_equivalence(rbm, wrong, cfg, rng), DimensionError);
    cfg.k = 0;
    CHECK_THROWS_AS(rbm_equivalence(rbm, data, cfg, rng), InvalidArgument);
    const auto big = fixtures::random_rbm<double>(17, 2, 0.1, 1);
    CHECK_THROWS_AS(exact_rbm(big, arma::mat(17, 3, arma::fill::zeros)), InvalidArgument);
    arma::mat nonbinary(4, 2, arma::fill::value(0.5));
    CHECK_THROWS_AS(data_distribution(nonbinary), DataError);
    LiteralConfig lc;
    lc.pairs = 0;
    CHECK_THROWS_WITH_AS(literal_rbm(rbm, fixtures::binary_matrix(data), lc, rng),
                         doctest::Contains("LiteralConfig::pairs"), InvalidArgument);
  }
}
