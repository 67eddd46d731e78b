#pragma once
/// Gradient statistics of a general Boltzmann machine, three ways (SEED-NOTES §1–2, paper §3, §4.2).
///
/// With s = (v, h) the states of all units (binary samples: a BM with hidden–hidden connections
/// has no factorised P(h | v), so hidden values are never replaced by conditional means here):
///
///  * contrastive:        Δbias_i = ⟨s_i⟩₊ − ⟨s_i⟩₋,  ΔW_ij = ⟨s_i s_j⟩₊ − ⟨s_i s_j⟩₋;
///  * reward correlator:  Δbias_i = Σ_t R_t s_ti / n₊,  ΔW_ij = Σ_t R_t s_ti s_tj / n₊, over one
///                        stream with R_t = +1 (positive phase) or −1 (negative phase);
///  * centered (Theorem 1): Δbias_i = Σ_t R_t (s_ti − sigm(a_ti)) / n₊ and, by the chain rule
///                        through a_i and a_j, ΔW_ij = Σ_t R_t [(s_ti − sigm(a_ti)) s_tj +
///                        (s_tj − sigm(a_tj)) s_ti] / n₊. It estimates ∂E[R]/∂a (Theorem 1),
///                        which is NOT the log-likelihood gradient (docs/derivation.md §5).
///
/// The first two reuse gradient.hpp with v = h = s: its Σ R v hᵀ becomes Σ R s sᵀ, its bitwise
/// construction carries over unchanged. Every result is symmetrised from the upper triangle,
/// zero on the diagonal and outside the connectivity mask (the same operations on both paths).
#include <armadillo>

#include "rbmkit/models/boltzmann.hpp"
#include "rbmkit/training/statistics.hpp"

namespace rbmkit {

/// The stream of the BM trainer: the positive phase's states (R = +1), then the negative
/// phase's (R = −1), with v = h = s (all units) so gradient.hpp's correlator applies.
template <class T>
RewardStream<T> make_bm_reward_stream(const arma::Mat<T>& S_pos, const arma::Mat<T>& S_neg);

/// Contrastive statistics from the states of the two phases (n × B₊ and n × B₋).
template <class T>
Statistics<T> bm_contrastive_gradient(const BoltzmannMachine<T>& bm, const arma::Mat<T>& S_pos,
                                      const arma::Mat<T>& S_neg);

/// The unnormalized reward correlator over a stream made by make_bm_reward_stream (or any
/// stream whose v and h both hold all n unit states), divided by the number of positives.
template <class T>
Statistics<T> bm_reward_correlator_gradient(const BoltzmannMachine<T>& bm,
                                            const RewardStream<T>& stream);

/// The statistics by the chosen path; the reward-correlator path hands its stream to
/// `observer` (when set) before correlating it.
template <class T>
Statistics<T> bm_gradient(GradientPath path, const BoltzmannMachine<T>& bm,
                          const arma::Mat<T>& S_pos, const arma::Mat<T>& S_neg,
                          const StreamObserver<T>& observer = {});

/// The centered (Theorem 1) correlator. `S` holds the stream's states (n × N), `P` the
/// probabilities sigm(a) each unit was sampled with (n × N; for a sample of a stationary
/// chain, P = sigm(bm.input(S)) = P(s_i = 1 | s_−i)), `reward` ±1 per column. Divided by the
/// number of positives like the other paths. Accumulated in double.
template <class T>
Statistics<double> centered_correlator_gradient(const BoltzmannMachine<T>& bm,
                                                const arma::Mat<T>& S, const arma::Mat<T>& P,
                                                const arma::Row<T>& reward);

#define RBMKIT_BM_GRADIENT_EXTERN(T)                                                          \
  extern template RewardStream<T> make_bm_reward_stream(const arma::Mat<T>&,                  \
                                                        const arma::Mat<T>&);                 \
  extern template Statistics<T> bm_contrastive_gradient(                                      \
      const BoltzmannMachine<T>&, const arma::Mat<T>&, const arma::Mat<T>&);                  \
  extern template Statistics<T> bm_reward_correlator_gradient(const BoltzmannMachine<T>&,     \
                                                              const RewardStream<T>&);        \
  extern template Statistics<T> bm_gradient(GradientPath, const BoltzmannMachine<T>&,         \
                                            const arma::Mat<T>&, const arma::Mat<T>&,         \
                                            const StreamObserver<T>&);                        \
  extern template Statistics<double> centered_correlator_gradient(                            \
      const BoltzmannMachine<T>&, const arma::Mat<T>&, const arma::Mat<T>&, const arma::Row<T>&);
RBMKIT_BM_GRADIENT_EXTERN(float)
RBMKIT_BM_GRADIENT_EXTERN(double)
#undef RBMKIT_BM_GRADIENT_EXTERN

}  // namespace rbmkit
