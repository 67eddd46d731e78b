#pragma once
// The parts of the module _core, one function per source file.
#include <pybind11/pybind11.h>

namespace rbmkit::python {

/// TrainConfig and the translation of rbmkit's exceptions into Python's (module.cpp).
void bind_config(pybind11::module_& m);
/// Dataset: numpy or CSR values in [0,1] stored as bytes, the engine's input (data.cpp).
void bind_data(pybind11::module_& m);
/// train: a run of the engine with the GIL released, interruptible by Ctrl-C (training.cpp).
void bind_training(pybind11::module_& m);
/// What a trained RBM does: hidden means, pseudo-likelihood, log-likelihood, Gibbs sampling,
/// model files (model.cpp).
void bind_model(pybind11::module_& m);
/// The equivalence of the two gradient paths on one minibatch (studies.cpp).
void bind_studies(pybind11::module_& m);
/// The gradient estimators of stochastic binary neurons with losses written in Python
/// (estimators.cpp).
void bind_estimators(pybind11::module_& m);
/// Gaussian visible units (gaussian.cpp): real-valued data, P(h | x) and log-densities of a
/// Gaussian-Bernoulli RBM with its standardisation.
void bind_gaussian(pybind11::module_& m);

}  // namespace rbmkit::python
