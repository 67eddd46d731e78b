#pragma once
/// Exact log-likelihood of binary data under a small general Boltzmann machine (boltzmann.hpp):
/// P(v) = exp(−F(v)) / Z with −F(v) = log Σ_h exp(−E(v, h)), E(s) = −biasᵀs − ½ sᵀ W s.
///
/// log Z enumerates every joint state (visible and hidden) in Gray-code order: flipping unit k
/// changes −E by ±a_k, a = bias + W s (W has a zero diagonal), and a by ±W_{·k}, so a state costs
/// n additions. −F(v) has a closed form when the machine has no hidden–hidden weights (the hidden
/// units are then independent given v: −F(v) = b_vᵀv + ½ vᵀW_vv v + Σ_j softplus(a_j(v))) and is
/// otherwise enumerated over the 2^{n_hidden} hidden states.
#include <armadillo>
#include <cstddef>
#include <cstdint>

#include "rbmkit/models/boltzmann.hpp"
#include "rbmkit/io/dataset.hpp"

namespace rbmkit {

/// The largest machine (visible + hidden units) exact_log_partition enumerates by default.
constexpr std::size_t max_enumerated_bm_units = 30;

/// Exact log Z of a Boltzmann machine by enumerating its 2^n states (n = n_units ≤ max_units,
/// else InvalidArgument naming the function). Blocks run in parallel and are combined in a fixed
/// order (log_sum_exp_enumerated); double precision.
template <class T>
double exact_log_partition(const BoltzmannMachine<T>& bm,
                           std::size_t max_units = max_enumerated_bm_units);

/// −F(v) for every column of V (binary, n_visible rows). With hidden–hidden weights the hidden
/// layer is enumerated, which needs n_hidden ≤ max_hidden (else InvalidArgument).
template <class T>
arma::vec neg_free_energy(const BoltzmannMachine<T>& bm, const arma::mat& V,
                          std::size_t max_hidden = 20);

/// Log-likelihood report of a Boltzmann machine on a data set (nats per example).
struct BmLikelihoodReport {
  std::size_t examples = 0;
  double log_z = 0;
  double mean_neg_free_energy = 0;  ///< mean −F(v)
  double log_likelihood = 0;        ///< mean −F(v) − log Z
  /// Mean Σ_i log P(v_i | v_−i), hidden units summed out; NaN when that would cost more than
  /// about 2·10⁹ operations (a large machine with hidden–hidden weights).
  double pseudo_log_likelihood = 0;
  double seconds = 0;
};

/// Exact mean log-likelihood of the first `max_examples` examples of `data` (all when 0),
/// binarised by `mode` (stochastic binarisation draws from a generator seeded by `seed`).
template <class T>
BmLikelihoodReport evaluate_bm_likelihood(const BoltzmannMachine<T>& bm, const Dataset& data,
                                          Binarize mode, double threshold,
                                          std::size_t max_examples = 0, std::uint64_t seed = 1,
                                          std::size_t max_units = max_enumerated_bm_units);

#define RBMKIT_BM_LIKELIHOOD_EXTERN(T)                                                         \
  extern template double exact_log_partition(const BoltzmannMachine<T>&, std::size_t);       \
  extern template arma::vec neg_free_energy(const BoltzmannMachine<T>&, const arma::mat&,    \
                                            std::size_t);                                     \
  extern template BmLikelihoodReport evaluate_bm_likelihood(                                  \
      const BoltzmannMachine<T>&, const Dataset&, Binarize, double, std::size_t, std::uint64_t, \
      std::size_t);
RBMKIT_BM_LIKELIHOOD_EXTERN(float)
RBMKIT_BM_LIKELIHOOD_EXTERN(double)
#undef RBMKIT_BM_LIKELIHOOD_EXTERN

}  // namespace rbmkit
