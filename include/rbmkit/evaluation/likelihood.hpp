#pragma once
/// The log-likelihood of a binary data set under a model, by the best affordable method, as one
/// report for RBMs and general Boltzmann machines.
///
/// A machine gives P(v) = exp(−F(v)) / Z, so the mean log-likelihood of a data set is
/// mean(−F(v)) − log Z in nats per example: everything hard is log Z = log Σ_v exp(−F(v)). For an
/// RBM it is exact by enumeration (exact.hpp) when the smaller layer is small, else estimated by
/// AIS, with reverse annealing to the same base components as a check from the other side
/// (ais.hpp): its estimate is reported as conservative only when it contradicts neither AIS nor
/// a certain bound from the RBM's modes, and is otherwise withheld with the reason. For a
/// general Boltzmann machine it is exact when every joint state can be enumerated, and not
/// available otherwise.
#include <armadillo>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

#include "rbmkit/core/enum_names.hpp"
#include "rbmkit/core/progress.hpp"
#include "rbmkit/core/random.hpp"
#include "rbmkit/evaluation/ais.hpp"
#include "rbmkit/evaluation/ais_base.hpp"
#include "rbmkit/evaluation/exact.hpp"
#include "rbmkit/io/dataset.hpp"
#include "rbmkit/models/boltzmann.hpp"
#include "rbmkit/models/rbm.hpp"

namespace rbmkit {

/// Mean of −F(v) over the first `max_examples` examples of `data` (all when 0), binarised by
/// `mode` (a stochastic binarisation draws from a generator seeded by `seed`); in double, nats.
/// Throws DimensionError when the data's dimension is not n_visible, DataError for no examples
/// or, with Binarize::none, data that is not binary.
template <class T>
double mean_neg_free_energy(const Rbm<T>& rbm, const Dataset& data, Binarize mode,
                            double threshold, std::size_t max_examples = 0,
                            std::uint64_t seed = 1);

/// How log Z is obtained; named "automatic", "exact" and "ais" (EnumNames).
enum class LikelihoodMethod {
  automatic,  ///< RBM: exact when enumeration_cost ≤ LikelihoodOptions::exact_budget, else AIS;
              ///< Boltzmann machine: exact
  exact,      ///< enumeration (exact.hpp)
  ais         ///< annealed importance sampling plus reverse annealing (RBMs only)
};
template <>
struct EnumNames<LikelihoodMethod> {
  static constexpr const char* type = "LikelihoodMethod";
  static constexpr std::pair<LikelihoodMethod, const char*> names[] = {
      {LikelihoodMethod::automatic, "automatic"},
      {LikelihoodMethod::exact, "exact"},
      {LikelihoodMethod::ais, "ais"}};
};

/// Settings of evaluate_likelihood. The function checks them and names the field at fault
/// ("LikelihoodOptions::ais_runs: must be at least 1, got 0").
struct LikelihoodOptions {
  LikelihoodMethod method = LikelihoodMethod::automatic;
  std::size_t ais_runs = default_ais_runs;    ///< forward AIS runs (≥ 1)
  std::size_t ais_betas = default_ais_betas;  ///< intermediate distributions (≥ 3, ais_schedule)
  /// Where the forward runs start: the base-rate model alone, or with the RBM's modes added
  /// (mode_mixture_base, the default). Reverse annealing ends at the same components, weighted
  /// by the share of Ẑ the forward runs from each carried (reweighted_base).
  AisBaseKind ais_base = AisBaseKind::modes;
  ModeBaseOptions modes;  ///< settings of the mode search (its binarisation is set from below)
  std::size_t reverse_examples = 100;  ///< examples annealed in reverse (evenly spaced); 0 = none
  std::size_t reverse_chains = 1;      ///< reverse runs per example (≥ 1)
  /// Most enumerated units: the smaller layer of an RBM, all units of a Boltzmann machine.
  std::size_t max_units = max_enumerated_units;
  /// Boltzmann machines with hidden–hidden weights: most hidden units −F(v) enumerates.
  std::size_t max_hidden = max_enumerated_hidden;
  double exact_budget = 1.1e9;  ///< enumeration_cost up to which `automatic` is exact (~0.2 s)
  std::size_t max_examples = 0;  ///< evaluate the first N examples (0 = all)
  Binarize binarize = Binarize::threshold;
  double threshold = 0.5;
  std::uint64_t seed = 1;  ///< for stochastic binarisation
  /// Told the progress of the mode search ("AIS mode search", also with the rate base), forward
  /// AIS ("AIS") and reverse annealing ("reverse AIS") as they run (progress.hpp); empty = no
  /// reports. Never changes the result.
  ProgressFn progress;
};

/// The log-likelihood of a data set and how it was obtained. Nats; per example.
struct LikelihoodReport {
  LikelihoodMethod method = LikelihoodMethod::exact;  ///< exact or ais, never automatic
  std::size_t examples = 0;
  double mean_neg_free_energy = 0;  ///< mean −F(v)
  LogZEstimate log_z;               ///< exact: stderr 0 and lower = upper = log_z
  double log_likelihood = 0;        ///< mean −F(v) − log Ẑ
  double log_likelihood_lower = 0;  ///< with log(Ẑ + 3σ̂); exact: = log_likelihood
  double log_likelihood_upper = 0;  ///< with log(Ẑ − 3σ̂) (+inf when that is not positive)
  bool has_reverse = false;         ///< reverse annealing was run (AIS only)
  double reverse_log_z = 0;         ///< ReverseAisEstimate::log_z_mean
  double reverse_log_z_stderr = 0;  ///< its standard error over the reverse examples
  double reverse_log_likelihood = 0;  ///< mean −F(v) − reverse_log_z
  std::size_t reverse_examples = 0;
  /// AIS only: log Σ_k p*(h_k) over the modes the mode search found (mode_log_z_floor), a
  /// certain lower bound on log Z, whichever base the runs started from; −inf without modes.
  double log_z_floor = 0;
  /// mean −F(v) − log_z_floor: a certain upper bound on the log-likelihood (AIS only).
  double log_likelihood_ceiling = 0;
  /// AIS fell short of the floor: even log(Ẑ + 3σ̂) < log_z_floor. The runs missed mass the
  /// mode search found, and the AIS log-likelihood is too high (try the modes base).
  bool ais_below_floor = false;
  /// The reverse estimate lies above the AIS estimate by more than 3 standard errors of their
  /// difference, √(σ̂²_AIS + σ̂²_reverse). Forward AIS underestimates log Z more often than not
  /// (E log Ẑ ≤ log Z), so its log-likelihood is, stochastically, an upper bound; a reverse
  /// estimate above it is above the truth too: its annealing model puts more mass on the data
  /// than the RBM does (ais.hpp), and it is not a conservative estimate for this model.
  bool reverse_above_ais = false;
  /// The reverse estimate lies above log_likelihood_ceiling: certainly not conservative.
  bool reverse_above_ceiling = false;
  /// The reverse estimate may be read as conservative: it was run, lies within noise of AIS or
  /// below it, and below the ceiling. Not a guarantee (ais.hpp): these are the contradictions
  /// that can be detected.
  bool has_conservative() const {
    return has_reverse && !reverse_above_ais && !reverse_above_ceiling;
  }
  AisBase base;  ///< the base the forward AIS runs started from (AIS only)
  double seconds = 0;
  /// Gaussian visible units: Σ_i log s_i of the model's standardisation (Standardization); the
  /// log-likelihoods above are log-densities of the standardised data, and
  /// log_likelihood − standardization_log_scale is the log-density in the data's own units
  /// (the values after the CSV scale's divisor). 0 for Bernoulli units.
  double standardization_log_scale = 0;
};

/// Mean log-likelihood of `data` under `rbm`: exact, or by AIS plus reverse annealing on evenly
/// spaced examples. The AIS base is built from `base_data` (usually the training data or `data`
/// itself): the base-rate model of its marginals (base_rate_biases) and, for
/// AisBaseKind::modes, the RBM's modes found from its examples (mode_mixture_base). AIS draws
/// from rng.split(0) (forward) and rng.split(1) (reverse); `rng` advances by one draw. Throws
/// InvalidArgument naming the field for bad options and naming the function when exact
/// enumeration is asked for and too large; DimensionError / DataError for unsuitable data.
template <class T>
LikelihoodReport evaluate_likelihood(const Rbm<T>& rbm, const Dataset& data,
                                     const Dataset& base_data, const LikelihoodOptions& options,
                                     Rng& rng);

/// "" when evaluate_likelihood can give the exact log-likelihood of `bm` (n_units ≤
/// options.max_units, and −F(v) computable: see free_energy_obstacle with options.max_hidden),
/// else one sentence saying why not and that AIS is for RBMs only, e.g. "a Boltzmann machine of
/// 820 units is beyond exact enumeration of log Z (at most 30 units); AIS is implemented for RBMs
/// only". Cheap (looks at sizes and the hidden–hidden block only): call it before training.
template <class T>
std::string exact_likelihood_obstacle(const BoltzmannMachine<T>& bm,
                                      const LikelihoodOptions& options = {});
/// exact_likelihood_obstacle(bm, options).empty().
template <class T>
bool exact_likelihood_feasible(const BoltzmannMachine<T>& bm,
                               const LikelihoodOptions& options = {});

/// Exact mean log-likelihood of the first options.max_examples examples of `data` (all when 0)
/// under a general Boltzmann machine, binarised by options.binarize (stochastic binarisation
/// seeded by options.seed): mean −F(v) (neg_free_energy) − log Z (exact_log_partition), the
/// same report as for an RBM with method exact. The held-out evaluation of a Boltzmann machine;
/// `rng` is not used (the evaluation is exact) and is taken for the same call as for an RBM.
/// Throws InvalidArgument naming the function when options.method is ais or
/// exact_likelihood_obstacle is not empty (its sentence is the message), DimensionError when the
/// data's dimension is not n_visible, DataError for no examples or, with Binarize::none, data
/// that is not binary.
template <class T>
LikelihoodReport evaluate_likelihood(const BoltzmannMachine<T>& bm, const Dataset& data,
                                     const LikelihoodOptions& options, Rng& rng);

#define RBMKIT_LIKELIHOOD_EXTERN(T)                                                              \
  extern template double mean_neg_free_energy(const Rbm<T>&, const Dataset&, Binarize, double,  \
                                              std::size_t, std::uint64_t);                      \
  extern template LikelihoodReport evaluate_likelihood(const Rbm<T>&, const Dataset&,          \
                                                       const Dataset&,                          \
                                                       const LikelihoodOptions&, Rng&);         \
  extern template std::string exact_likelihood_obstacle(const BoltzmannMachine<T>&,            \
                                                        const LikelihoodOptions&);              \
  extern template bool exact_likelihood_feasible(const BoltzmannMachine<T>&,                   \
                                                 const LikelihoodOptions&);                     \
  extern template LikelihoodReport evaluate_likelihood(const BoltzmannMachine<T>&,             \
                                                       const Dataset&,                          \
                                                       const LikelihoodOptions&, Rng&);
RBMKIT_LIKELIHOOD_EXTERN(float)
RBMKIT_LIKELIHOOD_EXTERN(double)
#undef RBMKIT_LIKELIHOOD_EXTERN

}  // namespace rbmkit
