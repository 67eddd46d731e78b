// Exact log Z of a Gaussian–Bernoulli RBM: the visible units integrated out analytically for
// each enumerated hidden state.
#include <cmath>
#include <vector>

#include "evaluation/exact_detail.hpp"
#include "rbmkit/core/error.hpp"
#include "rbmkit/evaluation/exact.hpp"

namespace rbmkit::detail {

template <class T>
double gaussian_log_partition(const Rbm<T>& rbm, std::size_t max_units) {
  const std::size_t nv = rbm.n_visible(), m = rbm.n_hidden();
  if (nv == 0 || m == 0) throw InvalidArgument("exact_log_partition: the model has no units");
  if (m > max_units)
    throw InvalidArgument("exact_log_partition: the Gaussian-Bernoulli RBM has " +
                          std::to_string(m) + " hidden units, more than the " +
                          std::to_string(max_units) +
                          " exact enumeration allows (its visible units are integrated out; use "
                          "AIS)");
  const arma::mat W = arma::conv_to<arma::mat>::from(rbm.W());
  const arma::vec b = arma::conv_to<arma::vec>::from(rbm.b());
  const arma::vec c = arma::conv_to<arma::vec>::from(rbm.c());
  const arma::vec z = arma::conv_to<arma::vec>::from(rbm.z());
  if (!W.is_finite() || !b.is_finite() || !c.is_finite() || !z.is_finite())
    throw InvalidArgument("exact_log_partition: the model has non-finite parameters");
  // ∫ exp(−E(v, h)) dv = exp(cᵀh) Π_i √(2πσ_i²) exp(((b_i + a_i)² − b_i²) / (2σ_i²)), a = W h
  // (Cho, Ilin & Raiko 2011, eq. 1 with the v-integral of a Gaussian).
  const arma::vec half_precision = 0.5 * arma::exp(-z);  // 1 / (2σ_i²)
  const double constant = 0.5 * arma::accu(std::log(2 * arma::datum::pi) + z);
  auto block = [&](std::uint64_t first, std::size_t count, double* out) {
    const std::uint64_t g0 = first ^ (first >> 1);
    std::vector<double> a(nv, 0.0);
    double lin = 0;
    for (std::size_t j = 0; j < m; ++j)
      if ((g0 >> j) & 1) {
        lin += c[j];
        const double* col = W.colptr(j);
        for (std::size_t i = 0; i < nv; ++i) a[i] += col[i];
      }
    for (std::size_t t = 0; t < count; ++t) {
      double quad = 0;  // Σ_i (2 b_i a_i + a_i²) / (2σ_i²) = Σ_i ((b_i + a_i)² − b_i²) / (2σ_i²)
      for (std::size_t i = 0; i < nv; ++i) quad += (2 * b[i] + a[i]) * a[i] * half_precision[i];
      out[t] = lin + quad;
      if (t + 1 == count) break;
      const GrayStep g = gray_step(first + t + 1);
      const double sign = g.set ? 1.0 : -1.0;
      const double* col = W.colptr(g.bit);
      for (std::size_t i = 0; i < nv; ++i) a[i] += sign * col[i];
      lin += sign * c[g.bit];
    }
  };
  return log_sum_exp_enumerated(m, block) + constant;
}

template double gaussian_log_partition(const Rbm<float>&, std::size_t);
template double gaussian_log_partition(const Rbm<double>&, std::size_t);

}  // namespace rbmkit::detail
