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
  /// A model file holding `model` with `config` and `rng_state` (io/model_file.hpp).
  static ModelFile make_file(const Model& model, const std::map<std::string, std::string>& config,
                             const Rng::State& rng_state) {
    if constexpr (std::is_same_v<Model, Rbm<T>>)
      return make_rbm_file(model, config, rng_state);
    else
      return make_bm_file(model, config, rng_state);
  }

  /// The current parameters (the last iterate).
  const Model& model() const { return model_; }
  /// The step's error measure on the last minibatch, before its update.
  double last_error() const { return last_error_; }
  /// Hands every reward stream of the reward-correlator path to `observer` (statistics.hpp).
  void set_stream_observer(StreamObserver<T> observer) { observer_ = std::move(observer); }
  /// Frees the buffers a step keeps from one minibatch to the next (none here; RbmStep's
  /// workspaces); the next update allocates them again. No result depends on it.
  void release_buffers() {}
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
  double last_error_ = 0;
  StreamObserver<T> observer_;
};

}  // namespace rbmkit
