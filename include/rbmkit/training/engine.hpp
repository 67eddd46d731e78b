#pragma once
/// The training engine: one run of minibatch SGD for any machine (RbmStep, BmStep). It owns
/// everything a run is: the held-out split, the order of every epoch, minibatches, the
/// learning-rate and momentum schedules, parameter averaging, the divergence check, progress,
/// stopping between minibatches, and the complete state for an exact resume. A machine
/// supplies only its step (phases → statistics → update).
///
/// Reproducibility: one generator seeded with TrainConfig::seed drives the whole run (the
/// initial weights, every epoch's order, stochastic binarisation and every Gibbs step). A run
/// stopped anywhere and continued from its file (Trainer(file, …)) performs the same floating-
/// point operations in the same order as an uninterrupted run, so it ends in the same bits.
#include <armadillo>
#include <cstddef>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "rbmkit/core/random.hpp"
#include "rbmkit/io/dataset.hpp"
#include "rbmkit/io/model_file.hpp"
#include "rbmkit/training/bm_step.hpp"
#include "rbmkit/training/config.hpp"
#include "rbmkit/training/rbm_step.hpp"
#include "rbmkit/training/update.hpp"

namespace rbmkit {

/// What one epoch did.
struct EpochReport {
  std::size_t epoch = 0;      ///< 1-based
  std::size_t epochs = 0;     ///< of the run
  double seconds = 0;         ///< wall-clock seconds of the epoch's minibatches (this process)
  double learning_rate = 0;
  double momentum = 0;
  std::string error_name;     ///< the step's error measure, e.g. "reconstruction_error"
  double error = 0;           ///< its mean over the epoch's minibatches
  /// Monitor values added by TrainingHooks::epoch_end, in order; NaN = not evaluated this epoch.
  std::vector<std::pair<std::string, double>> values;
};

/// What a caller may observe and decide during Trainer::run.
template <class Model>
struct TrainingHooks {
  /// After every minibatch: minibatches done in this epoch, and per epoch.
  std::function<void(std::size_t done, std::size_t total)> progress;
  /// Asked after every minibatch and after every epoch: true stops the run there (the
  /// trainer's state then covers exactly the minibatches done).
  std::function<bool()> stop;
  /// After every epoch, with the model as it would be saved now; monitors append to the
  /// report's `values`. The model may view the trainer's arrays (the step's model, or the
  /// parameter average): valid only during the call; a copy (Model's copy constructor) owns its
  /// arrays and may be kept. The hook may call the trainer's const members (model(), write(),
  /// to_file()).
  std::function<void(EpochReport&, const Model&)> epoch_end;
};

/// The order of one epoch: 0 … n−1 shuffled with `rng` (Fisher–Yates). Every epoch of a run
/// draws its order here, before its first minibatch.
arma::uvec epoch_order(std::size_t n, Rng& rng);

/// True when `file` holds a training run's state (written by Trainer::to_file).
bool has_training_state(const ModelFile& file);

/// The checksum the engine records of its training data (FNV-1a over the sizes and bytes).
std::uint64_t dataset_checksum(const Dataset& data);

/// One training run of the machine whose step is `Step` (RbmStep<T> or BmStep<T>).
///
/// The trainer does not copy its data: its training and held-out parts are views of the
/// `data` given to the constructor (Dataset::view), which must outlive the trainer and stay
/// unchanged while it lives (constructors taking a temporary Dataset are deleted).
template <class Step>
class Trainer {
public:
  using T = typename Step::Scalar;
  using Model = typename Step::Model;

  /// A fresh run of `config` on `data`: validates the configuration, holds out the last
  /// config.valid examples, and draws the initial model from Rng(config.seed). Throws
  /// InvalidArgument (configuration) or DataError (too few examples, naming data.source).
  Trainer(const TrainConfig& config, const Dataset& data);
  /// Continues the run stored in `file` (written by to_file) on `data`, which must be the
  /// data it was started on (same size and checksum; DataError otherwise). `epochs` > 0
  /// changes the number of epochs (it may extend a finished run). The result is then the run
  /// of `epochs` epochs from the start, bit for bit, when its averaging window
  /// (from epoch ⌊average_from · epochs⌋) has not yet begun or is unchanged; otherwise, and when
  /// `epochs` is below the epochs begun, InvalidArgument naming TrainConfig::epochs. Throws
  /// ModelError naming `source` when the file holds no training state.
  Trainer(const ModelFile& file, const std::string& source, const Dataset& data,
          std::size_t epochs = 0);
  /// A new run of `config` on `data` that starts where the run stored in `file` (written by
  /// to_file) stopped, instead of from a fresh initial model: the current parameters and the
  /// step's whole state (velocities, persistent chains, centring offsets) carry over and the
  /// generator continues from the file's; epochs, the order and averaging start afresh on
  /// `data`, which may be any data of the model's dimension (further training on new data, as
  /// scikit-learn's partial_fit). A file without training state (exported, imported) gives its
  /// model with a fresh step and Rng(config.seed). RBMs only: a Boltzmann machine's per-example
  /// hidden states belong to the data it was trained on (InvalidArgument). Throws ModelError
  /// naming `source` for a file that holds no RBM, InvalidArgument when config.hidden differs
  /// from the file's model, DimensionError for data of another dimension.
  Trainer(const TrainConfig& config, const Dataset& data, const ModelFile& file,
          const std::string& source);
  /// The data would die before the trainer that views them.
  Trainer(const TrainConfig&, Dataset&&) = delete;
  Trainer(const ModelFile&, const std::string&, Dataset&&, std::size_t = 0) = delete;
  Trainer(const TrainConfig&, Dataset&&, const ModelFile&, const std::string&) = delete;

  /// Trains until all epochs are done (returns true) or hooks.stop() asks to stop (false).
  /// Throws NumericalError when the parameters become NaN or infinite (checked after every
  /// epoch); the trainer's state is then unusable.
  bool run(const TrainingHooks<Model>& hooks = {});

  /// The trained model: the mean of the parameters since averaging began
  /// (TrainConfig::average_from), or the current parameters before then or without averaging.
  Model model() const;
  /// The model, the configuration (TrainConfig::to_map plus the data's size and checksum) and
  /// the complete training state: a file that loads as a model for eval and export, and as a
  /// run for Trainer(file, …).
  ModelFile to_file() const;
  /// Writes to_file()'s content to `path` atomically (write_model_file), the training state
  /// and the parameter average read from the trainer's own arrays instead of copied into a
  /// ModelFile first (ModelFile::put_refers): the same bytes with one copy of them less in memory.
  /// Throws as to_file and write_model_file.
  void write(const std::string& path) const;

  const TrainConfig& config() const { return config_; }
  /// Epochs completed.
  std::size_t epochs_done() const { return epoch_; }
  /// Minibatches done in the current epoch (0 between epochs).
  std::size_t minibatches_done() const { return position_; }
  /// Minibatches per epoch: ⌊examples / batch⌋ (a fresh order every epoch uses every example).
  std::size_t minibatches_per_epoch() const;
  /// Updates averaged into model() so far.
  std::size_t averaged_updates() const { return average_.count(); }
  /// The examples trained on: a view of the constructor's data (its first examples).
  const Dataset& training_data() const { return train_; }
  /// The held-out examples, a view of the constructor's data (its last TrainConfig::valid
  /// examples; empty unless TrainConfig::valid > 0).
  const Dataset& validation_data() const { return valid_; }
  /// The machine's step (its current parameters, chains and stream observer).
  Step& step() { return step_; }
  const Step& step() const { return step_; }

private:
  /// The training and held-out views of `data`, its size and (with `checksum`) its checksum.
  void split(const Dataset& data, bool checksum = true);
  /// A fresh run's start: split(data), and the step's initial model (Step::initial_model) drawn
  /// while another thread takes the data's checksum.
  Model start(const Dataset& data);
  void change_epochs(std::size_t stored_epochs);
  void start_epoch();
  void set_order(const arma::uvec& order);  // order_ = order (32-bit indices; at most 2³² − 1)
  /// Calls f(const Model&) with model() without copying its weights: the step's own model, or
  /// (averaging) one that views the averaged parameters in place, valid only during the call.
  template <class F>
  void with_model(const F& f) const;
  /// to_file's content for `model`; with `refer`, the state arrays refer to the trainer's and
  /// an RBM's weights to `model`'s (which must outlive the file).
  ModelFile file_of(const Model& model, bool refer) const;

  TrainConfig config_;
  Dataset train_, valid_;
  std::size_t data_examples_ = 0;     // training plus held-out examples
  std::uint64_t data_checksum_ = 0;   // dataset_checksum of all of them
  Rng rng_;
  Step step_;
  ParameterAverage<T> average_;
  std::size_t epoch_ = 0;     // epochs completed
  std::size_t position_ = 0;  // minibatches done in the current epoch
  Rng::State epoch_rng_{};    // the generator when the current epoch drew its order
  std::vector<std::uint32_t> order_;  // the epoch's order (epoch_order), in 32-bit indices
  arma::uvec examples_;               // the current minibatch's examples, from order_
  double error_sum_ = 0;      // the step's errors summed over the current epoch
};

extern template class Trainer<RbmStep<float>>;
extern template class Trainer<RbmStep<double>>;
extern template class Trainer<BmStep<float>>;
extern template class Trainer<BmStep<double>>;

}  // namespace rbmkit
