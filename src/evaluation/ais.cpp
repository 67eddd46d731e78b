// Annealed importance sampling forward: the schedule of inverse temperatures and runs from the
// base mixture to the RBM (Salakhutdinov & Murray 2008, §4). The chains run in float through the
// annealing machinery of anneal.hpp; weights are double. Reverse annealing: reverse_ais.cpp.
#include "rbmkit/evaluation/ais.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "evaluation/anneal.hpp"
#include "rbmkit/core/error.hpp"
#include "rbmkit/core/parallel.hpp"

namespace rbmkit {

std::vector<double> ais_schedule(std::size_t n_intermediate) {
  if (n_intermediate < 3)
    throw InvalidArgument("ais_schedule: at least 3 intermediate distributions are needed, got " +
                          std::to_string(n_intermediate));
  // Steps over [0, .5], [.5, .9], [.9, 1] in proportion 1 : 8 : 20 (500 : 4000 : 10000).
  std::size_t n1 = std::max<std::size_t>(1, std::size_t(std::llround(double(n_intermediate) / 29)));
  std::size_t n2 =
      std::max<std::size_t>(1, std::size_t(std::llround(double(n_intermediate) * 8 / 29)));
  while (n1 + n2 >= n_intermediate) (n2 > 1 ? n2 : n1)--;
  const std::size_t n3 = n_intermediate - n1 - n2;
  std::vector<double> betas;
  betas.reserve(n_intermediate + 1);
  for (std::size_t i = 0; i < n1; ++i) betas.push_back(0.5 * double(i) / double(n1));
  for (std::size_t i = 0; i < n2; ++i) betas.push_back(0.5 + 0.4 * double(i) / double(n2));
  for (std::size_t i = 0; i < n3; ++i) betas.push_back(0.9 + 0.1 * double(i) / double(n3));
  betas.push_back(1.0);
  return betas;
}

template <class T>
LogZEstimate ais_log_partition(const Rbm<T>& rbm, const arma::vec& base_biases, std::size_t runs,
                               const std::vector<double>& betas, Rng& rng) {
  const AisBase base =
      detail::checked_base_rate_base(base_biases, rbm.n_visible(), "ais_log_partition");
  return ais_log_partition(rbm, base, runs, betas, rng);
}

template <class T>
LogZEstimate ais_log_partition(const Rbm<T>& rbm, const AisBase& base, std::size_t runs,
                               const std::vector<double>& betas, Rng& rng,
                               const ProgressFn& progress) {
  if (runs == 0) throw InvalidArgument("ais_log_partition: at least one run is needed");
  detail::check_schedule(betas, "ais_log_partition");
  const detail::AnnealModel M(rbm, base, "ais_log_partition");
  const std::size_t K = betas.size() - 1;

  arma::vec log_w(runs, arma::fill::zeros);
  arma::uvec start(runs, arma::fill::zeros);
  parallel_for(runs, [&](std::size_t begin, std::size_t end, int) {
    std::vector<Rng> streams;
    for (std::size_t r = begin; r < end; ++r) streams.push_back(rng.split(r));
    detail::ChainGroup g(M, std::move(streams));
    // (z, v₁) ~ p₀, the base mixture.
    for (std::size_t r = 0; r < g.n; ++r) {
      g.sample_base(r);
      start[begin + r] = g.z[r];
    }
    std::vector<double> lw(g.n, 0.0);
    for (std::size_t k = 1; k <= K; ++k) {
      // log w += log p*_k(v_k) − log p*_{k−1}(v_k); then v_{k+1} ~ T_k(· | v_k).
      g.hidden_inputs();
      const double dbeta = betas[k] - betas[k - 1];
      for (std::size_t r = 0; r < g.n; ++r) {
        lw[r] += dbeta * g.vdot[r] + g.hidden_step(r, betas[k], betas[k - 1]);
        if (k < K) g.sample_hidden(r);
      }
      if (k < K) g.sample_visible(betas[k]);
      // The first chunk reports for all: every chunk advances through the same K steps.
      if (progress && begin == 0) progress("AIS", k, K);
    }
    for (std::size_t r = 0; r < g.n; ++r) log_w[begin + r] = lw[r];
  });
  rng.next();

  LogZEstimate est;
  est.runs = runs;
  est.intermediate = K;
  est.base_log_z = M.base_log_z;
  est.log_weights = log_w;
  est.start_components = start;
  const double m = log_w.max();
  const arma::vec w = arma::exp(log_w - m);  // scaled weights, max 1
  const double mean = arma::mean(w);
  const double se = runs > 1 ? arma::stddev(w) / std::sqrt(double(runs)) : 0.0;
  est.log_z = M.base_log_z + m + std::log(mean);
  est.log_z_stderr = se / mean;
  est.log_z_upper = M.base_log_z + m + std::log(mean + 3 * se);
  est.log_z_lower = mean - 3 * se > 0 ? M.base_log_z + m + std::log(mean - 3 * se)
                                      : -std::numeric_limits<double>::infinity();
  return est;
}

#define RBMKIT_AIS_INSTANTIATE(T)                                                                \
  template LogZEstimate ais_log_partition(const Rbm<T>&, const arma::vec&, std::size_t,        \
                                          const std::vector<double>&, Rng&);                   \
  template LogZEstimate ais_log_partition(const Rbm<T>&, const AisBase&, std::size_t,          \
                                          const std::vector<double>&, Rng&, const ProgressFn&);
RBMKIT_AIS_INSTANTIATE(float)
RBMKIT_AIS_INSTANTIATE(double)
#undef RBMKIT_AIS_INSTANTIATE

}  // namespace rbmkit
