#pragma once
/// Annealed importance sampling (AIS) for the partition function of an RBM: the schedule of
/// inverse temperatures, forward AIS from a base distribution (ais_base.hpp), and reverse
/// annealing from data, a stochastic lower bound on the annealing model's log-likelihood that
/// is usually, not always, conservative for the RBM. Salakhutdinov & Murray (2008); Burda,
/// Grosse & Salakhutdinov (2015).
#include <armadillo>
#include <cstddef>
#include <vector>

#include "rbmkit/core/progress.hpp"
#include "rbmkit/core/random.hpp"
#include "rbmkit/evaluation/ais_base.hpp"
#include "rbmkit/models/rbm.hpp"

namespace rbmkit {

/// Intermediate distributions of the default schedule.
constexpr std::size_t default_ais_betas = 14500;
/// AIS runs by default.
constexpr std::size_t default_ais_runs = 100;

/// Inverse temperatures 0 = β₀ < β₁ < … < β_K = 1 with K = `n_intermediate` (≥ 3): the schedule
/// of Salakhutdinov & Murray (2008) — uniform steps over [0, 0.5], [0.5, 0.9] and [0.9, 1] with
/// 1/29, 8/29 and 20/29 of the steps. The default K = 14,500 gives their steps of 1e−3, 1e−4 and
/// 1e−5. Throws InvalidArgument naming the function for K < 3.
std::vector<double> ais_schedule(std::size_t n_intermediate = default_ais_betas);

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
  arma::uvec start_components;  ///< the base component each run started from
};

/// log Z by AIS from the base-rate model with visible biases `base_biases` (and no weights) to
/// `rbm`, through p_β(v) ∝ exp((1 − β) b_Aᵀv + β bᵀv) Π_j (1 + exp(β (c_j + W_{·j}ᵀv))) for the
/// inverse temperatures `betas` (ais_schedule()). Each run starts from an exact sample of the base
/// model and makes one block Gibbs transition per intermediate distribution; its log weight
/// Σ_k log p*_k(v_k) − log p*_{k−1}(v_k) is accumulated in double, the chains themselves run in
/// float. Runs are split over threads; run r draws only from rng.split(r), so the result
/// depends on the seed and thread count only. `rng` advances by one draw.
/// Salakhutdinov & Murray (2008), §4. The same as the AisBase form with base_rate_base().
/// Throws InvalidArgument naming the function for no runs, a schedule that does not rise strictly
/// from 0 to 1, a model without units or non-finite base biases; DimensionError when the biases do
/// not match the visible units.
template <class T>
LogZEstimate ais_log_partition(const Rbm<T>& rbm, const arma::vec& base_biases, std::size_t runs,
                               const std::vector<double>& betas, Rng& rng);

/// log Z by AIS from a mixture base q(v) = Σ_z π_z q_z(v) (ais_base.hpp). The state of a run is
/// (z, v): it starts from an exact sample z ~ π, v ~ q_z and anneals through
/// p_β(v, z) ∝ π_z q_z(v)^{1−β} exp(β bᵀv) Π_j (1 + exp(β (c_j + W_{·j}ᵀv))), whose normaliser
/// runs from 2^{n_h} at β = 0 to Z at β = 1. A transition at β samples h | v, v | h, z (both
/// factorial) and then z | v ∝ π_z q_z(v)^{1−β}, leaving p_β invariant. With one component
/// this is exactly the base-rate form above. Throws as the form above, and InvalidArgument for a
/// base whose weights are not positive or do not sum to 1. `progress`, when given, is told the
/// annealing steps done (stage "AIS", total K) as the runs advance in lockstep.
template <class T>
LogZEstimate ais_log_partition(const Rbm<T>& rbm, const AisBase& base, std::size_t runs,
                               const std::vector<double>& betas, Rng& rng,
                               const ProgressFn& progress = {});

/// Reverse annealing from data (RAISE, Burda, Grosse & Salakhutdinov 2015): for each column v
/// of V, `chains` runs go from the RBM (β = 1) down to the base through the distributions and
/// transitions of forward AIS from that base (the component z is redrawn from π at β = 1), giving
/// p̂(v), an unbiased estimate of the probability of v under the annealing model: the
/// distribution of the last state of forward annealing from the same base (with each transition's
/// updates in mirrored order, so that the reverse chain is its exact reversal). Hence
/// E[log p̂(v)] ≤ log p_ann(v).
///
/// What this bounds is p_ann, not the RBM. p_ann is the RBM only when annealing is slow enough to
/// move mass between modes; where it cannot, p_ann keeps the mass of each mode that the base put
/// there. Data from a mode that p_ann overweights then gets p̂(v) above P(v), and the estimate is
/// not conservative: on a 20 × 1 RBM whose h = 1 state holds 99.3% of the mass, data from h = 0
/// was overrated by log(0.25 / 0.0067) = 3.6 nats from the default modes base (weight 1/4 on the
/// base-rate component), and 20-hidden Fashion-MNIST models by up to 2.9 nats. With the base's
/// weights set to the share of Ẑ the forward runs from each component carried
/// (reweighted_base, ais_base.hpp), p_ann holds about the RBM's mass in each mode; that is what
/// evaluate_likelihood anneals to, and it still compares the result with the forward estimate
/// and a certain bound (likelihood.hpp).
struct ReverseAisEstimate {
  arma::vec log_p;        ///< log p̂(v) of each column of V
  arma::vec log_z;        ///< −F(v) − log p̂(v): the log Z each column implies
  double log_z_mean = 0;  ///< mean of log_z: the log Z the reverse runs imply for the data set
  double log_z_stderr = 0;  ///< standard error of that mean over the columns
  std::size_t chains = 0;
  std::size_t intermediate = 0;
};

/// Reverse-annealing estimates for the binary columns of V (see ReverseAisEstimate), annealing
/// down to `base` (the base of the forward runs, or it reweighted by them). Chain m of column e draws only from
/// rng.split(e · chains + m); `rng` advances by one draw. V is n_visible × examples. Throws
/// InvalidArgument naming the function for no chains, no examples, examples that are not 0/1, a
/// bad schedule or a bad base (as ais_log_partition); DimensionError for mismatched sizes.
/// `progress`, when given, is told the annealing steps done (stage "reverse AIS", total K).
template <class T>
ReverseAisEstimate reverse_ais(const Rbm<T>& rbm, const AisBase& base, const arma::Mat<T>& V,
                               std::size_t chains, const std::vector<double>& betas, Rng& rng,
                               const ProgressFn& progress = {});

/// The same down to the base-rate model with visible biases `base_biases` (base_rate_base).
template <class T>
ReverseAisEstimate reverse_ais(const Rbm<T>& rbm, const arma::vec& base_biases,
                               const arma::Mat<T>& V, std::size_t chains,
                               const std::vector<double>& betas, Rng& rng);

/// log Z of an RBM with Gaussian visible units by AIS (Neal 2001; Salakhutdinov & Murray 2008,
/// §4) from the base p_0(v, h) ∝ exp(−Σ_i (v_i − b_i)² / (2σ_i²)) (the model's own visible
/// Gaussians, no weights, no hidden biases; log Z_0 = n_hidden log 2 + Σ_i ½ log(2πσ_i²)) through
/// E_β(v, h) = Σ_i (v_i − b_i)² / (2σ_i²) − β (Σ_ij W_ij h_j v_i / σ_i² + cᵀh) for the inverse
/// temperatures `betas`: p*_β(v) = exp(−Σ_i (v_i − b_i)²/(2σ_i²)) Π_j (1 + exp(β a_j(v))),
/// a = c + Wᵀ(v/σ²); each run starts from an exact sample of the base and makes one block Gibbs
/// transition per intermediate distribution (h ~ sigm(β a(v)), v ~ N(b + β W h, σ²)), in double;
/// run r draws only from rng.split(r), so the result does not depend on the thread count. `rng`
/// advances by one draw. Throws InvalidArgument naming the function for a model whose visible
/// units are not Gaussian, no runs, a schedule that does not rise strictly from 0 to 1, or
/// non-finite parameters.
template <class T>
LogZEstimate gaussian_ais_log_partition(const Rbm<T>& rbm, std::size_t runs,
                                        const std::vector<double>& betas, Rng& rng,
                                        const ProgressFn& progress = {});
extern template LogZEstimate gaussian_ais_log_partition(const Rbm<float>&, std::size_t,
                                                        const std::vector<double>&, Rng&,
                                                        const ProgressFn&);
extern template LogZEstimate gaussian_ais_log_partition(const Rbm<double>&, std::size_t,
                                                        const std::vector<double>&, Rng&,
                                                        const ProgressFn&);

#define RBMKIT_AIS_EXTERN(T)                                                                     \
  extern template LogZEstimate ais_log_partition(const Rbm<T>&, const arma::vec&, std::size_t,  \
                                                 const std::vector<double>&, Rng&);             \
  extern template LogZEstimate ais_log_partition(const Rbm<T>&, const AisBase&, std::size_t,    \
                                                 const std::vector<double>&, Rng&,              \
                                                 const ProgressFn&);                            \
  extern template ReverseAisEstimate reverse_ais(const Rbm<T>&, const AisBase&,                \
                                                 const arma::Mat<T>&, std::size_t,              \
                                                 const std::vector<double>&, Rng&,              \
                                                 const ProgressFn&);                            \
  extern template ReverseAisEstimate reverse_ais(const Rbm<T>&, const arma::vec&,              \
                                                 const arma::Mat<T>&, std::size_t,              \
                                                 const std::vector<double>&, Rng&);
RBMKIT_AIS_EXTERN(float)
RBMKIT_AIS_EXTERN(double)
#undef RBMKIT_AIS_EXTERN

}  // namespace rbmkit
