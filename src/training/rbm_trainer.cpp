#include "rbmkit/training/rbm_trainer.hpp"

#include <chrono>
#include <cmath>
#include <sstream>

#include "rbmkit/core/error.hpp"
#include "rbmkit/sampling/gibbs.hpp"
#include "rbmkit/evaluation/monitors.hpp"

namespace rbmkit {

Method parse_method(const std::string& text, const std::string& option) {
  if (text == "cd") return Method::cd;
  if (text == "pcd") return Method::pcd;
  throw InvalidArgument(option + ": expected cd or pcd, got '" + text + "'");
}

std::string to_string(Method m) { return m == Method::cd ? "cd" : "pcd"; }

namespace {
void require(bool ok, const std::string& option, const std::string& what) {
  if (!ok) throw InvalidArgument(option + ": " + what);
}
bool finite_nonneg(double x) { return std::isfinite(x) && x >= 0; }
std::string fmt(double x) {
  std::ostringstream o;
  o.precision(17);
  o << x;
  return o.str();
}
}  // namespace

void TrainConfig::validate() const {
  require(hidden > 0, "--hidden", "must be at least 1");
  require(epochs > 0, "--epochs", "must be at least 1");
  require(batch > 0, "--batch", "must be at least 1");
  require(std::isfinite(lr) && lr > 0, "--lr", "must be a positive finite number");
  require(finite_nonneg(lr_decay), "--lr-decay", "must be a finite number >= 0");
  require(finite_nonneg(momentum) && momentum < 1, "--momentum", "must be in [0, 1)");
  require(finite_nonneg(initial_momentum) && initial_momentum < 1, "--initial-momentum",
          "must be in [0, 1)");
  require(finite_nonneg(weight_decay), "--weight-decay", "must be a finite number >= 0");
  require(finite_nonneg(sparsity_target) && sparsity_target < 1, "--sparsity-target",
          "must be in [0, 1)");
  require(finite_nonneg(sparsity_cost), "--sparsity-cost", "must be a finite number >= 0");
  require(finite_nonneg(sparsity_decay) && sparsity_decay < 1, "--sparsity-decay",
          "must be in [0, 1)");
  require(finite_nonneg(centering_rate) && centering_rate <= 1, "--centering-rate",
          "must be in [0, 1]");
  require(std::isfinite(average_from) && average_from >= 0 && average_from <= 1,
          "--average-from", "must be in [0, 1]");
  require(k > 0, "--k", "must be at least 1");
  require(std::isfinite(threshold) && threshold >= 0 && threshold < 1, "--threshold",
          "must be in [0, 1)");
  require(threads >= 0, "--threads", "must be >= 0 (0 = all cores)");
  if (gradient == GradientPath::reward_correlator && method == Method::pcd)
    require(chains == 0 || chains == batch, "--chains",
            "the reward correlator needs as many chains as the minibatch size");
}

// The gradient path is deliberately not stored: both paths give bit-identical models
// (gradient.hpp), so the same seed trained either way gives byte-identical model files.
std::map<std::string, std::string> TrainConfig::to_map() const {
  return {{"hidden", std::to_string(hidden)},
          {"epochs", std::to_string(epochs)},
          {"batch", std::to_string(batch)},
          {"lr", fmt(lr)},
          {"lr_decay", fmt(lr_decay)},
          {"momentum", fmt(momentum)},
          {"initial_momentum", fmt(initial_momentum)},
          {"momentum_epochs", std::to_string(momentum_epochs)},
          {"weight_decay", fmt(weight_decay)},
          {"sparsity_target", fmt(sparsity_target)},
          {"sparsity_cost", fmt(sparsity_cost)},
          {"sparsity_decay", fmt(sparsity_decay)},
          {"centering", centering ? "1" : "0"},
          {"centering_rate", fmt(centering_rate)},
          {"average_from", fmt(average_from)},
          {"method", to_string(method)},
          {"k", std::to_string(k)},
          {"chains", std::to_string(chains)},
          {"binarize", to_string(binarize)},
          {"threshold", fmt(threshold)},
          {"seed", std::to_string(seed)},
          {"threads", std::to_string(threads)}};
}

template <class T>
Rbm<T> make_initial_rbm(const Dataset& data, const TrainConfig& config, Rng& rng) {
  config.validate();
  Rbm<T> rbm(data.dim(), config.hidden);
  rbm.initialize(data.marginals(config.binarize == Binarize::threshold ? Binarize::threshold
                                                                       : Binarize::none,
                                config.threshold),
                 rng);
  return rbm;
}

template <class T>
RbmTrainer<T>::RbmTrainer(const TrainConfig& config, Rbm<T>& rbm) : config_(config), rbm_(rbm) {
  config_.validate();
  vW_.zeros(rbm.n_visible(), rbm.n_hidden());
  vb_.zeros(rbm.n_visible());
  vc_.zeros(rbm.n_hidden());
  q_.zeros(rbm.n_hidden());
}

template <class T>
Statistics<T> RbmTrainer<T>::step(const arma::Mat<T>& V, double lr, double momentum, Rng& rng) {
  if (V.n_rows != rbm_.n_visible())
    throw DimensionError("RbmTrainer::step: minibatch has " + std::to_string(V.n_rows) +
                         " rows, model has " + std::to_string(rbm_.n_visible()) +
                         " visible units");
  Phase<T> pos;
  pos.v = V;
  pos.h = rbm_.hidden_mean(V);
  Phase<T> neg;
  if (config_.method == Method::cd) {
    neg = gibbs_chain_from(rbm_, pos.h, config_.k, rng);
  } else {
    if (chains_.n_cols == 0) {
      // Start the persistent chains from the first minibatch (repeated if more chains).
      // The reward correlator pairs every positive with one negative sample, so its chains
      // follow the minibatch (which is smaller than --batch when the data set is).
      const bool paired = config_.gradient == GradientPath::reward_correlator;
      const std::size_t n = config_.chains && !paired ? config_.chains : V.n_cols;
      chains_.set_size(V.n_rows, n);
      for (std::size_t j = 0; j < n; ++j) chains_.col(j) = V.col(j % V.n_cols);
    }
    neg = gibbs_chain(rbm_, chains_, config_.k, rng);
    chains_ = neg.v;
  }
  Statistics<T> g = rbm_gradient(config_.gradient, pos, neg, observer_);
  // Mean-field reconstruction error of this minibatch, before the update.
  last_reconstruction_error_ = mean_squared_error(V, rbm_.visible_mean(pos.h));

  // Centring, penalties and the SGD-with-momentum update, identical for every gradient path.
  arma::Mat<T> dW = g.dW;
  arma::Col<T> db = g.db, dc = g.dc;
  if (config_.centering) {
    const arma::Col<T> v_mean = arma::mean(pos.v, 1), h_mean = arma::mean(pos.h, 1);
    const T r = T(config_.centering_rate);
    if (mu_.n_elem == 0) mu_ = v_mean;  // run_epoch sets the data mean before the first step
    if (lambda_.n_elem == 0) lambda_ = arma::Col<T>(rbm_.n_hidden(), arma::fill::value(T(0.5)));
    mu_ = (T(1) - r) * mu_ + r * v_mean;
    lambda_ = (T(1) - r) * lambda_ + r * h_mean;
    // dW = g_W − μ g_cᵀ − g_b λᵀ in one pass (no temporaries: this runs every minibatch).
    for (arma::uword j = 0; j < dW.n_cols; ++j) {
      T* col = dW.colptr(j);
      const T dcj = g.dc[j], lj = lambda_[j];
      for (arma::uword i = 0; i < dW.n_rows; ++i) col[i] -= mu_[i] * dcj + g.db[i] * lj;
    }
    db = g.db - dW * lambda_;
    dc = g.dc - dW.t() * mu_;
  }
  if (config_.weight_decay > 0) dW -= T(config_.weight_decay) * rbm_.W();
  if (config_.sparsity_cost > 0) {
    const arma::Col<T> q_batch = arma::mean(pos.h, 1);
    if (!q_started_) {  // the running estimate starts at the first minibatch's mean
      q_ = q_batch;
      q_started_ = true;
    }
    q_ = T(config_.sparsity_decay) * q_ + T(1 - config_.sparsity_decay) * q_batch;
    const arma::Col<T> excess = q_ - T(config_.sparsity_target);
    dc -= T(config_.sparsity_cost) * excess;
    dW -= T(config_.sparsity_cost) * (arma::Col<T>(arma::mean(pos.v, 1)) * excess.t());
  }
  const T m = T(momentum), eta = T(lr);
  vW_ = m * vW_ + eta * dW;
  vb_ = m * vb_ + eta * db;
  vc_ = m * vc_ + eta * dc;
  rbm_.W() += vW_;
  rbm_.b() += vb_;
  rbm_.c() += vc_;
  if (config_.average_from < 1 &&
      double(epoch_) >= std::floor(config_.average_from * double(config_.epochs))) {
    if (n_avg_ == 0) {
      avg_W_.zeros(rbm_.n_visible(), rbm_.n_hidden());
      avg_b_.zeros(rbm_.n_visible());
      avg_c_.zeros(rbm_.n_hidden());
    }
    ++n_avg_;
    // Running mean a ← a + (x − a)/n, in double, one pass per array.
    const double w = 1.0 / double(n_avg_);
    auto update = [w](double* a, const T* x, arma::uword n) {
      for (arma::uword i = 0; i < n; ++i) a[i] += w * (double(x[i]) - a[i]);
    };
    update(avg_W_.memptr(), rbm_.W().memptr(), avg_W_.n_elem);
    update(avg_b_.memptr(), rbm_.b().memptr(), avg_b_.n_elem);
    update(avg_c_.memptr(), rbm_.c().memptr(), avg_c_.n_elem);
  }
  return g;
}

template <class T>
Rbm<T> RbmTrainer<T>::final_model() const {
  if (n_avg_ == 0) return rbm_;
  Rbm<T> r(rbm_.n_visible(), rbm_.n_hidden());
  r.W() = arma::conv_to<arma::Mat<T>>::from(avg_W_);
  r.b() = arma::conv_to<arma::Col<T>>::from(avg_b_);
  r.c() = arma::conv_to<arma::Col<T>>::from(avg_c_);
  return r;
}

template <class T>
EpochReport RbmTrainer<T>::run_epoch(const Dataset& data, Rng& rng,
                                     const std::function<void(std::size_t, std::size_t)>& progress) {
  if (data.dim() != rbm_.n_visible())
    throw DimensionError(data.source + ": data has " + std::to_string(data.dim()) +
                         " dimensions, model has " + std::to_string(rbm_.n_visible()) +
                         " visible units");
  if (data.size() == 0) throw DataError(data.source + ": no examples");
  if (config_.centering && mu_.n_elem == 0)  // the visible offset starts at the data mean
    mu_ = arma::conv_to<arma::Col<T>>::from(data.marginals(
        config_.binarize == Binarize::threshold ? Binarize::threshold : Binarize::none,
        config_.threshold));
  const auto t0 = std::chrono::steady_clock::now();
  const std::size_t B = std::min(config_.batch, data.size());
  // Only full minibatches: with a fresh order every epoch, each example is still used.
  const std::size_t n_batches = data.size() / B;
  arma::uvec order(data.size());
  for (std::size_t i = 0; i < order.n_elem; ++i) order[i] = i;
  shuffle(order.begin(), order.end(), rng);

  EpochReport rep;
  rep.epoch = epoch_ + 1;
  rep.learning_rate = config_.lr / (1.0 + config_.lr_decay * double(epoch_));
  const double momentum =
      epoch_ < config_.momentum_epochs ? config_.initial_momentum : config_.momentum;
  double recon = 0;
  for (std::size_t bi = 0; bi < n_batches; ++bi) {
    const arma::Mat<T> V =
        make_batch<T>(data, order, bi * B, B, config_.binarize, config_.threshold, rng);
    step(V, rep.learning_rate, momentum, rng);
    recon += last_reconstruction_error_;
    if (progress) progress(bi + 1, n_batches);
  }
  rep.reconstruction_error = recon / double(n_batches);
  if (!rbm_.W().is_finite() || !rbm_.b().is_finite() || !rbm_.c().is_finite())
    throw NumericalError("training diverged in epoch " + std::to_string(epoch_ + 1) +
                         ": parameters became NaN or infinite; lower --lr (now " +
                         fmt(rep.learning_rate) + ")");
  ++epoch_;
  rep.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return rep;
}

template class RbmTrainer<float>;
template class RbmTrainer<double>;
template Rbm<float> make_initial_rbm(const Dataset&, const TrainConfig&, Rng&);
template Rbm<double> make_initial_rbm(const Dataset&, const TrainConfig&, Rng&);

}  // namespace rbmkit
