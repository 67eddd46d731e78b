#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "equiv_fixtures.hpp"
#include "rbmkit/core/error.hpp"
#include "rbmkit/evaluation/exact.hpp"
#include "rbmkit/evaluation/likelihood.hpp"
#include "rbmkit/evaluation/monitors.hpp"
#include "rbmkit/studies/equivalence.hpp"
#include "rbmkit/studies/literal.hpp"

using namespace rbmkit;

namespace {

/// A machine with every masked-in weight and bias drawn from N(0, scale²).
BoltzmannMachine<double> random_bm(std::size_t nv, std::size_t nh, Connectivity c, double scale,
                                   std::uint64_t seed) {
  Rng rng(seed);
  BoltzmannMachine<double> bm(nv, nh, c);
  const std::size_t n = nv + nh;
  for (std::size_t j = 0; j < n; ++j)
    for (std::size_t i = j + 1; i < n; ++i)
      if (bm.mask()(i, j) != 0) bm.W()(i, j) = bm.W()(j, i) = scale * rng.normal();
  for (auto& x : bm.bias()) x = scale * rng.normal();
  return bm;
}

arma::vec bits(std::uint64_t k, std::size_t n) {
  arma::vec s(n);
  for (std::size_t i = 0; i < n; ++i) s[i] = double((k >> i) & 1u);
  return s;
}

/// −E(s) summed as exp over every joint state with the visible part fixed to `v` (or all states
/// when v is empty): the definition, with no Gray code and no closed form.
double brute_log_sum(const BoltzmannMachine<double>& bm, const arma::vec& v) {
  const std::size_t n = bm.n_units(), nv = bm.n_visible();
  std::vector<double> t;
  for (std::uint64_t k = 0; k < (std::uint64_t(1) << n); ++k) {
    const arma::vec s = bits(k, n);
    if (v.n_elem && arma::any(s.head(nv) != v)) continue;
    t.push_back(arma::dot(bm.bias(), s) + 0.5 * arma::dot(s, bm.W() * s));
  }
  double m = -INFINITY;
  for (double x : t) m = std::max(m, x);
  double sum = 0;
  for (double x : t) sum += std::exp(x - m);
  return m + std::log(sum);
}

}  // namespace

TEST_SUITE("bm_likelihood") {
  TEST_CASE("exact log Z of a Boltzmann machine equals the sum over all joint states") {
    for (Connectivity c : {Connectivity::full, Connectivity::semi_restricted,
                           Connectivity::restricted}) {
      CAPTURE(to_string(c));
      const BoltzmannMachine<double> bm = random_bm(6, 5, c, 0.8, 3);
      const double brute = brute_log_sum(bm, arma::vec());
      CHECK(exact_log_partition(bm) == doctest::Approx(brute).epsilon(1e-13));
      CHECK(exact_log_partition(bm.cast<float>()) == doctest::Approx(brute).epsilon(1e-6));
      // A changed weight is seen: flip the sign of one weight.
      BoltzmannMachine<double> flipped = bm;
      const std::size_t i = 0, j = c == Connectivity::full ? 1 : 6;
      flipped.W()(i, j) = flipped.W()(j, i) = -bm.W()(i, j);
      CHECK(std::abs(exact_log_partition(flipped) - brute) > 1e-3);
    }
    // More than 12 units: several Gray-code blocks, combined in order.
    const BoltzmannMachine<double> big = random_bm(8, 6, Connectivity::full, 0.5, 4);
    CHECK(exact_log_partition(big) == doctest::Approx(brute_log_sum(big, arma::vec())).epsilon(1e-12));
  }

  TEST_CASE("an RBM as a Boltzmann machine has the RBM's log Z") {
    Rng rng(5);
    Rbm<double> r(7, 5);
    for (auto& x : r.W()) x = rng.normal();
    for (auto& x : r.b()) x = rng.normal();
    for (auto& x : r.c()) x = rng.normal();
    CHECK(exact_log_partition(to_boltzmann(r)) == doctest::Approx(exact_log_partition(r)).epsilon(1e-13));
  }

  TEST_CASE("free energies: closed form without hidden-hidden weights - enumeration with them") {
    for (Connectivity c : {Connectivity::full, Connectivity::semi_restricted}) {
      CAPTURE(to_string(c));
      const BoltzmannMachine<double> bm = random_bm(5, 4, c, 1.0, 6);
      arma::mat V(5, 8);
      for (std::size_t e = 0; e < 8; ++e) V.col(e) = bits(e * 3 + 1, 5);
      const arma::vec f = neg_free_energy(bm, V);
      for (std::size_t e = 0; e < 8; ++e) {
        CAPTURE(e);
        CHECK(f[e] == doctest::Approx(brute_log_sum(bm, V.col(e))).epsilon(1e-13));
      }
    }
    CHECK_THROWS_WITH_AS(neg_free_energy(random_bm(3, 25, Connectivity::full, 0.1, 1), arma::mat(3, 1, arma::fill::zeros)),
                         doctest::Contains("neg_free_energy"), InvalidArgument);
  }

  TEST_CASE("a data set's log-likelihood and pseudo-log-likelihood match the enumerated marginal") {
    const BoltzmannMachine<double> bm = random_bm(9, 4, Connectivity::full, 0.7, 7);
    const Dataset data = fixtures::bars_and_stripes(4);
    const arma::mat X = fixtures::binary_matrix(data);
    Rng rng(1);
    const LikelihoodReport rep = evaluate_likelihood(bm, data, LikelihoodOptions{}, rng);
    const DataMonitors mon = evaluate_monitors(bm, data, Binarize::threshold, 0.5);
    const double log_z = brute_log_sum(bm, arma::vec());
    CHECK(rep.examples == data.size());
    CHECK(rep.method == LikelihoodMethod::exact);
    CHECK(rep.log_z.log_z == doctest::Approx(log_z).epsilon(1e-13));
    CHECK(rep.log_likelihood == doctest::Approx(exact_bm(bm, X).mean_log_likelihood).epsilon(1e-12));
    CHECK(mon.free_energy == doctest::Approx(-rep.mean_neg_free_energy).epsilon(1e-13));
    double pll = 0;
    for (std::size_t e = 0; e < X.n_cols; ++e)
      for (std::size_t i = 0; i < 9; ++i) {
        arma::vec flip = X.col(e);
        flip[i] = 1 - flip[i];
        const double a = brute_log_sum(bm, X.col(e)), b = brute_log_sum(bm, flip);
        pll += a - std::log(std::exp(a) + std::exp(b));
      }
    CHECK(mon.pseudo_log_likelihood == doctest::Approx(pll / double(X.n_cols)).epsilon(1e-12));
    CHECK(std::isnan(mon.reconstruction_error));
  }

  TEST_CASE("bad machines and data are rejected naming the function") {
    CHECK_THROWS_WITH_AS(exact_log_partition(random_bm(20, 11, Connectivity::full, 0.1, 1)),
                         doctest::Contains("exact_log_partition"), InvalidArgument);
    Dataset d;
    d.source = "d";
    d.pixels.zeros(4, 3);
    Rng rng(1);
    LikelihoodOptions o;
    CHECK_THROWS_WITH_AS(evaluate_likelihood(random_bm(5, 2, Connectivity::full, 0.1, 1), d, o, rng),
                         doctest::Contains("evaluate_likelihood"), DimensionError);
    CHECK_THROWS_AS(evaluate_monitors(random_bm(5, 2, Connectivity::full, 0.1, 1), d,
                                      Binarize::threshold, 0.5),
                    DimensionError);
    d.pixels(0, 0) = 100;  // grey
    o.binarize = Binarize::none;
    CHECK_THROWS_AS(evaluate_likelihood(random_bm(4, 2, Connectivity::full, 0.1, 1), d, o, rng),
                    DataError);
    o.binarize = Binarize::threshold;
    o.method = LikelihoodMethod::ais;
    CHECK_THROWS_WITH_AS(evaluate_likelihood(random_bm(4, 2, Connectivity::full, 0.1, 1), d, o, rng),
                         doctest::Contains("AIS is implemented for RBMs only"), InvalidArgument);
  }

  TEST_CASE("held-out log-likelihood of a tiny Boltzmann machine is the brute-force mean log P(v)") {
    // The call the training engine makes after an epoch: evaluate_likelihood(bm, held_out, ...).
    const BoltzmannMachine<double> bm = random_bm(5, 3, Connectivity::full, 0.9, 11);
    const Dataset held_out = fixtures::random_binary_dataset(5, 30, 12);
    const arma::mat X = fixtures::binary_matrix(held_out);
    const double log_z = brute_log_sum(bm, arma::vec());
    double brute = 0;
    for (std::size_t e = 0; e < X.n_cols; ++e) brute += brute_log_sum(bm, X.col(e)) - log_z;
    brute /= double(X.n_cols);
    CHECK(exact_likelihood_feasible(bm));
    CHECK(exact_likelihood_obstacle(bm).empty());
    Rng rng(3);
    const Rng before = rng;
    const LikelihoodReport rep = evaluate_likelihood(bm, held_out, LikelihoodOptions{}, rng);
    CHECK(rep.log_likelihood == doctest::Approx(brute).epsilon(1e-12));
    CHECK(rep.log_likelihood_lower == rep.log_likelihood);
    CHECK(rep.log_likelihood_upper == rep.log_likelihood);
    CHECK(rep.log_z.log_z_stderr == 0);
    CHECK(rep.examples == 30);
    Rng copy = before;
    CHECK(rng.next() == copy.next());  // exact: the generator is not used
    // In float, to float accuracy.
    Rng frng(3);
    CHECK(evaluate_likelihood(bm.cast<float>(), held_out, LikelihoodOptions{}, frng).log_likelihood ==
          doctest::Approx(brute).epsilon(1e-5));
    // The first 10 examples only.
    LikelihoodOptions o;
    o.max_examples = 10;
    double first10 = 0;
    for (std::size_t e = 0; e < 10; ++e) first10 += brute_log_sum(bm, X.col(e)) - log_z;
    CHECK(evaluate_likelihood(bm, held_out, o, rng).log_likelihood ==
          doctest::Approx(first10 / 10).epsilon(1e-12));
    // A changed weight is seen.
    BoltzmannMachine<double> other = bm;
    other.W()(0, 6) = other.W()(6, 0) = bm.W()(0, 6) + 0.5;
    CHECK(std::abs(evaluate_likelihood(other, held_out, LikelihoodOptions{}, rng).log_likelihood -
                   brute) > 1e-4);
  }

  TEST_CASE("held-out evaluation of a Boltzmann machine beyond enumeration is refused saying why") {
    Rng rng(1);
    const Dataset data = fixtures::random_binary_dataset(16, 4, 2);
    // 16 + 40 units: log Z would enumerate 2^56 states.
    const BoltzmannMachine<double> big = random_bm(16, 40, Connectivity::full, 0.1, 1);
    CHECK_FALSE(exact_likelihood_feasible(big));
    CHECK(exact_likelihood_obstacle(big) ==
          "a Boltzmann machine of 56 units is beyond exact enumeration of log Z (at most 30 "
          "units); AIS is implemented for RBMs only");
    CHECK_THROWS_WITH_AS(evaluate_likelihood(big, data, LikelihoodOptions{}, rng),
                         "evaluate_likelihood: a Boltzmann machine of 56 units is beyond exact "
                         "enumeration of log Z (at most 30 units); AIS is implemented for RBMs only",
                         InvalidArgument);
    // 5 + 22 units: log Z is enumerable, but -F(v) with hidden-hidden weights is not.
    const Dataset five = fixtures::random_binary_dataset(5, 4, 3);
    const BoltzmannMachine<double> deep = random_bm(5, 22, Connectivity::full, 0.1, 2);
    CHECK_FALSE(exact_likelihood_feasible(deep));
    CHECK_THROWS_WITH_AS(evaluate_likelihood(deep, five, LikelihoodOptions{}, rng),
                         doctest::Contains("22 hidden units and hidden-hidden weights"),
                         InvalidArgument);
    // Without hidden-hidden weights the same size is feasible; a lower limit is obeyed.
    const BoltzmannMachine<double> semi = random_bm(5, 22, Connectivity::semi_restricted, 0.1, 2);
    CHECK(exact_likelihood_feasible(semi));
    LikelihoodOptions small;
    small.max_units = 20;
    CHECK_FALSE(exact_likelihood_feasible(semi, small));
    CHECK_THROWS_WITH_AS(evaluate_likelihood(semi, five, small, rng),
                         doctest::Contains("at most 20 units"), InvalidArgument);
  }

  TEST_CASE("the pseudo-log-likelihood of a large Boltzmann machine is there when its free energy is") {
    const Dataset data = fixtures::random_binary_dataset(16, 6, 4);
    const arma::mat X = fixtures::binary_matrix(data);
    // No hidden-hidden weights: closed-form free energies, whatever the size.
    const BoltzmannMachine<double> semi = random_bm(16, 40, Connectivity::semi_restricted, 0.3, 5);
    CHECK(pseudo_likelihood_obstacle(semi, 6, Binarize::threshold).empty());
    const DataMonitors m = evaluate_monitors(semi, data, Binarize::threshold, 0.5);
    const arma::vec pll = pseudo_log_likelihood(semi, X);
    CHECK(m.pseudo_log_likelihood == doctest::Approx(arma::mean(pll)).epsilon(1e-12));
    CHECK(m.pseudo_log_likelihood < 0);
    const arma::vec f = neg_free_energy(semi, X);
    CHECK(m.free_energy == doctest::Approx(-arma::mean(f)).epsilon(1e-12));
    // The first example's bits one by one, by the definition log P(v_i | v_-i).
    double pll0 = 0;
    for (std::size_t i = 0; i < 16; ++i) {
      arma::mat Xi = X.col(0);
      Xi(i, 0) = 1 - Xi(i, 0);
      const double fi = neg_free_energy(semi, Xi)[0];
      pll0 += f[0] - std::log(std::exp(f[0]) + std::exp(fi));
    }
    CHECK(pll[0] == doctest::Approx(pll0).epsilon(1e-12));
    // Hidden-hidden weights among 40 hidden units: neither the free energy nor the PLL.
    const BoltzmannMachine<double> full = random_bm(16, 40, Connectivity::full, 0.3, 5);
    CHECK_FALSE(pseudo_likelihood_obstacle(full, 6, Binarize::threshold).empty());
    const DataMonitors n = evaluate_monitors(full, data, Binarize::threshold, 0.5);
    CHECK(std::isnan(n.pseudo_log_likelihood));
    CHECK(std::isnan(n.free_energy));
    CHECK_THROWS_WITH_AS(pseudo_log_likelihood(full, X), doctest::Contains("pseudo_log_likelihood"),
                         InvalidArgument);
    // Grey data taken as is: no pseudo-log-likelihood.
    CHECK_FALSE(pseudo_likelihood_obstacle(semi, 6, Binarize::none).empty());
  }
}
