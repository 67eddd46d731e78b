#include "rbmkit/training/bm_trainer.hpp"

#include <chrono>
#include <cmath>

#include "rbmkit/core/error.hpp"
#include "rbmkit/evaluation/monitors.hpp"

namespace rbmkit {

void BmTrainConfig::validate() const {
  base.validate();
  if (gibbs_sweeps == 0) throw InvalidArgument("--gibbs-sweeps: must be at least 1");
  if (base.sparsity_cost > 0)
    throw InvalidArgument("--sparsity-cost: the sparsity penalty applies to --machine rbm only");
}

std::map<std::string, std::string> BmTrainConfig::to_map() const {
  std::map<std::string, std::string> m = base.to_map();
  m["machine"] = "bm";
  m["gibbs_sweeps"] = std::to_string(gibbs_sweeps);
  m["connectivity"] = to_string(connectivity);
  return m;
}

template <class T>
BoltzmannMachine<T> make_initial_bm(const Dataset& data, const BmTrainConfig& config, Rng& rng) {
  config.validate();
  BoltzmannMachine<T> bm(data.dim(), config.base.hidden, config.connectivity);
  bm.initialize(data.marginals(config.base.binarize == Binarize::threshold ? Binarize::threshold
                                                                           : Binarize::none,
                               config.base.threshold),
                rng);
  return bm;
}

template <class T>
BmTrainer<T>::BmTrainer(const BmTrainConfig& config, BoltzmannMachine<T>& bm)
    : config_(config), bm_(bm) {
  config_.validate();
  bm_.check("BmTrainer");
  vW_.zeros(bm.n_units(), bm.n_units());
  vbias_.zeros(bm.n_units());
}

template <class T>
Statistics<T> BmTrainer<T>::step(const arma::Mat<T>& V, arma::Mat<T>& H0, double lr,
                                 double momentum, Rng& rng) {
  const std::size_t nv = bm_.n_visible(), nh = bm_.n_hidden(), n = bm_.n_units();
  if (V.n_rows != nv || H0.n_rows != nh || H0.n_cols != V.n_cols)
    throw DimensionError("BmTrainer::step: minibatch is " + std::to_string(V.n_rows) + " x " +
                         std::to_string(V.n_cols) + " with hidden states " +
                         std::to_string(H0.n_rows) + " x " + std::to_string(H0.n_cols) +
                         "; the machine has " + std::to_string(nv) + " visible and " +
                         std::to_string(nh) + " hidden units");
  const TrainConfig& c = config_.base;
  // Positive phase: visible clamped, Gibbs over the hidden units only.
  arma::Mat<T> S_pos(n, V.n_cols);
  S_pos.rows(0, nv - 1) = V;
  if (nh > 0) S_pos.rows(nv, n - 1) = H0;
  gibbs_sweeps_clamped(bm_, S_pos, config_.gibbs_sweeps, rng);
  // Negative phase: free-running chains.
  arma::Mat<T> S_neg;
  if (c.method == Method::cd) {
    S_neg = S_pos;
    gibbs_sweeps_free(bm_, S_neg, config_.gibbs_sweeps, rng);
  } else {
    if (chains_.n_cols == 0) {
      // Start the persistent chains from the first minibatch (repeated if more chains).
      // The reward correlator pairs every positive with one negative sample.
      const bool paired = c.gradient == GradientPath::reward_correlator;
      const std::size_t m = c.chains && !paired ? c.chains : V.n_cols;
      chains_.zeros(n, m);
      for (std::size_t j = 0; j < m; ++j) chains_.col(j).head(nv) = V.col(j % V.n_cols);
    }
    gibbs_sweeps_free(bm_, chains_, config_.gibbs_sweeps, rng);
    S_neg = chains_;
  }
  Statistics<T> g = bm_gradient(c.gradient, bm_, S_pos, S_neg, observer_);
  // How well each clamped visible unit is predicted from all other units, before the update.
  {
    arma::Mat<T> A = bm_.W().rows(0, nv - 1) * S_pos;
    A.each_col() += bm_.visible_bias();
    last_conditional_error_ = mean_squared_error<T>(V, sigmoid<T>(A));
  }
  // Weight decay and the SGD-with-momentum update, identical for every gradient path. W is zero
  // on the diagonal and outside the mask, so dW, vW_ and W stay so; every operation is
  // element-wise on symmetric matrices, so W stays exactly symmetric.
  arma::Mat<T> dW = g.dW;
  if (c.weight_decay > 0) dW -= T(c.weight_decay) * bm_.W();
  const arma::Col<T> dbias = arma::join_cols(g.db, g.dc);
  const T m = T(momentum), eta = T(lr);
  vW_ = m * vW_ + eta * dW;
  vbias_ = m * vbias_ + eta * dbias;
  bm_.W() += vW_;
  bm_.bias() += vbias_;
  if (nh > 0) H0 = S_pos.rows(nv, n - 1);
  return g;
}

template <class T>
BmEpochReport BmTrainer<T>::run_epoch(const Dataset& data, Rng& rng,
                                      const std::function<void(std::size_t, std::size_t)>& progress) {
  const TrainConfig& c = config_.base;
  if (data.dim() != bm_.n_visible())
    throw DimensionError(data.source + ": data has " + std::to_string(data.dim()) +
                         " dimensions, model has " + std::to_string(bm_.n_visible()) +
                         " visible units");
  if (data.size() == 0) throw DataError(data.source + ": no examples");
  const auto t0 = std::chrono::steady_clock::now();
  const std::size_t nh = bm_.n_hidden();
  if (hidden_store_.n_rows != nh || hidden_store_.n_cols != data.size())
    hidden_store_.zeros(nh, data.size());
  const std::size_t B = std::min(c.batch, data.size());
  const std::size_t n_batches = data.size() / B;
  arma::uvec order(data.size());
  for (std::size_t i = 0; i < order.n_elem; ++i) order[i] = i;
  shuffle(order.begin(), order.end(), rng);

  BmEpochReport rep;
  rep.epoch = epoch_ + 1;
  rep.learning_rate = c.lr / (1.0 + c.lr_decay * double(epoch_));
  const double momentum = epoch_ < c.momentum_epochs ? c.initial_momentum : c.momentum;
  double err = 0;
  arma::Mat<T> H(nh, B);
  for (std::size_t bi = 0; bi < n_batches; ++bi) {
    const arma::Mat<T> V = make_batch<T>(data, order, bi * B, B, c.binarize, c.threshold, rng);
    for (std::size_t t = 0; t < B; ++t)
      for (std::size_t j = 0; j < nh; ++j) H(j, t) = T(hidden_store_(j, order[bi * B + t]));
    step(V, H, rep.learning_rate, momentum, rng);
    for (std::size_t t = 0; t < B; ++t)
      for (std::size_t j = 0; j < nh; ++j)
        hidden_store_(j, order[bi * B + t]) = H(j, t) != T(0) ? 1 : 0;
    err += last_conditional_error_;
    if (progress) progress(bi + 1, n_batches);
  }
  rep.conditional_error = err / double(n_batches);
  if (!bm_.W().is_finite() || !bm_.bias().is_finite())
    throw NumericalError("training diverged in epoch " + std::to_string(epoch_ + 1) +
                         ": parameters became NaN or infinite; lower --lr");
  ++epoch_;
  rep.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return rep;
}

template class BmTrainer<float>;
template class BmTrainer<double>;
template BoltzmannMachine<float> make_initial_bm(const Dataset&, const BmTrainConfig&, Rng&);
template BoltzmannMachine<double> make_initial_bm(const Dataset&, const BmTrainConfig&, Rng&);

}  // namespace rbmkit
