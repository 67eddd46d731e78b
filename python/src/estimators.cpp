// The gradient estimators of stochastic binary neurons (estimators/estimators.hpp, Bengio 2013
// §2-3) with the loss written in Python. Arrays are (examples, units), one example per row.
#include <pybind11/stl.h>

#include <cstring>

#include "arrays.hpp"
#include "bindings.hpp"
#include "rbmkit/estimators/estimators.hpp"

namespace rbmkit::python {

namespace {

/// An (examples, units) array as the units × examples matrix the library uses (one copy).
arma::mat units_by_examples(const py::handle& x, std::size_t n, std::size_t B, const char* what) {
  const auto a = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(x);
  if (!a || a.ndim() != 2 || std::size_t(a.shape(0)) != B || std::size_t(a.shape(1)) != n)
    throw DimensionError(std::string("GradientEstimator.estimate: ") + what + " must be " +
                         std::to_string(B) + " x " + std::to_string(n));
  arma::mat m(n, B);
  std::memcpy(m.memptr(), a.data(), n * B * sizeof(double));
  return m;
}

/// One loss per example (a 1-D array of B values).
arma::rowvec losses(const py::handle& x, std::size_t B) {
  const auto a = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(x);
  if (!a || a.ndim() != 1 || std::size_t(a.shape(0)) != B)
    throw DimensionError("GradientEstimator.estimate: the loss must return " + std::to_string(B) +
                         " values, one per example");
  return arma::rowvec(a.data(), B);
}

/// A StochasticLoss computed by Python callables. Later noise comes from a numpy Generator
/// seeded by one draw of the estimator's generator, so two states evaluated from the same
/// generator state (arm's common random numbers) see the same later noise.
class PythonLoss : public StochasticLoss {
public:
  PythonLoss(std::size_t n, py::object loss, py::object loss_and_gradient)
      : n_(n), loss_(std::move(loss)), loss_and_gradient_(std::move(loss_and_gradient)) {}

  std::size_t n_units() const override { return n_; }

  arma::rowvec loss(const arma::mat& h, Rng& rng) const override {
    const std::uint64_t seed = rng.next();
    py::gil_scoped_acquire gil;
    return losses(loss_(rows_of(h), generator(seed)), h.n_cols);
  }

  arma::rowvec loss_and_gradient(const arma::mat& h, bool scaled, arma::mat& grad,
                                 Rng& rng) const override {
    const std::uint64_t seed = rng.next();
    py::gil_scoped_acquire gil;
    if (loss_and_gradient_.is_none())
      throw InvalidArgument("GradientEstimator.estimate: the straight-through and learned "
                            "estimators need loss_and_gradient(h, scaled, rng) -> (L, dL/dh)");
    const py::tuple r = loss_and_gradient_(rows_of(h), scaled, generator(seed));
    if (r.size() != 2)
      throw InvalidArgument("GradientEstimator.estimate: loss_and_gradient must return (L, dL/dh)");
    grad = units_by_examples(r[1], n_, h.n_cols, "dL/dh");
    return losses(r[0], h.n_cols);
  }

private:
  static py::object generator(std::uint64_t seed) {
    return py::module_::import("numpy.random").attr("default_rng")(seed);
  }
  std::size_t n_;
  py::object loss_, loss_and_gradient_;
};

/// An estimator with its own generator, for Python.
struct Estimating {
  GradientEstimator estimator;
  Rng rng;
};

py::array_t<double> estimate(Estimating& e, const Array<double>& a, const py::object& loss,
                             const py::object& loss_and_gradient) {
  const arma::mat A = columns_of(a, "GradientEstimator.estimate");
  if (A.n_rows != e.estimator.n_units())
    throw DimensionError("GradientEstimator.estimate: activations have " +
                         std::to_string(A.n_rows) + " units, the estimator " +
                         std::to_string(e.estimator.n_units()));
  const PythonLoss L(e.estimator.n_units(), loss, loss_and_gradient);
  arma::mat g;
  {
    py::gil_scoped_release nogil;
    g = e.estimator.estimate(A, L, e.rng);
  }
  return rows_of(g);
}

}  // namespace

void bind_estimators(py::module_& m) {
  py::class_<Estimating>(m, "GradientEstimator",
                         "A gradient estimator for a layer of stochastic binary units h = "
                         "1[z < sigm(a)] (estimators/estimators.hpp); kind is one of "
                         "estimator_names().")
      .def(py::init([](std::size_t n_units, const std::string& kind, double constant_baseline,
                       double memory, bool low_noise_inputs, double ridge, std::uint64_t seed) {
             EstimatorConfig c;
             c.kind = from_string<Estimator>(kind);
             c.constant_baseline = constant_baseline;
             c.memory = memory;
             c.low_noise_inputs = low_noise_inputs;
             c.ridge = ridge;
             return Estimating{GradientEstimator(n_units, c), Rng(seed)};
           }),
           py::arg("n_units"), py::arg("kind") = "reinforce", py::arg("constant_baseline") = 0.0,
           py::arg("memory") = 0.0, py::arg("low_noise_inputs") = true, py::arg("ridge") = 1e-6,
           py::arg("seed") = 1)
      .def("estimate", &estimate, py::arg("a").noconvert(), py::arg("loss"),
           py::arg("loss_and_gradient") = py::none(),
           "Estimates dE[L]/da for every row of the activations a (examples, units): samples the "
           "layer, calls loss(h, rng) -> L (one value per row of h; rng a numpy Generator for "
           "any later noise) or, for straight-through and learned, loss_and_gradient(h, scaled, "
           "rng) -> (L, dL/dh), and returns the estimates (examples, units).")
      .def_property_readonly("kind",
                             [](const Estimating& e) { return to_string(e.estimator.kind()); })
      .def_property_readonly("n_units", [](const Estimating& e) { return e.estimator.n_units(); })
      .def_property(
          "learning", [](const Estimating& e) { return e.estimator.learning(); },
          [](Estimating& e, bool on) { e.estimator.set_learning(on); })
      .def_property_readonly("last_sample",
                             [](const Estimating& e) { return rows_of(e.estimator.last_sample()); })
      .def_property_readonly("last_loss", [](const Estimating& e) {
        return vector_of(arma::vec(e.estimator.last_loss().t()));
      })
      .def_property_readonly(
          "optimal_baseline", [](const Estimating& e) { return vector_of(e.estimator.optimal_baseline()); })
      .def_property_readonly("samples_seen",
                             [](const Estimating& e) { return e.estimator.samples_seen(); });
  m.def("estimator_names", [] {
    std::vector<std::string> names;
    for (Estimator e : all_estimators()) names.push_back(to_string(e));
    return names;
  });
  m.def("is_unbiased", [](const std::string& kind) { return is_unbiased(from_string<Estimator>(kind)); },
        py::arg("kind"));
}

}  // namespace rbmkit::python
