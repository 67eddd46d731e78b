// What a data set's values are like: its summary, per-dimension marginals and standardisation.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "rbmkit/core/error.hpp"
#include "rbmkit/io/dataset.hpp"

namespace rbmkit {

DataSummary summarize(const Dataset& data, Binarize mode, double threshold) {
  DataSummary s;
  s.examples = data.size();
  s.dim = data.dim();
  double on = 0;
  bool any = false;
  if (data.is_bytes()) {
    // Integer counts (exact; one pass the compiler vectorises): the pixels above the cut, and
    // the sum of the bytes.
    const int icut = byte_cut(mode == Binarize::threshold ? threshold * 255.0 : 0.0);
    std::uint64_t above = 0, bytes = 0;
    const std::uint8_t* px = data.pixels.memptr();
    for (std::size_t k = 0; k < data.pixels.n_elem; ++k) {
      above += int(px[k]) > icut;
      bytes += px[k];
    }
    any = above > 0;
    on = mode == Binarize::threshold ? double(above) : double(bytes) / 255.0;
  } else {
    for (std::size_t k = 0; k < data.values.n_elem; ++k) {
      const float x = data.values[k];
      const bool bit = mode == Binarize::threshold ? above_threshold(x, threshold)
                       : mode == Binarize::none          ? x != 0
                                                         : x > 0;
      if (bit) any = true;
      on += mode == Binarize::threshold ? (bit ? 1.0 : 0.0) : double(x);
    }
  }
  const std::size_t n = data.dim() * data.size();
  s.all_zero = !any;
  s.fraction_on = mode == Binarize::none ? std::nan("") : n ? on / double(n) : 0.0;
  return s;
}

Standardization standardization_of(const Dataset& data) {
  if (data.size() == 0)
    throw DataError("standardization_of(" + data.source + "): no examples");
  const std::size_t n = data.dim();
  arma::vec mean(n, arma::fill::zeros), m2(n, arma::fill::zeros);
  // Welford's update, example by example (one pass, stable).
  for (std::size_t j = 0; j < data.size(); ++j)
    for (std::size_t i = 0; i < n; ++i) {
      const double x = data.value(i, j), d = x - mean[i];
      mean[i] += d / double(j + 1);
      m2[i] += d * (x - mean[i]);
    }
  Standardization s;
  s.mean = mean;
  s.sd = arma::sqrt(m2 / double(data.size()));
  for (std::size_t i = 0; i < n; ++i)
    if (!(s.sd[i] > 1e-12 * std::max(1.0, std::abs(mean[i])))) s.sd[i] = 1;
  return s;
}

arma::vec Dataset::marginals(Binarize mode, double threshold) const {
  arma::vec m(dim(), arma::fill::zeros);
  if (float_values) {
    for (std::size_t j = 0; j < size(); ++j) {
      const float* col = values.colptr(j);
      for (std::size_t i = 0; i < dim(); ++i)
        m[i] += mode == Binarize::threshold ? (above_threshold(col[i], threshold) ? 1.0 : 0.0)
                                            : double(col[i]);
    }
  } else if (mode == Binarize::threshold) {
    // Integer counts of the bytes above the cut, in one pass the compiler vectorises: the same
    // doubles as adding 1.0 per byte (counts are exact in double). 32-bit counters hold any
    // data set that fits in memory (2^32 examples of 784 bytes would be 3.4 TB).
    const int cut = byte_cut(threshold * 255.0);
    std::vector<std::uint32_t> count(dim(), 0);
    for (std::size_t j = 0; j < size(); ++j) {
      const std::uint8_t* col = pixels.colptr(j);
      for (std::size_t i = 0; i < dim(); ++i) count[i] += std::uint32_t(int(col[i]) > cut);
    }
    for (std::size_t i = 0; i < dim(); ++i) m[i] = double(count[i]);
  } else {
    for (std::size_t j = 0; j < size(); ++j) {
      const std::uint8_t* col = pixels.colptr(j);
      for (std::size_t i = 0; i < dim(); ++i) m[i] += col[i] / 255.0;
    }
  }
  if (size() > 0) m /= double(size());
  if (mode == Binarize::none && !standardization.empty())
    m = (m - standardization.mean) / standardization.sd;
  return m;
}

}  // namespace rbmkit
