#pragma once
// Pieces shared by the enumerations of evaluation/exact (private to src/evaluation).
#include <armadillo>
#include <cstddef>
#include <cstdint>

#include "rbmkit/models/rbm.hpp"

namespace rbmkit::detail {

/// Exact log Z of a Gaussian–Bernoulli RBM (exact_gaussian.cpp): its 2^n_hidden hidden states
/// enumerated, the visible units integrated analytically (Cho, Ilin & Raiko 2011):
/// log Z = logsumexp_h[cᵀh + Σ_i ((b_i + (Wh)_i)² − b_i²) / (2σ_i²)] + Σ_i ½ log(2πσ_i²).
/// Throws InvalidArgument naming exact_log_partition for more than `max_units` hidden units.
template <class T>
double gaussian_log_partition(const Rbm<T>& rbm, std::size_t max_units);

/// One step of the binary-reflected Gray code g(t) = t ^ (t >> 1): g(t) and g(t − 1) differ in
/// `bit` = ctz(t), which `set` says is now 1 (else 0). `t` must not be 0.
struct GrayStep {
  unsigned bit;
  bool set;
};
inline GrayStep gray_step(std::uint64_t t) {
  const unsigned j = unsigned(__builtin_ctzll(t));
  return {j, bool(((t ^ (t >> 1)) >> j) & 1)};
}

/// The distribution of `data` (n_visible ≤ 16 rows, binary) after checking it against a machine
/// of `n_visible` visible units; errors name `who`.
arma::vec checked_data_distribution(const arma::mat& data, std::size_t n_visible, const char* who);

/// Σ_x p_data(x) log p_visible(x) over the visible vectors the data holds.
double mean_log_likelihood(const arma::vec& p_data, const arma::vec& p_visible);

}  // namespace rbmkit::detail
