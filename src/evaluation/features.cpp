#include "rbmkit/evaluation/features.hpp"

#include <string>

#include "evaluation/batches.hpp"
#include "rbmkit/core/error.hpp"
#include "rbmkit/core/random.hpp"

namespace rbmkit {

template <class T>
arma::Mat<T> hidden_features(const Rbm<T>& rbm, const Dataset& raw, Binarize mode,
                             double threshold, std::uint64_t seed) {
  // Gaussian visible units see the data standardised as their training data, not binarised.
  const bool gaussian = rbm.visible_units() == UnitType::gaussian;
  const Dataset view = gaussian ? standardized_view(raw, rbm.standardization()) : Dataset();
  const Dataset& data = gaussian ? view : raw;
  if (gaussian) mode = Binarize::none;
  detail::check_data_dim(rbm.n_visible(), data, "hidden_features");
  arma::Mat<T> H(rbm.n_hidden(), data.size());
  std::size_t first = 0;
  detail::for_each_batch<T>(data, data.size(), mode, threshold, seed, [&](const arma::Mat<T>& V) {
    H.cols(first, first + V.n_cols - 1) = rbm.hidden_mean(V);
    first += V.n_cols;
  });
  return H;
}

template <class T>
arma::Mat<T> hidden_features(const Rbm<T>& rbm, const arma::Mat<T>& V, Binarize mode,
                             double threshold, std::uint64_t seed) {
  if (V.n_rows != rbm.n_visible())
    throw DimensionError("hidden_features: values have " + std::to_string(V.n_rows) +
                         " rows, the RBM has " + std::to_string(rbm.n_visible()) +
                         " visible units");
  if (mode == Binarize::none) return rbm.hidden_mean(V);
  arma::Mat<T> B(arma::size(V));
  Rng rng(seed);
  for (arma::uword k = 0; k < V.n_elem; ++k)
    B[k] = mode == Binarize::threshold ? (double(V[k]) > threshold ? T(1) : T(0))
                                       : (rng.uniform() < double(V[k]) ? T(1) : T(0));
  return rbm.hidden_mean(B);
}

template arma::Mat<float> hidden_features<float>(const Rbm<float>&, const Dataset&, Binarize,
                                                 double, std::uint64_t);
template arma::Mat<double> hidden_features<double>(const Rbm<double>&, const Dataset&, Binarize,
                                                   double, std::uint64_t);
template arma::Mat<float> hidden_features<float>(const Rbm<float>&, const arma::Mat<float>&,
                                                 Binarize, double, std::uint64_t);
template arma::Mat<double> hidden_features<double>(const Rbm<double>&, const arma::Mat<double>&,
                                                   Binarize, double, std::uint64_t);

}  // namespace rbmkit
