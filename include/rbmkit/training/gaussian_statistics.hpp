#pragma once
/// Gradient statistics of a Gaussian–Bernoulli RBM (Cho, Ilin & Raiko 2011, §2–3), in the
/// parameterisation E(v, h) = Σ_i (v_i − b_i)² / (2σ_i²) − Σ_ij W_ij h_j v_i / σ_i² − cᵀh,
/// σ_i² = exp(z_i). With ṽ = v / σ² the statistics of W, b and c are the Bernoulli RBM's formulas
/// applied to (ṽ, h) — ΔW = ⟨ṽ hᵀ⟩₊ − ⟨ṽ hᵀ⟩₋, Δb = ⟨ṽ⟩₊ − ⟨ṽ⟩₋ (the b/σ² parts of
/// ⟨(v − b)/σ²⟩ cancel), Δc = ⟨h⟩₊ − ⟨h⟩₋ — so both gradient paths of statistics.hpp serve
/// unchanged (Bengio 2013, §4.2: the same statistic correlated with a ±1 reward); with unit
/// variances ṽ = v. The log-variances have their own statistic,
///   Δz_i = ⟨s_i⟩₊ − ⟨s_i⟩₋,  s_i(v, h) = e^{−z_i} (½ (v_i − b_i)² − v_i Σ_j W_ij h_j)
/// (= −∂E/∂z_i), computed by the same two paths in the same order of operations.
#include <armadillo>

#include "rbmkit/models/rbm.hpp"
#include "rbmkit/sampling/gibbs.hpp"
#include "rbmkit/training/statistics.hpp"

namespace rbmkit {

/// The phase with its visible states divided by the variances (ṽ = v ⊙ e^{−z}, n_visible × B);
/// hidden values unchanged.
template <class T>
Phase<T> precision_weighted(const Rbm<T>& rbm, const Phase<T>& phase);

/// s(v, h) = e^{−z} ⊙ (½ (v − b)² − v ⊙ (W h)) for each column pair of the phase (n_visible × B).
template <class T>
arma::Mat<T> log_variance_statistic(const Rbm<T>& rbm, const Phase<T>& phase);

/// The statistic Δz by `path`: contrastive, (Σ s₊ − Σ s₋) / B; or the reward correlator,
/// Σ_t R_t s_t / n₊ over the stream of make_reward_stream (positives, then negatives), added
/// run by run in stream order from zero — the same floating-point operations, so both paths give
/// bit-identical results (statistics.hpp). Throws DimensionError when the phases differ in shape
/// or the model is not Gaussian.
template <class T>
arma::Col<T> log_variance_gradient(GradientPath path, const Rbm<T>& rbm, const Phase<T>& positive,
                                   const Phase<T>& negative);

#define RBMKIT_GAUSSIAN_STATISTICS_EXTERN(T)                                                   \
  extern template Phase<T> precision_weighted(const Rbm<T>&, const Phase<T>&);                 \
  extern template arma::Mat<T> log_variance_statistic(const Rbm<T>&, const Phase<T>&);         \
  extern template arma::Col<T> log_variance_gradient(GradientPath, const Rbm<T>&,              \
                                                     const Phase<T>&, const Phase<T>&);
RBMKIT_GAUSSIAN_STATISTICS_EXTERN(float)
RBMKIT_GAUSSIAN_STATISTICS_EXTERN(double)
#undef RBMKIT_GAUSSIAN_STATISTICS_EXTERN

}  // namespace rbmkit
