#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "equiv_fixtures.hpp"
#include "rbmkit/evaluation/bm_likelihood.hpp"
#include "rbmkit/evaluation/exact.hpp"
#include "rbmkit/studies/equivalence.hpp"
#include "rbmkit/studies/literal.hpp"
#include "rbmkit/core/error.hpp"
#include "rbmkit/evaluation/likelihood.hpp"

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
    const BmLikelihoodReport rep = evaluate_bm_likelihood(bm, data, Binarize::threshold, 0.5);
    const double log_z = brute_log_sum(bm, arma::vec());
    CHECK(rep.examples == data.size());
    CHECK(rep.log_z == doctest::Approx(log_z).epsilon(1e-13));
    CHECK(rep.log_likelihood == doctest::Approx(detail::exact_bm(bm, X).mean_log_likelihood).epsilon(1e-12));
    double pll = 0;
    for (std::size_t e = 0; e < X.n_cols; ++e)
      for (std::size_t i = 0; i < 9; ++i) {
        arma::vec flip = X.col(e);
        flip[i] = 1 - flip[i];
        const double a = brute_log_sum(bm, X.col(e)), b = brute_log_sum(bm, flip);
        pll += a - std::log(std::exp(a) + std::exp(b));
      }
    CHECK(rep.pseudo_log_likelihood == doctest::Approx(pll / double(X.n_cols)).epsilon(1e-12));
  }

  TEST_CASE("bad machines and data are rejected naming the function") {
    CHECK_THROWS_WITH_AS(exact_log_partition(random_bm(20, 11, Connectivity::full, 0.1, 1)),
                         doctest::Contains("exact_log_partition"), InvalidArgument);
    Dataset d;
    d.source = "d";
    d.pixels.zeros(4, 3);
    CHECK_THROWS_AS(evaluate_bm_likelihood(random_bm(5, 2, Connectivity::full, 0.1, 1), d,
                                           Binarize::threshold, 0.5),
                    DimensionError);
    d.pixels(0, 0) = 100;  // grey
    CHECK_THROWS_AS(evaluate_bm_likelihood(random_bm(4, 2, Connectivity::full, 0.1, 1), d,
                                           Binarize::none, 0.5),
                    DataError);
  }
}
