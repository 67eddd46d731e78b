#include "rbmkit/sampling/tempering.hpp"

#include <cmath>
#include <limits>
#include <string>

#include "rbmkit/core/error.hpp"
#include "rbmkit/core/math.hpp"
#include "rbmkit/sampling/phases.hpp"

namespace rbmkit {

std::vector<double> tempering_betas(std::size_t temperatures) {
  if (temperatures == 0) throw InvalidArgument("tempering_betas: needs at least 1 temperature, got 0");
  std::vector<double> betas(temperatures, 1.0);
  for (std::size_t t = 1; t < temperatures; ++t)
    betas[t] = 1.0 - double(t) / double(temperatures - 1);
  return betas;
}

std::vector<double> SwapCounts::rates() const {
  std::vector<double> r(proposed.size(), std::numeric_limits<double>::quiet_NaN());
  for (std::size_t t = 0; t < proposed.size(); ++t)
    if (proposed[t] > 0) r[t] = double(accepted[t]) / double(proposed[t]);
  return r;
}

double SwapCounts::overall_rate() const {
  std::uint64_t p = 0, a = 0;
  for (std::size_t t = 0; t < proposed.size(); ++t) {
    p += proposed[t];
    a += accepted[t];
  }
  return p > 0 ? double(a) / double(p) : std::numeric_limits<double>::quiet_NaN();
}

namespace {

void check_betas(const std::vector<double>& betas, const char* who) {
  if (betas.empty() || betas.front() != 1.0)
    throw InvalidArgument(std::string(who) + ": the inverse temperatures must start at 1");
  for (std::size_t t = 1; t < betas.size(); ++t)
    if (!(betas[t] < betas[t - 1]))
      throw InvalidArgument(std::string(who) + ": the inverse temperatures must decrease strictly");
  if (!(betas.back() >= 0))
    throw InvalidArgument(std::string(who) + ": the inverse temperatures must not be negative");
}

template <class T>
void check_chains(const Rbm<T>& rbm, const arma::Mat<T>& V, std::size_t temperatures,
                  const char* who) {
  if (V.n_rows != rbm.n_visible() || V.n_cols == 0 || V.n_cols % temperatures != 0)
    throw DimensionError(std::string(who) + ": chains are " + std::to_string(V.n_rows) + " x " +
                         std::to_string(V.n_cols) + "; the model has " +
                         std::to_string(rbm.n_visible()) + " visible units and " +
                         std::to_string(temperatures) +
                         " temperatures (columns must be a positive multiple of them)");
}

}  // namespace

template <class T>
void tempered_step(const Rbm<T>& rbm, const std::vector<double>& betas, arma::Mat<T>& V,
                   Rng& rng, SwapCounts* counts, arma::Mat<T>* hidden_means,
                   arma::Mat<T>* visible_means) {
  check_betas(betas, "tempered_step");
  if (rbm.visible_units() != UnitType::bernoulli)
    throw InvalidArgument("tempered_step: parallel tempering is implemented for Bernoulli "
                          "visible units only");
  const std::size_t nT = betas.size();
  check_chains(rbm, V, nT, "tempered_step");
  const std::size_t C = V.n_cols / nT;
  // 1. One block Gibbs step at every temperature: h ~ sigm(β(Wᵀv + c)), v ~ sigm(β(Wh + b)).
  arma::Mat<T> P = rbm.W().t() * V;
  P.each_col() += rbm.c();
  for (std::size_t t = 0; t < nT; ++t) P.cols(t * C, t * C + C - 1) *= T(betas[t]);
  arma::Mat<T> H = sample_bernoulli<T>(sigmoid<T>(P), rng);
  arma::Mat<T> X = rbm.W() * H;  // W h, reused for the energies
  arma::Mat<T> A = X;
  A.each_col() += rbm.b();
  for (std::size_t t = 0; t < nT; ++t) A.cols(t * C, t * C + C - 1) *= T(betas[t]);
  V = sample_bernoulli<T>(sigmoid<T>(A), rng);
  if (nT > 1) {
    // 2. Swaps on the joint states (v, h): E = −bᵀv − cᵀh − vᵀ(W h), in double.
    std::vector<double> E(V.n_cols);
    for (std::size_t k = 0; k < V.n_cols; ++k)
      E[k] = -double(arma::dot(rbm.b(), V.col(k))) - double(arma::dot(rbm.c(), H.col(k))) -
             double(arma::dot(V.col(k), X.col(k)));
    if (counts && counts->proposed.size() != nT - 1) {
      counts->proposed.assign(nT - 1, 0);
      counts->accepted.assign(nT - 1, 0);
    }
    for (std::size_t parity = 0; parity < 2; ++parity)
      for (std::size_t t = parity; t + 1 < nT; t += 2) {
        const double dbeta = betas[t] - betas[t + 1];
        for (std::size_t j = 0; j < C; ++j) {
          const std::size_t a = t * C + j, b = (t + 1) * C + j;
          const double log_r = dbeta * (E[a] - E[b]);
          const bool accept = log_r >= 0 || rng.uniform() < std::exp(log_r);
          if (counts) {
            ++counts->proposed[t];
            counts->accepted[t] += accept;
          }
          if (!accept) continue;
          V.swap_cols(a, b);
          if (visible_means) H.swap_cols(a, b);
          std::swap(E[a], E[b]);
        }
      }
  }
  if (hidden_means) *hidden_means = rbm.hidden_mean(V.cols(0, C - 1));
  if (visible_means) *visible_means = rbm.visible_mean(H.cols(0, C - 1));
}

template <class T>
Phase<T> tempered_chain(const Rbm<T>& rbm, const std::vector<double>& betas, arma::Mat<T>& V,
                        std::size_t steps, Rng& rng, SwapCounts* counts) {
  if (steps == 0) throw InvalidArgument("tempered_chain: steps must be at least 1, got 0");
  Phase<T> out;
  for (std::size_t s = 0; s < steps; ++s)
    tempered_step(rbm, betas, V, rng, counts, s + 1 == steps ? &out.h : nullptr);
  out.v = V.cols(0, V.n_cols / betas.size() - 1);
  return out;
}

template <class T>
TemperedSamples<T> sample_tempered(const Rbm<T>& rbm, std::size_t n, std::size_t steps,
                                   std::size_t burn_in, std::size_t temperatures, Rng& rng,
                                   const ProgressFn& progress) {
  if (rbm.visible_units() != UnitType::bernoulli)
    throw InvalidArgument("sample_tempered: parallel tempering is implemented for Bernoulli "
                          "visible units only");
  if (n == 0) throw InvalidArgument("sample_tempered: needs at least 1 chain, got 0");
  if (steps == 0) throw InvalidArgument("sample_tempered: steps must be at least 1, got 0");
  if (temperatures == 0)
    throw InvalidArgument("sample_tempered: needs at least 1 temperature, got 0");
  if (temperatures > max_temperatures)
    throw InvalidArgument("sample_tempered: at most " + std::to_string(max_temperatures) +
                          " temperatures, got " + std::to_string(temperatures));
  if (!rbm.W().is_finite() || !rbm.b().is_finite() || !rbm.c().is_finite())
    throw InvalidArgument("sample_tempered: the model has non-finite parameters");
  TemperedSamples<T> out;
  out.betas = tempering_betas(temperatures);
  // Uniform start: the exact distribution at β = 0.
  arma::Mat<T> V = sample_bernoulli<T>(
      arma::Mat<T>(rbm.n_visible(), n * temperatures, arma::fill::value(T(0.5))), rng);
  const std::size_t total = burn_in + steps;
  SwapCounts burn;
  for (std::size_t s = 0; s < total; ++s) {
    const bool last = s + 1 == total;
    tempered_step(rbm, out.betas, V, rng, s < burn_in ? &burn : &out.swaps,
                  static_cast<arma::Mat<T>*>(nullptr),
                  last ? &out.v_mean : nullptr);
    if (progress) progress("tempered sampling", s + 1, total);
  }
  out.v = V.cols(0, n - 1);
  return out;
}

#define RBMKIT_TEMPERING_INSTANTIATE(T)                                                       \
  template void tempered_step(const Rbm<T>&, const std::vector<double>&, arma::Mat<T>&, Rng&, \
                              SwapCounts*, arma::Mat<T>*, arma::Mat<T>*);                      \
  template Phase<T> tempered_chain(const Rbm<T>&, const std::vector<double>&, arma::Mat<T>&,  \
                                   std::size_t, Rng&, SwapCounts*);                            \
  template TemperedSamples<T> sample_tempered(const Rbm<T>&, std::size_t, std::size_t,        \
                                              std::size_t, std::size_t, Rng&,                 \
                                              const ProgressFn&);
RBMKIT_TEMPERING_INSTANTIATE(float)
RBMKIT_TEMPERING_INSTANTIATE(double)
#undef RBMKIT_TEMPERING_INSTANTIATE

}  // namespace rbmkit
