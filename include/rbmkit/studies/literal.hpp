#pragma once
/// The literal setup of Bengio (2013), §4.2, on small models: the model's own Gibbs chain
/// generates (v, h); rejection sampling selects positives whose v follow the data distribution
/// (R = +1); an independent coin of the same average rate selects negatives (R = −1), which follow
/// the model. The unnormalized reward correlator over this single stream converges to the exact
/// log-likelihood gradient, computed by enumeration (evaluation/exact.hpp).
#include <armadillo>
#include <cstdint>
#include <vector>

#include "rbmkit/core/random.hpp"
#include "rbmkit/models/boltzmann.hpp"
#include "rbmkit/models/rbm.hpp"
#include "rbmkit/studies/equivalence.hpp"
#include "rbmkit/training/statistics.hpp"

namespace rbmkit {

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
  Statistics<double> exact;                  ///< exact log-likelihood gradient, by enumeration
  Statistics<double> estimate;               ///< the reward correlator over the whole stream
  std::vector<LiteralCheckpoint> checkpoints;  ///< at 100, 1000, … pairs and at the end
  bool centered_available = false;  ///< needs n_visible + n_hidden ≤ 20 (enumeration of all s)
  Statistics<double> centered_estimate;      ///< Σ R (s − sigm(a)) / n₊ (centered_correlator_gradient form)
  Statistics<double> centered_target;        ///< its exact expectation: M·∂E[R]/∂a (Theorem 1), by enumeration
};

/// The literal setup for an RBM (n_visible ≤ 16): block Gibbs chain, (v, h) binary samples.
/// `data` holds binary visible states, one example per column (n_visible × examples). Throws
/// InvalidArgument naming the LiteralConfig field for no pairs or a z that is not positive, and
/// naming the function when the expected chain length exceeds max_chain_steps; the errors of
/// exact_rbm for too many units or data that is not binary.
LiteralResult literal_rbm(const Rbm<double>& rbm, const arma::mat& data,
                          const LiteralConfig& config, Rng& rng);
/// The literal setup for a BM (n_visible ≤ 16, n_visible + n_hidden ≤ 20): sequential sweeps.
/// Throws as literal_rbm (with the errors of exact_bm).
LiteralResult literal_bm(const BoltzmannMachine<double>& bm, const arma::mat& data,
                         const LiteralConfig& config, Rng& rng);

}  // namespace rbmkit
