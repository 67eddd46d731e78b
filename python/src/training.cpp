// A training run of the engine (training/engine.hpp) from Python. The GIL is released while
// the engine runs; after every minibatch the stop hook takes it back briefly to let Python run
// its signal handlers, so Ctrl-C stops the run between two minibatches and raises
// KeyboardInterrupt (or whatever the handler raised) in the caller.
#include <pybind11/stl.h>

#include <optional>

#include "arrays.hpp"
#include "bindings.hpp"
#include "rbmkit/core/parallel.hpp"
#include "rbmkit/io/model_file.hpp"
#include "rbmkit/training/engine.hpp"

namespace rbmkit::python {

namespace {

const char* const state_source = "the estimator's training state";

/// Trains in precision T: a fresh run of `config` on `data`, or, with `state` (the bytes of a
/// model file written by a previous run), a new run that continues that run's model and state
/// (Trainer's continuing constructor). `on_epoch(epoch, epochs, error_name, error, seconds)` is
/// called after every epoch when not None. Returns (state, components, intercept_visible,
/// intercept_hidden).
template <class T>
py::tuple train(const TrainConfig& config, const Dataset& data, const std::optional<py::bytes>& state,
                const py::object& on_epoch) {
  std::optional<ModelFile> previous;
  if (state) {
    const std::string bytes = *state;
    py::gil_scoped_release nogil;
    previous = parse_model_file(bytes, state_source);
  }
  bool interrupted = false;
  TrainingHooks<Rbm<T>> hooks;
  hooks.stop = [&] {
    py::gil_scoped_acquire gil;
    interrupted = PyErr_CheckSignals() != 0;
    return interrupted;
  };
  if (!on_epoch.is_none())
    hooks.epoch_end = [&](EpochReport& r, const Rbm<T>&) {
      py::gil_scoped_acquire gil;
      on_epoch(r.epoch, r.epochs, r.error_name, r.error, r.seconds);
    };
  std::string file;
  Rbm<T> model;
  {
    py::gil_scoped_release nogil;
    set_threads(config.threads);
    auto trainer = previous ? Trainer<RbmStep<T>>(config, data, *previous, state_source)
                            : Trainer<RbmStep<T>>(config, data);
    trainer.run(hooks);
    if (!interrupted) {
      file = model_file_bytes(trainer.to_file());
      model = trainer.model();
    }
  }
  // A signal that arrived during the last minibatch is handled now, before returning.
  if (interrupted || PyErr_CheckSignals() != 0) throw py::error_already_set();
  py::tuple attributes = attributes_of(model);
  return py::make_tuple(py::bytes(file), attributes[0], attributes[1], attributes[2]);
}

}  // namespace

void bind_training(py::module_& m) {
  m.def("train_float", &train<float>, py::arg("config"), py::arg("data"), py::arg("state"),
        py::arg("on_epoch"), "Trains in float; see train_double.");
  m.def("train_double", &train<double>, py::arg("config"), py::arg("data"), py::arg("state"),
        py::arg("on_epoch"),
        "Runs the training engine: a fresh run of `config` on `data` (a Dataset), or with "
        "`state` (bytes of a model file from a previous run) a new run continuing it. Calls "
        "on_epoch(epoch, epochs, error_name, error, seconds) after every epoch unless None. "
        "Returns (state, components_, intercept_visible_, intercept_hidden_). Ctrl-C stops "
        "between minibatches and raises KeyboardInterrupt.");
}

}  // namespace rbmkit::python
