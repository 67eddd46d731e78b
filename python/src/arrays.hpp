#pragma once
// numpy <-> Armadillo without math. rbmkit holds one example per column; a C-ordered numpy
// array of shape (examples, features) has exactly that memory layout seen column-major, so
// inputs are viewed in place and results are copied once into a fresh numpy array.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <armadillo>
#include <cstring>
#include <string>

#include "rbmkit/core/error.hpp"
#include "rbmkit/models/rbm.hpp"

namespace rbmkit::python {

namespace py = pybind11;

/// A C-ordered array of T, never converted (float32 binds the float overloads, float64 the
/// double ones; the Python side chooses the dtype).
template <class T>
using Array = py::array_t<T, py::array::c_style>;

/// The (examples, features) array X as a features × examples matrix over X's own memory.
template <class T>
arma::Mat<T> columns_of(const Array<T>& X, const char* who) {
  if (X.ndim() != 2)
    throw InvalidArgument(std::string(who) + ": expected a 2-D array, got " +
                          std::to_string(X.ndim()) + " dimensions");
  return arma::Mat<T>(const_cast<T*>(X.data()), arma::uword(X.shape(1)), arma::uword(X.shape(0)),
                      /*copy_aux_mem=*/false, /*strict=*/true);
}

/// A features × examples matrix as an (examples, features) numpy array (one copy).
template <class T>
py::array_t<T> rows_of(const arma::Mat<T>& m) {
  py::array_t<T> out({py::ssize_t(m.n_cols), py::ssize_t(m.n_rows)});
  if (m.n_elem) std::memcpy(out.mutable_data(), m.memptr(), m.n_elem * sizeof(T));
  return out;
}

/// A vector as a 1-D numpy array (one copy).
template <class T>
py::array_t<T> vector_of(const arma::Col<T>& v) {
  py::array_t<T> out(py::ssize_t(v.n_elem));
  if (v.n_elem) std::memcpy(out.mutable_data(), v.memptr(), v.n_elem * sizeof(T));
  return out;
}

/// The RBM of scikit-learn's attributes: components_ (hidden × visible, C order: W seen
/// column-major), intercept_visible_ (b) and intercept_hidden_ (c).
template <class T>
Rbm<T> rbm_of(const Array<T>& components, const Array<T>& visible, const Array<T>& hidden) {
  if (components.ndim() != 2 || visible.ndim() != 1 || hidden.ndim() != 1 ||
      visible.shape(0) != components.shape(1) || hidden.shape(0) != components.shape(0))
    throw InvalidArgument("BernoulliRBM: components_ must be n_components x n_features, "
                          "intercept_visible_ n_features and intercept_hidden_ n_components long");
  const arma::uword nh = arma::uword(components.shape(0)), nv = arma::uword(components.shape(1));
  Rbm<T> rbm(nv, nh);
  std::memcpy(rbm.W().memptr(), components.data(), nv * nh * sizeof(T));
  std::memcpy(rbm.b().memptr(), visible.data(), nv * sizeof(T));
  std::memcpy(rbm.c().memptr(), hidden.data(), nh * sizeof(T));
  return rbm;
}

/// The parameters of an RBM as (components_, intercept_visible_, intercept_hidden_).
template <class T>
py::tuple attributes_of(const Rbm<T>& rbm) {
  py::array_t<T> components({py::ssize_t(rbm.n_hidden()), py::ssize_t(rbm.n_visible())});
  std::memcpy(components.mutable_data(), rbm.W().memptr(), rbm.W().n_elem * sizeof(T));
  return py::make_tuple(components, vector_of<T>(rbm.b()), vector_of<T>(rbm.c()));
}

}  // namespace rbmkit::python
