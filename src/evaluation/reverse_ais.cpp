// Reverse annealing from data (RAISE, Burda, Grosse & Salakhutdinov 2015): chains start at an
// example under the RBM and anneal down to the base of forward AIS through its transitions
// (anneal.hpp), giving an estimate of the example's probability under the annealing model.
#include <cmath>
#include <string>

#include "evaluation/anneal.hpp"
#include "rbmkit/core/error.hpp"
#include "rbmkit/core/parallel.hpp"
#include "rbmkit/evaluation/ais.hpp"

namespace rbmkit {

namespace {

double log_mean_exp(const arma::vec& x) {
  const double m = x.max();
  if (!std::isfinite(m)) return m;
  return m + std::log(arma::mean(arma::exp(x - m)));
}

}  // namespace

template <class T>
ReverseAisEstimate reverse_ais(const Rbm<T>& rbm, const arma::vec& base_biases,
                               const arma::Mat<T>& V, std::size_t chains,
                               const std::vector<double>& betas, Rng& rng) {
  const AisBase base = detail::checked_base_rate_base(base_biases, rbm.n_visible(), "reverse_ais");
  return reverse_ais(rbm, base, V, chains, betas, rng);
}

template <class T>
ReverseAisEstimate reverse_ais(const Rbm<T>& rbm, const AisBase& base, const arma::Mat<T>& V,
                               std::size_t chains, const std::vector<double>& betas, Rng& rng,
                               const ProgressFn& progress) {
  if (chains == 0) throw InvalidArgument("reverse_ais: at least one chain per example is needed");
  if (V.n_cols == 0) throw InvalidArgument("reverse_ais: no examples");
  if (V.n_rows != rbm.n_visible())
    throw DimensionError("reverse_ais: examples have " + std::to_string(V.n_rows) +
                         " dimensions, the model " + std::to_string(rbm.n_visible()) +
                         " visible units");
  for (arma::uword i = 0; i < V.n_elem; ++i)
    if (V[i] != T(0) && V[i] != T(1))
      throw InvalidArgument("reverse_ais: the examples must be binary");
  detail::check_schedule(betas, "reverse_ais");
  const detail::AnnealModel M(rbm, base, "reverse_ais");
  const std::size_t K = betas.size() - 1;
  const std::size_t E = V.n_cols, total = E * chains;

  arma::vec log_zhat(total, arma::fill::zeros);
  parallel_for(total, [&](std::size_t begin, std::size_t end, int) {
    std::vector<Rng> streams;
    for (std::size_t q = begin; q < end; ++q) streams.push_back(rng.split(q));
    detail::ChainGroup g(M, std::move(streams));
    // v_K = the example. Its component needs no draw: at β = 1 the first transition draws z
    // from p_1(z | v) = π_z, whatever z was.
    for (std::size_t r = 0; r < g.n; ++r) {
      const T* col = V.colptr((begin + r) / chains);
      for (std::size_t i = 0; i < M.nv; ++i)
        if (col[i] == T(1)) g.vidx.push_back(std::uint32_t(i));
      g.vstart[r + 1] = g.vidx.size();
    }
    std::vector<double> inc(g.n, 0.0);
    // ph holds sigm(β_k a(v_k)) for the transition T_k.
    g.hidden_inputs();
    for (std::size_t r = 0; r < g.n; ++r) g.hidden_step(r, betas[K], betas[K]);
    for (std::size_t k = K; k >= 1; --k) {
      // v_{k−1} ~ T_k(· | v_k), then log Ẑ += log p*_k(v_{k−1}) − log p*_{k−1}(v_{k−1}).
      for (std::size_t r = 0; r < g.n; ++r) g.sample_hidden(r);
      g.sample_visible(betas[k]);
      g.hidden_inputs();
      const double dbeta = betas[k] - betas[k - 1];
      for (std::size_t r = 0; r < g.n; ++r)
        inc[r] += dbeta * g.vdot[r] - g.hidden_step(r, betas[k - 1], betas[k]);
      // The first chunk reports for all: every chunk advances through the same K steps.
      if (progress && begin == 0) progress("reverse AIS", K - k + 1, K);
    }
    for (std::size_t r = 0; r < g.n; ++r) log_zhat[begin + r] = M.base_log_z + inc[r];
  });
  rng.next();

  // log p̂(v) = −F(v) − log Ẑ_rev for each run; the runs of one example are averaged in p.
  const Rbm<double> r = rbm.template cast<double>();
  const arma::vec negF = -r.free_energy(arma::conv_to<arma::mat>::from(V));
  ReverseAisEstimate est;
  est.chains = chains;
  est.intermediate = K;
  est.log_p.set_size(E);
  est.log_z.set_size(E);
  for (std::size_t e = 0; e < E; ++e) {
    const arma::vec lp = negF[e] - log_zhat.subvec(e * chains, (e + 1) * chains - 1);
    est.log_p[e] = log_mean_exp(lp);
    est.log_z[e] = negF[e] - est.log_p[e];
  }
  est.log_z_mean = arma::mean(est.log_z);
  est.log_z_stderr = E > 1 ? arma::stddev(est.log_z) / std::sqrt(double(E)) : 0.0;
  return est;
}

#define RBMKIT_REVERSE_AIS_INSTANTIATE(T)                                                        \
  template ReverseAisEstimate reverse_ais(const Rbm<T>&, const AisBase&, const arma::Mat<T>&,   \
                                          std::size_t, const std::vector<double>&, Rng&,       \
                                          const ProgressFn&);                                  \
  template ReverseAisEstimate reverse_ais(const Rbm<T>&, const arma::vec&, const arma::Mat<T>&, \
                                          std::size_t, const std::vector<double>&, Rng&);
RBMKIT_REVERSE_AIS_INSTANTIATE(float)
RBMKIT_REVERSE_AIS_INSTANTIATE(double)
#undef RBMKIT_REVERSE_AIS_INSTANTIATE

}  // namespace rbmkit
