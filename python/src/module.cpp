// The module rbmkit._core: the C++ library seen from Python. It converts and calls; every
// number it returns is computed by the library.
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "rbmkit/core/error.hpp"
#include "rbmkit/core/parallel.hpp"
#include "rbmkit/training/config.hpp"

namespace rbmkit::python {

namespace py = pybind11;

namespace {

/// A property of an enum field, spoken as its EnumNames string.
template <class E, class Get, class Set>
void enum_property(py::class_<TrainConfig>& c, const char* name, Get get, Set set) {
  c.def_property(
      name, [get](const TrainConfig& t) { return std::string(to_string(get(t))); },
      [set](TrainConfig& t, const std::string& v) { set(t, from_string<E>(v)); });
}

}  // namespace

void bind_config(py::module_& m) {
  // Arguments out of their domain, bad data and bad files are ValueErrors; a file that cannot
  // be written is an OSError; a run that diverged is a FloatingPointError.
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const OutputError& e) {
      PyErr_SetString(PyExc_OSError, e.what());
    } catch (const NumericalError& e) {
      PyErr_SetString(PyExc_FloatingPointError, e.what());
    } catch (const Error& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    }
  });

  py::class_<TrainConfig> c(m, "TrainConfig",
                            "An RBM training run's configuration (rbmkit/training/config.hpp); "
                            "fields of RbmConfig appear here by their own names.");
  c.def(py::init<>())
      .def_readwrite("hidden", &TrainConfig::hidden)
      .def_readwrite("epochs", &TrainConfig::epochs)
      .def_readwrite("batch", &TrainConfig::batch)
      .def_readwrite("lr", &TrainConfig::lr)
      .def_readwrite("lr_decay", &TrainConfig::lr_decay)
      .def_readwrite("momentum", &TrainConfig::momentum)
      .def_readwrite("initial_momentum", &TrainConfig::initial_momentum)
      .def_readwrite("momentum_epochs", &TrainConfig::momentum_epochs)
      .def_readwrite("weight_decay", &TrainConfig::weight_decay)
      .def_readwrite("average_from", &TrainConfig::average_from)
      .def_readwrite("chains", &TrainConfig::chains)
      .def_readwrite("temperatures", &TrainConfig::temperatures)
      .def_readwrite("threshold", &TrainConfig::threshold)
      .def_readwrite("seed", &TrainConfig::seed)
      .def_readwrite("threads", &TrainConfig::threads)
      .def_property(
          "k", [](const TrainConfig& t) { return t.rbm.k; },
          [](TrainConfig& t, std::size_t v) { t.rbm.k = v; })
      .def_property(
          "centering", [](const TrainConfig& t) { return t.rbm.centering; },
          [](TrainConfig& t, bool v) { t.rbm.centering = v; })
      .def_property(
          "centering_rate", [](const TrainConfig& t) { return t.rbm.centering_rate; },
          [](TrainConfig& t, double v) { t.rbm.centering_rate = v; })
      .def_property(
          "sparsity_target", [](const TrainConfig& t) { return t.rbm.sparsity_target; },
          [](TrainConfig& t, double v) { t.rbm.sparsity_target = v; })
      .def_property(
          "sparsity_cost", [](const TrainConfig& t) { return t.rbm.sparsity_cost; },
          [](TrainConfig& t, double v) { t.rbm.sparsity_cost = v; })
      .def("validate", &TrainConfig::validate,
           "Raises ValueError naming the field (TrainConfig::lr, RbmConfig::k, ...) at fault.")
      .def("to_map", &TrainConfig::to_map, "The key/value form stored in model files.");
  enum_property<UnitType>(
      c, "visible", [](const TrainConfig& t) { return t.rbm.visible; },
      [](TrainConfig& t, UnitType v) { t.rbm.visible = v; });
  enum_property<Variance>(
      c, "variance", [](const TrainConfig& t) { return t.rbm.variance; },
      [](TrainConfig& t, Variance v) { t.rbm.variance = v; });
  enum_property<Method>(
      c, "method", [](const TrainConfig& t) { return t.method; },
      [](TrainConfig& t, Method v) { t.method = v; });
  enum_property<GradientPath>(
      c, "gradient", [](const TrainConfig& t) { return t.gradient; },
      [](TrainConfig& t, GradientPath v) { t.gradient = v; });
  enum_property<Binarize>(
      c, "binarize", [](const TrainConfig& t) { return t.binarize; },
      [](TrainConfig& t, Binarize v) { t.binarize = v; });

  m.def("threads", &threads, "Threads rbmkit's parallel loops and OpenBLAS use.");
  m.def("set_threads", &set_threads, py::arg("n"),
        "Sets the threads of rbmkit's parallel loops and OpenBLAS (0 = all cores).");
  m.def("blas_info", &blas_info);
}

}  // namespace rbmkit::python

PYBIND11_MODULE(_core, m) {
  m.doc() = "rbmkit's C++ library: RBM training, evaluation and model files on numpy arrays";
  m.attr("__version__") = RBMKIT_VERSION;
  rbmkit::python::bind_config(m);
  rbmkit::python::bind_data(m);
  rbmkit::python::bind_training(m);
  rbmkit::python::bind_model(m);
  rbmkit::python::bind_studies(m);
  rbmkit::python::bind_estimators(m);
  rbmkit::python::bind_gaussian(m);
}
