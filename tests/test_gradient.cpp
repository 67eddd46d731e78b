#include <doctest/doctest.h>

#include <cmath>

#include "equiv_fixtures.hpp"
#include "rbmkit/training/bm_statistics.hpp"
#include "rbmkit/studies/equivalence.hpp"
#include "rbmkit/core/error.hpp"
#include "rbmkit/sampling/sweeps.hpp"
#include "rbmkit/training/statistics.hpp"
#include "rbmkit/training/engine.hpp"

using namespace rbmkit;

namespace {

template <class T>
bool bitwise_equal(const EquivResult& r) {
  // The updates were converted to double exactly, so bit equality there is bit equality in T.
  return fixtures::same_bits(r.contrastive.dW, r.correlator.dW) &&
         fixtures::same_bits<double>(r.contrastive.db, r.correlator.db) &&
         fixtures::same_bits<double>(r.contrastive.dc, r.correlator.dc);
}

/// The RBM stream of one CD-k minibatch (not trivially small numbers: weights of std 0.5).
template <class T>
void rbm_phases(std::size_t batch, std::size_t k, Phase<T>& pos, Phase<T>& neg) {
  const auto rbm = fixtures::random_rbm<T>(20, 12, 0.5, 17);
  const Dataset data = fixtures::random_binary_dataset(20, 64, 8);
  Rng rng(99);
  arma::uvec all(data.size());
  for (arma::uword i = 0; i < all.n_elem; ++i) all[i] = i;
  pos.v = make_batch<T>(data, all, 0, batch, Binarize::threshold, 0.5, rng);
  pos.h = rbm.hidden_mean(pos.v);
  neg = gibbs_chain_from(rbm, pos.h, k, rng);
}

/// Does comparing `stream`'s correlator with the contrastive update of (pos, neg) reveal a
/// difference? A stream the correlator refuses (unequal counts) counts as detected too.
template <class T>
bool detected(const RewardStream<T>& stream, const Phase<T>& pos, const Phase<T>& neg,
              double* diff = nullptr) {
  const Statistics<T> c = contrastive_gradient(pos, neg);
  try {
    const Statistics<T> r = reward_correlator_gradient(stream);
    const double d = std::max({double(arma::abs(c.dW - r.dW).max()),
                               double(arma::abs(c.db - r.db).max()),
                               double(arma::abs(c.dc - r.dc).max())});
    if (diff) *diff = d;
    return d > 1e-12;
  } catch (const InvalidArgument&) {
    return true;
  }
}

template <class T>
void check_trained_rbms_identical(Method method, std::size_t k) {
  const Dataset data = fixtures::random_binary_dataset(16, 120, 5);
  TrainConfig cfg;
  cfg.hidden = 10;
  cfg.epochs = 3;
  cfg.batch = 20;
  cfg.lr = 0.1;
  cfg.method = method;
  cfg.rbm.k = k;
  cfg.momentum_epochs = 1;          // both momentum values used
  cfg.weight_decay = 1e-3;
  cfg.rbm.sparsity_target = 0.1;    // and the sparsity penalty
  cfg.rbm.sparsity_cost = 0.01;
  cfg.seed = 12;
  Rbm<T> models[2];
  int i = 0;
  for (GradientPath path : {GradientPath::contrastive, GradientPath::reward_correlator}) {
    cfg.gradient = path;
    Trainer<RbmStep<T>> trainer(cfg, data);
    trainer.run();
    models[i++] = trainer.step().model();
  }
  CHECK(fixtures::same_bits(models[0].W(), models[1].W()));
  CHECK(fixtures::same_bits<T>(models[0].b(), models[1].b()));
  CHECK(fixtures::same_bits<T>(models[0].c(), models[1].c()));
  // Training moved the parameters, so the identity is not that of two untouched models.
  const Rbm<T> initial = Trainer<RbmStep<T>>(cfg, data).step().model();
  CHECK(arma::abs(arma::Mat<T>(models[0].W() - initial.W())).max() > T(1e-3));
}

}  // namespace

TEST_SUITE("gradient") {
  TEST_CASE("RBM: contrastive and reward-correlator updates are bitwise identical (CD-1 CD-5 "
            "PCD - batch 1 7 32 100 - float and double)") {
    const auto rbm_d = fixtures::random_rbm<double>(30, 17, 0.5, 4);
    const auto rbm_f = rbm_d.cast<float>();
    const Dataset data = fixtures::random_binary_dataset(30, 250, 6);
    int cases = 0;
    for (Method method : {Method::cd, Method::pcd})
      for (std::size_t k : {std::size_t(1), std::size_t(5)})
        for (std::size_t batch : {1, 7, 32, 100}) {
          if (method == Method::pcd && k == 5) continue;  // CD-1, CD-5, PCD-1
          EquivConfig cfg;
          cfg.method = method;
          cfg.k = k;
          cfg.batch = batch;
          CAPTURE(to_string(method));
          CAPTURE(k);
          CAPTURE(batch);
          Rng r1(batch * 7 + k), r2(batch * 7 + k);
          const EquivResult d = rbm_equivalence(rbm_d, data, cfg, r1);
          const EquivResult f = rbm_equivalence(rbm_f, data, cfg, r2);
          CHECK(bitwise_equal<double>(d));
          CHECK(bitwise_equal<float>(f));
          CHECK(d.difference.max() == 0.0);
          CHECK(f.difference.max() == 0.0);
          CHECK(d.reward.n_elem == 2 * batch);
          // The updates are not trivially zero.
          CHECK(arma::abs(d.contrastive.dW).max() > 1e-3);
          // And they are the correlator: the order-independent long-double sum agrees.
          RewardStream<double> s{d.v, d.h, d.reward};
          const Statistics<double> ref = reward_correlator_reference(s);
          CHECK(arma::abs(ref.dW - d.correlator.dW).max() < 1e-12);
          ++cases;
        }
    CHECK(cases == 12);
  }

  TEST_CASE("a naive sample-by-sample float correlator is not bitwise identical: the run-wise "
            "construction is what makes the paths agree") {
    Phase<float> pos, neg;
    rbm_phases<float>(60, 1, pos, neg);
    const Statistics<float> c = contrastive_gradient(pos, neg);
    const RewardStream<float> s = make_reward_stream(pos, neg);
    arma::fmat W(pos.v.n_rows, pos.h.n_rows, arma::fill::zeros);
    for (arma::uword t = 0; t < s.reward.n_elem; ++t)
      W += s.reward[t] * (s.v.col(t) * s.h.col(t).t());
    W /= float(s.n_positive());
    CHECK(arma::abs(W - c.dW).max() < 1e-5f);            // the same quantity…
    CHECK_FALSE(fixtures::same_bits(W, c.dW));           // …rounded differently
    CHECK(fixtures::same_bits(reward_correlator_gradient(s).dW, c.dW));
  }

  TEST_CASE("contrastive statistics take the positive phase's row sums a caller formed for it") {
    // RbmStep forms the sums for its centring and hands them on (GradientWorkspace::
    // positive_sums): the statistics must have the bits of summing themselves; sums named for
    // other matrices are not taken; the names are cleared once used. Sums deliberately off by
    // one show that named sums are really what the biases' statistics take.
    Phase<float> pos, neg;
    rbm_phases<float>(16, 1, pos, neg);
    const Statistics<float> plain = contrastive_gradient(pos, neg);
    GradientWorkspace<float> ws;
    auto name = [&](const arma::fvec& v, const arma::fvec& h, const void* v_of,
                    const void* h_of, arma::uword cols) {
      ws.positive_sums.v.sums = v;
      ws.positive_sums.h.sums = h;
      ws.positive_sums.v.of = v_of;
      ws.positive_sums.h.of = h_of;
      ws.positive_sums.v.cols = ws.positive_sums.h.cols = cols;
    };
    const arma::fvec sv = arma::sum(pos.v, 1), sh = arma::sum(pos.h, 1);
    name(sv, sh, pos.v.memptr(), pos.h.memptr(), pos.v.n_cols);
    const Statistics<float> given = contrastive_gradient(pos, neg, UnitType::bernoulli, &ws);
    CHECK(fixtures::same_bits(given.dW, plain.dW));
    CHECK(fixtures::same_bits(given.db, plain.db));
    CHECK(fixtures::same_bits(given.dc, plain.dc));
    CHECK(ws.positive_sums.v.of == nullptr);
    CHECK(ws.positive_sums.h.of == nullptr);
    const arma::fvec off_v = sv + 1.0f, off_h = sh + 1.0f;
    name(off_v, off_h, neg.v.memptr(), neg.h.memptr(), pos.v.n_cols);  // other matrices
    const Statistics<float> other = contrastive_gradient(pos, neg, UnitType::bernoulli, &ws);
    CHECK(fixtures::same_bits(other.db, plain.db));
    CHECK(fixtures::same_bits(other.dc, plain.dc));
    name(off_v, off_h, pos.v.memptr(), pos.h.memptr(), pos.v.n_cols - 1);  // other columns
    const Statistics<float> fewer = contrastive_gradient(pos, neg, UnitType::bernoulli, &ws);
    CHECK(fixtures::same_bits(fewer.db, plain.db));
    CHECK(fixtures::same_bits(fewer.dc, plain.dc));
    name(off_v, off_h, pos.v.memptr(), pos.h.memptr(), pos.v.n_cols);
    const Statistics<float> off = contrastive_gradient(pos, neg, UnitType::bernoulli, &ws);
    CHECK_FALSE(fixtures::same_bits(off.db, plain.db));
    CHECK_FALSE(fixtures::same_bits(off.dc, plain.dc));
    CHECK(fixtures::same_bits(off.dW, plain.dW));
  }

  TEST_CASE("negative control: one flipped reward is detected") {
    Phase<double> pos, neg;
    rbm_phases<double>(16, 1, pos, neg);
    RewardStream<double> s = make_reward_stream(pos, neg);
    REQUIRE_FALSE(detected(s, pos, neg));  // the intact stream passes
    s.reward[3] = -1;                      // a positive sample counted as negative
    CHECK(detected(s, pos, neg));
    CHECK_THROWS_AS(reward_correlator_gradient(s), InvalidArgument);
    // Without the count check (the long-double reference) the update itself is visibly off.
    const Statistics<double> ref = reward_correlator_reference(s);
    const Statistics<double> c = contrastive_gradient(pos, neg);
    CHECK(arma::abs(ref.db - c.db).max() > 0.05);
  }

  TEST_CASE("negative control: two flipped rewards that keep the counts equal are detected") {
    Phase<float> pos, neg;
    rbm_phases<float>(16, 3, pos, neg);
    RewardStream<float> s = make_reward_stream(pos, neg);
    std::swap(s.reward[0], s.reward[20]);  // one +1 → −1 and one −1 → +1
    double d = 0;
    CHECK(detected(s, pos, neg, &d));
    CHECK(d > 1e-3);
  }

  TEST_CASE("negative control: one dropped sample is detected") {
    Phase<double> pos, neg;
    rbm_phases<double>(16, 1, pos, neg);
    RewardStream<double> s = make_reward_stream(pos, neg);
    for (arma::uword drop : {arma::uword(0), arma::uword(31)}) {
      RewardStream<double> t = s;
      t.v.shed_col(drop);
      t.h.shed_col(drop);
      t.reward.shed_col(drop);
      CHECK(detected(t, pos, neg));
      CHECK_THROWS_AS(reward_correlator_gradient(t), InvalidArgument);
    }
    // Dropping one positive and one negative keeps the counts but changes the update.
    RewardStream<double> t = s;
    t.v.shed_col(16);
    t.h.shed_col(16);
    t.reward.shed_col(16);
    t.v.shed_col(0);
    t.h.shed_col(0);
    t.reward.shed_col(0);
    CHECK(detected(t, pos, neg));
  }

  TEST_CASE("BM: both paths are bitwise identical for the biases and every weight block") {
    const Dataset data = fixtures::random_binary_dataset(8, 100, 2);
    for (Connectivity conn : {Connectivity::full, Connectivity::semi_restricted})
      for (Method method : {Method::cd, Method::pcd})
        for (std::size_t batch : {1, 9, 40}) {
          CAPTURE(to_string(conn));
          CAPTURE(to_string(method));
          CAPTURE(batch);
          const auto bm_d = fixtures::random_bm<double>(8, 5, 0.5, 3, conn);
          const auto bm_f = bm_d.cast<float>();
          EquivConfig cfg;
          cfg.method = method;
          cfg.k = 3;
          cfg.batch = batch;
          Rng r1(batch), r2(batch);
          const EquivResult d = bm_equivalence(bm_d, data, cfg, r1);
          const EquivResult f = bm_equivalence(bm_f, data, cfg, r2);
          CHECK(bitwise_equal<double>(d));
          CHECK(bitwise_equal<float>(f));
          for (const EquivResult* r : {&d, &f}) {
            CHECK(r->difference.visible_bias == 0.0);
            CHECK(r->difference.hidden_bias == 0.0);
            CHECK(r->difference.weights_vv == 0.0);
            CHECK(r->difference.weights_vh == 0.0);
            CHECK(r->difference.weights_hh == 0.0);
          }
          if (batch == 40) CHECK(arma::abs(d.contrastive.dW).max() > 0.0);
          // Structure: symmetric, zero diagonal, zero outside the mask.
          CHECK(arma::approx_equal(d.correlator.dW, d.correlator.dW.t(), "absdiff", 0.0));
          CHECK(arma::accu(arma::abs(d.correlator.dW % (1 - d.mask))) == 0.0);
        }
  }

  TEST_CASE("BM: the identity holds for real-valued states too - and corruption is detected") {
    // Binary states make every sum an exact integer; real values in (0,1) exercise rounding.
    const auto bm = fixtures::random_bm<float>(6, 4, 0.5, 8);
    Rng rng(2);
    arma::fmat P(10, 13), N(10, 13);
    for (auto& x : P) x = rng.uniform_float();
    for (auto& x : N) x = rng.uniform_float();
    const Statistics<float> c = bm_contrastive_gradient(bm, P, N);
    RewardStream<float> s = make_bm_reward_stream(P, N);
    const Statistics<float> r = bm_reward_correlator_gradient(bm, s);
    CHECK(fixtures::same_bits(c.dW, r.dW));
    CHECK(fixtures::same_bits<float>(c.db, r.db));
    CHECK(fixtures::same_bits<float>(c.dc, r.dc));
    std::swap(s.reward[1], s.reward[14]);
    const Statistics<float> bad = bm_reward_correlator_gradient(bm, s);
    CHECK(arma::abs(bad.dW - c.dW).max() > 1e-3f);
    s.reward[1] = -s.reward[1];
    CHECK_THROWS_AS(bm_reward_correlator_gradient(bm, s), InvalidArgument);
  }

  TEST_CASE("RBMs trained by either path are bitwise identical (CD-1 - CD-3 - PCD - float - double)") {
    check_trained_rbms_identical<double>(Method::cd, 1);
    check_trained_rbms_identical<double>(Method::cd, 3);
    check_trained_rbms_identical<double>(Method::pcd, 1);
    check_trained_rbms_identical<float>(Method::cd, 1);
    check_trained_rbms_identical<float>(Method::pcd, 2);
  }

  TEST_CASE("Boltzmann machines trained by either path are bitwise identical") {
    const Dataset data = fixtures::random_binary_dataset(7, 60, 9);
    for (Method method : {Method::cd, Method::pcd}) {
      TrainConfig cfg;
      cfg.machine = MachineKind::bm;
      cfg.hidden = 4;
      cfg.epochs = 4;
      cfg.batch = 10;
      cfg.lr = 0.05;
      cfg.method = method;
      cfg.weight_decay = 1e-3;
      cfg.bm.gibbs_sweeps = 2;
      cfg.seed = 4;
      BoltzmannMachine<float> models[2];
      int i = 0;
      for (GradientPath path : {GradientPath::contrastive, GradientPath::reward_correlator}) {
        cfg.gradient = path;
        Trainer<BmStep<float>> trainer(cfg, data);
        trainer.run();
        models[i++] = trainer.step().model();
      }
      CHECK(fixtures::same_bits(models[0].W(), models[1].W()));
      CHECK(fixtures::same_bits<float>(models[0].bias(), models[1].bias()));
      CHECK(arma::abs(models[0].W()).max() > 0.05f);  // trained, not the initial 0.01 scale
    }
  }

  TEST_CASE("the RBM trainer's reward-correlator path correlates a +1/-1 stream and that stream "
            "gives its update") {
    // Without this, the identical-model tests above would also pass if the trainer ignored
    // --gradient: here the correlator must actually run, on a stream of B positives then B
    // negatives, and the raw update the trainer returns must be that stream's correlator.
    const Dataset data = fixtures::random_binary_dataset(12, 40, 3);
    for (Method method : {Method::cd, Method::pcd}) {
      TrainConfig cfg;
      cfg.hidden = 5;
      cfg.epochs = 1;
      cfg.batch = 8;
      cfg.method = method;
      cfg.seed = 6;
      for (GradientPath path : {GradientPath::contrastive, GradientPath::reward_correlator}) {
        cfg.gradient = path;
        Trainer<RbmStep<double>> trainer(cfg, data);
        std::size_t calls = 0;
        RewardStream<double> last;
        trainer.step().set_stream_observer([&](const RewardStream<double>& st) {
          ++calls;
          last = st;
        });
        trainer.run();  // 5 minibatches
        const arma::mat V = fixtures::binary_matrix(data).cols(0, 7);
        Rng rng(7);
        const Statistics<double> g = trainer.step().update(V, {}, 0.01, 0.0, rng);
        if (path == GradientPath::contrastive) {
          CHECK(calls == 0);
          continue;
        }
        CHECK(calls == 6);
        REQUIRE(last.reward.n_elem == 16);
        CHECK(arma::all(last.reward.head(8) == 1.0));
        CHECK(arma::all(last.reward.tail(8) == -1.0));
        CHECK(fixtures::same_bits(arma::mat(last.v.cols(0, 7)), V));
        const Statistics<double> ref = reward_correlator_reference(last);
        CHECK(arma::abs(g.dW - ref.dW).max() < 1e-12);
        CHECK(arma::abs(g.db - ref.db).max() < 1e-12);
        CHECK(arma::abs(g.dc - ref.dc).max() < 1e-12);
        // A flipped reward in that stream no longer reproduces the update.
        last.reward[0] = -1;
        last.reward[15] = 1;
        CHECK(arma::abs(g.dW - reward_correlator_reference(last).dW).max() > 1e-3);
      }
    }
  }

  TEST_CASE("the BM trainer's reward-correlator path runs on a +1/-1 stream") {
    const Dataset data = fixtures::random_binary_dataset(6, 30, 4);
    TrainConfig cfg;
    cfg.machine = MachineKind::bm;
    cfg.hidden = 3;
    cfg.epochs = 1;
    cfg.batch = 10;
    cfg.seed = 7;
    for (GradientPath path : {GradientPath::contrastive, GradientPath::reward_correlator}) {
      cfg.gradient = path;
      Trainer<BmStep<double>> trainer(cfg, data);
      std::size_t calls = 0;
      bool well_formed = true;
      trainer.step().set_stream_observer([&](const RewardStream<double>& st) {
        ++calls;
        well_formed = well_formed && st.reward.n_elem == 20 && st.n_positive() == 10 &&
                      arma::all(st.reward.head(10) == 1.0);
      });
      trainer.run();
      CHECK(calls == (path == GradientPath::reward_correlator ? 3u : 0u));
      CHECK(well_formed);
    }
  }

  TEST_CASE("with fewer examples than --batch - both paths still train and agree") {
    const Dataset data = fixtures::random_binary_dataset(6, 4, 5);
    TrainConfig cfg;
    cfg.hidden = 3;
    cfg.epochs = 1;
    cfg.batch = 8;
    cfg.chains = 8;
    cfg.method = Method::pcd;
    cfg.seed = 8;
    Rbm<double> models[2];
    int i = 0;
    for (GradientPath path : {GradientPath::contrastive, GradientPath::reward_correlator}) {
      cfg.gradient = path;
      Trainer<RbmStep<double>> trainer(cfg, data);
      CHECK_NOTHROW(trainer.run());
      models[i++] = trainer.step().model();
    }
    CHECK(models[0].W().is_finite());
    CHECK(models[1].W().is_finite());
  }

  TEST_CASE("RBM with parallel tempering: both paths are bitwise identical (PT-1 PT-3 - 2 and 5 "
            "temperatures - batch 1 7 32 - float and double)") {
    const auto rbm_d = fixtures::random_rbm<double>(30, 17, 0.5, 4);
    const auto rbm_f = rbm_d.cast<float>();
    const Dataset data = fixtures::random_binary_dataset(30, 250, 6);
    int cases = 0;
    for (std::size_t k : {std::size_t(1), std::size_t(3)})
      for (std::size_t temperatures : {std::size_t(2), std::size_t(5)})
        for (std::size_t batch : {1, 7, 32}) {
          EquivConfig cfg;
          cfg.method = Method::pt;
          cfg.k = k;
          cfg.temperatures = temperatures;
          cfg.batch = batch;
          CAPTURE(k);
          CAPTURE(temperatures);
          CAPTURE(batch);
          Rng r1(batch * 7 + k), r2(batch * 7 + k);
          const EquivResult d = rbm_equivalence(rbm_d, data, cfg, r1);
          const EquivResult f = rbm_equivalence(rbm_f, data, cfg, r2);
          CHECK(bitwise_equal<double>(d));
          CHECK(bitwise_equal<float>(f));
          CHECK(d.difference.max() == 0.0);
          CHECK(d.reward.n_elem == 2 * batch);
          CHECK(arma::abs(d.contrastive.dW).max() > 1e-3);
          ++cases;
        }
    CHECK(cases == 12);
  }

  TEST_CASE("negative control: a parallel-tempering stream with one flipped reward or one "
            "dropped sample is detected") {
    const auto rbm = fixtures::random_rbm<double>(20, 12, 0.5, 17);
    const Dataset data = fixtures::random_binary_dataset(20, 64, 8);
    EquivConfig cfg;
    cfg.method = Method::pt;
    cfg.temperatures = 4;
    cfg.batch = 16;
    Rng rng(3);
    const EquivResult r = rbm_equivalence(rbm, data, cfg, rng);
    REQUIRE(r.difference.max() == 0.0);
    const Phase<double> pos{r.v.head_cols(16), r.h.head_cols(16)};
    const Phase<double> neg{r.v.tail_cols(16), r.h.tail_cols(16)};
    RewardStream<double> s{r.v, r.h, r.reward};
    REQUIRE_FALSE(detected(s, pos, neg));  // the intact stream passes
    RewardStream<double> flipped = s;
    std::swap(flipped.reward[0], flipped.reward[20]);  // counts kept, one pair exchanged
    CHECK(detected(flipped, pos, neg));
    RewardStream<double> dropped = s;
    dropped.v.shed_col(20);
    dropped.h.shed_col(20);
    dropped.reward.shed_col(20);
    CHECK(detected(dropped, pos, neg));
  }

  TEST_CASE("RBMs trained with parallel tempering by either path are bitwise identical") {
    check_trained_rbms_identical<double>(Method::pt, 1);
    check_trained_rbms_identical<float>(Method::pt, 2);
  }

  TEST_CASE("parallel tempering is refused for Boltzmann machines") {
    TrainConfig cfg;
    cfg.machine = MachineKind::bm;
    cfg.method = Method::pt;
    CHECK_THROWS_AS(cfg.validate(), InvalidArgument);
    const auto bm = fixtures::random_bm<double>(4, 2, 0.5, 1);
    const Dataset data = fixtures::random_binary_dataset(4, 20, 1);
    EquivConfig e;
    e.method = Method::pt;
    e.batch = 5;
    Rng rng(1);
    CHECK_THROWS_AS(bm_equivalence(bm, data, e, rng), InvalidArgument);
  }
}
