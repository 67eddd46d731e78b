// Gaussian–Bernoulli RBM (Cho, Ilin & Raiko 2011): energy, free energy and log Z against direct
// formulas and numerical integration over v; the gradient against finite differences of the
// exact log-likelihood; sampling; both gradient paths bit for bit; the model file.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <functional>

#include "error_of.hpp"
#include "gaussian_fixtures.hpp"
#include "rbmkit/core/error.hpp"
#include "rbmkit/evaluation/ais.hpp"
#include "rbmkit/evaluation/exact.hpp"
#include "rbmkit/evaluation/likelihood.hpp"
#include "rbmkit/io/model_file.hpp"
#include "rbmkit/training/engine.hpp"
#include "rbmkit/training/gaussian_statistics.hpp"
#include "temp_path.hpp"
#include "tiny.hpp"

using namespace rbmkit;

namespace {

constexpr double kPi = 3.14159265358979323846;

/// E(v, h) written out from Cho et al. 2011, eq. 1, with the sign of the quadratic term given:
/// Σ_i q (v_i − b_i)² / (2σ_i²) − Σ_ij W_ij h_j v_i / σ_i² − cᵀh (q = +1 is the model).
double energy_formula(const Rbm<double>& r, const arma::vec& v, const arma::vec& h, double q = 1) {
  double e = -arma::dot(r.c(), h);
  const arma::vec wh = r.W() * h;
  for (std::size_t i = 0; i < v.n_elem; ++i) {
    const double s2 = std::exp(r.z()[i]);
    e += q * (v[i] - r.b()[i]) * (v[i] - r.b()[i]) / (2 * s2) - wh[i] * v[i] / s2;
  }
  return e;
}

/// log Σ_h exp(−E(v, h)) over every hidden state, E by energy_formula.
double neg_free_energy_by_sum(const Rbm<double>& r, const arma::vec& v, double q = 1) {
  const arma::mat H = test::all_states(r.n_hidden());
  arma::vec t(H.n_cols);
  for (std::size_t k = 0; k < H.n_cols; ++k) t[k] = -energy_formula(r, v, H.col(k), q);
  return test::naive_log_sum_exp(t);
}

/// The closed form of log Z as the issue states it, with sign `s` inside the square:
/// logsumexp_h[cᵀh + Σ_i ((b_i + s (Wh)_i)² − b_i²) / (2σ_i²)] + Σ_i ½ log(2πσ_i²).
double log_z_formula(const Rbm<double>& r, double s) {
  const arma::mat H = test::all_states(r.n_hidden());
  arma::vec t(H.n_cols);
  for (std::size_t k = 0; k < H.n_cols; ++k) {
    const arma::vec a = r.W() * H.col(k);
    double x = arma::dot(r.c(), H.col(k));
    for (std::size_t i = 0; i < a.n_elem; ++i) {
      const double bi = r.b()[i];
      x += ((bi + s * a[i]) * (bi + s * a[i]) - bi * bi) / (2 * std::exp(r.z()[i]));
    }
    t[k] = x;
  }
  double c = 0;
  for (std::size_t i = 0; i < r.n_visible(); ++i) c += 0.5 * std::log(2 * kPi * std::exp(r.z()[i]));
  return test::naive_log_sum_exp(t) + c;
}

/// A grid of G points with step `step` centred on 0 (trapezoid weights = step; the integrand
/// vanishes at the ends).
arma::vec grid(double half_width, double step) {
  return arma::regspace(-half_width, step, half_width);
}

/// log ∫ exp(−F(v)) dv over R^nv (nv = 1 or 2) by the trapezoid rule on a fine grid, with −F
/// given as a function of a matrix of points (one per column).
double log_integral(std::size_t nv, const std::function<arma::vec(const arma::mat&)>& neg_f,
                    double half_width = 30, double step = 0.02) {
  const arma::vec g = grid(half_width, step);
  arma::vec terms;
  if (nv == 1) {
    terms = neg_f(arma::mat(g.t()));
  } else {
    arma::mat P(2, g.n_elem * g.n_elem);
    for (std::size_t a = 0; a < g.n_elem; ++a)
      for (std::size_t b = 0; b < g.n_elem; ++b) {
        P(0, a * g.n_elem + b) = g[a];
        P(1, a * g.n_elem + b) = g[b];
      }
    terms = neg_f(P);
  }
  return test::naive_log_sum_exp(terms) + double(nv) * std::log(step);
}

}  // namespace

TEST_SUITE("gaussian") {
  TEST_CASE("energy and free energy of a Gaussian-Bernoulli RBM follow Cho et al. 2011 - a flipped quadratic term is caught") {
    for (std::size_t nv : {1u, 2u, 3u}) {
      const Rbm<double> r = fixtures::random_gaussian_rbm(nv, 3, 5 + nv);
      Rng rng(9);
      const arma::mat H = test::all_states(3);
      arma::mat V(nv, 6);
      for (auto& x : V) x = 2 * rng.normal();
      const arma::vec f = r.free_energy(V);
      for (std::size_t j = 0; j < V.n_cols; ++j) {
        for (std::size_t k = 0; k < H.n_cols; ++k)
          CHECK(r.energy(V.col(j), H.col(k))[0] ==
                doctest::Approx(energy_formula(r, V.col(j), H.col(k))).epsilon(1e-12));
        CHECK(-f[j] == doctest::Approx(neg_free_energy_by_sum(r, V.col(j))).epsilon(1e-12));
        // The same sum with the quadratic term's sign flipped is far from −F(v).
        CHECK(std::abs(-f[j] - neg_free_energy_by_sum(r, V.col(j), -1)) > 1e-3);
      }
      // P(h = 1 | v) = sigm(c + Wᵀ(v / σ²)), E[v | h] = W h + b.
      const arma::mat Vs = V.each_col() % arma::exp(-r.z());
      arma::mat A = r.W().t() * Vs;
      A.each_col() += r.c();
      CHECK(arma::approx_equal(r.hidden_mean(V), arma::mat(1 / (1 + arma::exp(-A))), "absdiff",
                               1e-12));
      arma::mat M = r.W() * H;
      M.each_col() += r.b();
      CHECK(arma::approx_equal(r.visible_mean(H), M, "absdiff", 1e-12));
    }
  }

  TEST_CASE("exact log Z of a Gaussian-Bernoulli RBM equals numerical integration over v - a flipped sign is caught") {
    for (std::size_t nv : {1u, 2u}) {
      for (bool unit : {true, false}) {
        CAPTURE(nv);
        CAPTURE(unit);
        const Rbm<double> r = fixtures::random_gaussian_rbm(nv, 4, 31 + nv, 0.8, unit);
        const double quad =
            log_integral(nv, [&](const arma::mat& P) { return arma::vec(-r.free_energy(P)); },
                         30, nv == 1 ? 0.005 : 0.05);
        const double exact = exact_log_partition(r);
        CHECK(exact == doctest::Approx(quad).epsilon(1e-9));
        CHECK(log_z_formula(r, 1) == doctest::Approx(exact).epsilon(1e-12));
        CHECK(std::abs(log_z_formula(r, -1) - quad) > 1e-3);  // the broken formula is caught
        // The float model gives the same log Z up to float rounding of its parameters.
        CHECK(exact_log_partition(r.cast<float>()) == doctest::Approx(exact).epsilon(1e-5));
      }
    }
  }

  TEST_CASE("exact log Z of a Gaussian-Bernoulli RBM refuses too many hidden units") {
    const Rbm<double> r = fixtures::random_gaussian_rbm(2, 12, 3);
    const std::string msg = test::error_of<InvalidArgument>([&] { exact_log_partition(r, 10); });
    CHECK(msg.find("exact_log_partition") != std::string::npos);
    CHECK(msg.find("12 hidden units") != std::string::npos);
  }

  TEST_CASE("AIS log Z of a Gaussian-Bernoulli RBM agrees with the exact value - and tells another model apart") {
    // 200 runs, 2000 intermediate distributions, fixed seeds. Bound: 4 standard errors plus
    // 0.02 nats for the downward bias of log Ẑ (E log Ẑ ≤ log Z); with these settings the
    // standard error is a few hundredths, so a false alarm is below 1e-4.
    const Rbm<double> r = fixtures::random_gaussian_rbm(4, 10, 13, 0.5);
    const double exact = exact_log_partition(r);
    Rng rng(3);
    const LogZEstimate e = gaussian_ais_log_partition(r, 200, ais_schedule(2000), rng);
    CAPTURE(e.log_z);
    CAPTURE(e.log_z_stderr);
    CHECK(std::abs(e.log_z - exact) < 4 * e.log_z_stderr + 0.02);
    CHECK(e.log_z_stderr < 0.1);
    // Another model (weights doubled) is told apart: its AIS estimate is far from this exact value.
    Rbm<double> other = r;
    other.W() *= 2;
    Rng rng2(3);
    const LogZEstimate o = gaussian_ais_log_partition(other, 200, ais_schedule(2000), rng2);
    CHECK(std::abs(o.log_z - exact) > 10 * (o.log_z_stderr + e.log_z_stderr) + 0.1);
    CHECK(std::abs(o.log_z - exact_log_partition(other)) < 4 * o.log_z_stderr + 0.02);
    // Bernoulli models are refused.
    Rbm<double> b = r;
    b.set_visible_units(UnitType::bernoulli);
    CHECK(test::error_of<InvalidArgument>([&] { gaussian_ais_log_partition(b, 10, ais_schedule(10), rng); })
              .find("gaussian_ais_log_partition") != std::string::npos);
  }

  TEST_CASE("the Gaussian gradient statistics equal finite differences of the exact log-likelihood - a wrong sign is caught") {
    // nv = 1: the model expectation by quadrature over v; data: 5 fixed points.
    const Rbm<double> r = fixtures::random_gaussian_rbm(1, 2, 77, 0.7);
    const arma::mat X = {{-1.3, 0.2, 0.9, 1.7, -0.4}};
    auto log_likelihood = [&](const Rbm<double>& m) {
      return -arma::mean(m.free_energy(X)) - exact_log_partition(m);
    };
    // Analytic: ⟨·⟩_data − ⟨·⟩_model of (ṽ hᵀ, ṽ, h, s) with h = P(h | v).
    const Phase<double> data{X, r.hidden_mean(X)};
    const arma::vec g = grid(30, 0.005);
    const Phase<double> model{arma::mat(g.t()), r.hidden_mean(arma::mat(g.t()))};
    const double log_z = exact_log_partition(r);
    const arma::rowvec w = (arma::exp(-r.free_energy(model.v) - log_z) * 0.005).t();
    const Phase<double> dt = precision_weighted(r, data), mt = precision_weighted(r, model);
    const arma::mat dW = dt.v * dt.h.t() / 5.0 - (mt.v.each_row() % w) * mt.h.t();
    const arma::vec db = arma::mean(dt.v, 1) - (mt.v.each_row() % w) * arma::ones(g.n_elem);
    const arma::vec dc = arma::mean(dt.h, 1) - (mt.h.each_row() % w) * arma::ones(g.n_elem);
    const arma::mat Sd = log_variance_statistic(r, data), Sm = log_variance_statistic(r, model);
    const arma::vec dz = arma::mean(Sd, 1) - (Sm.each_row() % w) * arma::ones(g.n_elem);
    const double eps = 1e-5;
    auto fd = [&](const std::function<double&(Rbm<double>&)>& param) {
      Rbm<double> up = r, down = r;
      param(up) += eps;
      param(down) -= eps;
      return (log_likelihood(up) - log_likelihood(down)) / (2 * eps);
    };
    for (std::size_t j = 0; j < 2; ++j) {
      CHECK(dW(0, j) == doctest::Approx(fd([&](Rbm<double>& m) -> double& { return m.W()(0, j); })).epsilon(1e-6));
      CHECK(dc[j] == doctest::Approx(fd([&](Rbm<double>& m) -> double& { return m.c()[j]; })).epsilon(1e-6));
    }
    CHECK(db[0] == doctest::Approx(fd([](Rbm<double>& m) -> double& { return m.b()[0]; })).epsilon(1e-6));
    const double fd_z = fd([](Rbm<double>& m) -> double& { return m.z()[0]; });
    CHECK(dz[0] == doctest::Approx(fd_z).epsilon(1e-6));
    // The statistic with the sign of its cross term flipped, e^{−z}(½(v − b)² + v W h), is not.
    arma::mat Sd_bad = Sd + 2 * data.v % (r.W() * data.h) * std::exp(-r.z()[0]);
    arma::mat Sm_bad = Sm + 2 * model.v % (r.W() * model.h) * std::exp(-r.z()[0]);
    const double dz_bad = arma::mean(arma::vectorise(Sd_bad)) - arma::accu(Sm_bad % w);
    CHECK(std::abs(dz_bad - fd_z) > 1e-3);
  }

  TEST_CASE("Gaussian visible states are drawn from N(W h + b - sigma^2) (5 sigma bounds)") {
    const Rbm<double> r = fixtures::random_gaussian_rbm(3, 2, 4);
    const std::size_t n = 20000;
    arma::mat H(2, n);
    H.row(0).fill(1);
    H.row(1).fill(0);
    Rng rng(12);
    const arma::mat V = r.sample_visible(H, rng);
    const arma::vec mean = r.W().col(0) + r.b(), var = arma::exp(r.z());
    for (std::size_t i = 0; i < 3; ++i) {
      // Sample mean: sd σ/√n; sample variance: sd ≈ σ²√(2/n). Six checks at 5σ: false-alarm
      // rate about 4e-6.
      CHECK(std::abs(arma::mean(V.row(i)) - mean[i]) < 5 * std::sqrt(var[i] / n));
      CHECK(std::abs(arma::var(V.row(i)) - var[i]) < 5 * var[i] * std::sqrt(2.0 / n));
    }
    // Bernoulli units keep their sampler: the same draws as sample_bernoulli.
    Rbm<double> b = r;
    b.set_visible_units(UnitType::bernoulli);
    Rng r1(5), r2(5);
    CHECK(arma::approx_equal(b.sample_visible(H.cols(0, 9), r1),
                             sample_bernoulli<double>(b.visible_mean(H.cols(0, 9)), r2), "absdiff",
                             0.0));
  }

  TEST_CASE("Gaussian runs - both gradient paths give the same bits - a perturbed stream does not") {
    const Dataset data = fixtures::gaussian_mixture_dataset(3, 40, 8);
    for (Method method : {Method::cd, Method::pcd})
      for (Variance variance : {Variance::unit, Variance::learned}) {
        CAPTURE(to_string(method));
        CAPTURE(to_string(variance));
        std::string bytes[2];
        int k = 0;
        for (GradientPath path : {GradientPath::contrastive, GradientPath::reward_correlator}) {
          Trainer<RbmStep<double>> t(fixtures::gaussian_config(method, path, variance), data);
          REQUIRE(t.run());
          bytes[k++] = model_file_bytes(t.to_file());
        }
        CHECK(bytes[0] == bytes[1]);
      }
    // The two paths of the log-variance statistic on one minibatch's phases, bit for bit; one
    // changed value of the negative phase changes the correlator's result.
    const Rbm<double> r = fixtures::random_gaussian_rbm(3, 4, 19);
    Rng rng(2);
    arma::mat V(3, 8);
    for (auto& x : V) x = rng.normal();
    const Phases<double> ph = [&] {
      arma::mat chains;
      return draw_phases(r, V, PhaseConfig{Method::cd, 1, 0}, chains, rng);
    }();
    const arma::vec a = log_variance_gradient(GradientPath::contrastive, r, ph.positive, ph.negative);
    const arma::vec b = log_variance_gradient(GradientPath::reward_correlator, r, ph.positive, ph.negative);
    CHECK(arma::approx_equal(a, b, "absdiff", 0.0));
    Phase<double> other = ph.negative;
    other.v(1, 3) += 0.25;
    const arma::vec c = log_variance_gradient(GradientPath::reward_correlator, r, ph.positive, other);
    CHECK_FALSE(arma::approx_equal(a, c, "absdiff", 0.0));
  }

  TEST_CASE("Gaussian PCD advances the chains to the negative phase's states, call after call") {
    // Gaussian visible states come in a new matrix, not drawn into the chains' view: they must
    // still reach the chains. Two calls on one workspace against gibbs_chain on copies; chains of
    // more than 16 values (arma's own storage) and of 16 or fewer (stored in the object).
    const Rbm<double> r = fixtures::random_gaussian_rbm(3, 4, 29);
    for (const arma::uword columns : {20u, 4u}) {
      CAPTURE(columns);
      Rng data_rng(3);
      arma::mat V(3, columns), C(3, columns);
      for (auto& x : V) x = data_rng.normal();
      for (auto& x : C) x = data_rng.normal();
      arma::mat chains = C, expected = C;
      Rng rng(5), ref(5);
      PhaseWorkspace<double> ws;
      for (int call = 0; call < 2; ++call) {
        const Phases<double>& p = draw_phases(r, V, PhaseConfig{Method::pcd, 1, 0}, chains, rng, ws);
        const Phase<double> step = gibbs_chain(r, expected, 1, ref);
        expected = step.v;
        CHECK(arma::approx_equal(chains, expected, "absdiff", 0.0));
        CHECK(arma::approx_equal(p.negative.v, expected, "absdiff", 0.0));
        CHECK_FALSE(arma::approx_equal(chains, C, "absdiff", 0.0));
      }
    }
  }

  TEST_CASE("a Gaussian run standardises with its training part - learns the variances - and its model file keeps them") {
    const Dataset data = fixtures::gaussian_mixture_dataset(3, 60, 3);
    TrainConfig cfg = fixtures::gaussian_config(Method::pcd, GradientPath::contrastive, Variance::learned);
    cfg.valid = 10;
    Trainer<RbmStep<float>> t(cfg, data);
    REQUIRE(t.run());
    const Standardization st = standardization_of(data.columns(0, 50, "first 50"));
    const std::string path = test::temp_path("gauss.rbm");
    write_model_file(path, t.to_file());
    const ModelFile f = read_model_file(path);
    CHECK(f.visible_units == UnitType::gaussian);
    CHECK(TrainConfig::from_file(f, path).rbm.visible == UnitType::gaussian);
    CHECK(TrainConfig::from_file(f, path).rbm.variance == Variance::learned);
    const Rbm<double> m = rbm_from_file<double>(f, path);
    REQUIRE(m.visible_units() == UnitType::gaussian);
    REQUIRE(m.standardization().mean.n_elem == 3);
    for (std::size_t i = 0; i < 3; ++i) {
      CHECK(m.standardization().mean[i] == double(float(st.mean[i])));
      CHECK(m.standardization().sd[i] == double(float(st.sd[i])));
    }
    CHECK(arma::any(m.z() != 0.0));  // the variances moved
    // A Gaussian file without its log-variances is refused.
    ModelFile broken = f;
    broken.arrays.erase(std::remove_if(broken.arrays.begin(), broken.arrays.end(),
                                       [](const NamedArray& a) { return a.name == "z"; }),
                        broken.arrays.end());
    CHECK(test::error_of<ModelError>([&] { rbm_from_file<double>(broken, "broken.rbm"); }).find("z") !=
          std::string::npos);
    // Binarization and centring are refused for Gaussian units, naming the field.
    TrainConfig bad = cfg;
    bad.binarize = Binarize::threshold;
    CHECK(test::error_of<InvalidArgument>([&] { bad.validate(); }).find("TrainConfig::binarize") != std::string::npos);
    bad = cfg;
    bad.rbm.centering = true;
    CHECK(test::error_of<InvalidArgument>([&] { bad.validate(); }).find("RbmConfig::centering") != std::string::npos);
  }

  TEST_CASE("continuing a Gaussian run on new data standardises it as the first data - a Bernoulli configuration is refused") {
    const Dataset first = fixtures::gaussian_mixture_dataset(3, 40, 1);
    Dataset second = fixtures::gaussian_mixture_dataset(3, 40, 2);
    second.values += 7.0f;  // other statistics
    const TrainConfig cfg =
        fixtures::gaussian_config(Method::pcd, GradientPath::contrastive, Variance::learned);
    Trainer<RbmStep<double>> t(cfg, first);
    REQUIRE(t.run());
    const ModelFile f = t.to_file();
    const Standardization st = rbm_from_file<double>(f, "first").standardization();
    Trainer<RbmStep<double>> u(cfg, second, f, "first");
    CHECK(arma::approx_equal(u.training_data().standardization.mean, st.mean, "absdiff", 0.0));
    REQUIRE(u.run());
    const Rbm<double> m = rbm_from_file<double>(u.to_file(), "second");
    CHECK(arma::approx_equal(m.standardization().sd, st.sd, "absdiff", 0.0));
    CHECK_FALSE(arma::approx_equal(standardization_of(second).mean, st.mean, "absdiff", 1.0));
    TrainConfig bernoulli = cfg;
    bernoulli.rbm.visible = UnitType::bernoulli;
    bernoulli.binarize = Binarize::threshold;
    CHECK(test::error_of<InvalidArgument>([&] { Trainer<RbmStep<double>>(bernoulli, second, f, "first"); })
              .find("RbmConfig::visible") != std::string::npos);
  }

  TEST_CASE("the log-likelihood of a Gaussian model is the log-density of the standardised data - and in the data's units") {
    Rbm<double> r = fixtures::random_gaussian_rbm(2, 3, 41, 0.6);
    const Dataset data = fixtures::gaussian_mixture_dataset(2, 30, 6);
    r.standardization() = standardization_of(data);
    LikelihoodOptions o;
    o.method = LikelihoodMethod::exact;
    Rng rng(1);
    const LikelihoodReport rep = evaluate_likelihood(r, data, data, o, rng);
    // Independently: standardise by hand, −F by the sum over h, log Z by quadrature.
    const Standardization& st = r.standardization();
    double nf = 0;
    for (std::size_t j = 0; j < data.size(); ++j) {
      arma::vec v(2);
      for (std::size_t i = 0; i < 2; ++i) v[i] = (double(data.values(i, j)) - st.mean[i]) / st.sd[i];
      nf += neg_free_energy_by_sum(r, v);
    }
    const double log_z =
        log_integral(2, [&](const arma::mat& P) { return arma::vec(-r.free_energy(P)); }, 30, 0.05);
    const double ll = nf / double(data.size()) - log_z;
    CHECK(rep.log_likelihood == doctest::Approx(ll).epsilon(1e-8));
    CHECK(rep.standardization_log_scale == doctest::Approx(std::log(st.sd[0]) + std::log(st.sd[1])));
    // Without its standardisation the model sees other numbers: a different log-likelihood.
    Rbm<double> raw = r;
    raw.standardization() = Standardization{};
    CHECK(std::abs(evaluate_likelihood(raw, data, data, o, rng).log_likelihood - ll) > 1);
  }
}
