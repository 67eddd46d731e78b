#pragma once
/// Block Gibbs sampling for RBMs: Bernoulli sampling and the h → v → h steps used by CD and PCD.
#include <armadillo>

#include "rbmkit/models/rbm.hpp"
#include "rbmkit/core/random.hpp"

namespace rbmkit {

/// Samples of one Gibbs phase: visible states and the hidden values used for the statistics.
/// Columns are samples. `h` holds the conditional means P(h = 1 | v) (Rao-Blackwellised).
template <class T>
struct Phase {
  arma::Mat<T> v;
  arma::Mat<T> h;
};

/// Runs k ≥ 1 full Gibbs steps from visible states `V0`: h ~ P(h|v), v ~ P(v|h), repeated.
/// Returns the last sampled visible states and their hidden conditional means.
template <class T>
Phase<T> gibbs_chain(const Rbm<T>& rbm, const arma::Mat<T>& V0, std::size_t k, Rng& rng);

/// As gibbs_chain, starting from hidden means H0 = P(h|V0) already computed for V0.
template <class T>
Phase<T> gibbs_chain_from(const Rbm<T>& rbm, const arma::Mat<T>& H0, std::size_t k, Rng& rng);

/// `n` samples of the model: one chain per sample, started from visible states drawn from the
/// visible biases alone (P(v_i = 1) = sigm(b_i), the model without its weights), run for
/// `steps` ≥ 1 block Gibbs steps. Returns the n_visible × n final visible states.
template <class T>
arma::Mat<T> sample_model(const Rbm<T>& rbm, std::size_t n, std::size_t steps, Rng& rng);

extern template arma::Mat<float> sample_model(const Rbm<float>&, std::size_t, std::size_t, Rng&);
extern template arma::Mat<double> sample_model(const Rbm<double>&, std::size_t, std::size_t, Rng&);
extern template Phase<float> gibbs_chain(const Rbm<float>&, const arma::Mat<float>&, std::size_t,
                                         Rng&);
extern template Phase<double> gibbs_chain(const Rbm<double>&, const arma::Mat<double>&,
                                          std::size_t, Rng&);
extern template Phase<float> gibbs_chain_from(const Rbm<float>&, const arma::Mat<float>&,
                                              std::size_t, Rng&);
extern template Phase<double> gibbs_chain_from(const Rbm<double>&, const arma::Mat<double>&,
                                               std::size_t, Rng&);

}  // namespace rbmkit
