#pragma once
/// Exact quantities of small machines by enumerating every visible (RBM) or joint (BM) state:
/// the model marginal P(v), log Z, the mean log-likelihood of data and its gradient.
#include <armadillo>
#include <cstddef>

#include "rbmkit/models/boltzmann.hpp"
#include "rbmkit/models/rbm.hpp"
#include "rbmkit/training/statistics.hpp"

namespace rbmkit {

namespace detail {

/// Index of a binary visible vector: Σ_i v_i 2^i.
std::size_t visible_index(const double* v, std::size_t n_visible);
/// The empirical distribution of binary `data` (n_visible ≤ 16 rows) over all 2^n_visible
/// vectors; throws DataError if a value is not 0 or 1.
arma::vec data_distribution(const arma::mat& data);

/// Exact quantities of a small machine, by enumeration.
struct Exact {
  double log_z = 0;
  arma::vec p_visible;       ///< model marginal P(v) over all 2^n_visible vectors
  double mean_log_likelihood = 0;  ///< mean over `data` of log P(v)
  Statistics<double> ll_gradient;       ///< ⟨·⟩_data-clamped − ⟨·⟩_model: ∂ mean log P(v) / ∂θ
  bool has_centered = false;
  Statistics<double> centered_target;   ///< Σ_s (p̃(s) − p(s)) f_c(s), f_c the centered statistics
};
/// For an RBM with n_visible ≤ 16 (hidden units summed analytically); the centered target
/// only when `with_centered` and n_visible + n_hidden ≤ 20.
Exact exact_rbm(const Rbm<double>& rbm, const arma::mat& data, bool with_centered = false);
/// For a BM with n_visible ≤ 16 and n_visible + n_hidden ≤ 20 (all 2^n states enumerated).
/// ll_gradient.dW is n × n (zero outside the mask); centered target always computed.
Exact exact_bm(const BoltzmannMachine<double>& bm, const arma::mat& data);

}  // namespace detail

}  // namespace rbmkit
