#pragma once
/// Exact quantities of small binary machines by enumerating their states: the partition
/// function log Z of an RBM (the smaller layer enumerated, the larger summed out) and of a general
/// Boltzmann machine (every joint state), the free energies of a Boltzmann machine, and for tiny
/// machines the whole model marginal P(v), the mean log-likelihood of data and its gradient.
///
/// Every enumeration visits states in Gray-code order, so that a state costs one rank-one update
/// of the previous one, and sums exp(ℓ(s)) by log_sum_exp_enumerated. All arithmetic is double.
#include <armadillo>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "rbmkit/models/boltzmann.hpp"
#include "rbmkit/models/rbm.hpp"
#include "rbmkit/training/statistics.hpp"

namespace rbmkit {

// ---- limits and the one enumeration loop ------------------------------------------------------

/// The most units exact enumeration accepts unless told otherwise (2^30 states): the smaller
/// layer of an RBM, all units of a Boltzmann machine.
constexpr std::size_t max_enumerated_units = 30;
/// The most hidden units the free energy of a Boltzmann machine with hidden–hidden weights
/// enumerates (2^20 terms per example); without such weights −F(v) has a closed form.
constexpr std::size_t max_enumerated_hidden = 20;

/// log Σ_{s ∈ {0,1}ⁿ} exp(ℓ(s)) for an unnormalised log-probability ℓ over n binary units.
/// `block(first, count, out)` writes ℓ of the states first, …, first + count − 1 into out[0..count)
/// (state s is the integer whose bit k is unit k; a block may use any bijection of its range,
/// e.g. Gray code). Blocks run in parallel (parallel_for); each block's log-sum-exp is kept and
/// they are combined in a fixed order, so the result does not depend on the thread count.
/// Throws InvalidArgument for n > 62.
double log_sum_exp_enumerated(
    std::size_t n_units,
    const std::function<void(std::uint64_t first, std::size_t count, double* out)>& block);

/// Work of exact_log_partition for an RBM: 2^m · (n + 8) for a smaller layer of m and a larger of
/// n units (about 0.1 ns each on one modern core); +inf beyond 62 units.
double enumeration_cost(std::size_t n_visible, std::size_t n_hidden);

/// Every binary vector of `n_units` (≤ 26) units as the columns of an n_units × 2^n_units matrix:
/// column x holds the bits of x (row k = bit k), the indexing of visible_index.
arma::mat binary_states(std::size_t n_units);

// ---- partition functions and free energies ---------------------------------------------------

/// Exact log Z of an RBM, summing out the larger layer analytically and enumerating the
/// smaller one: with m hidden ≤ visible units, log Z = log Σ_h exp(cᵀh + Σ_i softplus(b_i + W_{i·}h))
/// (symmetrically for visible). Gaussian visible units: the hidden layer is enumerated and v
/// integrated analytically, log Z = logsumexp_h[cᵀh + Σ_i ((b_i + (Wh)_i)² − b_i²) / (2σ_i²)]
/// + Σ_i ½ log(2πσ_i²) (a log-density normaliser; Cho, Ilin & Raiko 2011), up to `max_units`
/// hidden units. Throws InvalidArgument naming the function when the model has no
/// units, non-finite parameters, or a smaller layer of more than `max_units` units.
template <class T>
double exact_log_partition(const Rbm<T>& rbm, std::size_t max_units = max_enumerated_units);

/// Exact log Z = log Σ_s exp(biasᵀs + ½ sᵀWs) of a Boltzmann machine over its 2^n joint states
/// (n = n_units). Flipping unit k changes −E by ±a_k, a = bias + W s (zero diagonal), and a by
/// ±W_{·k}, so a state costs n additions. Throws InvalidArgument naming the function when
/// n > max_units (or 62) or the machine fails BoltzmannMachine::check.
template <class T>
double exact_log_partition(const BoltzmannMachine<T>& bm,
                           std::size_t max_units = max_enumerated_units);

/// "" when −F(v) of `bm` is computable (no hidden–hidden weights, or at most `max_hidden` hidden
/// units to enumerate), else one sentence saying why not (no function name, no trailing period).
template <class T>
std::string free_energy_obstacle(const BoltzmannMachine<T>& bm,
                                 std::size_t max_hidden = max_enumerated_hidden);

/// Work of neg_free_energy per example: n_units² for the closed form (no hidden–hidden weights),
/// n_hidden · 2^n_hidden when the hidden states are enumerated (+inf beyond 62 hidden units).
template <class T>
double free_energy_cost(const BoltzmannMachine<T>& bm);

/// −F(v) = log Σ_h exp(−E(v, h)) for every binary column of V (n_visible × examples), in nats.
/// Without hidden–hidden weights the hidden units are independent given v and
/// −F(v) = b_vᵀv + ½ vᵀW_vv v + Σ_j softplus(a_j(v)); otherwise the 2^n_hidden hidden states are
/// enumerated. Throws DimensionError when V has the wrong number of rows and InvalidArgument
/// (with free_energy_obstacle's reason) when enumeration would exceed `max_hidden` units.
template <class T>
arma::vec neg_free_energy(const BoltzmannMachine<T>& bm, const arma::mat& V,
                          std::size_t max_hidden = max_enumerated_hidden);

// ---- everything about a tiny machine ---------------------------------------------------------

/// Index of a binary visible vector v (n_visible entries): Σ_i v_i 2^i.
std::size_t visible_index(const double* v, std::size_t n_visible);
/// The empirical distribution of binary `data` (n_visible ≤ 16 rows × examples) over all
/// 2^n_visible vectors, indexed by visible_index; throws InvalidArgument for more than 16 rows and
/// DataError for no examples or a value that is not 0 or 1.
arma::vec data_distribution(const arma::mat& data);

/// Exact quantities of a tiny machine on a data set, by enumeration. Nats; per example.
struct ExactQuantities {
  double log_z = 0;
  arma::vec p_visible;             ///< model marginal P(v) over all 2^n_visible vectors
  double mean_log_likelihood = 0;  ///< mean over the data of log P(v)
  /// ⟨·⟩_data-clamped − ⟨·⟩_model = ∂ mean log P(v) / ∂θ (Ackley, Hinton & Sejnowski 1985)
  Statistics<double> ll_gradient;
  bool has_centered = false;
  /// Σ_s (p̃(s) − p(s)) f_c(s), f_c the centered statistics (derivation.md, Theorem 1)
  Statistics<double> centered_target;
};

/// ExactQuantities of an RBM with n_visible ≤ 16 (hidden units summed analytically) on the binary
/// columns of `data` (n_visible × examples); the centered target only when `with_centered` and
/// n_visible + n_hidden ≤ 20. ll_gradient has the RBM's shapes (dW n_visible × n_hidden). Throws
/// InvalidArgument for too many units, DimensionError for data of the wrong height, DataError for
/// data that is not binary.
ExactQuantities exact_rbm(const Rbm<double>& rbm, const arma::mat& data,
                          bool with_centered = false);

/// ExactQuantities of a Boltzmann machine with n_visible ≤ 16 and n_units ≤ 20 (all 2^n joint
/// states enumerated). ll_gradient.dW is n × n (zero outside the mask); the centered target is
/// always computed. Throws as exact_rbm.
ExactQuantities exact_bm(const BoltzmannMachine<double>& bm, const arma::mat& data);

#define RBMKIT_EXACT_EXTERN(T)                                                                   \
  extern template double exact_log_partition(const Rbm<T>&, std::size_t);                       \
  extern template double exact_log_partition(const BoltzmannMachine<T>&, std::size_t);          \
  extern template std::string free_energy_obstacle(const BoltzmannMachine<T>&, std::size_t);    \
  extern template double free_energy_cost(const BoltzmannMachine<T>&);                          \
  extern template arma::vec neg_free_energy(const BoltzmannMachine<T>&, const arma::mat&,       \
                                            std::size_t);
RBMKIT_EXACT_EXTERN(float)
RBMKIT_EXACT_EXTERN(double)
#undef RBMKIT_EXACT_EXTERN

}  // namespace rbmkit
