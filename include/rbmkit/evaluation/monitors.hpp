#pragma once
/// Cheap monitors of a model on data: reconstruction error, pseudo-log-likelihood, free energy;
/// for RBMs and general Boltzmann machines.
#include <armadillo>
#include <cstddef>
#include <cstdint>
#include <string>

#include "rbmkit/evaluation/exact.hpp"
#include "rbmkit/io/dataset.hpp"
#include "rbmkit/models/boltzmann.hpp"
#include "rbmkit/models/rbm.hpp"

namespace rbmkit {

/// Mean of (A − B)² over all elements, accumulated in double.
template <class T>
double mean_squared_error(const arma::Mat<T>& A, const arma::Mat<T>& B);

/// Mean squared error per visible unit between V and its mean-field reconstruction
/// P(v | h = P(h | V)), averaged over the columns of V.
template <class T>
double reconstruction_error(const Rbm<T>& rbm, const arma::Mat<T>& V);

/// Pseudo-log-likelihood of each binary column of V, summed over all bits (not one random
/// bit): Σ_i log P(v_i | v_−i) = −Σ_i softplus(F(v) − F(v with bit i flipped)). Nats.
template <class T>
arma::vec pseudo_log_likelihood(const Rbm<T>& rbm, const arma::Mat<T>& V);

/// Monitors over a whole data set, evaluated in chunks (never a full float copy).
struct DataMonitors {
  double reconstruction_error = 0;   ///< mean per visible unit
  double pseudo_log_likelihood = 0;  ///< mean per example, summed over bits (nats); NaN for
                                     ///< Binarize::none (defined for binary data only)
  double free_energy = 0;            ///< mean F(v) per example
};

/// Computes DataMonitors on the first `max_examples` examples of `data` (all when 0),
/// binarized by `mode` (stochastic binarization draws from a generator seeded by `seed`).
template <class T>
DataMonitors evaluate_monitors(const Rbm<T>& rbm, const Dataset& data, Binarize mode,
                               double threshold, std::size_t max_examples = 0,
                               std::uint64_t seed = 1);

/// evaluate_monitors' pseudo_log_likelihood alone (the same value, bit for bit): nats per
/// example, NaN for Binarize::none. What a training run logs each epoch, without the
/// reconstruction error's and free energy's products. Throws as evaluate_monitors.
template <class T>
double mean_pseudo_log_likelihood(const Rbm<T>& rbm, const Dataset& data, Binarize mode,
                                  double threshold, std::size_t max_examples = 0,
                                  std::uint64_t seed = 1);

/// Pseudo-log-likelihood of each binary column of V (n_visible × examples) under a Boltzmann
/// machine, hidden units summed out, over all bits: Σ_i log P(v_i | v_−i) with
/// log P(v_i | v_−i) = −F(v) − log(exp(−F(v)) + exp(−F(v with bit i flipped))) (Besag 1975),
/// the free energies by neg_free_energy. Nats. Throws DimensionError naming the function for V of
/// the wrong height and InvalidArgument when free_energy_obstacle(bm, max_hidden) is not empty.
template <class T>
arma::vec pseudo_log_likelihood(const BoltzmannMachine<T>& bm, const arma::mat& V,
                                std::size_t max_hidden = max_enumerated_hidden);

/// Operations up to which evaluate_monitors computes a Boltzmann machine's pseudo-log-likelihood
/// (about a second).
constexpr double bm_pseudo_likelihood_budget = 2e9;

/// "" when evaluate_monitors gives the pseudo-log-likelihood of `examples` examples under `bm`
/// binarised by `mode`, else one sentence why not: the free energy is not computable
/// (free_energy_obstacle), the data is not binarised (Binarize::none), or the
/// examples · (n_visible + 1) · free_energy_cost operations exceed bm_pseudo_likelihood_budget.
template <class T>
std::string pseudo_likelihood_obstacle(const BoltzmannMachine<T>& bm, std::size_t examples,
                                       Binarize mode);

/// DataMonitors of a Boltzmann machine on the first `max_examples` examples of `data` (all when
/// 0), binarised by `mode`: reconstruction_error is NaN (no mean-field reconstruction is defined
/// for a general Boltzmann machine); pseudo_log_likelihood is NaN when
/// pseudo_likelihood_obstacle is not empty; free_energy (mean F(v)) is NaN when
/// free_energy_obstacle is not empty. Throws DimensionError for data of another dimension.
template <class T>
DataMonitors evaluate_monitors(const BoltzmannMachine<T>& bm, const Dataset& data, Binarize mode,
                               double threshold, std::size_t max_examples = 0,
                               std::uint64_t seed = 1);

/// Mean free energy of training and held-out examples (Hinton's practical guide, §6): while the
/// model fits the training data no better than data it has not seen, the two stay close; a
/// growing gap = held_out − train > 0 signals overfitting. Uses the first `max_examples` of each
/// set (all when 0), binarized by `mode`.
struct FreeEnergyGap {
  double train = 0;     ///< mean F(v) over the training examples
  double held_out = 0;  ///< mean F(v) over the held-out examples
  double gap = 0;       ///< held_out − train
};
template <class T>
FreeEnergyGap free_energy_gap(const Rbm<T>& rbm, const Dataset& train, const Dataset& held_out,
                              Binarize mode, double threshold, std::size_t max_examples = 1000,
                              std::uint64_t seed = 1);

extern template double mean_squared_error(const arma::Mat<float>&, const arma::Mat<float>&);
extern template double mean_squared_error(const arma::Mat<double>&, const arma::Mat<double>&);
extern template double reconstruction_error(const Rbm<float>&, const arma::Mat<float>&);
extern template double reconstruction_error(const Rbm<double>&, const arma::Mat<double>&);
extern template arma::vec pseudo_log_likelihood(const Rbm<float>&, const arma::Mat<float>&);
extern template arma::vec pseudo_log_likelihood(const Rbm<double>&, const arma::Mat<double>&);
extern template double mean_pseudo_log_likelihood(const Rbm<float>&, const Dataset&, Binarize,
                                                  double, std::size_t, std::uint64_t);
extern template double mean_pseudo_log_likelihood(const Rbm<double>&, const Dataset&, Binarize,
                                                  double, std::size_t, std::uint64_t);
extern template DataMonitors evaluate_monitors(const Rbm<float>&, const Dataset&, Binarize, double,
                                               std::size_t, std::uint64_t);
extern template DataMonitors evaluate_monitors(const Rbm<double>&, const Dataset&, Binarize,
                                               double, std::size_t, std::uint64_t);
extern template FreeEnergyGap free_energy_gap(const Rbm<float>&, const Dataset&, const Dataset&,
                                              Binarize, double, std::size_t, std::uint64_t);
extern template FreeEnergyGap free_energy_gap(const Rbm<double>&, const Dataset&, const Dataset&,
                                              Binarize, double, std::size_t, std::uint64_t);
#define RBMKIT_BM_MONITORS_EXTERN(T)                                                              \
  extern template arma::vec pseudo_log_likelihood(const BoltzmannMachine<T>&, const arma::mat&,  \
                                                  std::size_t);                                  \
  extern template std::string pseudo_likelihood_obstacle(const BoltzmannMachine<T>&,             \
                                                         std::size_t, Binarize);                 \
  extern template DataMonitors evaluate_monitors(const BoltzmannMachine<T>&, const Dataset&,     \
                                                 Binarize, double, std::size_t, std::uint64_t);
RBMKIT_BM_MONITORS_EXTERN(float)
RBMKIT_BM_MONITORS_EXTERN(double)
#undef RBMKIT_BM_MONITORS_EXTERN

}  // namespace rbmkit
