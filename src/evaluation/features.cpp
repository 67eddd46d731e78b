#include "rbmkit/evaluation/features.hpp"

#include "evaluation/batches.hpp"

namespace rbmkit {

template <class T>
arma::Mat<T> hidden_features(const Rbm<T>& rbm, const Dataset& data, Binarize mode,
                             double threshold, std::uint64_t seed) {
  detail::check_data_dim(rbm.n_visible(), data, "hidden_features");
  arma::Mat<T> H(rbm.n_hidden(), data.size());
  std::size_t first = 0;
  detail::for_each_batch<T>(data, data.size(), mode, threshold, seed, [&](const arma::Mat<T>& V) {
    H.cols(first, first + V.n_cols - 1) = rbm.hidden_mean(V);
    first += V.n_cols;
  });
  return H;
}

template arma::Mat<float> hidden_features<float>(const Rbm<float>&, const Dataset&, Binarize,
                                                 double, std::uint64_t);
template arma::Mat<double> hidden_features<double>(const Rbm<double>&, const Dataset&, Binarize,
                                                   double, std::uint64_t);

}  // namespace rbmkit
