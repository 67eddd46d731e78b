#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "rbmkit/core/random.hpp"

using rbmkit::Rng;

TEST_SUITE("random") {
  TEST_CASE("the same seed gives the same stream and another seed a different one") {
    Rng a(42), b(42), c(43);
    bool differs = false;
    for (int i = 0; i < 100; ++i) {
      const auto x = a.next();
      CHECK(x == b.next());
      differs |= x != c.next();
    }
    CHECK(differs);
  }

  TEST_CASE("uniform deviates have mean 1/2 and variance 1/12 within 5 standard errors") {
    // n = 200000: standard error of the mean is sqrt(1/12/n) ~ 6.5e-4; a 5-sigma bound has a
    // false-alarm rate below 1e-6 (and the seed is fixed).
    Rng rng(7);
    const int n = 200000;
    double s = 0, s2 = 0;
    for (int i = 0; i < n; ++i) {
      const double u = rng.uniform();
      REQUIRE(u >= 0.0);
      REQUIRE(u < 1.0);
      s += u;
      s2 += u * u;
    }
    const double mean = s / n, var = s2 / n - mean * mean;
    CHECK(std::abs(mean - 0.5) < 5 * std::sqrt(1.0 / 12 / n));
    CHECK(std::abs(var - 1.0 / 12) < 5 * std::sqrt(1.0 / 180 / n));
  }

  TEST_CASE("normal deviates have mean 0 and variance 1 within 5 standard errors") {
    Rng rng(8);
    const int n = 200000;
    double s = 0, s2 = 0;
    for (int i = 0; i < n; ++i) {
      const double z = rng.normal();
      s += z;
      s2 += z * z;
    }
    CHECK(std::abs(s / n) < 5 * std::sqrt(1.0 / n));
    CHECK(std::abs(s2 / n - 1) < 5 * std::sqrt(2.0 / n));
  }

  TEST_CASE("below(n) covers 0..n-1 uniformly (chi-square - 10 cells)") {
    // 10 cells, 100000 draws: chi-square with 9 d.o.f. exceeds 33.7 with probability 1e-4.
    Rng rng(9);
    std::vector<int> count(10, 0);
    const int n = 100000;
    for (int i = 0; i < n; ++i) {
      const auto k = rng.below(10);
      REQUIRE(k < 10);
      ++count[k];
    }
    double chi2 = 0;
    for (int c : count) chi2 += (c - n / 10.0) * (c - n / 10.0) / (n / 10.0);
    CHECK(chi2 < 33.7);
  }

  TEST_CASE("split streams are reproducible - distinct - and leave the parent untouched") {
    Rng parent(5);
    const auto before = parent.state();
    Rng s1 = parent.split(1), s1b = parent.split(1), s2 = parent.split(2);
    CHECK(parent.state() == before);
    CHECK(s1.next() == s1b.next());
    CHECK(s1.next() != s2.next());
  }

  TEST_CASE("a saved state restores the exact continuation") {
    Rng a(11);
    for (int i = 0; i < 10; ++i) a.next();
    Rng b(0);
    b.set_state(a.state());
    for (int i = 0; i < 10; ++i) CHECK(a.next() == b.next());
  }
}
