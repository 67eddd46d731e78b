#pragma once
/// Minibatch SGD training of a general Boltzmann machine with persistent chains
/// (Hinton & Sejnowski's learning rule, estimated as in PCD; SEED-NOTES §2).
///
/// Positive phase: the visible units clamped to the minibatch, `gibbs_sweeps` sequential sweeps
/// over the hidden units, starting from that example's hidden states of its previous visit
/// (a persistent chain per training example; zeros at first). Negative phase: `gibbs_sweeps`
/// free-running sweeps over all units of the persistent negative chains (PCD; with Method::cd
/// the chains restart from the positive phase's states). The gradient statistics come from
/// bm_gradient.hpp by the configured path; both paths give bit-identical models.
#include <armadillo>
#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "rbmkit/training/bm_statistics.hpp"
#include "rbmkit/models/boltzmann.hpp"
#include "rbmkit/io/dataset.hpp"
#include "rbmkit/core/random.hpp"
#include "rbmkit/training/rbm_trainer.hpp"

namespace rbmkit {

/// Everything that defines a BM training run: the RBM settings that apply (hidden, epochs,
/// batch, learning rate and its decay, momentum schedule, weight decay, method, chains,
/// gradient path, binarization, seed, threads) and the BM's own.
struct BmTrainConfig {
  TrainConfig base;                               ///< sparsity must be off; `k` is unused
  std::size_t gibbs_sweeps = 1;                   ///< sweeps per phase per update
  Connectivity connectivity = Connectivity::full; ///< which pairs of units are connected

  /// Checks every value; throws InvalidArgument naming the CLI option at fault.
  void validate() const;
  /// Key/value form stored in model files.
  std::map<std::string, std::string> to_map() const;
};

/// Statistics of one BM epoch.
struct BmEpochReport {
  std::size_t epoch = 0;        ///< 1-based
  double seconds = 0;
  double conditional_error = 0; ///< mean over minibatches of (v − P(v_i = 1 | s_−i))² after the
                                ///< positive phase: how well each visible unit is predicted
  double learning_rate = 0;
};

/// Trains a Boltzmann machine epoch by epoch; owns velocities and persistent chains.
template <class T>
class BmTrainer {
public:
  /// Prepares training of `bm`.
  BmTrainer(const BmTrainConfig& config, BoltzmannMachine<T>& bm);

  /// One pass over `data` in a fresh random order; updates the model.
  BmEpochReport run_epoch(const Dataset& data, Rng& rng,
                          const std::function<void(std::size_t, std::size_t)>& progress = {});

  /// One SGD step on minibatch V (n_visible × B) whose hidden states start from H0
  /// (n_hidden × B; left at the positive phase's final states). Returns the raw statistics.
  Statistics<T> step(const arma::Mat<T>& V, arma::Mat<T>& H0, double learning_rate,
                     double momentum, Rng& rng);

  /// Mean (v − P(v = 1 | s_−i))² over the last minibatch's positive phase, before its update.
  double last_conditional_error() const { return last_conditional_error_; }
  std::size_t epochs_done() const { return epoch_; }
  const BmTrainConfig& config() const { return config_; }
  /// Hands every reward stream of the reward-correlator path to `observer` (see gradient.hpp).
  void set_stream_observer(StreamObserver<T> observer) { observer_ = std::move(observer); }
  /// The persistent negative chains, n_units × chains; empty before the first step.
  const arma::Mat<T>& chains() const { return chains_; }

private:
  BmTrainConfig config_;
  BoltzmannMachine<T>& bm_;
  arma::Mat<T> vW_;
  arma::Col<T> vbias_;
  arma::Mat<T> chains_;
  arma::Mat<std::uint8_t> hidden_store_;  // per-example persistent hidden states
  std::size_t epoch_ = 0;
  double last_conditional_error_ = 0;
  StreamObserver<T> observer_;
};

/// Creates a BM for `data`, initialised from the data marginals (BoltzmannMachine::initialize).
template <class T>
BoltzmannMachine<T> make_initial_bm(const Dataset& data, const BmTrainConfig& config, Rng& rng);

extern template class BmTrainer<float>;
extern template class BmTrainer<double>;
extern template BoltzmannMachine<float> make_initial_bm(const Dataset&, const BmTrainConfig&, Rng&);
extern template BoltzmannMachine<double> make_initial_bm(const Dataset&, const BmTrainConfig&,
                                                         Rng&);

}  // namespace rbmkit
