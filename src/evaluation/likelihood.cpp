// A data set's log-likelihood by the best affordable method: one report for RBMs and Boltzmann
// machines.
#include "rbmkit/evaluation/likelihood.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <vector>

#include "evaluation/batches.hpp"
#include "rbmkit/core/error.hpp"

namespace rbmkit {

namespace detail {

void check_data_dim(std::size_t n_visible, const Dataset& data, const char* who) {
  if (data.dim() != n_visible)
    throw DimensionError(std::string(who) + ": " + data.source + " has " +
                         std::to_string(data.dim()) + " dimensions, the model " +
                         std::to_string(n_visible) + " visible units");
}

void require_binary_data(const Dataset& data, Binarize mode, std::size_t n, const char* who) {
  if (mode != Binarize::none) return;
  for (std::size_t j = 0; j < n; ++j)
    for (std::size_t i = 0; i < data.dim(); ++i) {
      const double x = data.value(i, j);
      if (x != 0 && x != 1)
        throw DataError(std::string(who) + "(" + data.source +
                        "): log-likelihood needs binary data; the data is not binary "
                        "(binarize it by threshold or stochastically)");
    }
}

}  // namespace detail

namespace {

/// The examples evaluate_likelihood and mean_neg_free_energy use, after checking the data.
std::size_t checked_examples(std::size_t n_visible, const Dataset& data,
                             std::size_t max_examples, Binarize mode, const char* who) {
  detail::check_data_dim(n_visible, data, who);
  const std::size_t n = detail::examples_used(data, max_examples);
  if (n == 0) throw DataError(std::string(who) + ": " + data.source + " has no examples");
  detail::require_binary_data(data, mode, n, who);
  return n;
}

void require_at_least(std::size_t value, std::size_t least, const char* field) {
  if (value < least)
    throw InvalidArgument(std::string("LikelihoodOptions::") + field + ": must be at least " +
                          std::to_string(least) + ", got " + std::to_string(value));
}

/// An exact log Z as an estimate: no standard error, the band collapsed onto the value.
LogZEstimate exact_estimate(double log_z) {
  LogZEstimate e;
  e.log_z = e.log_z_lower = e.log_z_upper = log_z;
  return e;
}

/// Fills the log-likelihood and its band from mean_neg_free_energy and log_z; stamps the time.
void finish(LikelihoodReport& rep, std::chrono::steady_clock::time_point t0) {
  rep.log_likelihood = rep.mean_neg_free_energy - rep.log_z.log_z;
  rep.log_likelihood_lower = rep.mean_neg_free_energy - rep.log_z.log_z_upper;
  rep.log_likelihood_upper = std::isfinite(rep.log_z.log_z_lower)
                                 ? rep.mean_neg_free_energy - rep.log_z.log_z_lower
                                 : std::numeric_limits<double>::infinity();
  rep.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

template <class T>
double mean_neg_free_energy(const Rbm<T>& rbm, const Dataset& data, Binarize mode,
                            double threshold, std::size_t max_examples, std::uint64_t seed) {
  if (rbm.visible_units() == UnitType::gaussian) {
    // Real values, standardised as the model's training data: −F(v) is a log-density.
    detail::check_data_dim(rbm.n_visible(), data, "mean_neg_free_energy");
    const std::size_t n = detail::examples_used(data, max_examples);
    if (n == 0) throw DataError("mean_neg_free_energy: " + data.source + " has no examples");
    const Dataset view = standardized_view(data, rbm.standardization());
    const Rbm<double> r = rbm.template cast<double>();
    double s = 0;
    detail::for_each_batch<double>(view, n, Binarize::none, threshold, seed,
                                   [&](const arma::mat& V) { s -= arma::accu(r.free_energy(V)); });
    return s / double(n);
  }
  const std::size_t n =
      checked_examples(rbm.n_visible(), data, max_examples, mode, "mean_neg_free_energy");
  const Rbm<double> r = rbm.template cast<double>();
  double s = 0;
  detail::for_each_batch<double>(data, n, mode, threshold, seed,
                                 [&](const arma::mat& V) { s -= arma::accu(r.free_energy(V)); });
  return s / double(n);
}

template <class T>
LikelihoodReport evaluate_likelihood(const Rbm<T>& rbm, const Dataset& data,
                                     const Dataset& base_data, const LikelihoodOptions& o,
                                     Rng& rng) {
  const auto t0 = std::chrono::steady_clock::now();
  detail::check_data_dim(rbm.n_visible(), data, "evaluate_likelihood");
  LikelihoodReport rep;
  rep.examples = detail::examples_used(data, o.max_examples);
  rep.method = o.method;
  if (rbm.visible_units() == UnitType::gaussian) {
    rep.standardization_log_scale = rbm.standardization().log_scale();
    if (rep.method == LikelihoodMethod::automatic)
      rep.method = rbm.n_hidden() <= o.max_units &&
                           std::ldexp(double(rbm.n_visible() + 8), int(rbm.n_hidden())) <=
                               o.exact_budget
                       ? LikelihoodMethod::exact
                       : LikelihoodMethod::ais;
    if (rep.method == LikelihoodMethod::ais) {
      // AIS from the model's own visible Gaussians (gaussian_ais_log_partition); no mode search
      // and no reverse runs for these units.
      require_at_least(o.ais_runs, 1, "ais_runs");
      require_at_least(o.ais_betas, 3, "ais_betas");
      rep.mean_neg_free_energy =
          mean_neg_free_energy(rbm, data, Binarize::none, o.threshold, o.max_examples, o.seed);
      Rng forward = rng.split(0);
      rng.next();
      rep.log_z = gaussian_ais_log_partition(rbm, o.ais_runs, ais_schedule(o.ais_betas), forward,
                                             o.progress);
      rep.log_z_floor = -std::numeric_limits<double>::infinity();
      rep.log_likelihood_ceiling = std::numeric_limits<double>::infinity();
      finish(rep, t0);
      return rep;
    }
  }
  if (rep.method == LikelihoodMethod::automatic)
    rep.method = enumeration_cost(rbm.n_visible(), rbm.n_hidden()) <= o.exact_budget &&
                         std::min(rbm.n_visible(), rbm.n_hidden()) <= o.max_units
                     ? LikelihoodMethod::exact
                     : LikelihoodMethod::ais;
  if (rep.method == LikelihoodMethod::ais) {
    require_at_least(o.ais_runs, 1, "ais_runs");
    require_at_least(o.ais_betas, 3, "ais_betas");
    if (o.reverse_examples > 0) require_at_least(o.reverse_chains, 1, "reverse_chains");
  }
  rep.mean_neg_free_energy =
      mean_neg_free_energy(rbm, data, o.binarize, o.threshold, o.max_examples, o.seed);
  if (rep.method == LikelihoodMethod::exact) {
    rep.log_z = exact_estimate(exact_log_partition(rbm, o.max_units));
  } else {
    const std::vector<double> betas = ais_schedule(o.ais_betas);
    Rng forward = rng.split(0), backward = rng.split(1);
    rng.next();
    detail::check_data_dim(rbm.n_visible(), base_data, "evaluate_likelihood");
    const arma::vec base_biases = base_rate_biases(base_data, o.binarize, o.threshold);
    // The mode search runs for either base: its modes give the certain floor under log Z that
    // both estimates are checked against.
    ModeBaseOptions mo = o.modes;
    mo.binarize = o.binarize;
    mo.threshold = o.threshold;
    mo.progress = o.progress;
    const AisBase modes = mode_mixture_base(rbm, base_data, base_biases, mo);
    rep.log_z_floor = mode_log_z_floor(rbm, modes);
    rep.log_likelihood_ceiling = rep.mean_neg_free_energy - rep.log_z_floor;
    rep.base = o.ais_base == AisBaseKind::modes ? modes : base_rate_base(base_biases);
    rep.log_z = ais_log_partition(rbm, rep.base, o.ais_runs, betas, forward, o.progress);
    rep.ais_below_floor = rep.log_z.log_z_upper < rep.log_z_floor;
    const std::size_t ne = std::min(o.reverse_examples, rep.examples);
    if (ne > 0) {
      // Evenly spaced examples, binarised as the data set.
      arma::uvec idx(ne);
      for (std::size_t e = 0; e < ne; ++e) idx[e] = e * rep.examples / ne;
      Rng brng(o.seed);
      const arma::Mat<T> V = make_batch<T>(data, idx, 0, ne, o.binarize, o.threshold, brng);
      // The forward base's components, weighted by the share of Ẑ the runs from each carried:
      // the annealing model then holds about the mass the RBM has in each mode (ais.hpp).
      const AisBase reverse_base =
          reweighted_base(rep.base, rep.log_z.start_components, rep.log_z.log_weights);
      const ReverseAisEstimate rev =
          reverse_ais(rbm, reverse_base, V, o.reverse_chains, betas, backward, o.progress);
      rep.has_reverse = true;
      rep.reverse_examples = ne;
      rep.reverse_log_z = rev.log_z_mean;
      rep.reverse_log_z_stderr = rev.log_z_stderr;
      rep.reverse_log_likelihood = rep.mean_neg_free_energy - rev.log_z_mean;
      const double noise = std::hypot(rep.log_z.log_z_stderr, rev.log_z_stderr);
      rep.reverse_above_ais = rep.log_z.log_z - rev.log_z_mean > 3 * noise;
      rep.reverse_above_ceiling = rev.log_z_mean < rep.log_z_floor;
    }
  }
  finish(rep, t0);
  return rep;
}

template <class T>
std::string exact_likelihood_obstacle(const BoltzmannMachine<T>& bm, const LikelihoodOptions& o) {
  const std::size_t n = bm.n_units(), limit = std::min<std::size_t>(o.max_units, 62);
  const std::string why =
      n > limit ? "a Boltzmann machine of " + std::to_string(n) +
                      " units is beyond exact enumeration of log Z (at most " +
                      std::to_string(limit) + " units)"
                : free_energy_obstacle(bm, o.max_hidden);
  return why.empty() ? why : why + "; AIS is implemented for RBMs only";
}

template <class T>
bool exact_likelihood_feasible(const BoltzmannMachine<T>& bm, const LikelihoodOptions& o) {
  return exact_likelihood_obstacle(bm, o).empty();
}

template <class T>
LikelihoodReport evaluate_likelihood(const BoltzmannMachine<T>& bm, const Dataset& data,
                                     const LikelihoodOptions& o, Rng& /*rng*/) {
  const auto t0 = std::chrono::steady_clock::now();
  if (o.method == LikelihoodMethod::ais)
    throw InvalidArgument("evaluate_likelihood: AIS is implemented for RBMs only; a Boltzmann "
                          "machine is evaluated by exact enumeration (LikelihoodOptions::method)");
  const std::size_t n =
      checked_examples(bm.n_visible(), data, o.max_examples, o.binarize, "evaluate_likelihood");
  const std::string obstacle = exact_likelihood_obstacle(bm, o);
  if (!obstacle.empty()) throw InvalidArgument("evaluate_likelihood: " + obstacle);
  LikelihoodReport rep;
  rep.method = LikelihoodMethod::exact;
  rep.examples = n;
  rep.log_z = exact_estimate(exact_log_partition(bm, o.max_units));
  double s = 0;
  detail::for_each_batch<double>(data, n, o.binarize, o.threshold, o.seed, [&](const arma::mat& V) {
    s += arma::accu(neg_free_energy(bm, V, o.max_hidden));
  });
  rep.mean_neg_free_energy = s / double(n);
  finish(rep, t0);
  return rep;
}

#define RBMKIT_LIKELIHOOD_INSTANTIATE(T)                                                        \
  template double mean_neg_free_energy(const Rbm<T>&, const Dataset&, Binarize, double,        \
                                       std::size_t, std::uint64_t);                            \
  template LikelihoodReport evaluate_likelihood(const Rbm<T>&, const Dataset&,                 \
                                                const Dataset&, const LikelihoodOptions&,       \
                                                Rng&);                                          \
  template std::string exact_likelihood_obstacle(const BoltzmannMachine<T>&,                   \
                                                 const LikelihoodOptions&);                     \
  template bool exact_likelihood_feasible(const BoltzmannMachine<T>&, const LikelihoodOptions&); \
  template LikelihoodReport evaluate_likelihood(const BoltzmannMachine<T>&, const Dataset&,    \
                                                const LikelihoodOptions&, Rng&);
RBMKIT_LIKELIHOOD_INSTANTIATE(float)
RBMKIT_LIKELIHOOD_INSTANTIATE(double)

}  // namespace rbmkit
