#include "rbmkit/studies/binary_autoencoder.hpp"

#include <chrono>
#include <cmath>

#include "rbmkit/core/error.hpp"
#include "rbmkit/core/math.hpp"
#include "studies/report_detail.hpp"

namespace rbmkit {

using detail::csv_number;

namespace {

/// The decoder as the loss after the latent layer: no later noise.
class DecoderLoss : public StochasticLoss {
public:
  DecoderLoss(const arma::mat& Wd, const arma::vec& bd, const arma::mat& X)
      : Wd_(Wd), bd_(bd), X_(X) {}
  std::size_t n_units() const override { return Wd_.n_cols; }
  arma::rowvec loss(const arma::mat& h, Rng&) const override { return loss_of(logits(h)); }
  arma::rowvec loss_and_gradient(const arma::mat& h, bool, arma::mat& grad, Rng&) const override {
    const arma::mat d = logits(h);
    grad = Wd_.t() * (sigmoid(d) - X_);
    return loss_of(d);
  }

private:
  /// Σ_j softplus(d_j) − x_j d_j = −log p(x | h) for each column, from the logits d.
  arma::rowvec loss_of(const arma::mat& d) const { return arma::sum(softplus(d) - X_ % d, 0); }
  arma::mat logits(const arma::mat& h) const {
    arma::mat d = Wd_ * h;
    d.each_col() += bd_;
    return d;
  }
  const arma::mat& Wd_;
  const arma::vec& bd_;
  const arma::mat& X_;
};

/// Adam (Kingma & Ba 2015) for one parameter array.
struct Adam {
  arma::mat m, v;
  void step(arma::mat& param, const arma::mat& grad, double lr, std::size_t t) {
    const double b1 = 0.9, b2 = 0.999, eps = 1e-8;
    if (m.n_elem == 0) {
      m.zeros(arma::size(param));
      v.zeros(arma::size(param));
    }
    m = b1 * m + (1 - b1) * grad;
    v = b2 * v + (1 - b2) * (grad % grad);
    const double c1 = 1 - std::pow(b1, double(t)), c2 = 1 - std::pow(b2, double(t));
    param -= lr * (m / c1) / (arma::sqrt(v / c2) + eps);
  }
};

arma::mat normal_matrix(std::size_t r, std::size_t c, double sd, Rng& rng) {
  arma::mat x(r, c);
  for (double& v : x) v = sd * rng.normal();
  return x;
}

void check_config(const AutoencoderConfig& c) {
  const std::pair<const char*, std::size_t> counts[] = {{"latent", c.latent},
                                                         {"steps", c.steps},
                                                         {"batch", c.batch},
                                                         {"record_every", c.record_every}};
  for (const auto& [field, value] : counts)
    if (value == 0)
      throw InvalidArgument(std::string("AutoencoderConfig::") + field + ": must be at least 1, got 0");
  if (!(c.learning_rate > 0) || !std::isfinite(c.learning_rate))
    throw InvalidArgument("AutoencoderConfig::learning_rate: must be positive and finite, got " +
                          std::to_string(c.learning_rate));
}

}  // namespace

AutoencoderRun train_binary_autoencoder(const Dataset& train, const Dataset& test,
                                        Estimator estimator, const AutoencoderConfig& config,
                                        Rng& rng) {
  const std::string fn = "train_binary_autoencoder";
  check_config(config);
  if (train.size() < config.batch)
    throw InvalidArgument(fn + ": " + train.source + " has fewer examples than one batch");
  if (test.size() == 0) throw InvalidArgument(fn + ": the test set is empty");
  if (train.dim() != test.dim())
    throw DimensionError(fn + ": training data has " + std::to_string(train.dim()) +
                         " dimensions, test data " + std::to_string(test.dim()));
  const std::size_t k = config.latent, D = train.dim(), B = config.batch;

  // Parameters: small random weights, decoder biases at the pixel marginals' logits.
  arma::mat We = normal_matrix(k, D, 0.01, rng), Wd = normal_matrix(D, k, 0.01, rng);
  arma::mat be(k, 1, arma::fill::zeros);
  arma::mat bd = arma::clamp(arma::mat(train.marginals(Binarize::threshold, 0.5)), 1e-3, 1 - 1e-3);
  bd = arma::log(bd / (1 - bd));
  Adam aWe, abe, aWd, abd;

  EstimatorConfig ec;
  ec.kind = estimator;
  ec.memory = config.memory;
  GradientEstimator est(k, ec);

  // Separate streams: the minibatches are the same whatever the estimator draws.
  Rng data_rng = rng.split(1);
  rng = rng.split(2);
  arma::uvec order = arma::regspace<arma::uvec>(0, train.size() - 1);
  shuffle(order.begin(), order.end(), data_rng);
  std::size_t cursor = 0;
  auto next_batch = [&]() {
    if (cursor + B > order.n_elem) {
      shuffle(order.begin(), order.end(), data_rng);
      cursor = 0;
    }
    const arma::mat X =
        make_batch<double>(train, order, cursor, B, Binarize::threshold, 0.5, data_rng);
    cursor += B;
    return X;
  };

  AutoencoderRun run;
  run.estimator = config.train_encoder ? to_string(estimator) : "frozen-encoder";
  const auto t0 = std::chrono::steady_clock::now();
  double running = 0, constant = 0;
  std::size_t in_window = 0;
  for (std::size_t t = 1; t <= config.steps; ++t) {
    const arma::mat X = next_batch();
    arma::mat A = We * X;
    A.each_col() += arma::vec(be);
    const arma::vec bdv = bd;
    const DecoderLoss loss(Wd, bdv, X);
    if (t == 1) {  // the constant baseline starts at the objective under the initial parameters
      Rng probe = rng.split(0xc0);
      constant = arma::mean(loss.loss(sample_binary(A, probe), probe));
    }
    est.set_constant_baseline(constant);
    const arma::mat G = est.estimate(A, loss, rng);
    const arma::mat& H = est.last_sample();
    const double objective = arma::mean(est.last_loss());
    constant = 0.99 * constant + 0.01 * objective;  // updated after use: past samples only

    arma::mat dD = Wd * H;
    dD.each_col() += bdv;
    dD = sigmoid(dD) - X;
    aWd.step(Wd, dD * H.t() / double(B), config.learning_rate, t);
    abd.step(bd, arma::mean(dD, 1), config.learning_rate, t);
    if (config.train_encoder) {
      aWe.step(We, G * X.t() / double(B), config.learning_rate, t);
      abe.step(be, arma::mean(G, 1), config.learning_rate, t);
    }
    running += objective;
    ++in_window;
    if (t % config.record_every == 0 || t == config.steps) {
      run.steps.push_back(t);
      run.train_objective.push_back(running / double(in_window));
      running = 0;
      in_window = 0;
    }
  }
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  // Final objective on the test images: one latent sample per image.
  const std::size_t n_eval = config.eval_examples ? std::min(config.eval_examples, test.size())
                                                  : test.size();
  double total = 0;
  const arma::vec bdv = bd;
  for (std::size_t first = 0; first < n_eval; first += 1000) {
    const std::size_t count = std::min<std::size_t>(1000, n_eval - first);
    const arma::mat X = make_batch<double>(test, first, count, Binarize::threshold, 0.5, rng);
    arma::mat A = We * X;
    A.each_col() += arma::vec(be);
    const DecoderLoss loss(Wd, bdv, X);
    total += arma::accu(loss.loss(sample_binary(A, rng), rng));
  }
  run.test_objective = total / double(n_eval);
  return run;
}

void write_autoencoder_curves_csv(std::ostream& os, const std::vector<AutoencoderRun>& runs) {
  os << "estimator,step,train_objective\n";
  for (const AutoencoderRun& r : runs)
    for (std::size_t k = 0; k < r.steps.size(); ++k)
      os << r.estimator << ',' << r.steps[k] << ',' << csv_number(r.train_objective[k]) << '\n';
}

void write_autoencoder_summary_csv(std::ostream& os, const std::vector<AutoencoderRun>& runs) {
  os << "estimator,steps,final_train_objective,test_objective,seconds\n";
  for (const AutoencoderRun& r : runs)
    os << r.estimator << ',' << (r.steps.empty() ? 0 : r.steps.back()) << ','
       << csv_number(r.train_objective.empty() ? 0.0 : r.train_objective.back()) << ','
       << csv_number(r.test_objective) << ',' << csv_number(r.seconds) << '\n';
}

Plot autoencoder_plot(const std::vector<AutoencoderRun>& runs) {
  Plot plot = detail::titled_plot(
      "binary-latent autoencoder on Fashion-MNIST: training objective", "Adam step",
      "nats per image (lower is better)");
  for (const AutoencoderRun& r : runs) {
    Series s;
    s.label = r.estimator;
    if (r.estimator == "frozen-encoder")
      s.color = colors::black;
    else
      s.color = detail::estimator_color(r.estimator);
    for (std::size_t k = 0; k < r.steps.size(); ++k) {
      s.x.push_back(double(r.steps[k]));
      s.y.push_back(r.train_objective[k]);
    }
    plot.series.push_back(s);
  }
  return plot;
}

}  // namespace rbmkit
