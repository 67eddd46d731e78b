#pragma once
/// Features learned by an RBM: the hidden means P(h = 1 | v) of a data set, for use by any
/// other model (a classifier, a second RBM).
#include <armadillo>
#include <cstddef>
#include <cstdint>

#include "rbmkit/io/dataset.hpp"
#include "rbmkit/models/rbm.hpp"

namespace rbmkit {

/// The hidden means P(h_j = 1 | v) = σ(c_j + Σ_i W_ij v_i) of every example of `data`, its
/// values binarized by `mode` (and `threshold`) as training binarized them: an
/// n_hidden × data.size() matrix, one column per example, entries in [0,1]. Computed in batches
/// of at most 1000 examples (never a full float copy of the data set); Binarize::stochastic
/// draws from one generator seeded by `seed`. Throws DimensionError naming hidden_features and
/// data.source when data.dim() is not rbm.n_visible().
template <class T>
arma::Mat<T> hidden_features(const Rbm<T>& rbm, const Dataset& data, Binarize mode,
                             double threshold, std::uint64_t seed = 1);

/// The same for values held in memory at full precision, as a stack of RBMs passes them up
/// (the first layer's features are the second layer's data): V is n_visible × examples with
/// entries in [0,1], binarized by `mode` as make_batch binarizes stored data (threshold:
/// v > threshold; stochastic: u < v with one uniform u per entry from a generator seeded by
/// `seed`; none: v itself). Returns n_hidden × V.n_cols. Throws DimensionError naming
/// hidden_features when V.n_rows is not rbm.n_visible().
template <class T>
arma::Mat<T> hidden_features(const Rbm<T>& rbm, const arma::Mat<T>& V, Binarize mode,
                             double threshold, std::uint64_t seed = 1);

extern template arma::Mat<float> hidden_features<float>(const Rbm<float>&, const Dataset&,
                                                        Binarize, double, std::uint64_t);
extern template arma::Mat<double> hidden_features<double>(const Rbm<double>&, const Dataset&,
                                                          Binarize, double, std::uint64_t);
extern template arma::Mat<float> hidden_features<float>(const Rbm<float>&, const arma::Mat<float>&,
                                                        Binarize, double, std::uint64_t);
extern template arma::Mat<double> hidden_features<double>(const Rbm<double>&,
                                                          const arma::Mat<double>&, Binarize,
                                                          double, std::uint64_t);

}  // namespace rbmkit
