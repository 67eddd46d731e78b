#pragma once
/// Log-likelihood of binary data under an RBM: the exact partition function by enumeration,
/// annealed importance sampling (AIS) with error bars, and reverse annealing as a conservative
/// estimate.
///
/// An RBM gives P(v) = exp(−F(v)) / Z with the free energy F(v) = −bᵀv − Σ_j softplus(c_j + W_{·j}ᵀv)
/// (rbm.hpp), so the mean log-likelihood of a data set is mean(−F(v)) − log Z: everything hard is
/// log Z = log Σ_v exp(−F(v)).
#include <armadillo>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "rbmkit/evaluation/ais_base.hpp"
#include "rbmkit/io/dataset.hpp"
#include "rbmkit/core/random.hpp"
#include "rbmkit/models/rbm.hpp"

namespace rbmkit {

// ---- exact enumeration -----------------------------------------------------------------------

/// The largest layer exact enumeration accepts unless told otherwise (2^30 states).
constexpr std::size_t max_enumerated_units = 30;

/// log Σ_{s ∈ {0,1}ⁿ} exp(ℓ(s)) for an unnormalised log-probability ℓ over n binary units.
/// `block(first, count, out)` writes ℓ of the states first, …, first + count − 1 into out[0..count)
/// (state s is the integer whose bit k is unit k; a block may use any bijection of its range,
/// e.g. Gray code). Blocks run in parallel (parallel_for); each block's log-sum-exp is kept and
/// they are combined in a fixed order, so the result does not depend on the thread count.
/// This is the exact partition function of any small binary machine: the RBM below, and a
/// general Boltzmann machine with ℓ(s) = bᵀs + ½ sᵀWs by the same call.
double log_sum_exp_enumerated(
    std::size_t n_units,
    const std::function<void(std::uint64_t first, std::size_t count, double* out)>& block);

/// Exact log Z of an RBM, summing out the larger layer analytically and enumerating the
/// smaller one: with m hidden ≤ visible units, log Z = log Σ_h exp(cᵀh + Σ_i softplus(b_i + W_{i·}h))
/// (symmetrically for visible). States are visited in Gray-code order so each one costs a
/// rank-one update; all arithmetic is double. Throws InvalidArgument when the smaller layer
/// has more than `max_units` units.
template <class T>
double exact_log_partition(const Rbm<T>& rbm, std::size_t max_units = max_enumerated_units);

/// Work of exact_log_partition: 2^m · (n + 8) for a smaller layer of m and a larger of n units
/// (about 0.1 ns each on one modern core); +inf beyond 62 units.
double enumeration_cost(std::size_t n_visible, std::size_t n_hidden);

/// Mean of −F(v) over the first `max_examples` examples of `data` (all when 0), binarised by
/// `mode` (a stochastic binarisation draws from a generator seeded by `seed`); in double.
/// Throws DataError for Binarize::none on data that is not binary.
template <class T>
double mean_neg_free_energy(const Rbm<T>& rbm, const Dataset& data, Binarize mode,
                            double threshold, std::size_t max_examples = 0,
                            std::uint64_t seed = 1);

// ---- annealed importance sampling (Salakhutdinov & Murray 2008) ------------------------------

/// Intermediate distributions of the default schedule.
constexpr std::size_t default_ais_betas = 14500;
/// AIS runs by default.
constexpr std::size_t default_ais_runs = 100;

/// Inverse temperatures 0 = β₀ < β₁ < … < β_K = 1 with K = `n_intermediate` (≥ 3): the schedule
/// of Salakhutdinov & Murray (2008) — uniform steps over [0, 0.5], [0.5, 0.9] and [0.9, 1] with
/// 1/29, 8/29 and 20/29 of the steps. The default K = 14,500 gives their steps of 1e−3, 1e−4 and
/// 1e−5.
std::vector<double> ais_schedule(std::size_t n_intermediate = default_ais_betas);

/// Visible biases of the base-rate model p₀(v) = Π_i sigm(b_A,i)^{v_i} (1 − sigm(b_A,i))^{1−v_i}
/// fitted to data marginals: b_A,i = log(p_i / (1 − p_i)) with p_i = (count_i + 1) / (N + 2).
arma::vec base_rate_biases(const Dataset& data, Binarize mode = Binarize::threshold,
                           double threshold = 0.5);

/// An estimate of log Z with its uncertainty.
struct LogZEstimate {
  double log_z = 0;         ///< log of the estimate Ẑ
  double log_z_stderr = 0;  ///< standard error of log Ẑ (delta method: σ̂(Ẑ) / Ẑ)
  double log_z_lower = 0;   ///< log(Ẑ − 3σ̂(Ẑ)), −inf when that is not positive
  double log_z_upper = 0;   ///< log(Ẑ + 3σ̂(Ẑ))
  double base_log_z = 0;    ///< log Z of the base-rate model the chains start from
  std::size_t runs = 0;
  std::size_t intermediate = 0;  ///< K, the number of annealing steps
  arma::vec log_weights;    ///< log importance weight of each run (log Z = base + log mean exp)
};

/// log Z by AIS from the base-rate model with visible biases `base_biases` (and no weights) to
/// `rbm`, through p_β(v) ∝ exp((1 − β) b_Aᵀv + β bᵀv) Π_j (1 + exp(β (c_j + W_{·j}ᵀv))) for the
/// inverse temperatures `betas` (ais_schedule()). Each run starts from an exact sample of the base
/// model and makes one block Gibbs transition per intermediate distribution; its log weight
/// Σ_k log p*_k(v_k) − log p*_{k−1}(v_k) is accumulated in double, the chains themselves run in
/// float. Runs are split over threads; run r draws only from rng.split(r), so the result
/// depends on the seed and thread count only. `rng` advances by one draw.
/// Salakhutdinov & Murray (2008), §4. The same as the AisBase form with base_rate_base().
template <class T>
LogZEstimate ais_log_partition(const Rbm<T>& rbm, const arma::vec& base_biases, std::size_t runs,
                               const std::vector<double>& betas, Rng& rng);

/// log Z by AIS from a mixture base q(v) = Σ_z π_z q_z(v) (ais_base.hpp). The state of a run is
/// (z, v): it starts from an exact sample z ~ π, v ~ q_z and anneals through
/// p_β(v, z) ∝ π_z q_z(v)^{1−β} exp(β bᵀv) Π_j (1 + exp(β (c_j + W_{·j}ᵀv))), whose normaliser
/// runs from 2^{n_h} at β = 0 to Z at β = 1. A transition at β samples h | v, v | h, z (both
/// factorial) and then z | v ∝ π_z q_z(v)^{1−β}, leaving p_β invariant. With one component
/// this is exactly the base-rate form above.
template <class T>
LogZEstimate ais_log_partition(const Rbm<T>& rbm, const AisBase& base, std::size_t runs,
                               const std::vector<double>& betas, Rng& rng);

/// Reverse annealing from data (RAISE, Burda, Grosse & Salakhutdinov 2015): for each column v
/// of V, `chains` runs go from the RBM (β = 1) down to the base model through the same
/// transitions as AIS, giving p̂(v), an unbiased estimate of the probability of v under the
/// annealing model (the distribution of the last state of forward annealing). E[log p̂(v)] ≤
/// log p_ann(v), and p_ann is a blurred version of the RBM, so mean log p̂ is a stochastic lower
/// bound on the test log-likelihood that is typically conservative, where plain AIS tends to
/// overestimate.
struct ReverseAisEstimate {
  arma::vec log_p;        ///< log p̂(v) of each column of V
  arma::vec log_z;        ///< −F(v) − log p̂(v): the log Z each column implies
  double log_z_mean = 0;  ///< mean of log_z: a conservative (high) log Z for the data set
  double log_z_stderr = 0;  ///< standard error of that mean over the columns
  std::size_t chains = 0;
  std::size_t intermediate = 0;
};

/// Reverse-annealing estimates for the binary columns of V (see ReverseAisEstimate). Chain m of
/// column e draws only from rng.split(e · chains + m); `rng` advances by one draw.
template <class T>
ReverseAisEstimate reverse_ais(const Rbm<T>& rbm, const arma::vec& base_biases,
                               const arma::Mat<T>& V, std::size_t chains,
                               const std::vector<double>& betas, Rng& rng);

// ---- a data set's log-likelihood, by the best affordable method ------------------------------

/// How log Z is obtained.
enum class LikelihoodMethod {
  automatic,  ///< exact when enumeration_cost ≤ LikelihoodOptions::exact_budget, else AIS
  exact,      ///< enumeration of the smaller layer
  ais         ///< annealed importance sampling plus reverse annealing
};
/// "exact" or "ais" (automatic is resolved before a report is made).
std::string to_string(LikelihoodMethod m);

/// Settings of evaluate_likelihood.
struct LikelihoodOptions {
  LikelihoodMethod method = LikelihoodMethod::automatic;
  std::size_t ais_runs = default_ais_runs;
  std::size_t ais_betas = default_ais_betas;  ///< intermediate distributions (ais_schedule)
  /// Where the forward runs start: the base-rate model alone, or with the RBM's modes added
  /// (mode_mixture_base, the default). Reverse annealing always uses the base-rate model.
  AisBaseKind ais_base = AisBaseKind::modes;
  ModeBaseOptions modes;  ///< settings of the mode search (its binarisation is set from below)
  std::size_t reverse_examples = 100;  ///< examples annealed in reverse (evenly spaced); 0 = none
  std::size_t reverse_chains = 1;      ///< reverse runs per example
  std::size_t max_units = max_enumerated_units;
  double exact_budget = 1.1e9;  ///< enumeration_cost up to which `automatic` is exact (~0.2 s)
  std::size_t max_examples = 0;  ///< evaluate the first N examples (0 = all)
  Binarize binarize = Binarize::threshold;
  double threshold = 0.5;
  std::uint64_t seed = 1;  ///< for stochastic binarisation
};

/// The log-likelihood of a data set and how it was obtained. Nats; per example.
struct LikelihoodReport {
  LikelihoodMethod method = LikelihoodMethod::exact;
  std::size_t examples = 0;
  double mean_neg_free_energy = 0;  ///< mean −F(v)
  LogZEstimate log_z;               ///< exact: stderr 0 and lower = upper = log_z
  double log_likelihood = 0;        ///< mean −F(v) − log Ẑ
  double log_likelihood_lower = 0;  ///< with log(Ẑ + 3σ̂)
  double log_likelihood_upper = 0;  ///< with log(Ẑ − 3σ̂) (+inf when that is not positive)
  bool has_conservative = false;    ///< reverse annealing was run (AIS only)
  double conservative_log_z = 0;    ///< ReverseAisEstimate::log_z_mean
  double conservative_log_z_stderr = 0;
  double conservative_log_likelihood = 0;  ///< mean −F(v) − conservative_log_z
  std::size_t reverse_examples = 0;
  AisBase base;  ///< the base the forward AIS runs started from (AIS only)
  double seconds = 0;
};

/// Mean log-likelihood of `data` under `rbm`: exact or by AIS plus reverse annealing on evenly
/// spaced examples. The AIS base is built from `base_data` (usually the training data or `data`
/// itself): the base-rate model of its marginals (base_rate_biases) and, for
/// AisBaseKind::modes, the RBM's modes found from its examples (mode_mixture_base). Throws
/// InvalidArgument when exact enumeration is asked for and too large.
template <class T>
LikelihoodReport evaluate_likelihood(const Rbm<T>& rbm, const Dataset& data,
                                     const Dataset& base_data, const LikelihoodOptions& options,
                                     Rng& rng);

#define RBMKIT_LIKELIHOOD_EXTERN(T)                                                              \
  extern template double exact_log_partition(const Rbm<T>&, std::size_t);                       \
  extern template double mean_neg_free_energy(const Rbm<T>&, const Dataset&, Binarize, double,  \
                                              std::size_t, std::uint64_t);                      \
  extern template LogZEstimate ais_log_partition(const Rbm<T>&, const arma::vec&, std::size_t,  \
                                                 const std::vector<double>&, Rng&);             \
  extern template LogZEstimate ais_log_partition(const Rbm<T>&, const AisBase&, std::size_t,    \
                                                 const std::vector<double>&, Rng&);             \
  extern template ReverseAisEstimate reverse_ais(const Rbm<T>&, const arma::vec&,              \
                                                 const arma::Mat<T>&, std::size_t,              \
                                                 const std::vector<double>&, Rng&);             \
  extern template LikelihoodReport evaluate_likelihood(const Rbm<T>&, const Dataset&,          \
                                                       const Dataset&,                          \
                                                       const LikelihoodOptions&, Rng&);
RBMKIT_LIKELIHOOD_EXTERN(float)
RBMKIT_LIKELIHOOD_EXTERN(double)
#undef RBMKIT_LIKELIHOOD_EXTERN

}  // namespace rbmkit
