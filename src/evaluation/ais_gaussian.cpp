// AIS for an RBM with Gaussian visible units: from the model's own visible Gaussians (no
// weights, no hidden biases) to the model.
#include <cmath>
#include <limits>
#include <vector>

#include "evaluation/anneal.hpp"
#include "rbmkit/core/error.hpp"
#include "rbmkit/core/math.hpp"
#include "rbmkit/core/parallel.hpp"
#include "rbmkit/evaluation/ais.hpp"

namespace rbmkit {

template <class T>
LogZEstimate gaussian_ais_log_partition(const Rbm<T>& model, std::size_t runs,
                                        const std::vector<double>& betas, Rng& rng,
                                        const ProgressFn& progress) {
  const char* who = "gaussian_ais_log_partition";
  if (model.visible_units() != UnitType::gaussian)
    throw InvalidArgument(std::string(who) + ": the RBM's visible units are not Gaussian");
  if (runs == 0) throw InvalidArgument(std::string(who) + ": at least one run is needed");
  detail::check_schedule(betas, who);
  const std::size_t nv = model.n_visible(), nh = model.n_hidden();
  if (nv == 0 || nh == 0) throw InvalidArgument(std::string(who) + ": the model has no units");
  const Rbm<double> r = model.template cast<double>();
  if (!r.W().is_finite() || !r.b().is_finite() || !r.c().is_finite() || !r.z().is_finite())
    throw InvalidArgument(std::string(who) + ": the model has non-finite parameters");
  const arma::vec sd = arma::exp(r.z() / 2), precision = arma::exp(-r.z());
  // The base p_0(v, h) ∝ exp(−Σ_i (v_i − b_i)² / (2σ_i²)): Z_0 = 2^nh Π_i √(2πσ_i²).
  const double base_log_z =
      double(nh) * std::log(2.0) + 0.5 * arma::accu(std::log(2 * arma::datum::pi) + r.z());
  const std::size_t K = betas.size() - 1;
  arma::vec log_w(runs, arma::fill::zeros);
  parallel_for(runs, [&](std::size_t begin, std::size_t end, int) {
    const std::size_t n = end - begin;
    std::vector<Rng> streams;
    for (std::size_t k = begin; k < end; ++k) streams.push_back(rng.split(k));
    // v ~ p_0: the model's visible Gaussians N(b, σ²), one column per run.
    arma::mat V(nv, n), H(nh, n);
    for (std::size_t j = 0; j < n; ++j)
      for (std::size_t i = 0; i < nv; ++i) V(i, j) = r.b()[i] + sd[i] * streams[j].normal();
    std::vector<double> lw(n, 0.0);
    for (std::size_t k = 1; k <= K; ++k) {
      // p*_β(v) = exp(−Σ_i (v_i − b_i)²/(2σ_i²)) Π_j (1 + exp(β a_j(v))), a = c + Wᵀ(v/σ²):
      // log w += Σ_j softplus(β_k a_j) − softplus(β_{k−1} a_j).
      arma::mat A = r.W().t() * (V.each_col() % precision);
      A.each_col() += r.c();
      for (std::size_t j = 0; j < n; ++j) {
        double s = 0;
        for (std::size_t h = 0; h < nh; ++h)
          s += softplus(betas[k] * A(h, j)) - softplus(betas[k - 1] * A(h, j));
        lw[j] += s;
      }
      if (k == K) break;
      // The transition of p_β_k: h ~ sigm(β a(v)), then v ~ N(b + β W h, σ²).
      for (std::size_t j = 0; j < n; ++j)
        for (std::size_t h = 0; h < nh; ++h)
          H(h, j) = streams[j].uniform() < 1.0 / (1.0 + std::exp(-betas[k] * A(h, j))) ? 1.0 : 0.0;
      V = betas[k] * (r.W() * H);
      V.each_col() += r.b();
      for (std::size_t j = 0; j < n; ++j)
        for (std::size_t i = 0; i < nv; ++i) V(i, j) += sd[i] * streams[j].normal();
      if (progress && begin == 0) progress("AIS", k, K);
    }
    for (std::size_t j = 0; j < n; ++j) log_w[begin + j] = lw[j];
  });
  rng.next();
  LogZEstimate est;
  est.runs = runs;
  est.intermediate = K;
  est.base_log_z = base_log_z;
  est.log_weights = log_w;
  est.start_components.zeros(runs);
  const double m = log_w.max();
  const arma::vec w = arma::exp(log_w - m);
  const double mean = arma::mean(w);
  const double se = runs > 1 ? arma::stddev(w) / std::sqrt(double(runs)) : 0.0;
  est.log_z = base_log_z + m + std::log(mean);
  est.log_z_stderr = se / mean;
  est.log_z_upper = base_log_z + m + std::log(mean + 3 * se);
  est.log_z_lower = mean - 3 * se > 0 ? base_log_z + m + std::log(mean - 3 * se)
                                      : -std::numeric_limits<double>::infinity();
  return est;
}

template LogZEstimate gaussian_ais_log_partition(const Rbm<float>&, std::size_t,
                                                 const std::vector<double>&, Rng&,
                                                 const ProgressFn&);
template LogZEstimate gaussian_ais_log_partition(const Rbm<double>&, std::size_t,
                                                 const std::vector<double>&, Rng&,
                                                 const ProgressFn&);

}  // namespace rbmkit
