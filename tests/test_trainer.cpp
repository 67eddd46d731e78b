#include <doctest/doctest.h>

#include "rbmkit/core/error.hpp"
#include "equiv_fixtures.hpp"
#include "rbmkit/training/engine.hpp"
#include "tiny.hpp"

using namespace rbmkit;

namespace {

Dataset to_dataset(const arma::mat& X, std::size_t copies) {
  Dataset d;
  d.source = "bars-and-stripes";
  d.pixels.set_size(X.n_rows, X.n_cols * copies);
  for (std::size_t c = 0; c < copies; ++c)
    for (std::size_t j = 0; j < X.n_cols; ++j)
      for (std::size_t i = 0; i < X.n_rows; ++i)
        d.pixels(i, c * X.n_cols + j) = X(i, j) > 0.5 ? 255 : 0;
  return d;
}

/// The last iterate of a run of `cfg` on `data`.
Rbm<double> train_bars(const TrainConfig& cfg, const Dataset& data) {
  Trainer<RbmStep<double>> trainer(cfg, data);
  trainer.run();
  return trainer.step().model();
}

}  // namespace

TEST_SUITE("trainer") {
  TEST_CASE("training on 3x3 bars-and-stripes lowers the exact negative log-likelihood") {
    // 14 patterns: the best possible NLL is log 14 = 2.64 nats, the initial model gives
    // about 9 log 2 = 6.24. Thresholds: CD-1 below 3.3 nats, PCD (100 chains) below 3.8.
    const arma::mat P = test::bars_and_stripes(3);
    REQUIRE(P.n_cols == 14);
    const Dataset data = to_dataset(P, 20);
    TrainConfig cfg;
    cfg.hidden = 16;
    cfg.epochs = 150;
    cfg.batch = 14;
    cfg.momentum = 0.5;
    cfg.weight_decay = 0;
    cfg.seed = 3;
    struct Case { Method method; double lr; std::size_t chains; double bound; };
    for (const Case& c : {Case{Method::cd, 0.1, 0, 3.3}, Case{Method::pcd, 0.05, 100, 3.8}}) {
      CAPTURE(to_string(c.method));
      cfg.method = c.method;
      cfg.lr = c.lr;
      cfg.chains = c.chains;
      const Rbm<double> before = Trainer<RbmStep<double>>(cfg, data).step().model();
      const Rbm<double> after = train_bars(cfg, data);
      const double nll0 = test::exact_nll(before, P), nll1 = test::exact_nll(after, P);
      MESSAGE(to_string(c.method) << ": exact NLL " << nll0 << " -> " << nll1);
      CHECK(nll0 > 6.0);
      CHECK(nll1 < c.bound);
    }
  }

  TEST_CASE("the same seed gives bitwise identical models - another seed does not") {
    const Dataset data = to_dataset(test::bars_and_stripes(3), 5);
    TrainConfig cfg;
    cfg.hidden = 5;
    cfg.epochs = 3;
    cfg.batch = 7;
    cfg.seed = 11;
    const Rbm<double> a = train_bars(cfg, data), b = train_bars(cfg, data);
    CHECK(arma::approx_equal(a.W(), b.W(), "absdiff", 0.0));
    CHECK(arma::approx_equal(a.b(), b.b(), "absdiff", 0.0));
    CHECK(arma::approx_equal(a.c(), b.c(), "absdiff", 0.0));
    cfg.seed = 12;
    const Rbm<double> c = train_bars(cfg, data);
    CHECK_FALSE(arma::approx_equal(a.W(), c.W(), "absdiff", 0.0));
  }

  TEST_CASE("invalid configurations are refused naming the field") {
    auto refused = [](auto edit, const std::string& option) {
      TrainConfig cfg;
      edit(cfg);
      try {
        cfg.validate();
      } catch (const InvalidArgument& e) {
        return std::string(e.what()).find(option) != std::string::npos;
      }
      return false;
    };
    CHECK(refused([](TrainConfig& c) { c.hidden = 0; }, "TrainConfig::hidden: must be at least 1, got 0"));
    CHECK(refused([](TrainConfig& c) { c.batch = 0; }, "TrainConfig::batch"));
    CHECK(refused([](TrainConfig& c) { c.lr = -1; }, "TrainConfig::lr: must be a positive finite number, got -1"));
    CHECK(refused([](TrainConfig& c) { c.lr = std::nan(""); }, "TrainConfig::lr"));
    CHECK(refused([](TrainConfig& c) { c.momentum = 1.0; }, "TrainConfig::momentum"));
    CHECK(refused([](TrainConfig& c) { c.rbm.k = 0; }, "RbmConfig::k"));
    CHECK(refused([](TrainConfig& c) { c.rbm.sparsity_target = 1.5; }, "RbmConfig::sparsity_target"));
    CHECK(refused([](TrainConfig& c) {
      c.machine = MachineKind::bm;
      c.bm.gibbs_sweeps = 0;
    }, "BmConfig::gibbs_sweeps"));
    // Fields of the other machine are not checked: a BM run ignores RbmConfig entirely.
    CHECK_FALSE(refused([](TrainConfig& c) {
      c.machine = MachineKind::bm;
      c.rbm.k = 0;
    }, "::"));
    CHECK_FALSE(refused([](TrainConfig&) {}, "::"));
  }

  TEST_CASE("the sparsity penalty pulls the mean hidden activation toward its target") {
    const Dataset data = to_dataset(test::bars_and_stripes(3), 20);
    TrainConfig cfg;
    cfg.hidden = 16;
    cfg.epochs = 30;
    cfg.batch = 14;
    cfg.seed = 4;
    const Rbm<double> free_model = train_bars(cfg, data);
    cfg.rbm.sparsity_target = 0.05;
    cfg.rbm.sparsity_cost = 0.5;
    const Rbm<double> sparse_model = train_bars(cfg, data);
    const arma::mat P = test::bars_and_stripes(3);
    const double q_free = arma::mean(arma::vectorise(free_model.hidden_mean(P)));
    const double q_sparse = arma::mean(arma::vectorise(sparse_model.hidden_mean(P)));
    MESSAGE("mean hidden activation: " << q_free << " without, " << q_sparse << " with sparsity");
    CHECK(q_sparse < q_free);
    CHECK(q_sparse < 0.15);
  }
}
