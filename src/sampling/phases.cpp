#include "rbmkit/sampling/phases.hpp"

#include <string>

#include "rbmkit/core/error.hpp"
#include "rbmkit/sampling/sweeps.hpp"
#include "rbmkit/sampling/tempering.hpp"
#include "sampling/gibbs_steps.hpp"

namespace rbmkit {

namespace {

void check_steps(const PhaseConfig& config) {
  if (config.steps == 0) throw InvalidArgument("PhaseConfig::steps: must be at least 1, got 0");
}

/// Fills empty persistent chains (rows × C) from the minibatch's columns, cyclically.
template <class T>
void start_chains(arma::Mat<T>& chains, const arma::Mat<T>& V, std::size_t rows,
                  const PhaseConfig& config, std::size_t copies = 1) {
  if (chains.n_cols != 0) {
    if (chains.n_rows != rows)
      throw DimensionError("draw_phases: persistent chains have " + std::to_string(chains.n_rows) +
                           " rows, the model needs " + std::to_string(rows));
    return;
  }
  const std::size_t n = config.chains ? config.chains : V.n_cols;
  chains.zeros(rows, n * copies);
  for (std::size_t j = 0; j < n * copies; ++j) chains.col(j).head(V.n_rows) = V.col(j % n % V.n_cols);
}

}  // namespace

template <class T>
PhaseWorkspace<T>::PhaseWorkspace() : buffers_(std::make_unique<detail::ProductBuffers<T>>()) {}
template <class T>
PhaseWorkspace<T>::~PhaseWorkspace() = default;
template <class T>
PhaseWorkspace<T>::PhaseWorkspace(const PhaseWorkspace&) : PhaseWorkspace() {}
template <class T>
PhaseWorkspace<T>& PhaseWorkspace<T>::operator=(const PhaseWorkspace&) {
  transposed_kept_ = false;  // the buffers stay; what they hold is no longer known to be current
  return *this;
}
template <class T>
PhaseWorkspace<T>::PhaseWorkspace(PhaseWorkspace&&) noexcept = default;
template <class T>
void PhaseWorkspace<T>::keep_transposed_weights() {
  buffers_->wt_ready = true;
  transposed_kept_ = true;
}
template <class T>
PhaseWorkspace<T>& PhaseWorkspace<T>::operator=(PhaseWorkspace&&) noexcept = default;

template <class T>
const Phases<T>& draw_phases(const Rbm<T>& rbm, const arma::Mat<T>& V, const PhaseConfig& config,
                             arma::Mat<T>& chains, Rng& rng, PhaseWorkspace<T>& ws) {
  check_steps(config);
  if (V.n_rows != rbm.n_visible() || V.n_cols == 0)
    throw DimensionError("draw_phases: minibatch is " + std::to_string(V.n_rows) + " x " +
                         std::to_string(V.n_cols) + ", model has " +
                         std::to_string(rbm.n_visible()) + " visible units");
  detail::ProductBuffers<T>& buf = ws.buffers();
  // The parameters may have changed since the last call, unless the caller kept Wᵀ for this one
  // (of this model's shape).
  if (!ws.transposed_kept_ || buf.Wt.n_rows != rbm.n_hidden() || buf.Wt.n_cols != rbm.n_visible())
    buf.wt_ready = false;
  ws.transposed_kept_ = false;
  Phases<T>& p = ws.phases;
  p.positive.v = V;  // nothing to copy when V is p.positive.v (RbmStep::minibatch)
  const bool pcd = config.method == Method::pcd;
  // A view of the chains a PCD call left (below) is let go first: writes must not reach them.
  if (p.negative.v.mem_state != 0) p.negative.v.reset();
  if (pcd) start_chains(chains, V, rbm.n_visible(), config);
  // PCD: the positive phase's Wᵀ V and the chains' Wᵀ v in one pass, each slab of Wᵀ read once
  // for both when both take a sum tree (the bits of the two products in turn); the chains'
  // hidden input is then in buf.A.
  const bool together =
      pcd && rbm.visible_units() == UnitType::bernoulli &&
      detail::hidden_inputs_together(rbm.W(), rbm.c(), V, chains, p.positive.h, buf.A, buf);
  if (together)
    detail::sigmoid_sample_split(p.positive.h.memptr(), p.positive.h.n_rows, p.positive.h.n_cols,
                                 p.positive.h.memptr(), static_cast<T*>(nullptr),
                                 static_cast<const T*>(nullptr));
  else
    detail::hidden_mean(rbm, V, p.positive.h, buf);
  if (ws.after_positive) ws.after_positive(p.positive);
  if (config.method == Method::cd) {
    detail::gibbs_from_means(rbm, p.positive.h, config.steps, rng, buf, p.negative);
  } else if (config.method == Method::pt) {
    if (config.temperatures == 0)
      throw InvalidArgument("PhaseConfig::temperatures: must be at least 1, got 0");
    start_chains(chains, V, rbm.n_visible(), config, config.temperatures);
    p.negative = tempered_chain(rbm, tempering_betas(config.temperatures), chains, config.steps, rng);
  } else {
    // PCD: the new visible states are drawn straight into the chains' memory, which
    // p.negative.v views (arma's auxiliary memory): the chains' states are read, for their
    // hidden input, before the first visible state is drawn, so no copy of the chains is kept
    // or made (one n_visible × C matrix less: 612 KiB for 784 × 100 doubles).
    p.negative.v = arma::Mat<T>(chains.memptr(), chains.n_rows, chains.n_cols, false, false);
    if (together)
      detail::gibbs_from_hidden_input(rbm, config.steps, rng, buf, p.negative);
    else
      detail::gibbs_from_states(rbm, chains, config.steps, rng, buf, p.negative);
    // Gaussian units' states come in a new matrix (Rbm::sample_visible), which arma moves into
    // p.negative.v in place of the view (or, 16 values or fewer, copies into the view).
    if (p.negative.v.memptr() != chains.memptr()) chains = p.negative.v;
  }
  return p;
}

template <class T>
Phases<T> draw_phases(const Rbm<T>& rbm, const arma::Mat<T>& V, const PhaseConfig& config,
                      arma::Mat<T>& chains, Rng& rng) {
  PhaseWorkspace<T> ws;
  draw_phases(rbm, V, config, chains, rng, ws);
  Phases<T> out;
  out.positive = std::move(ws.phases.positive);
  out.negative.h = std::move(ws.phases.negative.h);
  out.negative.v = ws.phases.negative.v;  // a copy of its own, not a view of `chains` (PCD)
  return out;
}

template <class T>
Phases<T> draw_phases(const BoltzmannMachine<T>& bm, const arma::Mat<T>& V, arma::Mat<T>& H,
                      const PhaseConfig& config, arma::Mat<T>& chains, Rng& rng) {
  check_steps(config);
  if (config.method == Method::pt)
    throw InvalidArgument("draw_phases: parallel tempering (Method::pt) is implemented for RBMs "
                          "only, not for Boltzmann machines");
  const std::size_t nv = bm.n_visible(), nh = bm.n_hidden(), n = bm.n_units();
  if (V.n_rows != nv || V.n_cols == 0 || H.n_rows != nh || H.n_cols != V.n_cols)
    throw DimensionError("draw_phases: minibatch is " + std::to_string(V.n_rows) + " x " +
                         std::to_string(V.n_cols) + " with hidden states " +
                         std::to_string(H.n_rows) + " x " + std::to_string(H.n_cols) +
                         "; the machine has " + std::to_string(nv) + " visible and " +
                         std::to_string(nh) + " hidden units");
  // Positive phase: visible clamped, sweeps over the hidden units only.
  arma::Mat<T> S_pos(n, V.n_cols);
  S_pos.rows(0, nv - 1) = V;
  if (nh > 0) S_pos.rows(nv, n - 1) = H;
  gibbs_sweeps_clamped(bm, S_pos, config.steps, rng);
  // Negative phase: free-running sweeps.
  arma::Mat<T> S_neg;
  if (config.method == Method::cd) {
    S_neg = S_pos;
    gibbs_sweeps_free(bm, S_neg, config.steps, rng);
  } else {
    start_chains(chains, V, n, config);
    gibbs_sweeps_free(bm, chains, config.steps, rng);
    S_neg = chains;
  }
  if (nh > 0) H = S_pos.rows(nv, n - 1);
  auto split = [&](const arma::Mat<T>& S) {
    return Phase<T>{S.rows(0, nv - 1), nh > 0 ? arma::Mat<T>(S.rows(nv, n - 1))
                                              : arma::Mat<T>(0, S.n_cols)};
  };
  return {split(S_pos), split(S_neg)};
}

template <class T>
arma::Mat<T> unit_states(const Phase<T>& phase) {
  return arma::join_cols(phase.v, phase.h);
}

#define RBMKIT_PHASES_INSTANTIATE(T)                                                         \
  template class PhaseWorkspace<T>;                                                          \
  template const Phases<T>& draw_phases(const Rbm<T>&, const arma::Mat<T>&,                  \
                                        const PhaseConfig&, arma::Mat<T>&, Rng&,             \
                                        PhaseWorkspace<T>&);                                 \
  template Phases<T> draw_phases(const Rbm<T>&, const arma::Mat<T>&, const PhaseConfig&,     \
                                 arma::Mat<T>&, Rng&);                                       \
  template Phases<T> draw_phases(const BoltzmannMachine<T>&, const arma::Mat<T>&,            \
                                 arma::Mat<T>&, const PhaseConfig&, arma::Mat<T>&, Rng&);    \
  template arma::Mat<T> unit_states(const Phase<T>&);
RBMKIT_PHASES_INSTANTIATE(float)
RBMKIT_PHASES_INSTANTIATE(double)
#undef RBMKIT_PHASES_INSTANTIATE

}  // namespace rbmkit
