#pragma once
/// One SGD step of a general Boltzmann machine (Hinton & Sejnowski's learning rule; Bengio
/// 2013, §4.2): phases (sampling/phases.hpp: the positive phase clamps the minibatch and sweeps
/// the hidden units from that example's hidden states of its previous visit, the negative
/// phase sweeps persistent or CD chains) → statistics by the configured path
/// (bm_statistics.hpp) → weight decay and momentum. The training engine drives it.
#include <armadillo>
#include <cstdint>
#include <string>
#include <vector>

#include "rbmkit/core/random.hpp"
#include "rbmkit/io/dataset.hpp"
#include "rbmkit/io/model_file.hpp"
#include "rbmkit/models/boltzmann.hpp"
#include "rbmkit/training/config.hpp"
#include "rbmkit/training/machine_step.hpp"
#include "rbmkit/training/statistics.hpp"

namespace rbmkit {

/// The Boltzmann machine's step and its state: velocities, persistent negative chains and one
/// persistent hidden state per training example (the positive phase's chains).
template <class T>
class BmStep : public MachineStep<T, BoltzmannMachine<T>> {
public:
  using Base = MachineStep<T, BoltzmannMachine<T>>;
  /// The name of last_error() in reports and logs: the mean (v − P(v_i = 1 | s_−i))² over the
  /// minibatch's positive phase, how well each clamped visible unit is predicted from all others.
  static constexpr const char* error_name = "conditional_error";

  /// A machine for `train` with config.bm.connectivity, initialised from the data marginals
  /// (BoltzmannMachine::initialize, weights drawn from `rng`).
  static BoltzmannMachine<T> initial_model(const Dataset& train, const TrainConfig& config,
                                           Rng& rng);

  /// Prepares training of `model` with `config` (machine MachineKind::bm, validated).
  BmStep(const TrainConfig& config, BoltzmannMachine<T> model);
  /// Starts a fresh run on `train`: every example's hidden state starts at 0.
  void begin(const Dataset& train);
  /// One update from minibatch V (n_visible × B) of training examples `examples`.
  /// Returns the raw statistics.
  Statistics<T> update(const arma::Mat<T>& V, const arma::uvec& examples, double lr,
                       double momentum, Rng& rng);

  /// W and bias of the current machine (for averaging and divergence checks). Both stay
  /// symmetric with zero diagonal and zero outside the mask under every element-wise update.
  std::vector<arma::Mat<T>*> parameters();
  std::vector<const arma::Mat<T>*> parameters() const;
  /// A copy of the machine with W and bias replaced by `params`.
  BoltzmannMachine<T> with_parameters(const std::vector<arma::Mat<T>>& params) const;

  /// Stores the current parameters and the whole optimiser state as "state.*" arrays.
  void save_state(ModelFile& file) const;
  /// Restores what save_state stored, after begin on the run's training set (the stored hidden
  /// states must have one column per example); throws ModelError naming `source`.
  void load_state(const ModelFile& file, const std::string& source);

private:
  arma::Mat<T> vW_;
  arma::Col<T> vbias_;
  arma::Mat<T> hidden_;  // n_hidden × examples: each example's persistent hidden states
};

extern template class BmStep<float>;
extern template class BmStep<double>;

}  // namespace rbmkit
