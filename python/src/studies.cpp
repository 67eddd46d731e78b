// The equivalence check (studies/equivalence.hpp) on scikit-learn's attributes: one minibatch's
// samples, drawn as the engine draws them, and both gradient paths' updates computed from them.
#include "arrays.hpp"
#include "bindings.hpp"
#include "rbmkit/studies/equivalence.hpp"

namespace rbmkit::python {

namespace {

/// Statistics in scikit-learn's layout: (dW as n_hidden × n_visible, db, dc).
py::tuple updates_of(const Statistics<double>& g) {
  return py::make_tuple(rows_of(g.dW), vector_of(g.db), vector_of(g.dc));
}

template <class T>
py::dict equivalence(const Array<T>& W, const Array<T>& b, const Array<T>& c, const Dataset& data,
                     const std::string& method, std::size_t k, std::size_t batch,
                     const std::string& binarize, std::uint64_t seed, std::size_t temperatures) {
  const Rbm<T> rbm = rbm_of(W, b, c);
  EquivConfig config;
  config.method = from_string<Method>(method);
  config.k = k;
  config.temperatures = temperatures;
  config.batch = batch;
  config.binarize = from_string<Binarize>(binarize);
  EquivResult r;
  {
    py::gil_scoped_release nogil;
    Rng rng(seed);
    r = rbm_equivalence(rbm, data, config, rng);
  }
  py::dict d;
  d["contrastive"] = updates_of(r.contrastive);
  d["correlator"] = updates_of(r.correlator);
  d["reward"] = vector_of(arma::vec(r.reward.t()));
  d["v"] = rows_of(r.v);
  d["h"] = rows_of(r.h);
  d["max_abs_difference"] = r.difference.max();
  return d;
}

}  // namespace

void bind_studies(py::module_& m) {
  const char* doc =
      "Both gradient paths' updates from one minibatch of `data` (the engine's first, drawn with "
      "its order and phases): contrastive and correlator as (dW n_hidden x n_visible, db, dc), "
      "the reward stream and its samples v, h (one row per sample), and max_abs_difference.";
  const auto W = py::arg("components").noconvert(), b = py::arg("intercept_visible").noconvert(),
             c = py::arg("intercept_hidden").noconvert();
  m.def("equivalence", &equivalence<float>, W, b, c, py::arg("data"), py::arg("method"),
        py::arg("k"), py::arg("batch"), py::arg("binarize"), py::arg("seed"),
        py::arg("temperatures") = EquivConfig().temperatures, doc);
  m.def("equivalence", &equivalence<double>, W, b, c, py::arg("data"), py::arg("method"),
        py::arg("k"), py::arg("batch"), py::arg("binarize"), py::arg("seed"),
        py::arg("temperatures") = EquivConfig().temperatures, doc);
}

}  // namespace rbmkit::python
