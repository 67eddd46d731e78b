#pragma once
/// Sequential Gibbs sweeps of a general Boltzmann machine (Hinton & Sejnowski 1986; Bengio 2013,
/// §4.2): the positive phase clamps the visible units, the negative phase runs free.
#include <armadillo>
#include <cstddef>

#include "rbmkit/core/random.hpp"
#include "rbmkit/models/boltzmann.hpp"

namespace rbmkit {

/// One sequential Gibbs sweep over units first, first+1, …, last−1 of every column of S:
/// for each unit i in that order, then each column t, s_it ← 1[u < sigm(a_it)] with
/// a_it = bias_i + Σ_j W_ij s_jt computed from the current states, u ~ U(0,1) from `rng`
/// (Eq. 2 of the paper). Units outside [first, last) are held fixed (clamped).
template <class T>
void gibbs_sweep(const BoltzmannMachine<T>& bm, arma::Mat<T>& S, std::size_t first,
                 std::size_t last, Rng& rng);
/// `sweeps` free-running sweeps over all units (negative phase).
template <class T>
void gibbs_sweeps_free(const BoltzmannMachine<T>& bm, arma::Mat<T>& S, std::size_t sweeps,
                       Rng& rng);
/// `sweeps` sweeps over the hidden units only, the visible rows of S clamped (positive phase).
template <class T>
void gibbs_sweeps_clamped(const BoltzmannMachine<T>& bm, arma::Mat<T>& S, std::size_t sweeps,
                          Rng& rng);

#define RBMKIT_SWEEPS_EXTERN(T)                                                              \
  extern template void gibbs_sweep(const BoltzmannMachine<T>&, arma::Mat<T>&, std::size_t,  \
                                   std::size_t, Rng&);                                       \
  extern template void gibbs_sweeps_free(const BoltzmannMachine<T>&, arma::Mat<T>&,          \
                                         std::size_t, Rng&);                                 \
  extern template void gibbs_sweeps_clamped(const BoltzmannMachine<T>&, arma::Mat<T>&,       \
                                            std::size_t, Rng&);
RBMKIT_SWEEPS_EXTERN(float)
RBMKIT_SWEEPS_EXTERN(double)
#undef RBMKIT_SWEEPS_EXTERN

}  // namespace rbmkit
