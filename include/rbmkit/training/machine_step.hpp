#pragma once
/// What the step of every machine shares (RbmStep, BmStep): its configuration, the current
/// model, the persistent chains, the last minibatch's error and the stream observer. A step is
/// the one part of a training run a machine supplies (engine.hpp): phases → statistics → update.
#include <armadillo>
#include <string>
#include <map>
#include <type_traits>
#include <utility>

#include "rbmkit/core/error.hpp"
#include "rbmkit/io/model_file.hpp"
#include "rbmkit/sampling/phases.hpp"
#include "rbmkit/training/config.hpp"
#include "rbmkit/training/statistics.hpp"

namespace rbmkit {

template <class T, class M>
class MachineStep {
public:
  using Scalar = T;
  using Model = M;

  /// The machine stored in `file` (the parameters a user gets: averaged once averaging began);
  /// throws ModelError naming `source` when the file holds another kind of machine.
  static Model model_from(const ModelFile& file, const std::string& source) {
    if constexpr (std::is_same_v<Model, Rbm<T>>)
      return rbm_from_file<T>(file, source);
    else
      return bm_from_file<T>(file, source);
  }
  /// A model file holding `model` with `config` and `rng_state` (io/model_file.hpp). With
  /// `refer`, an RBM's file refers to its weights instead of copying them (make_rbm_file):
  /// `model` must then outlive the file.
  static ModelFile make_file(const Model& model, const std::map<std::string, std::string>& config,
                             const Rng::State& rng_state, bool refer = false) {
    if constexpr (std::is_same_v<Model, Rbm<T>>)
      return make_rbm_file(model, config, rng_state, refer);
    else
      return make_bm_file(model, config, rng_state);
  }

  /// The current parameters (the last iterate).
  const Model& model() const { return model_; }
  /// The step's error measure on the last minibatch, before its update.
  double last_error() const { return last_error_; }
  /// Hands every reward stream of the reward-correlator path to `observer` (statistics.hpp).
  void set_stream_observer(StreamObserver<T> observer) { observer_ = std::move(observer); }
  /// Where a caller that draws minibatches repeatedly (Trainer::run, with make_batch_into)
  /// writes the next one before passing it to update, so that no minibatch is allocated or
  /// copied: here a buffer of the step's own; RbmStep's is its phases' positive visible states,
  /// which draw_phases then need not copy. update reads it like any other V.
  arma::Mat<T>& minibatch() { return minibatch_; }
  /// Frees the buffers a step keeps from one minibatch to the next (here the minibatch buffer;
  /// RbmStep's workspaces); the next update allocates them again. No result depends on it.
  void release_buffers() { minibatch_.reset(); }
  /// Whether update returns the weight statistic (always here; RbmStep's may skip it).
  void return_weight_statistic(bool) {}
  /// The persistent chains (PCD), one column per chain; empty before the first update.
  const arma::Mat<T>& chains() const { return chains_; }

protected:
  /// Validates `config` and checks that it is for `kind`; `who` names the step in messages.
  MachineStep(const TrainConfig& config, Model model, MachineKind kind, const char* who)
      : config_(config), model_(std::move(model)) {
    config_.validate();
    if (config_.machine != kind)
      throw InvalidArgument(std::string(who) + ": TrainConfig::machine must be " +
                            to_string(kind) + ", got " + to_string(config_.machine));
  }
  /// How draw_phases samples for `steps` Gibbs steps or sweeps per phase. The reward correlator
  /// pairs every positive with one negative sample, so its chains follow the minibatch (smaller
  /// than the batch size when the data set is).
  PhaseConfig phase_config(std::size_t steps) const {
    const bool paired = config_.gradient == GradientPath::reward_correlator;
    return {config_.method, steps, paired ? 0 : config_.chains, config_.temperatures};
  }

  TrainConfig config_;
  Model model_;
  arma::Mat<T> chains_;
  arma::Mat<T> minibatch_;
  double last_error_ = 0;
  StreamObserver<T> observer_;
};

}  // namespace rbmkit
