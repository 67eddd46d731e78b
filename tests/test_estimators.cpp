#include <doctest/doctest.h>

#include <cmath>

#include "rbmkit/core/error.hpp"
#include "rbmkit/core/math.hpp"
#include "rbmkit/estimators/estimators.hpp"
#include "rbmkit/studies/estimator_study.hpp"
#include "rbmkit/studies/estimator_tasks.hpp"

using namespace rbmkit;

namespace {

/// L(h) = wᵀh: linear, so the scaled straight-through estimate sigm'(a)·w is exact.
class LinearLoss : public StochasticLoss {
public:
  explicit LinearLoss(arma::vec w) : w_(std::move(w)) {}
  std::size_t n_units() const override { return w_.n_elem; }
  arma::rowvec loss(const arma::mat& h, Rng&) const override { return w_.t() * h; }
  arma::rowvec loss_and_gradient(const arma::mat& h, bool, arma::mat& grad, Rng& rng) const override {
    grad = arma::repmat(w_, 1, h.n_cols);
    return loss(h, rng);
  }

private:
  arma::vec w_;
};

/// E[L] and its gradient over all 2^n states of a quadratic task, by enumeration.
void enumerate_quadratic(const arma::vec& a, const arma::vec& w, double y, double& expected,
                         arma::vec& gradient, arma::vec& baseline) {
  const std::size_t n = a.n_elem;
  arma::vec p(n);
  for (std::size_t i = 0; i < n; ++i) p[i] = sigmoid(a[i]);
  expected = 0;
  gradient.zeros(n);
  arma::vec num(n, arma::fill::zeros), den(n, arma::fill::zeros);
  for (std::size_t s = 0; s < (std::size_t(1) << n); ++s) {
    double P = 1, z = -y;
    arma::vec h(n);
    for (std::size_t i = 0; i < n; ++i) {
      h[i] = double((s >> i) & 1u);
      P *= h[i] ? p[i] : 1 - p[i];
      z += w[i] * h[i];
    }
    const double L = z * z;
    expected += P * L;
    gradient += P * L * (h - p);  // ∂P(h)/∂a_i = P(h)(h_i − p_i)
    num += P * arma::square(h - p) * L;
    den += P * arma::square(h - p);
  }
  baseline = num / den;
}

}  // namespace

TEST_SUITE("estimators") {
  TEST_CASE("estimator names round-trip and unknown names are rejected naming the type") {
    for (Estimator e : all_estimators()) CHECK(from_string<Estimator>(to_string(e)) == e);
    CHECK(all_estimators().size() == 8);
    CHECK(to_string(Estimator::centered_optimal) == "centered-optimal");
    try {
      from_string<Estimator>("reinforc");
      FAIL("no exception");
    } catch (const InvalidArgument& e) {
      CHECK(std::string(e.what()).find("Estimator") != std::string::npos);
      CHECK(std::string(e.what()).find("reinforce-loo") != std::string::npos);
    }
    CHECK_THROWS_AS(is_unbiased(Estimator(99)), InvalidArgument);
  }

  TEST_CASE("sample_binary fires with probability sigm(a) within 5 standard errors") {
    // 3 units x 100000 draws; P(|Z| > 5) = 5.7e-7 per unit, false-alarm rate < 2e-6.
    Rng rng(11);
    const arma::vec a{-2.0, 0.0, 1.5};
    const std::size_t N = 100000;
    const arma::mat h = sample_binary(arma::repmat(a, 1, N), rng);
    for (arma::uword i = 0; i < a.n_elem; ++i) {
      const double p = sigmoid(a[i]);
      CHECK(std::abs(arma::mean(h.row(i)) - p) < 5 * std::sqrt(p * (1 - p) / N));
    }
  }

  TEST_CASE("the quadratic task's closed forms match enumeration - and a wrong y is caught") {
    Rng rng(3);
    const QuadraticTask task = QuadraticTask::random(5, rng);
    double expected;
    arma::vec grad, baseline;
    enumerate_quadratic(task.a, task.loss.w(), task.loss.y(), expected, grad, baseline);
    CHECK(std::abs(task.expected_loss() - expected) < 1e-12);
    CHECK(arma::abs(task.exact_gradient() - grad).max() < 1e-12);
    CHECK(arma::abs(task.optimal_baseline() - baseline).max() < 1e-12);
    enumerate_quadratic(task.a, task.loss.w(), task.loss.y() + 0.1, expected, grad, baseline);
    CHECK(arma::abs(task.exact_gradient() - grad).max() > 1e-3);
  }

  TEST_CASE("the sbn task's enumerated gradient matches central differences of E[L]") {
    Rng rng(4);
    SbnTask task = SbnTask::random(3, 3, 5, rng);
    const arma::vec g = task.exact_gradient();
    const double eps = 1e-5;
    for (arma::uword i = 0; i < 3; ++i) {
      SbnTask up = task, down = task;
      up.a[i] += eps;
      down.a[i] -= eps;
      const double fd = (up.expected_loss() - down.expected_loss()) / (2 * eps);
      CHECK(std::abs(fd - g[i]) < 1e-8);
    }
    CHECK(arma::norm(g) > 1e-3);
  }

  TEST_CASE("the estimate summary computes bias - standard errors - max z and variance") {
    EstimateSummary s(arma::vec{1.0, 0.0});
    s.add(arma::mat{{1.0, 3.0}, {1.0, -1.0}});
    const VarianceRow r = s.row("t", "e");
    CHECK(r.samples == 2);
    CHECK(r.bias == doctest::Approx(1.0));
    CHECK(r.bias_stderr == doctest::Approx(1.0));
    CHECK(r.max_z == doctest::Approx(1.0));
    CHECK(r.variance == doctest::Approx(2.0));
    CHECK_THROWS_AS(EstimateSummary(arma::vec{0.0, 0.0}), InvalidArgument);
  }

  TEST_CASE("reinforce - centered-optimal - centered-constant - reinforce-loo and arm are unbiased") {
    // z-tests with fixed seeds: 20000 estimates per estimator, bound 5 standard errors on every
    // coordinate and on the projected bias. P(|Z| > 5) = 5.7e-7, so over the 2 tasks x 5
    // estimators x (6 + 1) statistics the false-alarm rate is below 1e-4.
    StudyConfig study;
    study.samples = 20000;
    Rng rq(21), rs(22);
    const QuadraticTask quad = QuadraticTask::random(6, rq);
    const SbnTask sbn = SbnTask::random(3, 3, 6, rs);
    for (Estimator e : {Estimator::reinforce, Estimator::centered_optimal,
                        Estimator::centered_constant, Estimator::reinforce_loo, Estimator::arm}) {
      CAPTURE(to_string(e));
      CHECK(is_unbiased(e));
      Rng r1(100 + int(e)), r2(200 + int(e));
      const VarianceRow q = measure_estimator("quadratic", study_estimator(e, quad.expected_loss()),
                                              quad.a, quad.loss, quad.exact_gradient(), study, r1);
      CHECK(q.max_z < 5.0);
      CHECK(std::abs(q.bias) < 5 * q.bias_stderr);
      const VarianceRow s = measure_estimator("sbn", study_estimator(e, sbn.expected_loss()),
                                              sbn.a, sbn.loss, sbn.exact_gradient(), study, r2);
      CHECK(s.max_z < 5.0);
      CHECK(std::abs(s.bias) < 5 * s.bias_stderr);
    }
  }

  TEST_CASE("the same z-test flags reinforce against a deliberately wrong exact gradient") {
    StudyConfig study;
    study.samples = 20000;
    Rng rq(21), r1(100);
    const QuadraticTask quad = QuadraticTask::random(6, rq);
    const arma::vec wrong = quad.exact_gradient() * 1.5 + 0.05;
    const VarianceRow q = measure_estimator(
        "quadratic", study_estimator(Estimator::reinforce, 0), quad.a, quad.loss, wrong, study, r1);
    CHECK(q.max_z > 5.0);
  }

  TEST_CASE("the optimal baseline lowers the variance - and its running averages reach Eq. 7") {
    StudyConfig study;
    study.samples = 20000;
    for (std::size_t n : {1, 4, 16}) {
      CAPTURE(n);
      Rng rt(30 + n), r1(40 + n), r2(40 + n);
      const QuadraticTask task = QuadraticTask::random(n, rt);
      const arma::vec g = task.exact_gradient();
      const VarianceRow plain = measure_estimator(
          "q", study_estimator(Estimator::reinforce, 0), task.a, task.loss, g, study, r1);
      const VarianceRow opt = measure_estimator(
          "q", study_estimator(Estimator::centered_optimal, 0), task.a, task.loss, g, study, r2);
      // The variance estimates have relative standard errors of about 1% at 20000 samples.
      CHECK(opt.variance < 0.8 * plain.variance);
    }
    // Running averages: with 100000 samples the ratio num/den has standard error at most
    // max|L| / sqrt(N·p(1−p)); the bound is 5 of those.
    Rng rt(50), rng(51);
    const QuadraticTask task = QuadraticTask::random(4, rt);
    GradientEstimator est(4, study_estimator(Estimator::centered_optimal, 0));
    const std::size_t N = 100000;
    for (std::size_t k = 0; k < N / 250; ++k) est.estimate(arma::repmat(task.a, 1, 250), task.loss, rng);
    const double lmax = std::pow(arma::accu(arma::abs(task.loss.w())) + std::abs(task.loss.y()), 2);
    const arma::vec want = task.optimal_baseline(), got = est.optimal_baseline();
    for (arma::uword i = 0; i < 4; ++i) {
      const double p = sigmoid(task.a[i]);
      CHECK(std::abs(got[i] - want[i]) < 5 * lmax / std::sqrt(N * p * (1 - p)));
      CHECK(std::abs(got[i] - want[i]) < 0.02);
    }
  }

  TEST_CASE("straight-through is biased where theory says") {
    StudyConfig study;
    study.samples = 20000;
    SUBCASE("on the toy task with p < 0.499 it has the wrong sign") {
      // E[st] = 2(p − 0.499) < 0 while ∂E[L]/∂θ = sigm'(θ)·0.002 > 0.
      const QuadraticTask toy = QuadraticTask::toy(-1.0);
      const double p = sigmoid(-1.0);
      Rng rng(60);
      GradientEstimator est(1, study_estimator(Estimator::straight_through, 0));
      const arma::mat g = est.estimate(arma::mat(1, 20000, arma::fill::value(-1.0)), toy.loss, rng);
      const double se = arma::stddev(g.row(0)) / std::sqrt(20000.0);
      CHECK(toy.exact_gradient()[0] > 0);
      CHECK(arma::mean(g.row(0)) < -5 * se);
      CHECK(std::abs(arma::mean(g.row(0)) - 2 * (p - 0.499)) < 5 * se);
    }
    SUBCASE("for a linear loss the sigm'-scaled variant is exact and the plain one is not") {
      const arma::vec a{-1.0, 0.5, 2.0}, w{1.0, -2.0, 0.5};
      const LinearLoss loss(w);
      const arma::vec exact = sigmoid_derivative(arma::mat(a)) % w;
      Rng r1(61), r2(62);
      const VarianceRow scaled = measure_estimator(
          "lin", study_estimator(Estimator::straight_through_scaled, 0), a, loss, exact, study, r1);
      const VarianceRow plain = measure_estimator(
          "lin", study_estimator(Estimator::straight_through, 0), a, loss, exact, study, r2);
      CHECK(scaled.max_z < 5.0);
      CHECK(plain.max_z > 100.0);
    }
    SUBCASE("on the quadratic task both variants miss the term sigm'(a)·w²(1 − 2p)") {
      Rng rt(63), r1(64), r2(65);
      const QuadraticTask task = QuadraticTask::random(4, rt);
      const arma::vec exact = task.exact_gradient();
      const arma::vec p = 1.0 / (1.0 + arma::exp(-task.a));
      const arma::vec w = task.loss.w();
      const double m = arma::dot(w, p) - task.loss.y();
      const arma::vec st_mean = 2 * w * m;  // E[∂L/∂h]
      const VarianceRow plain = measure_estimator(
          "q", study_estimator(Estimator::straight_through, 0), task.a, task.loss, exact, study, r1);
      const VarianceRow scaled = measure_estimator(
          "q", study_estimator(Estimator::straight_through_scaled, 0), task.a, task.loss, exact,
          study, r2);
      CHECK(plain.max_z > 10);
      CHECK(scaled.max_z > 10);
      // The scaled variant is unbiased for sigm'(a)·E[∂L/∂h], the gradient without that term.
      const VarianceRow shifted = measure_estimator(
          "q", study_estimator(Estimator::straight_through_scaled, 0), task.a, task.loss,
          (p % (1 - p)) % st_mean, study, r2);
      CHECK(shifted.max_z < 5.0);
    }
  }

  TEST_CASE("the learned estimator starts as straight-through and its bias falls as it trains") {
    Rng rt(70), rng(71);
    const QuadraticTask task = QuadraticTask::random(8, rt);
    const arma::vec g = task.exact_gradient();
    const arma::vec p = 1.0 / (1.0 + arma::exp(-task.a));
    const arma::vec d = p % (1 - p);
    const arma::vec st_mean = 2 * task.loss.w() * (arma::dot(task.loss.w(), p) - task.loss.y());
    GradientEstimator est(8, study_estimator(Estimator::learned, 0));
    // The frozen regressor's expected output is linear in E[st], so its bias is exact.
    auto bias = [&]() {
      const arma::mat th = est.learned_coefficients();
      const arma::vec mean_out = th.row(0).t() + th.row(1).t() % st_mean + th.row(2).t() % d +
                                 th.row(3).t() % d % st_mean;
      return arma::norm(mean_out - g);
    };
    const double b0 = bias();
    CHECK(b0 == doctest::Approx(arma::norm(st_mean - g)));
    const arma::mat A = arma::repmat(task.a, 1, 250);
    for (int k = 0; k < 4; ++k) est.estimate(A, task.loss, rng);  // 1000 samples
    const double b1 = bias();
    for (int k = 0; k < 396; ++k) est.estimate(A, task.loss, rng);  // 100000 samples
    const double b2 = bias();
    MESSAGE("learned bias: untrained " << b0 << ", 1000 samples " << b1 << ", 100000 samples " << b2);
    CHECK(b1 < 0.5 * b0);
    CHECK(b2 < 0.5 * b1);
    CHECK(b2 < 0.05 * b0);
    // And it keeps most of straight-through's low variance.
    StudyConfig study;
    study.samples = 5000;
    Rng r1(72), r2(73);
    const VarianceRow learned = measure_estimator(
        "q", study_estimator(Estimator::learned, 0), task.a, task.loss, g, study, r1);
    const VarianceRow opt = measure_estimator(
        "q", study_estimator(Estimator::centered_optimal, 0), task.a, task.loss, g, study, r2);
    CHECK(learned.variance < 0.5 * opt.variance);
  }

  TEST_CASE("estimates are reproducible from the seed") {
    Rng rt(80);
    const SbnTask task = SbnTask::random(3, 2, 4, rt);
    for (Estimator e : all_estimators()) {
      CAPTURE(to_string(e));
      GradientEstimator a(3, study_estimator(e, 1.0)), b(3, study_estimator(e, 1.0));
      Rng r1(81), r2(81);
      const arma::mat A = arma::repmat(task.a, 1, 16);
      a.estimate(A, task.loss, r1);
      b.estimate(A, task.loss, r2);
      CHECK(arma::approx_equal(a.estimate(A, task.loss, r1), b.estimate(A, task.loss, r2),
                               "absdiff", 0.0));
    }
  }

  TEST_CASE("bad settings and mismatched shapes are rejected") {
    EstimatorConfig c;
    CHECK_THROWS_AS(GradientEstimator(0, c), InvalidArgument);
    c.memory = 0.5;
    CHECK_THROWS_AS(GradientEstimator(2, c), InvalidArgument);
    c.memory = 0;
    GradientEstimator est(2, c);
    const QuadraticLoss loss3(arma::vec{1.0, 2.0, 3.0}, 0.0);
    const QuadraticLoss loss2(arma::vec{1.0, 2.0}, 0.0);
    Rng rng(1);
    CHECK_THROWS_AS(est.estimate(arma::mat(3, 4, arma::fill::zeros), loss3, rng), DimensionError);
    CHECK_THROWS_AS(est.estimate(arma::mat(2, 4, arma::fill::zeros), loss3, rng), DimensionError);
    arma::mat bad(2, 4, arma::fill::zeros);
    bad(0, 0) = arma::datum::nan;
    CHECK_THROWS_AS(est.estimate(bad, loss2, rng), InvalidArgument);
    CHECK_THROWS_AS(est.learned_coefficients(), InvalidArgument);
    CHECK_THROWS_AS(est.set_constant_baseline(arma::datum::inf), InvalidArgument);
    CHECK_THROWS_AS(SbnTask::random(13, 12, 2, rng), InvalidArgument);
  }
}
