#include <doctest/doctest.h>

#include "rbmkit/core/error.hpp"
#include "rbmkit/models/rbm.hpp"
#include "tiny.hpp"

using namespace rbmkit;
using rbmkit::test::all_states;
using rbmkit::test::naive_log_sum_exp;

TEST_SUITE("rbm") {
  TEST_CASE("free energy of a 4x3 RBM equals -log sum_h exp(-E(v -h)) by enumeration") {
    Rng rng(1);
    const Rbm<double> rbm = test::random_rbm(4, 3, rng);
    const arma::mat V = all_states(4), H = all_states(3);
    const arma::vec F = rbm.free_energy(V);
    double worst = 0;
    for (std::size_t a = 0; a < V.n_cols; ++a) {
      arma::vec terms(H.n_cols);
      for (std::size_t b = 0; b < H.n_cols; ++b) terms[b] = -rbm.energy(V.col(a), H.col(b))[0];
      worst = std::max(worst, std::abs(F[a] + naive_log_sum_exp(terms)));
    }
    CHECK(worst < 1e-12);

    // A broken model (visible bias sign flipped) must be caught by the same comparison.
    Rbm<double> broken = rbm;
    broken.b() = -broken.b();
    const arma::vec Fb = broken.free_energy(V);
    double worst_broken = 0;
    for (std::size_t a = 0; a < V.n_cols; ++a) {
      arma::vec terms(H.n_cols);
      for (std::size_t b = 0; b < H.n_cols; ++b) terms[b] = -rbm.energy(V.col(a), H.col(b))[0];
      worst_broken = std::max(worst_broken, std::abs(Fb[a] + naive_log_sum_exp(terms)));
    }
    CHECK(worst_broken > 1e-3);
  }

  TEST_CASE("conditionals of a 4x3 RBM equal the enumerated conditional probabilities") {
    Rng rng(2);
    const Rbm<double> rbm = test::random_rbm(4, 3, rng);
    const arma::mat V = all_states(4), H = all_states(3);
    // P(h_j = 1 | v) = sum over h with h_j = 1 of exp(-E) / sum over h of exp(-E).
    const arma::mat Ph = rbm.hidden_mean(V);
    const arma::mat Pv = rbm.visible_mean(H);
    double worst = 0;
    for (std::size_t a = 0; a < V.n_cols; ++a) {
      arma::vec w(H.n_cols);
      for (std::size_t b = 0; b < H.n_cols; ++b) w[b] = std::exp(-rbm.energy(V.col(a), H.col(b))[0]);
      const arma::vec p = H * w / arma::accu(w);
      worst = std::max(worst, arma::abs(p - Ph.col(a)).max());
    }
    for (std::size_t b = 0; b < H.n_cols; ++b) {
      arma::vec w(V.n_cols);
      for (std::size_t a = 0; a < V.n_cols; ++a) w[a] = std::exp(-rbm.energy(V.col(a), H.col(b))[0]);
      const arma::vec p = V * w / arma::accu(w);
      worst = std::max(worst, arma::abs(p - Pv.col(b)).max());
    }
    CHECK(worst < 1e-12);
    // A perturbed hidden bias is caught.
    Rbm<double> broken = rbm;
    broken.c()[0] += 0.5;
    CHECK(arma::abs(broken.hidden_mean(V) - Ph).max() > 1e-3);
  }

  TEST_CASE("log Z of a 4x3 RBM from free energies equals the joint enumeration") {
    Rng rng(3);
    const Rbm<double> rbm = test::random_rbm(4, 3, rng, 2.0);
    const double via_free_energy = naive_log_sum_exp(-rbm.free_energy(all_states(4)));
    CHECK(std::abs(via_free_energy - test::brute_log_z(rbm)) < 1e-12);
    // Probabilities from the free energy sum to one.
    const arma::vec p = arma::exp(-rbm.free_energy(all_states(4)) - via_free_energy);
    CHECK(std::abs(arma::accu(p) - 1.0) < 1e-12);
  }

  TEST_CASE("softplus is stable for large arguments and matches log1p(exp(x))") {
    const arma::vec x = {-800.0, -30.0, -1.0, 0.0, 1.0, 30.0, 800.0};
    const arma::vec y = softplus<double>(x);
    CHECK(y[0] == doctest::Approx(0.0));
    CHECK(y[3] == doctest::Approx(std::log(2.0)));
    CHECK(y[6] == doctest::Approx(800.0));
    CHECK(y[2] == doctest::Approx(std::log1p(std::exp(-1.0))));
    CHECK(y.is_finite());
    const arma::fvec xf = {-200.0f, 200.0f};
    CHECK(arma::fvec(softplus<float>(xf)).is_finite());
  }

  TEST_CASE("float and double models agree on free energy to float precision") {
    Rng rng(4);
    const Rbm<double> rbm = test::random_rbm(6, 5, rng);
    const Rbm<float> rf = rbm.cast<float>();
    const arma::mat V = all_states(6);
    const arma::vec a = rbm.free_energy(V), b = rf.free_energy(arma::conv_to<arma::fmat>::from(V));
    CHECK(arma::abs(a - b).max() < 1e-4);
  }

  TEST_CASE("initialisation follows Hinton's guide: small weights - log-odds visible biases - zero hidden biases") {
    Rng rng(5);
    Rbm<double> rbm(400, 50);
    arma::vec p(400);
    for (std::size_t i = 0; i < 400; ++i) p[i] = double(i) / 399.0;  // includes 0 and 1: clipped
    rbm.initialize(p, rng);
    CHECK(std::abs(arma::stddev(arma::vectorise(rbm.W())) - 0.01) < 0.0005);
    CHECK(std::abs(arma::mean(arma::vectorise(rbm.W()))) < 0.0005);
    CHECK(rbm.b()[200] == doctest::Approx(std::log(p[200] / (1 - p[200]))));
    CHECK(rbm.b().is_finite());
    CHECK(rbm.b()[0] == doctest::Approx(std::log(1e-3 / (1 - 1e-3))));
    CHECK(arma::all(rbm.c() == 0));
    CHECK_THROWS_AS(rbm.initialize(arma::vec(3, arma::fill::zeros), rng), DimensionError);
  }
}
