// Minibatches: the columns of a data set, bytes or floats, as a matrix of visible states,
// binarized as configured.
#include <algorithm>
#include <cmath>

#include "rbmkit/core/error.hpp"
#include "rbmkit/core/parallel.hpp"
#include "rbmkit/io/dataset.hpp"
#include "kernels/binary.hpp"

namespace rbmkit {

template <class T>
void make_batch_into(const Dataset& data, const arma::uvec& index, std::size_t first,
                     std::size_t count, Binarize mode, double threshold, Rng& rng,
                     arma::Mat<T>& out) {
  if (!data.standardization.empty()) {
    const Standardization& st = data.standardization;
    if (mode != Binarize::none)
      throw InvalidArgument("make_batch(" + data.source + "): standardised data need "
                            "Binarize::none, got " + to_string(mode));
    if (st.mean.n_elem != data.dim() || st.sd.n_elem != data.dim())
      throw DimensionError("make_batch(" + data.source + "): the standardisation has " +
                           std::to_string(st.mean.n_elem) + " dimensions, the data " +
                           std::to_string(data.dim()));
    out.set_size(data.dim(), count);
    for (std::size_t j = 0; j < count; ++j) {
      const std::size_t e = index[first + j];
      T* dst = out.colptr(j);
      for (std::size_t i = 0; i < data.dim(); ++i)
        dst[i] = T((data.value(i, e) - st.mean[i]) / st.sd[i]);
    }
    return;
  }
  out.set_size(data.dim(), count);
  if (data.float_values) {
    for (std::size_t j = 0; j < count; ++j) {
      const float* src = data.values.colptr(index[first + j]);
      T* dst = out.colptr(j);
      switch (mode) {
        case Binarize::threshold:
          for (std::size_t i = 0; i < data.dim(); ++i)
            dst[i] = above_threshold(src[i], threshold) ? T(1) : T(0);
          break;
        case Binarize::stochastic:
          for (std::size_t i = 0; i < data.dim(); ++i)
            dst[i] = rng.uniform() < double(src[i]) ? T(1) : T(0);
          break;
        case Binarize::none:
          for (std::size_t i = 0; i < data.dim(); ++i) dst[i] = T(src[i]);
          break;
      }
    }
    return;
  }
  const int below = byte_cut(threshold * 255.0);
  auto columns = [&](std::size_t begin, std::size_t end) {
    for (std::size_t j = begin; j < end; ++j) {
      const std::uint8_t* src = data.pixels.colptr(index[first + j]);
      T* dst = out.colptr(j);
      switch (mode) {
        case Binarize::threshold:
          detail::binarize_bytes(src, data.dim(), below, dst);  // vectorised, no branch
          break;
        case Binarize::stochastic:
          for (std::size_t i = 0; i < data.dim(); ++i)
            dst[i] = rng.uniform() * 255.0 < double(src[i]) ? T(1) : T(0);
          break;
        case Binarize::none:
          for (std::size_t i = 0; i < data.dim(); ++i) dst[i] = T(src[i]) / T(255);
          break;
      }
    }
  };
  // Deterministic modes split the columns among threads (the same values); stochastic
  // binarisation draws from `rng` in column order, on one thread.
  if (mode == Binarize::stochastic || count * data.dim() < (std::size_t(1) << 15))
    columns(0, count);
  else
    parallel_for_dynamic(count, [&](std::size_t begin, std::size_t end, int) {
      columns(begin, end);
    });
}

template <class T>
arma::Mat<T> make_batch(const Dataset& data, const arma::uvec& index, std::size_t first,
                        std::size_t count, Binarize mode, double threshold, Rng& rng) {
  arma::Mat<T> out;
  make_batch_into(data, index, first, count, mode, threshold, rng, out);
  return out;
}

template <class T>
arma::Mat<T> make_batch(const Dataset& data, std::size_t first, std::size_t count, Binarize mode,
                        double threshold, Rng& rng) {
  if (count == 0) return arma::Mat<T>(data.dim(), 0);
  const arma::uvec index = arma::regspace<arma::uvec>(first, first + count - 1);
  return make_batch<T>(data, index, 0, count, mode, threshold, rng);
}

template void make_batch_into(const Dataset&, const arma::uvec&, std::size_t, std::size_t,
                              Binarize, double, Rng&, arma::Mat<float>&);
template void make_batch_into(const Dataset&, const arma::uvec&, std::size_t, std::size_t,
                              Binarize, double, Rng&, arma::Mat<double>&);
template arma::Mat<float> make_batch<float>(const Dataset&, const arma::uvec&, std::size_t,
                                            std::size_t, Binarize, double, Rng&);
template arma::Mat<double> make_batch<double>(const Dataset&, const arma::uvec&, std::size_t,
                                              std::size_t, Binarize, double, Rng&);
template arma::Mat<float> make_batch<float>(const Dataset&, std::size_t, std::size_t, Binarize,
                                            double, Rng&);
template arma::Mat<double> make_batch<double>(const Dataset&, std::size_t, std::size_t, Binarize,
                                              double, Rng&);

}  // namespace rbmkit
