#pragma once
// The annealing machinery shared by forward AIS (ais.cpp) and reverse annealing
// (reverse_ais.cpp), private to src/evaluation: the RBM and base mixture in the padded float
// layouts of the kernels, and a group of chains annealed together by one worker. The
// intermediate distributions are p_β(v, z) ∝ π_z q_z(v)^{1−β} exp(β bᵀv) Π_j (1 + exp(β a_j(v)))
// (ais.hpp); the chains run in float, the log weights are accumulated in double.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "rbmkit/core/random.hpp"
#include "rbmkit/evaluation/ais_base.hpp"
#include "rbmkit/models/rbm.hpp"

namespace rbmkit::detail {

/// Throws InvalidArgument naming `who` unless `betas` rises strictly from 0 to 1.
void check_schedule(const std::vector<double>& betas, const char* who);

/// base_rate_base(base_biases) after checking the biases against `n_visible` units: DimensionError
/// or InvalidArgument (non-finite) naming `who`.
AisBase checked_base_rate_base(const arma::vec& base_biases, std::size_t n_visible,
                               const char* who);

/// The RBM and the base mixture in the padded float layouts of the annealing kernels.
struct AnnealModel {
  std::size_t nv = 0, nh = 0, nvp = 0, nhp = 0, K = 0, Kp = 0;
  std::vector<float> W;      ///< nvp × nh: column j is W(·, j), padding rows zero
  std::vector<float> Wt;     ///< nhp × nv: column i is W(i, ·), padding rows zero
  std::vector<float> c;      ///< nhp, zero padded
  std::vector<float> b;      ///< nvp
  std::vector<float> logit;  ///< K × nvp: ℓ_z of each base component
  std::vector<float> p0;     ///< K × nvp: sigm(ℓ_z), for exact samples of the base
  std::vector<float> Lt;     ///< Kp × nv: column i holds ℓ_{·i} (for z | v), padding zero
  std::vector<double> db;    ///< K × nv: b − ℓ_z, for the visible part of the log weights
  std::vector<double> sp;    ///< K: Σ_i softplus(ℓ_zi) = −log q_z(0)
  std::vector<double> log_pi, cum_pi;  ///< K: log π_z and Σ_{y ≤ z} π_y
  std::vector<float> zeros;  ///< max(nvp, Kp)
  /// log of the base's normaliser times 2^nh (the hidden units are uniform at β = 0).
  double base_log_z = 0;

  /// The layouts of `rbm` and `base`. Throws InvalidArgument naming `who` for a model without
  /// units or a base without components, with non-finite logits or with weights that are not
  /// positive or do not sum to 1; DimensionError when the base does not fit the visible units.
  template <class T>
  AnnealModel(const Rbm<T>& rbm, const AisBase& base, const char* who);
};

/// A group of chains annealed together by one worker: their visible and hidden states as
/// index lists of the units that are on, and the buffers of the kernels.
struct ChainGroup {
  const AnnealModel& M;
  std::size_t n;
  std::vector<Rng> rngs;
  std::vector<std::uint32_t> vidx, hidx;
  std::vector<std::size_t> vstart, hstart;
  std::vector<float> A, X, ph, pv, mix, D;
  std::vector<std::uint32_t> z;  // base component of each chain
  std::vector<double> vdot;      // (b − ℓ_z)ᵀv + Σ softplus(ℓ_z) per chain
  std::vector<double> lp;        // K scratch

  /// One chain per stream, all states empty.
  ChainGroup(const AnnealModel& model, std::vector<Rng> streams);
  /// A uniform double in [0, 1) from chain r's stream.
  double uniform(std::size_t r) { return double(rngs[r].next() >> 11) * 0x1.0p-53; }
  /// z ~ π, then v ~ q_z: an exact sample of the base, appended as chain r (in chain order).
  void sample_base(std::size_t r);
  /// A ← Wᵀv + c for every chain.
  void hidden_inputs();
  /// Σ_j softplus(β₁a_j) − softplus(β₀a_j) for chain r, leaving sigm(β₁a) in its column of ph.
  double hidden_step(std::size_t r, double beta1, double beta0);
  /// Samples chain r's hidden units from its column of ph (lists are rebuilt in chain order).
  void sample_hidden(std::size_t r);
  /// Samples every chain's visible units from p_β(v | h, z) = sigm((1 − β) ℓ_z + β (W h + b)),
  /// then (for a mixture) its component from p_β(z | v) ∝ π_z q_z(v)^{1−β}.
  void sample_visible(double beta);
};

extern template AnnealModel::AnnealModel(const Rbm<float>&, const AisBase&, const char*);
extern template AnnealModel::AnnealModel(const Rbm<double>&, const AisBase&, const char*);

}  // namespace rbmkit::detail
