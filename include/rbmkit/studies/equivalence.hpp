#pragma once
/// The reward-correlation link, checked (SEED-NOTES §2, paper §4.2; docs/derivation.md).
///
/// 1. One minibatch: positive and negative samples are drawn once, and both the contrastive
///    update and the reward-correlator update are computed from the same samples — the
///    `rbmkit equiv` check, with an optional dump of the stream and both updates as CSV.
/// 2. The literal setup of §4.2 on small models: the model's own Gibbs chain generates (v, h);
///    rejection sampling selects positives whose v follow the data distribution (R = +1); an
///    independent coin of the same average rate selects negatives (R = −1), which follow the
///    model. The unnormalized reward correlator over this single stream converges to the exact
///    log-likelihood gradient, computed here by enumeration.
#include <armadillo>
#include <cstdint>
#include <string>
#include <vector>

#include "rbmkit/models/boltzmann.hpp"
#include "rbmkit/io/dataset.hpp"
#include "rbmkit/io/model_file.hpp"
#include "rbmkit/core/random.hpp"
#include "rbmkit/models/rbm.hpp"
#include "rbmkit/training/rbm_trainer.hpp"

namespace rbmkit {

/// Gradient statistics in double (float results convert exactly). For an RBM dW is
/// n_visible × n_hidden; for a BM it is n × n over all units (visible first).
struct Updates {
  arma::mat dW;
  arma::vec db;  ///< visible biases
  arma::vec dc;  ///< hidden biases
};

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
UpdateDifference max_abs_difference(const Updates& a, const Updates& b, std::size_t n_visible = 0);

/// Settings of one minibatch equivalence check.
struct EquivConfig {
  Method method = Method::cd;   ///< cd: chains start at the positive phase; pcd: at another
                                ///< random minibatch (a persistent chain's state)
  std::size_t k = 1;            ///< Gibbs steps (RBM) or sweeps per phase (BM)
  std::size_t batch = 100;      ///< positive samples = negative samples = batch
  Binarize binarize = Binarize::threshold;
  double threshold = 0.5;
};

/// One minibatch's stream and both updates computed from it.
struct EquivResult {
  MachineKind machine = MachineKind::rbm;
  std::size_t n_visible = 0;
  std::size_t n_hidden = 0;
  arma::rowvec reward;   ///< +1 (positive phase) then −1 (negative phase), one per sample
  arma::mat v;           ///< n_visible × N sampled visible states
  arma::mat h;           ///< n_hidden × N hidden values: P(h = 1 | v) for an RBM
                         ///< (Rao-Blackwellised, as the trainer uses them), binary states for a BM
  arma::mat mask;        ///< BM: the n × n connectivity mask; empty for an RBM
  Updates contrastive;   ///< ⟨·⟩₊ − ⟨·⟩₋ (contrastive_gradient / bm_contrastive_gradient)
  Updates correlator;    ///< Σ R·(·) / n₊ (reward_correlator_gradient / bm_reward_correlator_gradient)
  UpdateDifference difference;  ///< |contrastive − correlator|
};

/// Draws a random minibatch of `data`, runs the trainer's positive and negative phases for `rbm`
/// (RbmTrainer::step's sampling), and computes both updates from the same samples.
template <class T>
EquivResult rbm_equivalence(const Rbm<T>& rbm, const Dataset& data, const EquivConfig& config,
                            Rng& rng);
/// The same for a Boltzmann machine (BmTrainer::step's sampling, hidden states starting at 0).
template <class T>
EquivResult bm_equivalence(const BoltzmannMachine<T>& bm, const Dataset& data,
                           const EquivConfig& config, Rng& rng);

/// Writes `dir`/stream.csv (per sample: reward, n_visible visible states, n_hidden hidden values),
/// contrastive_{dW,db,dc}.csv and correlator_{dW,db,dc}.csv, and for a BM mask.csv; 17
/// significant digits. Creates `dir` if missing; throws OutputError naming the path.
void write_equivalence_dump(const std::string& dir, const EquivResult& result);

/// Settings of the literal §4.2 setup.
struct LiteralConfig {
  std::size_t pairs = 10000;     ///< stream length: positive–negative pairs to collect
  std::size_t burn_in = 1000;    ///< chain steps discarded before the stream starts
  double z = 5.0;                ///< the bound is z·sqrt(1 / (2·pairs)) (see LiteralCheckpoint)
  bool reject = true;            ///< false: positives are chosen by a coin that ignores v (a
                                 ///< negative control: they then follow the model, not the data)
  std::uint64_t max_chain_steps = 200000000;  ///< refuse runs whose expected length exceeds this
};

/// The stream's estimate against the exact gradient after `pairs` pairs.
struct LiteralCheckpoint {
  std::size_t pairs = 0;
  std::uint64_t chain_steps = 0;
  UpdateDifference error;  ///< |Σ R·(·)/n₊ − exact log-likelihood gradient|
  /// z·sqrt(1/(2·pairs)): each statistic lies in [0, 1], so a mean of `pairs` independent values
  /// has variance ≤ 1/(4·pairs), and the difference of the positive and negative means ≤
  /// 1/(2·pairs). Positives and negatives are sparse, random subsamples of the chain (one in M
  /// steps on average), so their autocorrelation is small.
  double bound = 0;
};

/// Result of the literal setup.
struct LiteralResult {
  double rejection_constant = 0;  ///< M = max_v p_data(v) / p_model(v), exact
  double acceptance_rate = 0;     ///< positives per chain step (→ 1/M)
  std::uint64_t chain_steps = 0;
  Updates exact;                  ///< exact log-likelihood gradient, by enumeration
  Updates estimate;               ///< the reward correlator over the whole stream
  std::vector<LiteralCheckpoint> checkpoints;  ///< at 100, 1000, … pairs and at the end
  bool centered_available = false;  ///< needs n_visible + n_hidden ≤ 20 (enumeration of all s)
  Updates centered_estimate;      ///< Σ R (s − sigm(a)) / n₊ (centered_correlator_gradient form)
  Updates centered_target;        ///< its exact expectation: M·∂E[R]/∂a (Theorem 1), by enumeration
};

/// The literal setup for an RBM (n_visible ≤ 16): block Gibbs chain, (v, h) binary samples.
/// `data` holds binary visible states, one example per column.
LiteralResult literal_rbm(const Rbm<double>& rbm, const arma::mat& data,
                          const LiteralConfig& config, Rng& rng);
/// The literal setup for a BM (n_visible ≤ 16, n_visible + n_hidden ≤ 20): sequential sweeps.
LiteralResult literal_bm(const BoltzmannMachine<double>& bm, const arma::mat& data,
                         const LiteralConfig& config, Rng& rng);

namespace detail {

/// Index of a binary visible vector: Σ_i v_i 2^i.
std::size_t visible_index(const double* v, std::size_t n_visible);
/// The empirical distribution of binary `data` (n_visible ≤ 16 rows) over all 2^n_visible
/// vectors; throws DataError if a value is not 0 or 1.
arma::vec data_distribution(const arma::mat& data);

/// Exact quantities of a small machine, by enumeration.
struct Exact {
  double log_z = 0;
  arma::vec p_visible;       ///< model marginal P(v) over all 2^n_visible vectors
  double mean_log_likelihood = 0;  ///< mean over `data` of log P(v)
  Updates ll_gradient;       ///< ⟨·⟩_data-clamped − ⟨·⟩_model: ∂ mean log P(v) / ∂θ
  bool has_centered = false;
  Updates centered_target;   ///< Σ_s (p̃(s) − p(s)) f_c(s), f_c the centered statistics
};
/// For an RBM with n_visible ≤ 16 (hidden units summed analytically); the centered target
/// only when `with_centered` and n_visible + n_hidden ≤ 20.
Exact exact_rbm(const Rbm<double>& rbm, const arma::mat& data, bool with_centered = false);
/// For a BM with n_visible ≤ 16 and n_visible + n_hidden ≤ 20 (all 2^n states enumerated).
/// ll_gradient.dW is n × n (zero outside the mask); centered target always computed.
Exact exact_bm(const BoltzmannMachine<double>& bm, const arma::mat& data);

}  // namespace detail

#define RBMKIT_EQUIVALENCE_EXTERN(T)                                                      \
  extern template EquivResult rbm_equivalence(const Rbm<T>&, const Dataset&,              \
                                              const EquivConfig&, Rng&);                  \
  extern template EquivResult bm_equivalence(const BoltzmannMachine<T>&, const Dataset&,  \
                                             const EquivConfig&, Rng&);
RBMKIT_EQUIVALENCE_EXTERN(float)
RBMKIT_EQUIVALENCE_EXTERN(double)
#undef RBMKIT_EQUIVALENCE_EXTERN

}  // namespace rbmkit
