// Data for the engine: values in [0,1] from numpy or scipy CSR, held as floats
// (io/dataset.hpp: dataset_from_values), and visible states made from them.
#include <cstdint>

#include "arrays.hpp"
#include "bindings.hpp"
#include "rbmkit/io/dataset.hpp"

namespace rbmkit::python {

namespace {

template <class T>
Dataset from_dense(const Array<T>& X, const std::string& source) {
  const arma::Mat<T> V = columns_of(X, "Dataset.from_dense");
  py::gil_scoped_release nogil;
  return dataset_from_values(V, source);
}

/// A CSR matrix (examples × features) is a CSC matrix of features × examples.
template <class T>
Dataset from_csr(const Array<T>& data, const Array<std::int64_t>& indices,
                 const Array<std::int64_t>& indptr, std::size_t n_features,
                 const std::string& source) {
  if (indptr.ndim() != 1 || indptr.size() < 1 || indices.size() != data.size() ||
      indptr.data()[indptr.size() - 1] != std::int64_t(data.size()))
    throw InvalidArgument("Dataset.from_csr(" + source + "): indptr, indices and data disagree");
  const auto n = std::size_t(indptr.size()) - 1;
  arma::uvec rows(indices.size()), cols(indptr.size());
  for (py::ssize_t i = 0; i < indices.size(); ++i) {
    const std::int64_t r = indices.data()[i];
    if (r < 0 || std::size_t(r) >= n_features)
      throw InvalidArgument("Dataset.from_csr(" + source + "): column index " +
                            std::to_string(r) + " outside 0.." + std::to_string(n_features - 1));
    rows[i] = arma::uword(r);
  }
  for (py::ssize_t i = 0; i < indptr.size(); ++i) cols[i] = arma::uword(indptr.data()[i]);
  const arma::Col<T> values(const_cast<T*>(data.data()), arma::uword(data.size()), false, true);
  py::gil_scoped_release nogil;
  return dataset_from_values(arma::SpMat<T>(rows, cols, values, n_features, n), source);
}

/// X's examples as visible states 1[x > threshold] of their stored floats, as the engine
/// binarises a minibatch (Binarize::threshold): the same states fit trained on.
template <class T>
py::array_t<T> threshold_states(const Array<T>& X, double threshold) {
  const arma::Mat<T> V = columns_of(X, "threshold_states");
  arma::Mat<T> S;
  {
    py::gil_scoped_release nogil;
    const Dataset d = dataset_from_values(V, "X");
    Rng unused;  // only stochastic binarisation draws
    S = make_batch<T>(d, 0, d.size(), Binarize::threshold, threshold, unused);
  }
  return rows_of(S);
}

/// An IDX file's examples as an (examples, dimensions) array of bytes.
py::array_t<std::uint8_t> read_idx_bytes(const std::string& path) {
  Dataset d;
  {
    py::gil_scoped_release nogil;
    d = read_idx(path);
  }
  return rows_of(d.pixels);
}

/// An IDX label file as a 1-D array of bytes.
py::array_t<std::uint8_t> read_idx_label_bytes(const std::string& path) {
  arma::Col<std::uint8_t> labels;
  {
    py::gil_scoped_release nogil;
    labels = read_idx_labels(path);
  }
  return vector_of(labels);
}

}  // namespace

void bind_data(py::module_& m) {
  py::class_<Dataset>(m, "Dataset",
                      "Examples held as floats (value v clipped to [0,1], at float precision): "
                      "the engine's compact training data.")
      .def_static("from_dense", &from_dense<float>, py::arg("X").noconvert(),
                  py::arg("source") = "X")
      .def_static("from_dense", &from_dense<double>, py::arg("X").noconvert(),
                  py::arg("source") = "X")
      .def_static("from_csr", &from_csr<float>, py::arg("data").noconvert(), py::arg("indices"),
                  py::arg("indptr"), py::arg("n_features"), py::arg("source") = "X")
      .def_static("from_csr", &from_csr<double>, py::arg("data").noconvert(), py::arg("indices"),
                  py::arg("indptr"), py::arg("n_features"), py::arg("source") = "X")
      .def_property_readonly("dim", &Dataset::dim)
      .def_property_readonly("size", &Dataset::size)
      .def_readonly("source", &Dataset::source);
  m.def("read_idx", &read_idx_bytes, py::arg("path"),
        "The examples of an IDX file (raw or .gz) as an (examples, dimensions) uint8 array.");
  m.def("read_idx_labels", &read_idx_label_bytes, py::arg("path"),
        "An IDX label file (raw or .gz) as a uint8 array.");
  m.def("threshold_states", &threshold_states<float>, py::arg("X").noconvert(),
        py::arg("threshold") = 0.5);
  m.def("threshold_states", &threshold_states<double>, py::arg("X").noconvert(),
        py::arg("threshold") = 0.5);
}

}  // namespace rbmkit::python
