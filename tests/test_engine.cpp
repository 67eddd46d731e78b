#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <type_traits>

#include "equiv_fixtures.hpp"
#include "gaussian_fixtures.hpp"
#include "rbmkit/core/error.hpp"
#include "rbmkit/evaluation/monitors.hpp"
#include "rbmkit/studies/equivalence.hpp"
#include "rbmkit/training/engine.hpp"
#include "temp_path.hpp"
#include "thread_guard.hpp"

using namespace rbmkit;

namespace {

std::string file_bytes(const ModelFile& f, const std::string& name) {
  const std::string path = test::temp_path(name);
  write_model_file(path, f);
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

/// The bytes of the file an uninterrupted run writes, and of a run stopped after `stop_after`
/// minibatches (counted over the whole run), written to a file, read back and resumed.
template <class Step>
std::pair<std::string, std::string> uninterrupted_and_resumed(const TrainConfig& cfg,
                                                              const Dataset& data,
                                                              std::size_t stop_after,
                                                              bool tamper = false) {
  Trainer<Step> whole(cfg, data);
  REQUIRE(whole.run());
  Trainer<Step> first(cfg, data);
  std::size_t done = 0;
  TrainingHooks<typename Step::Model> hooks;
  hooks.progress = [&](std::size_t, std::size_t) { ++done; };
  hooks.stop = [&] { return done >= stop_after; };
  REQUIRE_FALSE(first.run(hooks));
  const std::string path = test::temp_path("stopped.rbm");
  write_model_file(path, first.to_file());
  ModelFile stopped = read_model_file(path);
  if (tamper) stopped.rng_state[0] ^= 1;  // a resume that lost one bit of the generator
  Trainer<Step> rest(stopped, path, data);
  REQUIRE(rest.run());
  return {file_bytes(whole.to_file(), "whole.rbm"), file_bytes(rest.to_file(), "rest.rbm")};
}

TrainConfig small_config(Method method, GradientPath path) {
  TrainConfig c;
  c.hidden = 6;
  c.epochs = 3;
  c.batch = 10;
  c.method = method;
  c.gradient = path;
  c.momentum = 0.5;
  c.momentum_epochs = 1;
  c.rbm.sparsity_cost = 0.01;
  c.rbm.sparsity_target = 0.1;
  c.average_from = 0.3;
  c.seed = 21;
  return c;
}

/// small_config with parallel tempering at 3 temperatures, 30 epochs and a larger learning rate,
/// so that the weights grow (to about 4) and the chains' states matter: with the near-zero
/// weights of a short run one Gibbs step forgets them, and a resume that lost them could not be
/// told apart.
TrainConfig pt_config(GradientPath path) {
  TrainConfig c = small_config(Method::pt, path);
  c.temperatures = 3;
  c.epochs = 30;
  c.lr = 1;
  return c;
}

/// A finished double-precision RBM run of `cfg` with `epochs` epochs.
Trainer<RbmStep<double>> finished_run(TrainConfig cfg, std::size_t epochs, const Dataset& data) {
  cfg.epochs = epochs;
  Trainer<RbmStep<double>> t(cfg, data);
  t.run();
  return t;
}

}  // namespace

TEST_SUITE("engine") {
  TEST_CASE("a minibatch written into RbmStep::minibatch gives the bits of one passed apart") {
    // The trainer writes each minibatch into the phases' positive visible states (no copy): the
    // same updates as a step given separate matrices, over 12 minibatches of CD, PCD and PT, both
    // gradient paths and Gaussian visible units. One changed pixel in the separate stream is seen.
    const Dataset data = fixtures::random_binary_dataset(12, 120, 4);
    auto run = [&](TrainConfig cfg, bool in_place, bool flip) {
      cfg.machine = MachineKind::rbm;
      Rng init(cfg.seed);
      RbmStep<double> step(cfg, RbmStep<double>::initial_model(data, cfg, init));
      step.begin(data);
      step.return_weight_statistic(false);
      Rng rng(cfg.seed + 1), batch_rng(cfg.seed + 2);
      const arma::uvec order = arma::regspace<arma::uvec>(0, data.size() - 1);
      std::vector<double> errors;
      for (std::size_t k = 0; k < 12; ++k) {
        const std::size_t first = (k % 12) * 10;
        arma::mat apart;
        arma::mat& V = in_place ? step.minibatch() : apart;
        make_batch_into(data, order, first, 10, cfg.binarize, cfg.threshold, batch_rng, V);
        if (flip && k == 7) V(3, 2) = 1 - V(3, 2);
        step.update(V, order.subvec(first, first + 9), 0.1, 0.5, rng);
        errors.push_back(step.last_error());
      }
      arma::mat W = step.model().W();
      W.insert_rows(W.n_rows, arma::rowvec(step.model().c().t()));
      return std::make_pair(W, errors);
    };
    std::vector<TrainConfig> configs;
    for (Method method : {Method::cd, Method::pcd, Method::pt})
      for (GradientPath path : {GradientPath::contrastive, GradientPath::reward_correlator}) {
        TrainConfig c = small_config(method, path);
        c.temperatures = 3;
        configs.push_back(c);
      }
    TrainConfig gaussian = small_config(Method::pcd, GradientPath::contrastive);
    gaussian.rbm.visible = UnitType::gaussian;
    gaussian.rbm.centering = false;
    gaussian.binarize = Binarize::none;
    gaussian.lr = 0.001;
    configs.push_back(gaussian);
    for (const TrainConfig& c : configs) {
      CAPTURE(to_string(c.method));
      CAPTURE(to_string(c.gradient));
      const auto in_place = run(c, true, false), apart = run(c, false, false);
      CHECK(std::memcmp(in_place.first.memptr(), apart.first.memptr(),
                        sizeof(double) * apart.first.n_elem) == 0);
      CHECK(in_place.second == apart.second);
      const auto flipped = run(c, false, true);
      CHECK(std::memcmp(flipped.first.memptr(), apart.first.memptr(),
                        sizeof(double) * apart.first.n_elem) != 0);
    }
  }

  TEST_CASE("an RBM run stopped after any minibatch and resumed ends in the same bits") {
    const Dataset data = fixtures::random_binary_dataset(12, 50, 2);  // 5 minibatches per epoch
    for (Method method : {Method::cd, Method::pcd})
      for (GradientPath path : {GradientPath::contrastive, GradientPath::reward_correlator})
        for (std::size_t stop : {1u, 5u, 7u, 13u}) {  // 5: between epochs 1 and 2
          CAPTURE(to_string(method));
          CAPTURE(to_string(path));
          CAPTURE(stop);
          const TrainConfig cfg = small_config(method, path);
          const auto d = uninterrupted_and_resumed<RbmStep<double>>(cfg, data, stop);
          CHECK(d.first == d.second);
          const auto f = uninterrupted_and_resumed<RbmStep<float>>(cfg, data, stop);
          CHECK(f.first == f.second);
        }
  }

  TEST_CASE("a Gaussian-Bernoulli run stopped and resumed ends in the same bits - a lost generator bit does not") {
    const Dataset data = fixtures::gaussian_mixture_dataset(3, 40, 5);  // 4 minibatches per epoch
    for (Method method : {Method::cd, Method::pcd})
      for (Variance variance : {Variance::unit, Variance::learned})
        for (std::size_t stop : {1u, 4u, 6u}) {
          CAPTURE(to_string(method));
          CAPTURE(to_string(variance));
          CAPTURE(stop);
          const TrainConfig cfg =
              fixtures::gaussian_config(method, GradientPath::contrastive, variance);
          const auto d = uninterrupted_and_resumed<RbmStep<double>>(cfg, data, stop);
          CHECK(d.first == d.second);
          const auto f = uninterrupted_and_resumed<RbmStep<float>>(cfg, data, stop);
          CHECK(f.first == f.second);
        }
    const TrainConfig cfg =
        fixtures::gaussian_config(Method::pcd, GradientPath::contrastive, Variance::learned);
    const auto t = uninterrupted_and_resumed<RbmStep<double>>(cfg, data, 6, /*tamper=*/true);
    CHECK(t.first != t.second);
  }

  TEST_CASE("a parallel-tempering RBM run stopped after any minibatch and resumed ends in the "
            "same bits") {
    // Bars and stripes: structured data, so that the weights grow (on random bits they stay
    // near zero). 56 examples: 5 minibatches of 10 per epoch, 150 in the run.
    const Dataset data = fixtures::bars_and_stripes(4);
    for (GradientPath path : {GradientPath::contrastive, GradientPath::reward_correlator})
      for (std::size_t stop : {1u, 5u, 77u, 149u}) {
        CAPTURE(to_string(path));
        CAPTURE(stop);
        const TrainConfig cfg = pt_config(path);
        const auto d = uninterrupted_and_resumed<RbmStep<double>>(cfg, data, stop);
        CHECK(d.first == d.second);
        const auto f = uninterrupted_and_resumed<RbmStep<float>>(cfg, data, stop);
        CHECK(f.first == f.second);
      }
    // The tempered chains are part of the state: a resume with one chain changed differs.
    const TrainConfig cfg = pt_config(GradientPath::contrastive);
    Trainer<RbmStep<double>> whole(cfg, data);
    REQUIRE(whole.run());
    Trainer<RbmStep<double>> first(cfg, data);
    std::size_t done = 0;
    TrainingHooks<Rbm<double>> hooks;
    hooks.progress = [&](std::size_t, std::size_t) { ++done; };
    hooks.stop = [&] { return done >= 100; };
    REQUIRE_FALSE(first.run(hooks));
    ModelFile stopped = first.to_file();
    arma::mat chains = stopped.get<double>("state.chains", "stopped");
    REQUIRE(chains.n_cols == 10 * 3);  // 10 chains (the batch) at 3 temperatures
    // One chain at beta = 1 (at beta = 0 the next step forgets its state: uniform draws).
    chains.col(5) = 1 - chains.col(5);
    ModelFile changed;
    changed.put<double>("state.chains", chains);
    for (NamedArray& a : stopped.arrays)
      if (a.name == "state.chains") a = changed.arrays.back();
    Trainer<RbmStep<double>> rest(stopped, "stopped", data);
    REQUIRE(rest.run());
    CHECK(file_bytes(whole.to_file(), "whole.rbm") != file_bytes(rest.to_file(), "rest.rbm"));
    // Chains that do not split into the 3 temperatures are refused, naming the file.
    ModelFile cut = first.to_file();
    arma::mat fewer = cut.get<double>("state.chains", "cut.rbm");
    fewer.shed_col(0);
    ModelFile holder;
    holder.put<double>("state.chains", fewer);
    for (NamedArray& a : cut.arrays)
      if (a.name == "state.chains") a = holder.arrays.back();
    CHECK_THROWS_WITH_AS(Trainer<RbmStep<double>>(cut, "cut.rbm", data),
                         doctest::Contains("cut.rbm"), ModelError);
  }

  TEST_CASE("a Boltzmann machine run stopped and resumed ends in the same bits") {
    const Dataset data = fixtures::random_binary_dataset(6, 40, 3);
    TrainConfig cfg = small_config(Method::pcd, GradientPath::contrastive);
    cfg.machine = MachineKind::bm;
    cfg.hidden = 3;
    cfg.bm.gibbs_sweeps = 2;
    for (std::size_t stop : {2u, 4u, 9u}) {
      CAPTURE(stop);
      const auto r = uninterrupted_and_resumed<BmStep<float>>(cfg, data, stop);
      CHECK(r.first == r.second);
    }
  }

  TEST_CASE("a resume that loses part of the state does not end in the same bits") {
    const Dataset data = fixtures::random_binary_dataset(12, 50, 2);
    const TrainConfig cfg = small_config(Method::pcd, GradientPath::contrastive);
    const auto r = uninterrupted_and_resumed<RbmStep<double>>(cfg, data, 7, /*tamper=*/true);
    CHECK(r.first != r.second);
  }

  TEST_CASE("resuming on other data or from a file without state is refused") {
    const Dataset data = fixtures::random_binary_dataset(12, 50, 2);
    TrainConfig cfg = small_config(Method::cd, GradientPath::contrastive);
    cfg.epochs = 1;
    Trainer<RbmStep<double>> t(cfg, data);
    t.run();
    const ModelFile f = t.to_file();
    Dataset other = data;
    other.pixels(0, 0) = other.pixels(0, 0) ? 0 : 255;
    CHECK_THROWS_WITH_AS(Trainer<RbmStep<double>>(f, "m.rbm", other),
                         doctest::Contains("not the data the run in m.rbm was trained on"),
                         DataError);
    CHECK_NOTHROW(Trainer<RbmStep<double>>(f, "m.rbm", data, 2));
    const ModelFile plain = make_rbm_file(t.model(), cfg.to_map(), Rng::State{});
    CHECK_THROWS_AS(Trainer<RbmStep<double>>(plain, "plain.rbm", data), ModelError);
  }

  TEST_CASE("extending a finished run trains the extra epochs") {
    const Dataset data = fixtures::random_binary_dataset(12, 50, 2);
    TrainConfig cfg = small_config(Method::pcd, GradientPath::contrastive);
    cfg.average_from = 1;
    const auto four = finished_run(cfg, 4, data);
    Trainer<RbmStep<double>> more(finished_run(cfg, 2, data).to_file(), "two.rbm", data, 4);
    CHECK(more.epochs_done() == 2);
    more.run();
    CHECK(more.epochs_done() == 4);
    CHECK(fixtures::same_bits(more.model().W(), four.model().W()));
  }

  TEST_CASE("extending a run whose averaging window has not begun gives the longer run's bits") {
    const Dataset data = fixtures::random_binary_dataset(12, 50, 2);
    TrainConfig cfg = small_config(Method::pcd, GradientPath::contrastive);
    cfg.average_from = 0.5;
    cfg.epochs = 6;  // averages epochs 4 to 6
    Trainer<RbmStep<double>> six(cfg, data);
    six.run();
    cfg.epochs = 3;  // averaged epochs 2 and 3
    Trainer<RbmStep<double>> three(cfg, data);
    three.run();
    Trainer<RbmStep<double>> longer(three.to_file(), "three.rbm", data, 6);
    longer.run();
    CHECK(longer.averaged_updates() == six.averaged_updates());
    CHECK(fixtures::same_bits(longer.model().W(), six.model().W()));
    // 4 epochs would average from epoch 3, which the 3-epoch run has passed: refused.
    CHECK_THROWS_WITH_AS(Trainer<RbmStep<double>>(three.to_file(), "three.rbm", data, 4),
                         doctest::Contains("TrainConfig::epochs"), InvalidArgument);
    // Ending before the epochs already done is refused.
    CHECK_THROWS_WITH_AS(Trainer<RbmStep<double>>(six.to_file(), "six.rbm", data, 2),
                         doctest::Contains("cannot end after 2"), InvalidArgument);
  }

  TEST_CASE("continuing a run on new data one epoch at a time equals one longer run") {
    // Without averaging and with a constant schedule, epoch 2 of one run and a new one-epoch
    // run continuing the file after epoch 1 see the same state, generator and order.
    const Dataset data = fixtures::random_binary_dataset(12, 50, 2);
    for (Method method : {Method::cd, Method::pcd}) {
      CAPTURE(to_string(method));
      TrainConfig cfg = small_config(method, GradientPath::contrastive);
      cfg.average_from = 1;
      cfg.momentum_epochs = 0;
      const auto whole = finished_run(cfg, 2, data);
      const auto first = finished_run(cfg, 1, data);
      cfg.epochs = 1;
      cfg.seed = 99;  // not used: the generator continues from the file
      Trainer<RbmStep<double>> next(cfg, data, first.to_file(), "first.rbm");
      next.run();
      CHECK(fixtures::same_bits(next.model().W(), whole.model().W()));
      CHECK(fixtures::same_bits(next.model().c(), whole.model().c()));
      // Continuing from the model alone (no training state) does not give the same bits.
      const ModelFile plain = make_rbm_file(first.model(), cfg.to_map(), Rng::State{});
      Trainer<RbmStep<double>> fresh_state(cfg, data, plain, "plain.rbm");
      fresh_state.run();
      CHECK_FALSE(fixtures::same_bits(fresh_state.model().W(), whole.model().W()));
    }
  }

  TEST_CASE("continuing a run on data or a size that does not fit the model is refused") {
    const Dataset data = fixtures::random_binary_dataset(12, 50, 2);
    const TrainConfig cfg = small_config(Method::pcd, GradientPath::contrastive);
    const ModelFile f = finished_run(cfg, 1, data).to_file();
    const Dataset other = fixtures::random_binary_dataset(12, 20, 3);
    const Dataset narrower = fixtures::random_binary_dataset(11, 20, 3);
    CHECK_NOTHROW(Trainer<RbmStep<double>>(cfg, other, f, "m.rbm"));
    CHECK_THROWS_WITH_AS(Trainer<RbmStep<double>>(cfg, narrower, f, "m.rbm"),
                         doctest::Contains("has 11 dimensions, the model in m.rbm 12 visible units"),
                         DimensionError);
    TrainConfig wider = cfg;
    wider.hidden = 7;
    CHECK_THROWS_WITH_AS(Trainer<RbmStep<double>>(wider, data, f, "m.rbm"),
                         doctest::Contains("TrainConfig::hidden: 7, but the model in m.rbm has 6"),
                         InvalidArgument);
    TrainConfig bm = cfg;
    bm.machine = MachineKind::bm;
    CHECK_THROWS_WITH_AS(Trainer<BmStep<double>>(bm, data, f, "m.rbm"),
                         doctest::Contains("RBMs only"), InvalidArgument);
  }

  TEST_CASE("the training and held-out parts are views of the data - no copy") {
    const Dataset data = fixtures::random_binary_dataset(7, 40, 9);
    TrainConfig c = small_config(Method::pcd, GradientPath::contrastive);
    c.valid = 10;
    const Trainer<RbmStep<double>> t(c, data);
    REQUIRE(t.training_data().size() == 30);
    REQUIRE(t.validation_data().size() == 10);
    CHECK(t.training_data().pixels.memptr() == data.pixels.memptr());
    CHECK(t.validation_data().pixels.memptr() == data.pixels.colptr(30));
    // Float data (values that are not steps of 1/255) are viewed as well.
    const arma::mat x = arma::clamp(arma::mat(7, 40, arma::fill::value(0.3)) +
                                        0.01 * arma::conv_to<arma::mat>::from(data.pixels) / 255.0,
                                    0.0, 1.0);
    const Dataset floats = dataset_from_values(x, "floats");
    REQUIRE_FALSE(floats.is_bytes());
    const Trainer<RbmStep<float>> f(c, floats);
    CHECK(f.training_data().values.memptr() == floats.values.memptr());
    CHECK(f.validation_data().values.memptr() == floats.values.colptr(30));
    // A trainer on a temporary data set would view freed memory: such constructors are deleted.
    using R = Trainer<RbmStep<double>>;
    CHECK(std::is_constructible_v<R, const TrainConfig&, const Dataset&>);
    CHECK_FALSE(std::is_constructible_v<R, const TrainConfig&, Dataset>);
    CHECK_FALSE(std::is_constructible_v<R, const ModelFile&, const std::string&, Dataset>);
    CHECK_FALSE(std::is_constructible_v<R, const TrainConfig&, Dataset, const ModelFile&,
                                        const std::string&>);
  }

  TEST_CASE("model files record only the fields that apply") {
    TrainConfig c;
    c.method = Method::cd;
    auto m = c.to_map();
    CHECK(m.count("chains") == 0);
    CHECK(m.count("centering") == 1);
    CHECK(m.count("gibbs_sweeps") == 0);
    c.machine = MachineKind::bm;
    c.method = Method::pcd;
    m = c.to_map();
    for (const char* rbm_only : {"k", "centering", "centering_rate", "sparsity_cost"})
      CHECK(m.count(rbm_only) == 0);
    CHECK(m.at("chains") == "0");
    CHECK(m.at("connectivity") == "full");
    // The stored map gives the configuration back.
    c.lr = 0.0375;
    c.bm.gibbs_sweeps = 3;
    const TrainConfig back = TrainConfig::from_map(c.to_map(), "test");
    CHECK(back.to_map() == c.to_map());
    auto bad = c.to_map();
    bad["lr"] = "fast";
    CHECK_THROWS_AS(TrainConfig::from_map(bad, "test"), ModelError);
  }

  TEST_CASE("parameter averaging is the mean of the iterates from its first epoch on") {
    const Dataset data = fixtures::random_binary_dataset(7, 40, 9);  // 4 minibatches per epoch
    TrainConfig c = small_config(Method::cd, GradientPath::contrastive);
    c.epochs = 4;
    c.average_from = 0.5;  // epochs 3 and 4
    Trainer<RbmStep<double>> t(c, data);
    arma::mat W(7, 6, arma::fill::zeros);
    std::size_t n = 0, epoch = 0;
    TrainingHooks<Rbm<double>> hooks;
    hooks.progress = [&](std::size_t, std::size_t) {
      if (epoch >= 2) {
        W += t.step().model().W();
        ++n;
      }
    };
    hooks.epoch_end = [&](EpochReport& r, const Rbm<double>&) {
      ++epoch;
      CHECK(t.averaged_updates() == (r.epoch > 2 ? (r.epoch - 2) * 4 : 0));
    };
    t.run(hooks);
    REQUIRE(n == 8);
    CHECK(arma::approx_equal(t.model().W(), W / double(n), "absdiff", 1e-12));
    CHECK_FALSE(arma::approx_equal(t.model().W(), t.step().model().W(), "absdiff", 1e-6));
  }

  TEST_CASE("the epoch's hook and Trainer::write see model()'s bits without copying its weights") {
    // The hook's model views the averaged weights (Trainer::with_model): the same bits in every
    // member as model()'s copy, before averaging starts and after, for Bernoulli units and for
    // Gaussian units with learned variances and a standardisation; Trainer::write writes the
    // bytes of to_file().
    auto same = [](const auto& a, const auto& b) {
      return a.n_elem == b.n_elem &&
             (a.n_elem == 0 || std::memcmp(a.memptr(), b.memptr(), a.n_elem * sizeof(a[0])) == 0);
    };
    auto check = [&](auto tag, const TrainConfig& cfg, const Dataset& data, const char* name) {
      using T = decltype(tag);
      Trainer<RbmStep<T>> t(cfg, data);
      TrainingHooks<Rbm<T>> hooks;
      std::size_t checked = 0, viewed = 0;
      hooks.epoch_end = [&](EpochReport&, const Rbm<T>& m) {
        const Rbm<T> copy = t.model();
        CHECK(same(m.W(), copy.W()));
        CHECK(same(m.b(), copy.b()));
        CHECK(same(m.c(), copy.c()));
        CHECK(same(m.z(), copy.z()));
        CHECK(m.visible_units() == copy.visible_units());
        CHECK(same(m.standardization().mean, copy.standardization().mean));
        CHECK(same(m.standardization().sd, copy.standardization().sd));
        if (t.averaged_updates() > 0) {
          CHECK(m.W().memptr() != t.step().model().W().memptr());  // the average, not the step's
          CHECK(m.W().mem_state != 0);  // a view of it (arma auxiliary memory), not a copy
          ++viewed;
        }
        ++checked;
      };
      REQUIRE(t.run(hooks));
      CHECK(checked == cfg.epochs);
      CHECK(viewed > 0);
      CHECK(viewed < checked);  // averaging starts after the first epoch
      const std::string path = test::temp_path(name);
      t.write(path);
      std::ifstream in(path, std::ios::binary);
      const std::string written(std::istreambuf_iterator<char>(in), {});
      CHECK(written == file_bytes(t.to_file(), std::string("to_file_") + name));
    };
    TrainConfig bernoulli = small_config(Method::pcd, GradientPath::contrastive);
    bernoulli.average_from = 0.5;  // epochs 2 and 3 of 3
    const Dataset binary = fixtures::random_binary_dataset(9, 40, 3);
    check(double(), bernoulli, binary, "hook_bernoulli_d.rbm");
    check(float(), bernoulli, binary, "hook_bernoulli_f.rbm");
    TrainConfig gaussian =
        fixtures::gaussian_config(Method::pcd, GradientPath::contrastive, Variance::learned);
    gaussian.average_from = 0.5;
    const Dataset grey = fixtures::gaussian_mixture_dataset(3, 40, 5);
    check(double(), gaussian, grey, "hook_gaussian_d.rbm");
    check(float(), gaussian, grey, "hook_gaussian_f.rbm");
    gaussian.rbm.variance = Variance::unit;  // z is not a parameter: it comes from the model
    check(double(), gaussian, grey, "hook_gaussian_unit_d.rbm");
  }

  TEST_CASE("equiv draws the trainer's first minibatch and phases bit for bit") {
    // The trainer's first update, observed on its reward-correlator path, against rbmkit equiv's
    // stream from the same seed and initial model: same examples, same phases, same bits.
    const Dataset data = fixtures::random_binary_dataset(10, 30, 4);
    for (MachineKind machine : {MachineKind::rbm, MachineKind::bm})
      for (std::uint64_t seed : {5u, 6u}) {
        CAPTURE(to_string(machine));
        TrainConfig c = small_config(Method::cd, GradientPath::reward_correlator);
        c.machine = machine;
        c.hidden = 4;
        c.epochs = 1;
        c.seed = 5;
        EquivConfig e;
        e.method = Method::cd;
        e.k = 2;
        c.rbm.k = c.bm.gibbs_sweeps = 2;
        e.batch = c.batch;
        arma::mat v, h;
        EquivResult r;
        Rng rng(seed);
        if (machine == MachineKind::rbm) {
          Trainer<RbmStep<double>> t(c, data);
          t.step().set_stream_observer([&](const RewardStream<double>& s) {
            if (v.is_empty()) v = s.v, h = s.h;
          });
          t.run();
          r = rbm_equivalence(RbmStep<double>::initial_model(data, c, rng), data, e, rng);
        } else {
          Trainer<BmStep<double>> t(c, data);
          t.step().set_stream_observer([&](const RewardStream<double>& s) {
            if (v.is_empty()) v = s.v, h = s.h;
          });
          t.run();
          r = bm_equivalence(BmStep<double>::initial_model(data, c, rng), data, e, rng);
          // The BM's stream holds all units, visible rows first.
          h = arma::mat(v.rows(10, v.n_rows - 1));
          v = arma::mat(v.rows(0, 9));
        }
        REQUIRE(r.v.n_cols == v.n_cols);
        const bool same = fixtures::same_bits(r.v, v) && fixtures::same_bits(r.h, h);
        CHECK(same == (seed == 5));  // another seed draws another minibatch
      }
  }

  TEST_CASE("Trainer::write writes to_file's bytes, with the state arrays referred to") {
    const Dataset data = fixtures::random_binary_dataset(12, 50, 2);
    TrainConfig cfg = small_config(Method::pcd, GradientPath::contrastive);
    cfg.epochs = 2;
    Trainer<RbmStep<double>> t(cfg, data);
    REQUIRE(t.run());
    const std::string path = test::temp_path("written.rbm");
    t.write(path);
    std::ifstream in(path, std::ios::binary);
    const std::string written(std::istreambuf_iterator<char>(in), {});
    CHECK(written == file_bytes(t.to_file(), "copied.rbm"));
    // A referred array is written from the matrix as it is when the file is written: the file
    // holds no copy (a change to the matrix shows), unlike put without put_refers.
    arma::mat m(3, 2, arma::fill::value(1.5));
    ModelFile f = t.to_file();
    f.put_refers = true;
    f.put<double>("extra", m);
    CHECK(f.array("extra").view != nullptr);
    CHECK(f.array("extra").bytes.empty());
    const std::string before = model_file_bytes(f);
    m(2, 1) = -4;
    CHECK(model_file_bytes(f) != before);
    CHECK(parse_model_file(model_file_bytes(f), "f").get<double>("extra")(2, 1) == -4);
    f.put_refers = false;
    f.put<double>("extra", m);
    m(2, 1) = 7;
    CHECK(parse_model_file(model_file_bytes(f), "f").get<double>("extra")(2, 1) == -4);
  }

  TEST_CASE("the step's update gives the same bits with or without the weight statistic") {
    // 500 x 70: large enough that 2 threads split the update's blocks of 32 columns (two full
    // blocks and a partial one); PCD with as many chains as examples, with 7 chains (the phases'
    // counts differ), the reward correlator, and centring on and off.
    fixtures::ThreadGuard guard;
    const Dataset data = fixtures::random_binary_dataset(500, 40, 4);
    struct Variant {
      GradientPath path;
      std::size_t chains;
    };
    for (const Variant variant : {Variant{GradientPath::contrastive, 0},
                                  Variant{GradientPath::contrastive, 7},
                                  Variant{GradientPath::reward_correlator, 0}})
      for (const bool centering : {true, false})
        for (const int n_threads : {1, 2}) {
        CAPTURE(variant.chains);
        CAPTURE(int(variant.path));
        CAPTURE(centering);
        CAPTURE(n_threads);
        set_threads(n_threads);
        TrainConfig cfg = small_config(Method::pcd, variant.path);
        cfg.hidden = 70;
        cfg.chains = variant.chains;
        cfg.rbm.centering = centering;
        Rng init(3);
        const Rbm<float> start = RbmStep<float>::initial_model(data, cfg, init);
        RbmStep<float> returned(cfg, start), deferred(cfg, start);
        deferred.return_weight_statistic(false);
        const arma::fmat V =
            arma::conv_to<arma::fmat>::from(fixtures::binary_matrix(data).cols(0, 9));
        Rng r1(5), r2(5);
        for (int step = 0; step < 3; ++step) {
          const Statistics<float> a = returned.update(V, {}, 0.1, 0.5, r1);
          const Statistics<float> b = deferred.update(V, {}, 0.1, 0.5, r2);
          CHECK(a.dW.n_elem == 500 * 70);
          CHECK(b.dW.n_elem == 0);
        }
        CHECK(fixtures::same_bits(returned.model().W(), deferred.model().W()));
        CHECK(fixtures::same_bits<float>(returned.model().b(), deferred.model().b()));
        CHECK(fixtures::same_bits<float>(returned.model().c(), deferred.model().c()));
        // The comparison sees a one-bit change.
        RbmStep<float> off = deferred;
        float& w = off.parameters()[0]->at(7, 40);
        w = std::nextafter(w, 1.0f);
        CHECK_FALSE(fixtures::same_bits(returned.model().W(), off.model().W()));
      }
  }

  TEST_CASE("weights changed through the step's parameters reach its next phases") {
    // The update leaves Wᵀ of the new weights in the phases' buffers for the next minibatch; a
    // change made through parameters() must make the step transpose W again. Reference: a copy
    // of the step, whose workspace starts empty. A change made behind the step's back (a
    // const_cast of model()) is not seen, which shows that the kept Wᵀ is used and that the
    // comparison would catch a step that did not forget it.
    fixtures::ThreadGuard guard;
    const Dataset data = fixtures::random_binary_dataset(60, 30, 4);
    TrainConfig cfg = small_config(Method::pcd, GradientPath::contrastive);
    cfg.hidden = 40;
    Rng init(3);
    RbmStep<float> step(cfg, RbmStep<float>::initial_model(data, cfg, init));
    step.return_weight_statistic(false);
    const arma::fmat V = arma::conv_to<arma::fmat>::from(fixtures::binary_matrix(data).cols(0, 9));
    Rng rng(5);
    step.update(V, {}, 0.1, 0.5, rng);
    step.parameters()[0]->at(3, 5) += 2.0f;
    RbmStep<float> reference = step;  // a copy's workspace starts empty: it transposes W itself
    Rng r1(7), r2(7);
    step.update(V, {}, 0.1, 0.5, r1);
    reference.update(V, {}, 0.1, 0.5, r2);
    CHECK(fixtures::same_bits(step.model().W(), reference.model().W()));
    CHECK(fixtures::same_bits<float>(step.model().c(), reference.model().c()));
    // The kept Wᵀ equals a fresh transpose where the update is split among threads: 500 x 70
    // (two full blocks of 32 columns and a partial one) at one and two threads.
    const Dataset wide = fixtures::random_binary_dataset(500, 40, 4);
    const arma::fmat Vw =
        arma::conv_to<arma::fmat>::from(fixtures::binary_matrix(wide).cols(0, 9));
    for (const int n_threads : {1, 2}) {
      CAPTURE(n_threads);
      set_threads(n_threads);
      TrainConfig wc = cfg;
      wc.hidden = 70;
      Rng winit(3);
      RbmStep<float> kept(wc, RbmStep<float>::initial_model(wide, wc, winit));
      kept.return_weight_statistic(false);
      Rng w0(5);
      kept.update(Vw, {}, 0.1, 0.5, w0);
      RbmStep<float> transposing = kept;  // a fresh workspace
      Rng w1(6), w2(6);
      kept.update(Vw, {}, 0.1, 0.5, w1);
      transposing.update(Vw, {}, 0.1, 0.5, w2);
      CHECK(fixtures::same_bits(kept.model().W(), transposing.model().W()));
      CHECK(fixtures::same_bits<float>(kept.model().c(), transposing.model().c()));
    }
    // A change behind the step's back: it samples with the kept, now stale, Wᵀ.
    const_cast<Rbm<float>&>(step.model()).W().at(3, 5) -= 2.0f;
    RbmStep<float> fresh = step;
    Rng r3(8), r4(8);
    step.update(V, {}, 0.1, 0.5, r3);
    fresh.update(V, {}, 0.1, 0.5, r4);
    CHECK_FALSE(fixtures::same_bits(step.model().W(), fresh.model().W()));
  }

  TEST_CASE("the step's reconstruction error is the mean-field error of every tenth example") {
    // last_error(): mean (v − sigm(W P(h|v) + b))² over the examples 0, 10, 20, … of the
    // minibatch, before the update; reference: Rbm::visible_mean of Rbm::hidden_mean (BLAS, one
    // double sum). Double precision, relative bound 1e-12 (terms are at most 1, at most 300 × 10
    // of them). Binary data (the kept Wᵀ) and grey data (a fresh transpose); the same bits at
    // one and two threads; a wrong model fails the bound. The second shape (300 visible, 100
    // hidden, 100 examples) is large enough for idle workers to compute the error's blocks
    // while the negative phase is drawn (ReconstructionError's BackgroundLoop); the first runs
    // it at the end.
    fixtures::ThreadGuard guard;
    struct Shape {
      arma::uword visible, examples, hidden, batch;
    };
    for (const Shape shape : {Shape{131, 40, 70, 25}, Shape{300, 120, 100, 100}}) {
      CAPTURE(shape.visible);
      const Dataset data = fixtures::random_binary_dataset(shape.visible, shape.examples, 4);
      TrainConfig cfg = small_config(Method::pcd, GradientPath::contrastive);
      cfg.hidden = shape.hidden;
      const arma::mat binary = fixtures::binary_matrix(data).cols(0, shape.batch - 1);
      arma::arma_rng::set_seed(5);
      const arma::mat grey = arma::randu<arma::mat>(shape.visible, shape.batch);
      const arma::uvec tenth = arma::regspace<arma::uvec>(0, 10, shape.batch - 1);
      for (const arma::mat* V : {&binary, &grey}) {
        double errors[2];
        for (const int n_threads : {1, 2}) {
          set_threads(n_threads);
          Rng init(3);
          RbmStep<double> step(cfg, RbmStep<double>::initial_model(data, cfg, init));
          Rng rng(7);
          step.update(binary, {}, 0.1, 0.5, rng);  // the next update starts from a kept Wᵀ
          const Rbm<double> before = step.model();
          step.update(*V, {}, 0.1, 0.5, rng);
          const arma::mat P = before.hidden_mean(*V);
          const double expected = mean_squared_error<double>(
              V->cols(tenth), before.visible_mean(arma::mat(P.cols(tenth))));
          CHECK(std::abs(step.last_error() - expected) <= 1e-12 * expected);
          Rbm<double> wrong = before;
          wrong.b()[3] += 0.01;
          const double off = mean_squared_error<double>(
              V->cols(tenth), wrong.visible_mean(arma::mat(wrong.hidden_mean(*V).cols(tenth))));
          CHECK_FALSE(std::abs(step.last_error() - off) <= 1e-12 * off);
          errors[n_threads - 1] = step.last_error();
        }
        CHECK(std::memcmp(&errors[0], &errors[1], sizeof(double)) == 0);
      }
    }
  }

}
