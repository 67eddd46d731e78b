#pragma once
/// Where annealed importance sampling starts: a mixture of factorial distributions over the
/// visible units,
///
///   q(v) = Σ_z π_z Π_i sigm(ℓ_zi)^{v_i} (1 − sigm(ℓ_zi))^{1−v_i},
///
/// which can be sampled exactly and whose normaliser is 1. Two are built here:
///
/// * the base-rate model of Salakhutdinov & Murray (2008): one component, ℓ = b_A fitted to
///   the data marginals (base_rate_base);
/// * the base-rate model plus components at modes of the RBM itself (mode_mixture_base): each
///   data example's most probable hidden state is improved by single flips until no flip
///   raises p*(h) = exp(cᵀh + Σ_i softplus(b_i + W_{i·}h)); the distinct local maxima h_k with
///   the largest p*(h_k) become components ℓ = b + W h_k, i.e. q_k(v) = P(v | h_k).
///
/// Why the second exists: annealing from the base-rate model through p_β ∝ q^{1−β} p*^β can meet
/// a first-order transition — a mode of the RBM that holds little mass at β = 0.7 and nearly
/// all of it at β = 1. Chains settled elsewhere by then cannot cross over, no run reaches that
/// mode, and AIS underestimates log Z by the log of its mass (we measured 5–14 nats on 20-hidden
/// Fashion-MNIST RBMs whose exact log Z is known). Components at the RBM's modes put chains there
/// from the start. Any such base keeps AIS unbiased for Z; only the variance changes.
#include <armadillo>

#include "rbmkit/core/enum_names.hpp"
#include <cstddef>
#include <string>
#include <utility>

#include "rbmkit/core/enum_names.hpp"
#include "rbmkit/core/progress.hpp"
#include "rbmkit/io/dataset.hpp"
#include "rbmkit/models/rbm.hpp"

namespace rbmkit {

/// A mixture of factorial Bernoulli distributions over the visible units.
struct AisBase {
  arma::mat logits;   ///< n_visible × K: column z holds ℓ_z, the logits of component z
  arma::vec weights;  ///< K mixture weights π_z > 0, summing to 1
  arma::vec mode_log_p;  ///< for components from modes: log p*(h_k); the base-rate one: NaN
  arma::umat modes;  ///< n_hidden × K: h_k of each mode component (column 0 zero; base_rate_base: 0 rows)
  std::size_t starts = 0;  ///< examples the mode search started from (0 for base_rate_base)
  std::size_t distinct_modes = 0;  ///< distinct local maxima found (before keeping the best)

  std::size_t components() const { return weights.n_elem; }
  std::size_t n_visible() const { return logits.n_rows; }
};

/// Visible biases of the base-rate model p₀(v) = Π_i sigm(b_A,i)^{v_i} (1 − sigm(b_A,i))^{1−v_i}
/// fitted to the marginals of `data` (binarised by threshold, else taken as grey values):
/// b_A,i = log(p_i / (1 − p_i)) with p_i = (count_i + 1) / (N + 2). Salakhutdinov & Murray
/// (2008), §4.1. Throws DataError naming the function when the data has no examples.
arma::vec base_rate_biases(const Dataset& data, Binarize mode = Binarize::threshold,
                           double threshold = 0.5);

/// The base-rate model alone (one component with logits `base_biases`, see base_rate_biases).
AisBase base_rate_base(const arma::vec& base_biases);

/// Settings of mode_mixture_base.
struct ModeBaseOptions {
  std::size_t max_modes = 32;  ///< components at modes, the most probable distinct ones
  /// Examples to start the search from (evenly spaced); 0 = as many as a budget of about
  /// 5·10⁸ softplus evaluations per sweep allows (all 10,000 test images for 20 hidden units,
  /// about 1,300 for 500).
  std::size_t starts = 0;
  double base_rate_weight = 0.25;  ///< π of the base-rate component; the rest goes to the modes
  Binarize binarize = Binarize::threshold;
  double threshold = 0.5;
  /// Told the starts searched (stage "AIS mode search"; progress.hpp); empty = no reports.
  ProgressFn progress;
};

/// The base-rate component (weight options.base_rate_weight, logits `base_biases`) and up to
/// options.max_modes components at local maxima of the RBM's hidden marginal p*(h) found from
/// `data`. The modes share the remaining weight: half in proportion to p*(h_k), half equally.
/// Runs in parallel; the result does not depend on the thread count.
template <class T>
AisBase mode_mixture_base(const Rbm<T>& rbm, const Dataset& data, const arma::vec& base_biases,
                          const ModeBaseOptions& options = {});

/// log Σ_k p*(h_k) over the hidden states h_k of the mode components of `base` (AisBase::modes,
/// the base-rate component left out), with p*(h) = exp(cᵀh + Σ_i softplus(b_i + W_i·h)) of
/// `rbm` computed afresh in double: a certain lower bound on log Z, since each p*(h_k) is one
/// term of Z = Σ_h p*(h) and the h_k are distinct. −inf for a base without mode components.
/// Throws DimensionError when the modes do not fit the hidden units.
template <class T>
double mode_log_z_floor(const Rbm<T>& rbm, const AisBase& base);

/// `base` with its weights set to the share of Ẑ that forward AIS from it carried in the runs
/// started from each component, π'_z ∝ Σ_{r: z_r = z} w_r, mixed with `keep` of the original
/// weights (so that none is 0): `start_components` and `log_weights` are those of
/// LogZEstimate (ais.hpp). The forward runs measure how much of Z each component's basin holds;
/// an annealing model from π' puts about that mass there (ais.hpp, ReverseAisEstimate). Throws
/// DimensionError when the two vectors differ in length or name a component the base lacks.
AisBase reweighted_base(const AisBase& base, const arma::uvec& start_components,
                        const arma::vec& log_weights, double keep = 0.01);

/// Which base forward AIS starts from; named "rate" and "modes" (EnumNames).
enum class AisBaseKind {
  base_rate,  ///< base_rate_base: the base-rate model alone
  modes       ///< mode_mixture_base: the base-rate model plus the RBM's modes
};
template <>
struct EnumNames<AisBaseKind> {
  static constexpr const char* type = "AisBaseKind";
  static constexpr std::pair<AisBaseKind, const char*> names[] = {{AisBaseKind::base_rate, "rate"},
                                                                  {AisBaseKind::modes, "modes"}};
};

extern template AisBase mode_mixture_base(const Rbm<float>&, const Dataset&, const arma::vec&,
                                          const ModeBaseOptions&);
extern template double mode_log_z_floor(const Rbm<float>&, const AisBase&);
extern template double mode_log_z_floor(const Rbm<double>&, const AisBase&);
extern template AisBase mode_mixture_base(const Rbm<double>&, const Dataset&, const arma::vec&,
                                          const ModeBaseOptions&);

}  // namespace rbmkit
