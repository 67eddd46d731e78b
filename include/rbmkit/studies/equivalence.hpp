#pragma once
/// The reward-correlation link, checked (SEED-NOTES §2, paper §4.2; docs/derivation.md).
///
/// 1. One minibatch: positive and negative samples are drawn once, and both the contrastive
///    update and the reward-correlator update are computed from the same samples — the
///    `rbmkit equiv` check, with an optional dump of the stream and both updates as CSV.
/// 2. The literal setup of §4.2 on small models (literal.hpp), which reports its error with
///    UpdateDifference and max_abs_difference from here.
#include <armadillo>
#include <cstdint>
#include <string>
#include <vector>

#include "rbmkit/core/random.hpp"
#include "rbmkit/io/dataset.hpp"
#include "rbmkit/io/model_file.hpp"
#include "rbmkit/models/boltzmann.hpp"
#include "rbmkit/models/rbm.hpp"
#include "rbmkit/sampling/phases.hpp"
#include "rbmkit/training/statistics.hpp"

namespace rbmkit {

/// Largest absolute differences between two updates, by parameter group.
struct UpdateDifference {
  double visible_bias = 0;
  double hidden_bias = 0;
  double weights = 0;        ///< all weights
  double weights_vv = 0;     ///< BM blocks (0 for an RBM)
  double weights_vh = 0;
  double weights_hh = 0;
  /// The largest of the three groups.
  double max() const;
};
/// max |a − b| per group; `n_visible` splits a BM's n × n weights into blocks (pass 0 for an RBM).
/// Throws DimensionError naming the function when a and b differ in shape.
UpdateDifference max_abs_difference(const Statistics<double>& a, const Statistics<double>& b,
                                    std::size_t n_visible = 0);

/// Settings of one minibatch equivalence check.
struct EquivConfig {
  Method method = Method::cd;   ///< cd: chains start at the positive phase (exactly the
                                ///< trainer's first minibatch); pcd: at the next `batch`
                                ///< examples of the order (a persistent chain's state)
                                ///< pt (RBM): tempered chains, every temperature
                                ///< starting where pcd's chains start
  std::size_t k = 1;            ///< Gibbs steps (RBM) or sweeps per phase (BM)
  std::size_t temperatures = 20;  ///< pt only: inverse temperatures per chain
  std::size_t batch = 100;      ///< positive samples = negative samples = batch
  Binarize binarize = Binarize::threshold;
  double threshold = 0.5;
};

/// One minibatch's stream and both updates computed from it.
struct EquivResult {
  MachineKind machine = MachineKind::rbm;
  ElementType precision = ElementType::float64;  ///< the element type both updates were computed in
  std::size_t n_visible = 0;
  std::size_t n_hidden = 0;
  arma::rowvec reward;   ///< +1 (positive phase) then −1 (negative phase), one per sample
  arma::mat v;           ///< n_visible × N sampled visible states
  arma::mat h;           ///< n_hidden × N hidden values: P(h = 1 | v) for an RBM
                         ///< (Rao-Blackwellised, as the trainer uses them), binary states for a BM
  arma::mat mask;        ///< BM: the n × n connectivity mask; empty for an RBM
  Statistics<double> contrastive;   ///< ⟨·⟩₊ − ⟨·⟩₋ (contrastive_gradient / bm_contrastive_gradient)
  Statistics<double> correlator;    ///< Σ R·(·) / n₊ (reward_correlator_gradient / bm_reward_correlator_gradient)
  UpdateDifference difference;  ///< |contrastive − correlator|
};

/// Draws the training engine's first minibatch of `data` (epoch_order, make_batch) and its phases
/// with the engine's own draw_phases, and computes both updates from the same samples.
template <class T>
EquivResult rbm_equivalence(const Rbm<T>& rbm, const Dataset& data, const EquivConfig& config,
                            Rng& rng);
/// The same for a Boltzmann machine (hidden states starting at 0, as in a fresh run).
template <class T>
EquivResult bm_equivalence(const BoltzmannMachine<T>& bm, const Dataset& data,
                           const EquivConfig& config, Rng& rng);

/// Writes `dir`/stream.csv (per sample: reward, n_visible visible states, n_hidden hidden values),
/// contrastive_{dW,db,dc}.csv and correlator_{dW,db,dc}.csv, and for a BM mask.csv; 17
/// significant digits; and precision.txt, one line "float" or "double" (the precision of the
/// computation, which sets how closely a recomputation from stream.csv can agree). Creates `dir`
/// if missing; throws OutputError naming the path.
void write_equivalence_dump(const std::string& dir, const EquivResult& result);

#define RBMKIT_EQUIVALENCE_EXTERN(T)                                                      \
  extern template EquivResult rbm_equivalence(const Rbm<T>&, const Dataset&,              \
                                              const EquivConfig&, Rng&);                  \
  extern template EquivResult bm_equivalence(const BoltzmannMachine<T>&, const Dataset&,  \
                                             const EquivConfig&, Rng&);
RBMKIT_EQUIVALENCE_EXTERN(float)
RBMKIT_EQUIVALENCE_EXTERN(double)
#undef RBMKIT_EQUIVALENCE_EXTERN

}  // namespace rbmkit
