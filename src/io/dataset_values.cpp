// Data sets from values in memory (the Python module, transform stacks): values in [0,1] that
// are exact bytes stay bytes, others are held as float; real values (Gaussian units) as float.
#include <algorithm>
#include <cmath>
#include <limits>

#include "rbmkit/core/error.hpp"
#include "rbmkit/io/csv.hpp"
#include "rbmkit/io/dataset.hpp"

namespace rbmkit {
namespace {

/// The float holding value x: clipped to [0,1].
float value_float(double x, const std::string& source, std::size_t example, std::size_t dim) {
  if (std::isnan(x))
    throw DataError("dataset_from_values(" + source + "): NaN in example " +
                    std::to_string(example) + ", dimension " + std::to_string(dim));
  return static_cast<float>(std::clamp(x, 0.0, 1.0));
}

}  // namespace

namespace {

/// The byte b when x is exactly b/255 in T (as T(b) / T(255) computes it), else -1: images
/// read as bytes and divided by 255 are held as the bytes they came from.
template <class T>
int byte_of(T x) {
  if (!(x >= T(0) && x <= T(1))) return -1;
  const long b = std::lround(double(x) * 255.0);
  return T(b) / T(255) == x ? int(b) : -1;
}

template <class T>
bool all_bytes(const T* x, std::size_t n) {
  for (std::size_t k = 0; k < n; ++k)
    if (byte_of(x[k]) < 0) return false;
  return true;
}

}  // namespace

template <class T>
Dataset dataset_from_values(const arma::Mat<T>& values, const std::string& source) {
  if (all_bytes(values.memptr(), values.n_elem)) {
    Dataset d;
    d.source = source;
    d.pixels.set_size(values.n_rows, values.n_cols);
    for (arma::uword k = 0; k < values.n_elem; ++k) d.pixels[k] = std::uint8_t(byte_of(values[k]));
    return d;
  }
  Dataset d;
  d.source = source;
  d.float_values = true;
  d.scale = DataScale::unit;
  d.divisor = 1;
  d.values.set_size(values.n_rows, values.n_cols);
  for (arma::uword j = 0; j < values.n_cols; ++j) {
    const T* src = values.colptr(j);
    float* dst = d.values.colptr(j);
    for (arma::uword i = 0; i < values.n_rows; ++i) dst[i] = value_float(double(src[i]), source, j, i);
  }
  return d;
}

template <class T>
Dataset dataset_from_values(const arma::SpMat<T>& values, const std::string& source) {
  if (all_bytes(values.values, values.n_nonzero)) {
    Dataset d;
    d.source = source;
    d.pixels.zeros(values.n_rows, values.n_cols);
    for (auto it = values.begin(); it != values.end(); ++it)
      d.pixels(it.row(), it.col()) = std::uint8_t(byte_of(T(*it)));
    return d;
  }
  Dataset d;
  d.source = source;
  d.float_values = true;
  d.scale = DataScale::unit;
  d.divisor = 1;
  d.values.zeros(values.n_rows, values.n_cols);
  for (auto it = values.begin(); it != values.end(); ++it)
    d.values(it.row(), it.col()) = value_float(double(*it), source, it.col(), it.row());
  return d;
}

template <class T>
Dataset dataset_from_real_values(const arma::Mat<T>& values, const std::string& source) {
  Dataset d;
  d.source = source;
  d.float_values = true;
  d.scale = DataScale::standardize;
  d.divisor = 1;
  d.values.set_size(values.n_rows, values.n_cols);
  for (arma::uword j = 0; j < values.n_cols; ++j)
    for (arma::uword i = 0; i < values.n_rows; ++i) {
      const double x = double(values(i, j));
      if (!std::isfinite(x) || std::abs(x) > double(std::numeric_limits<float>::max()))
        throw DataError("dataset_from_real_values(" + source + "): " + format17(x) +
                        " in example " + std::to_string(j) + ", dimension " + std::to_string(i) +
                        " is not a finite float (data are held at float precision)");
      d.values(i, j) = float(x);
    }
  return d;
}

template Dataset dataset_from_real_values(const arma::Mat<float>&, const std::string&);
template Dataset dataset_from_real_values(const arma::Mat<double>&, const std::string&);
template Dataset dataset_from_values(const arma::Mat<float>&, const std::string&);
template Dataset dataset_from_values(const arma::Mat<double>&, const std::string&);
template Dataset dataset_from_values(const arma::SpMat<float>&, const std::string&);
template Dataset dataset_from_values(const arma::SpMat<double>&, const std::string&);

}  // namespace rbmkit
