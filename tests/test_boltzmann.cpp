#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <unistd.h>

#include "equiv_fixtures.hpp"
#include "rbmkit/training/engine.hpp"
#include "rbmkit/models/boltzmann.hpp"
#include "rbmkit/sampling/sweeps.hpp"
#include "rbmkit/evaluation/exact.hpp"
#include "rbmkit/studies/equivalence.hpp"
#include "rbmkit/studies/literal.hpp"
#include "rbmkit/core/error.hpp"
#include "rbmkit/io/model_file.hpp"

using namespace rbmkit;

namespace {

std::size_t state_index(const arma::mat& S, arma::uword t) {
  std::size_t x = 0;
  for (arma::uword i = 0; i < S.n_rows; ++i)
    if (S(i, t) != 0) x |= std::size_t(1) << i;
  return x;
}

std::string temp_path(const char* name) {
  return std::string("/tmp/rbmkit_test_") + std::to_string(::getpid()) + "_" + name;
}

}  // namespace

TEST_SUITE("boltzmann") {
  TEST_CASE("connectivity masks are symmetric 0/1 with zero diagonal and the right blocks") {
    const arma::mat full = connectivity_mask(3, 2, Connectivity::full);
    const arma::mat semi = connectivity_mask(3, 2, Connectivity::semi_restricted);
    const arma::mat rbm = connectivity_mask(3, 2, Connectivity::restricted);
    for (const arma::mat* m : {&full, &semi, &rbm}) {
      CHECK(arma::approx_equal(*m, m->t(), "absdiff", 0.0));
      CHECK(arma::accu(arma::abs(m->diag())) == 0.0);
    }
    CHECK(arma::accu(full) == 5 * 4);
    CHECK(arma::accu(semi.submat(3, 3, 4, 4)) == 0.0);   // no hidden–hidden
    CHECK(arma::accu(semi.submat(0, 0, 2, 2)) == 6.0);   // visible–visible kept
    CHECK(arma::accu(rbm.submat(0, 0, 2, 2)) == 0.0);    // no visible–visible
    CHECK(arma::accu(rbm.submat(0, 3, 2, 4)) == 6.0);    // all visible–hidden
    CHECK(from_string<Connectivity>("semi-restricted") == Connectivity::semi_restricted);
    CHECK(to_string(Connectivity::semi_restricted) == "semi-restricted");
    CHECK_THROWS_WITH_AS(from_string<Connectivity>("sparse"),
                         "Connectivity: expected full, semi-restricted or restricted, got 'sparse'",
                         InvalidArgument);
  }

  TEST_CASE("set_mask and check reject weights that break the structure") {
    BoltzmannMachine<double> bm(3, 2);
    arma::mat bad = bm.mask();
    bad(0, 1) = 0;  // asymmetric
    CHECK_THROWS_AS(bm.set_mask(bad), InvalidArgument);
    bad = bm.mask();
    bad(2, 2) = 1;  // self-connection
    CHECK_THROWS_AS(bm.set_mask(bad), InvalidArgument);
    bm.W()(0, 1) = 0.5;  // only one side
    CHECK_THROWS_AS(bm.check(), InvalidArgument);
    bm.W()(1, 0) = 0.5;
    CHECK_NOTHROW(bm.check());
    bm.set_mask(connectivity_mask(3, 2, Connectivity::restricted));
    CHECK(bm.W()(0, 1) == 0.0);  // visible–visible weight removed with the mask
    bm.W()(0, 1) = bm.W()(1, 0) = 0.25;
    CHECK_THROWS_AS(bm.check(), InvalidArgument);
  }

  TEST_CASE("sigm of the activation is the conditional P(s_i = 1 | s_-i) given by the energy") {
    const auto bm = fixtures::random_bm<double>(4, 3, 0.8, 11);
    Rng rng(5);
    arma::mat S(7, 20);
    for (auto& x : S) x = rng.uniform() < 0.5 ? 1.0 : 0.0;
    const arma::mat A = bm.input(S);
    for (arma::uword t = 0; t < S.n_cols; ++t)
      for (arma::uword i = 0; i < 7; ++i) {
        arma::mat s1 = S.col(t), s0 = S.col(t);
        s1(i, 0) = 1;
        s0(i, 0) = 0;
        const double e1 = bm.energy(s1)[0], e0 = bm.energy(s0)[0];
        const double p = 1.0 / (1.0 + std::exp(e1 - e0));
        CHECK(1.0 / (1.0 + std::exp(-A(i, t))) == doctest::Approx(p).epsilon(1e-12));
      }
  }

  TEST_CASE("an RBM and its Boltzmann machine form have the same energy") {
    const auto rbm = fixtures::random_rbm<double>(5, 3, 0.7, 3);
    const auto bm = to_boltzmann(rbm);
    CHECK_NOTHROW(bm.check());
    Rng rng(9);
    arma::mat V(5, 10), H(3, 10);
    for (auto& x : V) x = rng.uniform() < 0.5;
    for (auto& x : H) x = rng.uniform() < 0.5;
    const arma::vec e_rbm = rbm.energy(V, H), e_bm = bm.energy(arma::join_cols(V, H));
    CHECK(arma::abs(e_rbm - e_bm).max() < 1e-12);
  }

  TEST_CASE("free-running sweeps sample the Boltzmann distribution (all 32 states - 5 sigma)") {
    // 3 visible + 2 hidden, full connectivity. 20000 independent chains, 40 sweeps each from all
    // zeros: with weights of std 0.6 the chain mixes in a few sweeps, so the remaining bias is
    // negligible. Each state's frequency is checked against exact enumeration within 5 binomial
    // standard errors (+1e-3): false-alarm rate below 32 x 6e-7 ~ 2e-5 (fixed seed anyway).
    const auto bm = fixtures::random_bm<double>(3, 2, 0.6, 21);
    const arma::vec p = fixtures::exact_state_probabilities(bm);
    const std::size_t chains = 20000;
    arma::mat S(5, chains, arma::fill::zeros);
    Rng rng(4);
    gibbs_sweeps_free(bm, S, 40, rng);
    arma::vec freq(32, arma::fill::zeros);
    for (arma::uword t = 0; t < chains; ++t) freq[state_index(S, t)] += 1.0 / chains;
    double worst_z = 0;
    for (std::size_t x = 0; x < 32; ++x) {
      const double se = std::sqrt(p[x] * (1 - p[x]) / chains);
      CHECK(std::abs(freq[x] - p[x]) < 5 * se + 1e-3);
      worst_z = std::max(worst_z, std::abs(freq[x] - p[x]) / se);
    }
    MESSAGE("largest |z| over the 32 states: " << worst_z);
  }

  TEST_CASE("clamped sweeps keep the visible units and sample P(h | v)") {
    const auto bm = fixtures::random_bm<double>(3, 2, 0.8, 22);
    const arma::vec p = fixtures::exact_state_probabilities(bm);
    const std::size_t chains = 20000;
    arma::mat S(5, chains, arma::fill::zeros);
    S.row(0).fill(1);  // v = (1, 0, 1)
    S.row(2).fill(1);
    Rng rng(6);
    gibbs_sweeps_clamped(bm, S, 30, rng);
    CHECK(arma::all(S.row(0) == 1.0));
    CHECK(arma::all(S.row(1) == 0.0));
    CHECK(arma::all(S.row(2) == 1.0));
    // P(h | v) for the 4 hidden configurations: states with visible bits 101 = 5.
    double pv = 0;
    for (std::size_t hx = 0; hx < 4; ++hx) pv += p[5 | (hx << 3)];
    arma::vec freq(4, arma::fill::zeros);
    for (arma::uword t = 0; t < chains; ++t) freq[state_index(S, t) >> 3] += 1.0 / chains;
    for (std::size_t hx = 0; hx < 4; ++hx) {
      const double q = p[5 | (hx << 3)] / pv;
      CHECK(std::abs(freq[hx] - q) < 5 * std::sqrt(q * (1 - q) / chains) + 1e-3);
    }
  }

  TEST_CASE("the same seed gives the same chain - another seed another") {
    const auto bm = fixtures::random_bm<float>(6, 4, 0.5, 1);
    arma::fmat A(10, 8, arma::fill::zeros), B = A, C = A;
    Rng r1(3), r2(3), r3(4);
    gibbs_sweeps_free(bm, A, 5, r1);
    gibbs_sweeps_free(bm, B, 5, r2);
    gibbs_sweeps_free(bm, C, 5, r3);
    CHECK(fixtures::same_bits(A, B));
    CHECK_FALSE(fixtures::same_bits(A, C));
  }

  TEST_CASE("a Boltzmann machine survives a save/load round trip bit for bit") {
    const auto bm = fixtures::random_bm<float>(6, 3, 0.5, 2, Connectivity::semi_restricted);
    const std::string path = temp_path("bm.rbm");
    save_bm(path, bm, {{"seed", "2"}});
    const auto back = load_bm<float>(path);
    CHECK(fixtures::same_bits(bm.W(), back.W()));
    CHECK(fixtures::same_bits<float>(bm.bias(), back.bias()));
    CHECK(fixtures::same_bits(bm.mask(), back.mask()));
    CHECK(back.n_visible() == 6);
    CHECK(back.n_hidden() == 3);
    CHECK_THROWS_AS(load_rbm<float>(path), ModelError);  // a BM is not an RBM
    save_rbm(path, fixtures::random_rbm<float>(4, 2, 0.1, 1));
    CHECK_THROWS_AS(load_bm<float>(path), ModelError);   // and vice versa
    // A file whose weights are not symmetric is refused.
    ModelFile f = make_bm_file(bm, {}, {});
    arma::fmat W = bm.W();
    W(0, 1) += 1.0f;
    f.arrays.erase(f.arrays.begin());
    f.put<float>("W", W);
    write_model_file(path, f);
    CHECK_THROWS_AS(load_bm<float>(path), ModelError);
    std::remove(path.c_str());
  }

  TEST_CASE("training a Boltzmann machine on bars-and-stripes raises the exact log-likelihood") {
    // 9 visible + 4 hidden, full connectivity: exact log-likelihood by enumerating 2^13 states.
    // The initial, nearly uniform model has log P ~ -9 log 2 = -6.24 nats, the best possible
    // log(1/14) = -2.64. Training reaches about -3.7 with this seed; the bound is -4.5 nats.
    const Dataset data = fixtures::bars_and_stripes(4);
    TrainConfig cfg;
    cfg.machine = MachineKind::bm;
    cfg.hidden = 4;
    cfg.epochs = 100;
    cfg.batch = 8;
    cfg.lr = 0.03;
    cfg.momentum = cfg.initial_momentum = 0.5;
    cfg.weight_decay = 0;
    cfg.average_from = 1;
    cfg.seed = 3;
    cfg.bm.gibbs_sweeps = 1;
    Trainer<BmStep<double>> trainer(cfg, data);
    const arma::mat X = fixtures::binary_matrix(data);
    const double before = exact_bm(trainer.model(), X).mean_log_likelihood;
    trainer.run();
    const BoltzmannMachine<double> bm = trainer.model();
    const double after = exact_bm(bm, X).mean_log_likelihood;
    MESSAGE("mean log-likelihood " << before << " -> " << after << " nats");
    CHECK(before < -6.0);
    CHECK(after > -4.5);
    CHECK_NOTHROW(bm.check());  // still symmetric, zero diagonal
  }

  TEST_CASE("BM trainer options are validated") {
    TrainConfig cfg;
    cfg.machine = MachineKind::bm;
    cfg.bm.gibbs_sweeps = 0;
    CHECK_THROWS_WITH_AS(cfg.validate(), doctest::Contains("BmConfig::gibbs_sweeps"),
                         InvalidArgument);
    cfg.bm.gibbs_sweeps = 1;
    CHECK_NOTHROW(cfg.validate());
    const Dataset data = fixtures::bars_and_stripes(1);
    CHECK_THROWS_AS(BmStep<double>(TrainConfig(), BoltzmannMachine<double>(9, 2)), InvalidArgument);
    CHECK_NOTHROW(Trainer<BmStep<double>>(cfg, data));
  }
}
