#pragma once
/// The two phases of a minibatch, drawn once for every trainer and for the equivalence check
/// (Bengio 2013, §4.2: the positive phase samples with the visible units clamped to data, the
/// negative phase samples the model). The training engine and `rbmkit equiv` both call
/// draw_phases, so "the trainer's own samples" is one function, not a copy.
#include <armadillo>
#include <cstddef>
#include <functional>
#include <memory>

#include "rbmkit/core/enum_names.hpp"
#include "rbmkit/core/random.hpp"
#include "rbmkit/models/boltzmann.hpp"
#include "rbmkit/models/rbm.hpp"
#include "rbmkit/sampling/gibbs.hpp"

namespace rbmkit {

/// How the negative phase is sampled.
enum class Method {
  cd,  ///< contrastive divergence: chains start at the positive phase (Hinton 2002)
  pcd,  ///< persistent contrastive divergence: chains persist across updates (Tieleman 2008)
  pt    ///< parallel tempering: persistent tempered chains, the β = 1 ones give the negative
        ///< phase (Desjardins et al. 2010; sampling/tempering.hpp); RBMs only
};
/// Names of Method for to_string / from_string.
template <>
struct EnumNames<Method> {
  static constexpr const char* type = "Method";
  static constexpr std::pair<Method, const char*> names[] = {{Method::cd, "cd"},
                                                             {Method::pcd, "pcd"},
                                                             {Method::pt, "pt"}};
};

/// The most inverse temperatures parallel tempering accepts (train, equiv, sample): each adds a
/// copy of every chain, so a mistyped count must be refused rather than exhaust memory.
inline constexpr std::size_t max_temperatures = 1000;

/// How draw_phases samples.
struct PhaseConfig {
  Method method = Method::pcd;
  std::size_t steps = 1;   ///< Gibbs steps (RBM) or sequential sweeps (BM) per phase, ≥ 1
  std::size_t chains = 0;  ///< persistent chains for PCD and PT; 0 = as many as the minibatch
  std::size_t temperatures = 1;  ///< PT only: inverse temperatures per chain (tempering_betas)
};

/// A minibatch's samples: the positive phase (visible units clamped to data) and the negative
/// phase (the model's chains). Columns are samples. For an RBM, `h` holds P(h = 1 | v)
/// (Rao-Blackwellised); for a Boltzmann machine, `h` holds sampled binary hidden states.
template <class T>
struct Phases {
  Phase<T> positive;
  Phase<T> negative;
};

namespace detail {
template <class T>
struct ProductBuffers;
}

/// What draw_phases reuses from one minibatch to the next: the phases it returns and the
/// buffers of its kernels (transposed weights, index lists of binary states, pre-activations),
/// so that a training step allocates nothing per minibatch. No result depends on what a
/// workspace held before a call, except the transposed weights a caller kept for the next call
/// (keep_transposed_weights); a copy starts with empty buffers.
template <class T>
class PhaseWorkspace {
public:
  PhaseWorkspace();
  ~PhaseWorkspace();
  PhaseWorkspace(const PhaseWorkspace&);
  PhaseWorkspace& operator=(const PhaseWorkspace&);
  PhaseWorkspace(PhaseWorkspace&&) noexcept;
  PhaseWorkspace& operator=(PhaseWorkspace&&) noexcept;

  /// The phases of the last draw_phases call.
  Phases<T> phases;
  /// The kernels' buffers (private to the library).
  detail::ProductBuffers<T>& buffers() { return *buffers_; }
  /// Tells the next draw_phases on this workspace that buffers() hold Wᵀ (n_hidden × n_visible)
  /// of the weights it will be given, written by the caller (RbmStep's update writes it in its
  /// pass over W), so that it does not transpose W again. The caller must call
  /// forget_transposed_weights() if the weights change before that call. Without it, or when the
  /// buffer's shape is not the model's, draw_phases transposes W afresh.
  void keep_transposed_weights();
  /// Withdraws keep_transposed_weights().
  void forget_transposed_weights() { transposed_kept_ = false; }
  /// Called by draw_phases with the positive phase once its hidden means are formed, before the
  /// negative phase is drawn (none: nothing). RbmStep starts the minibatch's reconstruction
  /// error there (a BackgroundLoop), for idle workers to compute during the negative phase.
  std::function<void(const Phase<T>& positive)> after_positive;

private:
  std::unique_ptr<detail::ProductBuffers<T>> buffers_;
  bool transposed_kept_ = false;
  template <class U>
  friend const Phases<U>& draw_phases(const Rbm<U>&, const arma::Mat<U>&, const PhaseConfig&,
                                      arma::Mat<U>&, Rng&, PhaseWorkspace<U>&);
};

/// The phases of an RBM for the minibatch V (n_visible × B binary states): positive v = V,
/// h = P(h|V); negative by `config.steps` block Gibbs steps (gibbs.hpp) from the positive phase
/// (CD) or from `chains` (PCD; n_visible × C visible states, advanced in place). Empty `chains`
/// start at V, column j at V's column j mod B, with config.chains columns (B when 0).
/// PT: `config.steps` tempered steps (tempered_chain) of `chains`, n_visible × C·T for T =
/// config.temperatures (every temperature's block starts at V as above); the negative phase is
/// the C chains at β = 1. Throws DimensionError when V or chains do not fit the model (for PT:
/// columns not a multiple of T), InvalidArgument for steps = 0 or temperatures = 0.
/// The returned phases own their matrices: negative.v is a copy, independent of `chains`.
template <class T>
Phases<T> draw_phases(const Rbm<T>& rbm, const arma::Mat<T>& V, const PhaseConfig& config,
                      arma::Mat<T>& chains, Rng& rng);
/// The same phases, drawn into `ws.phases` (returned) on the buffers of `ws`: the same kernels
/// in the same order, so the same bits. V may be ws.phases.positive.v itself (a minibatch
/// written there, as RbmStep::minibatch gives it): it is then used in place, not copied.
/// PCD with Bernoulli visible units: the negative phase's states are drawn straight into
/// `chains`, and ws.phases.negative.v is a view of the chains' memory, not a copy. Treat it as
/// read-only: a write to it changes `chains`, and resizing it detaches it from them. It is stale
/// once `chains` is resized, reassigned, moved or destroyed (or `ws` moved); the next call on
/// `ws` empties it before drawing. With Gaussian visible units negative.v owns its matrix and
/// `chains` receives a copy of it.
template <class T>
const Phases<T>& draw_phases(const Rbm<T>& rbm, const arma::Mat<T>& V, const PhaseConfig& config,
                             arma::Mat<T>& chains, Rng& rng, PhaseWorkspace<T>& ws);

/// The phases of a Boltzmann machine for the minibatch V (n_visible × B): the positive phase
/// clamps V and runs `config.steps` sweeps over the hidden units starting from H (n_hidden × B;
/// left at the positive phase's final hidden states); the negative phase runs `config.steps`
/// free sweeps over all units from the positive phase (CD) or from `chains` (PCD; n_units × C,
/// advanced in place; empty chains start at V with hidden units 0, column j at V's column
/// j mod B). Phase v/h are the visible/hidden rows of the states. Throws InvalidArgument for
/// Method::pt (parallel tempering is implemented for RBMs only).
template <class T>
Phases<T> draw_phases(const BoltzmannMachine<T>& bm, const arma::Mat<T>& V, arma::Mat<T>& H,
                      const PhaseConfig& config, arma::Mat<T>& chains, Rng& rng);

/// All unit states of a Boltzmann machine's phase: the visible rows over the hidden rows
/// (n_units × B).
template <class T>
arma::Mat<T> unit_states(const Phase<T>& phase);

#define RBMKIT_PHASES_EXTERN(T)                                                                \
  extern template class PhaseWorkspace<T>;                                                     \
  extern template Phases<T> draw_phases(const Rbm<T>&, const arma::Mat<T>&, const PhaseConfig&, \
                                        arma::Mat<T>&, Rng&);                                  \
  extern template const Phases<T>& draw_phases(const Rbm<T>&, const arma::Mat<T>&,             \
                                               const PhaseConfig&, arma::Mat<T>&, Rng&,        \
                                               PhaseWorkspace<T>&);                            \
  extern template Phases<T> draw_phases(const BoltzmannMachine<T>&, const arma::Mat<T>&,       \
                                        arma::Mat<T>&, const PhaseConfig&, arma::Mat<T>&,      \
                                        Rng&);                                                 \
  extern template arma::Mat<T> unit_states(const Phase<T>&);
RBMKIT_PHASES_EXTERN(float)
RBMKIT_PHASES_EXTERN(double)
#undef RBMKIT_PHASES_EXTERN

}  // namespace rbmkit
