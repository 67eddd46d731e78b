#pragma once
/// The block Gibbs steps of an RBM on reusable buffers, for gibbs.cpp and phases.cpp. The
/// buffers' transposed weights are reused as they are: `buf.wt_ready` must be false whenever the
/// parameters may have changed or Wt was used for something else (draw_phases clears it on
/// every call unless the caller kept Wᵀ for it, PhaseWorkspace::keep_transposed_weights; the
/// statistics clear it when they form the weight statistic in Wt).
#include <armadillo>

#include "kernels/products.hpp"
#include "kernels/uniforms.hpp"
#include "rbmkit/core/random.hpp"
#include "rbmkit/models/rbm.hpp"
#include "rbmkit/sampling/gibbs.hpp"

namespace rbmkit::detail {

/// P = P(h = 1 | V) = sigm(Wᵀ V + c) (Gaussian visible units: Wᵀ (V / σ²) + c, by BLAS).
template <class T>
void hidden_mean(const Rbm<T>& rbm, const arma::Mat<T>& V, arma::Mat<T>& P,
                 ProductBuffers<T>& buf);
/// k ≥ 1 Gibbs steps from the hidden means Hm (sampled first) into `out` (as gibbs_chain_from).
/// The sampled hidden states are kept in out.h, so Hm must not be out.h (std::logic_error).
/// Every step computes its hidden input afresh: updating the last step's by the units a step
/// flips cost a third of that, but models trained so were measurably worse (docs/performance.md,
/// "Model quality").
template <class T>
void gibbs_from_means(const Rbm<T>& rbm, const arma::Mat<T>& Hm, std::size_t k, Rng& rng,
                      ProductBuffers<T>& buf, Phase<T>& out);
/// k ≥ 1 Gibbs steps from the visible states V0 into `out` (as gibbs_chain); V0 may be out.v.
template <class T>
void gibbs_from_states(const Rbm<T>& rbm, const arma::Mat<T>& V0, std::size_t k, Rng& rng,
                       ProductBuffers<T>& buf, Phase<T>& out);
/// gibbs_from_states with the states' hidden input Wᵀ V0 + c already in buf.A.
template <class T>
void gibbs_from_hidden_input(const Rbm<T>& rbm, std::size_t k, Rng& rng, ProductBuffers<T>& buf,
                             Phase<T>& out);

}  // namespace rbmkit::detail
