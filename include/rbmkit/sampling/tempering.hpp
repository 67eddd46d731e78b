#pragma once
/// Parallel tempering (replica exchange) for Bernoulli RBMs: Desjardins, Courville, Bengio,
/// Vincent & Delalleau (2010), "Tempered Markov Chain Monte Carlo for training of Restricted
/// Boltzmann Machines", AISTATS.
///
/// T chains run side by side at inverse temperatures 1 = β_1 > β_2 > … > β_T ≥ 0, chain t
/// sampling the tempered joint distribution
///
///   p_t(v, h) ∝ exp(−β_t E(v, h)),   E(v, h) = −bᵀv − cᵀh − vᵀW h,
///
/// whose conditionals are those of the RBM with every parameter scaled by β_t:
/// P_t(h_j = 1 | v) = sigm(β_t (Wᵀv + c)_j), P_t(v_i = 1 | h) = sigm(β_t (W h + b)_i). At β = 0
/// the distribution is uniform and one Gibbs step draws an exact sample; near β = 1 the chain is
/// the model's own and mixes slowly between modes. Swaps of whole states (v, h) between
/// neighbouring temperatures let states found at high temperature descend to β = 1.
///
/// One tempered step (tempered_step):
///  1. one block Gibbs step h ~ P_t(h | v), v ~ P_t(v | h) at every temperature;
///  2. swap proposals between neighbouring temperatures on the joint states (v, h) of step 1,
///     first the pairs (1,2), (3,4), … then the pairs (2,3), (4,5), … (both sets every step,
///     so no schedule state has to be kept), each accepted with the Metropolis probability
///     min(1, exp((β_t − β_{t+1}) (E(x_t) − E(x_{t+1})))) (the swap rule of
///     Desjardins et al. 2010).
/// Both parts leave the product Π_t p_t invariant, so the chain at β = 1 samples the model.
///
/// Layout: the chains of all temperatures are the columns of one n_visible × C·T matrix, column
/// t·C + j holding chain j at temperature t (0-based; block 0 is β = 1). Only visible states are
/// kept between steps: h is redrawn from v at the start of each step.
#include <armadillo>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "rbmkit/core/progress.hpp"
#include "rbmkit/core/random.hpp"
#include "rbmkit/models/rbm.hpp"
#include "rbmkit/sampling/gibbs.hpp"

namespace rbmkit {

/// The inverse temperatures of `temperatures` ≥ 1 chains, spaced evenly in β from 1 down to 0:
/// β_t = 1 − (t − 1) / (T − 1) for t = 1 … T (just {1} for T = 1). The hottest chain samples the
/// uniform distribution exactly. Throws InvalidArgument for 0 temperatures.
std::vector<double> tempering_betas(std::size_t temperatures);

/// Swap proposals and acceptances between neighbouring temperatures; entry t counts the pair
/// (β_{t+1}, β_{t+2}) in 1-based terms, i.e. block t and block t + 1 (T − 1 entries).
struct SwapCounts {
  std::vector<std::uint64_t> proposed;
  std::vector<std::uint64_t> accepted;
  /// accepted / proposed per pair (NaN where nothing was proposed).
  std::vector<double> rates() const;
  /// All acceptances over all proposals (NaN when nothing was proposed).
  double overall_rate() const;
};

/// One tempered step (see above) of the chains V (n_visible × C·T binary states for T =
/// betas.size(), advanced in place). When `hidden_means` is not null it receives P(h = 1 | v)
/// at β = 1 of the β = 1 block after the swaps (n_hidden × C); when `visible_means` is not null
/// it receives P(v = 1 | h) = sigm(W h + b) at β = 1 for the hidden states h of the joint states
/// that ended at β = 1 after the swaps (n_visible × C). Swap counts are added to
/// `counts` when not null. Throws DimensionError when V does not fit the model or its columns
/// are not a multiple of T, InvalidArgument for betas that are empty, do not start at 1, do not
/// decrease strictly or end below 0.
template <class T>
void tempered_step(const Rbm<T>& rbm, const std::vector<double>& betas, arma::Mat<T>& V,
                   Rng& rng, SwapCounts* counts = nullptr, arma::Mat<T>* hidden_means = nullptr,
                   arma::Mat<T>* visible_means = nullptr);

/// `steps` ≥ 1 tempered steps of V (as tempered_step); returns the β = 1 chains' phase: v the
/// n_visible × C visible states at β = 1, h their hidden means P(h = 1 | v) (the negative phase
/// of parallel-tempering training, Desjardins et al. 2010). Throws as tempered_step, and
/// InvalidArgument for steps = 0.
template <class T>
Phase<T> tempered_chain(const Rbm<T>& rbm, const std::vector<double>& betas, arma::Mat<T>& V,
                        std::size_t steps, Rng& rng, SwapCounts* counts = nullptr);

/// Samples of the model by parallel tempering.
template <class T>
struct TemperedSamples {
  arma::Mat<T> v;       ///< n_visible × n: the β = 1 visible states after the last step
  arma::Mat<T> v_mean;  ///< n_visible × n: P(v = 1 | h) at β = 1 of their joint states' h
                        ///< after the last step (see tempered_step)
  std::vector<double> betas;  ///< the inverse temperatures used
  SwapCounts swaps;     ///< swap statistics of the steps after the burn-in
};

/// `n` ≥ 1 tempered chains of the model with `temperatures` ≥ 1 inverse temperatures
/// (tempering_betas), every state started uniformly at random, run `burn_in` steps then `steps`
/// ≥ 1 steps; only the last `steps` count in the swap statistics. `progress` (stage
/// "tempered sampling") is told the steps done. Throws InvalidArgument for n, steps or
/// temperatures of 0, or a model with non-finite parameters.
template <class T>
TemperedSamples<T> sample_tempered(const Rbm<T>& rbm, std::size_t n, std::size_t steps,
                                   std::size_t burn_in, std::size_t temperatures, Rng& rng,
                                   const ProgressFn& progress = {});

#define RBMKIT_TEMPERING_EXTERN(T)                                                             \
  extern template void tempered_step(const Rbm<T>&, const std::vector<double>&, arma::Mat<T>&,  \
                                     Rng&, SwapCounts*, arma::Mat<T>*, arma::Mat<T>*);          \
  extern template Phase<T> tempered_chain(const Rbm<T>&, const std::vector<double>&,            \
                                          arma::Mat<T>&, std::size_t, Rng&, SwapCounts*);        \
  extern template TemperedSamples<T> sample_tempered(const Rbm<T>&, std::size_t, std::size_t,  \
                                                     std::size_t, std::size_t, Rng&,            \
                                                     const ProgressFn&);
RBMKIT_TEMPERING_EXTERN(float)
RBMKIT_TEMPERING_EXTERN(double)
#undef RBMKIT_TEMPERING_EXTERN

}  // namespace rbmkit
