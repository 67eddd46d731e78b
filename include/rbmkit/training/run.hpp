#pragma once
/// A whole training run as one library call: the engine (engine.hpp) for the configured machine
/// and precision, the standard monitors after every epoch, and the model file written at the
/// end, at checkpoints and when the caller asks the run to stop. `rbmkit train` is this call.
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "rbmkit/evaluation/likelihood.hpp"
#include "rbmkit/io/dataset.hpp"
#include "rbmkit/io/model_file.hpp"
#include "rbmkit/training/config.hpp"
#include "rbmkit/training/engine.hpp"

namespace rbmkit {

/// What a run does besides training. None of it changes the trained model.
struct RunOptions {
  /// The model file (with the complete training state, engine.hpp): written atomically at the
  /// end, every `checkpoint_every` epochs, and when the run is stopped.
  std::string out;
  std::size_t checkpoint_every = 0;          ///< epochs between checkpoints; 0 = none
  ElementType precision = ElementType::float32;  ///< of a fresh run (a resumed run keeps its own)
  /// Training examples whose pseudo-log-likelihood (nats per example) is reported after every
  /// epoch (RBMs); 0 = none.
  std::size_t monitor_examples = 200;
  Dataset test;                              ///< held-out test data (none when empty)
  std::size_t eval_every = 1;                ///< held-out evaluation every N epochs and the last
  LikelihoodOptions likelihood;              ///< how held-out log-likelihoods are estimated
};

/// Where a run stands when it returns.
struct RunSummary {
  bool completed = false;        ///< all epochs done (false: stopped by RunEvents::stop)
  std::size_t epochs_done = 0;   ///< epochs completed
  std::size_t minibatch = 0;     ///< minibatches done in the next epoch (0 between epochs)
  std::size_t minibatches = 0;   ///< minibatches per epoch
  std::size_t epochs = 0;        ///< of the run
};

/// What the caller sees and decides while a run goes on.
struct RunEvents {
  /// Once, before the first minibatch: one line describing the run.
  std::function<void(const std::string&)> started;
  /// After every minibatch: minibatches done in epoch `epoch` (1-based) and per epoch.
  std::function<void(std::size_t epoch, std::size_t done, std::size_t total)> progress;
  /// After every epoch, with the step's error and the monitors' values (names as in the log:
  /// pseudo_log_likelihood, valid_log_likelihood, test_log_z_stderr, …).
  std::function<void(const EpochReport&)> epoch;
  /// Asked after every minibatch and epoch; true stops the run there and writes RunOptions::out.
  std::function<bool()> stop;
};

/// Trains `config` on `data` and writes RunOptions::out. Throws InvalidArgument for a bad
/// configuration or an evaluation that cannot be done for this machine (before training
/// starts), DataError for unusable data, NumericalError when training diverges (nothing is
/// written then), OutputError when the file cannot be written.
RunSummary train_model(const TrainConfig& config, const Dataset& data, const RunOptions& options,
                       const RunEvents& events = {});

/// Continues the run stored in `file` (read from `source`) on `data` (the data it was started
/// on), with `epochs` epochs in all (0 = as stored), and writes RunOptions::out.
RunSummary resume_model(const ModelFile& file, const std::string& source, const Dataset& data,
                        std::size_t epochs, const RunOptions& options,
                        const RunEvents& events = {});

/// The column names RunEvents::epoch reports for `config` with `options`, in order (after the
/// step's error): the header of a training log.
std::vector<std::string> monitor_names(const TrainConfig& config, const RunOptions& options);

}  // namespace rbmkit
