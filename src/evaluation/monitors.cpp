#include "rbmkit/evaluation/monitors.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <vector>

#include "evaluation/batches.hpp"
#include "kernels/kernels.hpp"
#include "rbmkit/core/error.hpp"
#include "rbmkit/core/math.hpp"
#include "rbmkit/core/parallel.hpp"

namespace rbmkit {

template <class T>
double reconstruction_error(const Rbm<T>& rbm, const arma::Mat<T>& V) {
  if (V.n_rows != rbm.n_visible())
    throw DimensionError("reconstruction_error: data has " + std::to_string(V.n_rows) +
                         " dimensions, model has " + std::to_string(rbm.n_visible()) +
                         " visible units");
  if (V.n_cols == 0) return 0.0;
  return mean_squared_error(V, rbm.visible_mean(rbm.hidden_mean(V)));
}

template <class T>
double mean_squared_error(const arma::Mat<T>& A, const arma::Mat<T>& B) {
  if (arma::size(A) != arma::size(B)) throw DimensionError("mean_squared_error: shapes differ");
  if (A.n_elem == 0) return 0.0;
  double s = 0;
  for (arma::uword i = 0; i < A.n_elem; ++i) {
    const double d = double(A[i]) - double(B[i]);
    s += d * d;
  }
  return s / double(A.n_elem);
}

namespace {
/// The direct form: a scalar double loop over every bit and hidden unit. Used when weights are
/// too large for the product form's exponentials.
template <class T>
void pll_direct(const Rbm<T>& rbm, const arma::Mat<T>& V, const arma::Mat<T>& A, arma::vec& out) {
  const std::size_t nv = rbm.n_visible(), nh = rbm.n_hidden();
  const arma::Mat<T>& W = rbm.W();
  const arma::Col<T>& b = rbm.b();
  parallel_for(V.n_cols, [&](std::size_t begin, std::size_t end, int) {
    std::vector<double> sp0(nh);
    for (std::size_t n = begin; n < end; ++n) {
      const T* a = A.colptr(n);
      for (std::size_t j = 0; j < nh; ++j) sp0[j] = softplus(double(a[j]));
      double pll = 0;
      for (std::size_t i = 0; i < nv; ++i) {
        const double d = 1.0 - 2.0 * double(V(i, n));
        double delta = -double(b[i]) * d;
        for (std::size_t j = 0; j < nh; ++j)
          delta -= softplus(double(a[j]) + d * double(W(i, j))) - sp0[j];
        pll -= softplus(-delta);
      }
      out[n] = pll;
    }
  });
}
}  // namespace

template <class T>
arma::vec pseudo_log_likelihood(const Rbm<T>& rbm, const arma::Mat<T>& V) {
  if (V.n_rows != rbm.n_visible())
    throw DimensionError("pseudo_log_likelihood: data has " + std::to_string(V.n_rows) +
                         " dimensions, model has " + std::to_string(rbm.n_visible()) +
                         " visible units");
  const std::size_t nv = rbm.n_visible(), nh = rbm.n_hidden();
  const arma::Mat<T> A = rbm.hidden_input(V);  // nh × B
  arma::vec out(V.n_cols);
  if (V.n_cols == 0) return out;
  const double wmax = rbm.W().is_empty() ? 0.0 : double(arma::abs(rbm.W()).max());
  if (!(wmax < 600.0) || !A.is_finite()) {
    pll_direct(rbm, V, A, out);
    return out;
  }
  // Product form: with u = sigm(−a), s = sigm(a), flipping bit i by d = ±1 changes the free
  // energy by F(v') − F(v) = −b_i d − Σ_j log(u_j + s_j exp(d W_ij)), a product of nh factors
  // taken in one log (detail::sum_log_mix): one multiply-add per bit and hidden unit.
  const std::size_t nhp = detail::round_up(nh, detail::lanes);
  // Ep = exp(Wᵀ), Em = exp(−Wᵀ) in double, for a block of visible units at a time (about 256 KiB
  // each, not nh × nv): every example's sum over i still runs over i in order, so the result is
  // the same, while the memory stays small next to the model.
  const std::size_t span = std::min(nv, std::max<std::size_t>(1, (std::size_t(1) << 18) /
                                                                     (std::max<std::size_t>(nhp, 1) * sizeof(double))));
  arma::mat Ep(nhp, span, arma::fill::ones), Em(nhp, span, arma::fill::ones);
  const std::size_t renorm = std::max<std::size_t>(1, std::size_t(690.0 / (wmax + 1.0)));
  const arma::Col<T>& b = rbm.b();
  out.zeros();
  for (std::size_t i0 = 0; i0 < nv; i0 += span) {
    const std::size_t ni = std::min(span, nv - i0);
    parallel_for(ni, [&](std::size_t first, std::size_t last, int) {
      std::vector<double> w(nhp, 0.0);  // row i of W, padded with exp(±0) = 1
      for (std::size_t k = first; k < last; ++k) {
        for (std::size_t j = 0; j < nh; ++j) w[j] = double(rbm.W()(i0 + k, j));
        detail::exp_pair(w.data(), nhp, Ep.colptr(k), Em.colptr(k));
      }
    });
    parallel_for_dynamic(V.n_cols, [&](std::size_t begin, std::size_t end, int) {
      constexpr std::size_t block = 16;  // examples whose sigm(±a) are computed together
      arma::mat S(nhp, block), U(nhp, block);
      std::vector<double> x(nhp, 0.0), mix(4 * span);
      for (std::size_t n0 = begin; n0 < end; n0 += block) {
        const std::size_t nb = std::min(block, end - n0);
        for (std::size_t e = 0; e < nb; ++e) {
          const T* a = A.colptr(n0 + e);
          for (std::size_t j = 0; j < nh; ++j) x[j] = double(a[j]);
          detail::sigmoid_pair(x.data(), nhp, S.colptr(e), U.colptr(e));
          for (std::size_t j = nh; j < nhp; ++j) {  // padding: factors u + s·R = 1
            S(j, e) = 0.0;
            U(j, e) = 1.0;
          }
        }
        // Four examples at a time walk the block's visible units, their products side by side
        // (detail::sum_log_mix4: the same bits as one at a time) while their sigm(±a) stay in
        // the L1 cache; then each example's terms are added in the order of its units.
        for (std::size_t e0 = 0; e0 < nb; e0 += 4) {
          const std::size_t ne = std::min<std::size_t>(4, nb - e0);
          for (std::size_t k = 0; k < ni; ++k) {
            const double* R[4];
            for (std::size_t e = 0; e < ne; ++e)
              R[e] = V(i0 + k, n0 + e0 + e) != T(0) ? Em.colptr(k) : Ep.colptr(k);
            double* m = mix.data() + 4 * k;
            if (ne == 4) {
              const double* u[4] = {U.colptr(e0), U.colptr(e0 + 1), U.colptr(e0 + 2),
                                    U.colptr(e0 + 3)};
              const double* s[4] = {S.colptr(e0), S.colptr(e0 + 1), S.colptr(e0 + 2),
                                    S.colptr(e0 + 3)};
              detail::sum_log_mix4(u, s, R, nhp, renorm, m);
            } else {
              for (std::size_t e = 0; e < ne; ++e)
                m[e] = detail::sum_log_mix(U.colptr(e0 + e), S.colptr(e0 + e), R[e], nhp, renorm);
            }
          }
          for (std::size_t e = 0; e < ne; ++e)
            for (std::size_t k = 0; k < ni; ++k) {
              const std::size_t i = i0 + k;
              const double d = V(i, n0 + e0 + e) != T(0) ? -1.0 : 1.0;
              const double delta = -double(b[i]) * d - mix[4 * k + e];
              out[n0 + e0 + e] -= softplus(-delta);  // log P(v_i | v_−i) = log sigm(delta)
            }
        }
      }
    });
  }
  return out;
}

namespace {
/// evaluate_monitors, with only the pseudo-log-likelihood when `all` is false (the others 0).
template <class T>
DataMonitors monitors_of(const Rbm<T>& rbm, const Dataset& raw, Binarize mode, double threshold,
                         std::size_t max_examples, std::uint64_t seed, bool all, const char* who) {
  // Gaussian visible units see the data standardised as their training data, not binarised.
  const bool gaussian = rbm.visible_units() == UnitType::gaussian;
  const Dataset view = gaussian ? standardized_view(raw, rbm.standardization()) : Dataset();
  const Dataset& data = gaussian ? view : raw;
  if (gaussian) mode = Binarize::none;
  detail::check_data_dim(rbm.n_visible(), data, who);
  const std::size_t n = detail::examples_used(data, max_examples);
  DataMonitors m;
  detail::for_each_batch<T>(data, n, mode, threshold, seed, [&](const arma::Mat<T>& V) {
    if (all) m.reconstruction_error += reconstruction_error(rbm, V) * double(V.n_cols);
    if (mode != Binarize::none)
      m.pseudo_log_likelihood += arma::accu(pseudo_log_likelihood(rbm, V));
    if (all) m.free_energy += arma::accu(rbm.free_energy(V));
  });
  if (n > 0) {
    m.reconstruction_error /= double(n);
    m.pseudo_log_likelihood /= double(n);
    m.free_energy /= double(n);
  }
  // Flipping a grey value is meaningless: the pseudo-likelihood is defined for binary data only.
  if (mode == Binarize::none) m.pseudo_log_likelihood = std::numeric_limits<double>::quiet_NaN();
  return m;
}
}  // namespace

template <class T>
DataMonitors evaluate_monitors(const Rbm<T>& rbm, const Dataset& data, Binarize mode,
                               double threshold, std::size_t max_examples, std::uint64_t seed) {
  return monitors_of(rbm, data, mode, threshold, max_examples, seed, true, "evaluate_monitors");
}

template <class T>
double mean_pseudo_log_likelihood(const Rbm<T>& rbm, const Dataset& data, Binarize mode,
                                  double threshold, std::size_t max_examples, std::uint64_t seed) {
  return monitors_of(rbm, data, mode, threshold, max_examples, seed, false,
                     "mean_pseudo_log_likelihood")
      .pseudo_log_likelihood;
}

namespace {
template <class T>
double mean_free_energy(const Rbm<T>& rbm, const Dataset& raw, Binarize mode, double threshold,
                        std::size_t max_examples, std::uint64_t seed) {
  const bool gaussian = rbm.visible_units() == UnitType::gaussian;
  const Dataset view = gaussian ? standardized_view(raw, rbm.standardization()) : Dataset();
  const Dataset& data = gaussian ? view : raw;
  if (gaussian) mode = Binarize::none;
  if (data.dim() != rbm.n_visible())
    throw DimensionError("free_energy_gap: " + data.source + " has " +
                         std::to_string(data.dim()) + " dimensions, the model " +
                         std::to_string(rbm.n_visible()) + " visible units");
  const std::size_t n = detail::examples_used(data, max_examples);
  if (n == 0) throw DataError("free_energy_gap: " + data.source + " has no examples");
  double s = 0;
  detail::for_each_batch<T>(data, n, mode, threshold, seed,
                            [&](const arma::Mat<T>& V) { s += arma::accu(rbm.free_energy(V)); });
  return s / double(n);
}
}  // namespace

template <class T>
FreeEnergyGap free_energy_gap(const Rbm<T>& rbm, const Dataset& train, const Dataset& held_out,
                              Binarize mode, double threshold, std::size_t max_examples,
                              std::uint64_t seed) {
  FreeEnergyGap g;
  g.train = mean_free_energy(rbm, train, mode, threshold, max_examples, seed);
  g.held_out = mean_free_energy(rbm, held_out, mode, threshold, max_examples, seed);
  g.gap = g.held_out - g.train;
  return g;
}

// ---- Boltzmann machines ----------------------------------------------------------------------

template <class T>
arma::vec pseudo_log_likelihood(const BoltzmannMachine<T>& bm, const arma::mat& V,
                                std::size_t max_hidden) {
  if (V.n_rows != bm.n_visible())
    throw DimensionError("pseudo_log_likelihood: data has " + std::to_string(V.n_rows) +
                         " dimensions, model has " + std::to_string(bm.n_visible()) +
                         " visible units");
  const std::string obstacle = free_energy_obstacle(bm, max_hidden);
  if (!obstacle.empty()) throw InvalidArgument("pseudo_log_likelihood: " + obstacle);
  const arma::vec f = neg_free_energy(bm, V, max_hidden);
  arma::vec out(V.n_cols, arma::fill::zeros);
  for (std::size_t i = 0; i < bm.n_visible(); ++i) {
    arma::mat Vi = V;
    Vi.row(i) = 1 - Vi.row(i);
    const arma::vec fi = neg_free_energy(bm, Vi, max_hidden);
    // log P(v_i | v_−i) = −F(v) − log(exp(−F(v)) + exp(−F(v with bit i flipped)))
    for (std::size_t e = 0; e < V.n_cols; ++e) {
      const double top = std::max(f[e], fi[e]);
      out[e] += f[e] - (top + std::log(std::exp(f[e] - top) + std::exp(fi[e] - top)));
    }
  }
  return out;
}

template <class T>
std::string pseudo_likelihood_obstacle(const BoltzmannMachine<T>& bm, std::size_t examples,
                                       Binarize mode) {
  const std::string obstacle = free_energy_obstacle(bm);
  if (!obstacle.empty()) return obstacle;
  if (mode == Binarize::none) return "the pseudo-log-likelihood is defined for binarised data only";
  const double cost = double(examples) * double(bm.n_visible() + 1) * free_energy_cost(bm);
  if (!(cost <= bm_pseudo_likelihood_budget)) {
    char ops[32];
    std::snprintf(ops, sizeof ops, "%.1e", cost);
    return "the pseudo-log-likelihood of " + std::to_string(examples) +
           " examples would take about " + ops + " operations (at most 2e9)";
  }
  return "";
}

template <class T>
DataMonitors evaluate_monitors(const BoltzmannMachine<T>& bm, const Dataset& data, Binarize mode,
                               double threshold, std::size_t max_examples, std::uint64_t seed) {
  detail::check_data_dim(bm.n_visible(), data, "evaluate_monitors");
  const std::size_t n = detail::examples_used(data, max_examples);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const bool with_f = free_energy_obstacle(bm).empty() && n > 0;
  const bool with_pll = pseudo_likelihood_obstacle(bm, n, mode).empty() && n > 0;
  DataMonitors m;
  m.reconstruction_error = nan;
  double sum_f = 0, sum_pll = 0;
  if (with_f)
    detail::for_each_batch<double>(data, n, mode, threshold, seed, [&](const arma::mat& V) {
      sum_f += arma::accu(neg_free_energy(bm, V));
      if (with_pll) sum_pll += arma::accu(pseudo_log_likelihood(bm, V));
    });
  m.free_energy = with_f ? -sum_f / double(n) : nan;
  m.pseudo_log_likelihood = with_pll ? sum_pll / double(n) : nan;
  return m;
}

template double mean_squared_error(const arma::Mat<float>&, const arma::Mat<float>&);
template double mean_squared_error(const arma::Mat<double>&, const arma::Mat<double>&);
template double reconstruction_error(const Rbm<float>&, const arma::Mat<float>&);
template double reconstruction_error(const Rbm<double>&, const arma::Mat<double>&);
template arma::vec pseudo_log_likelihood(const Rbm<float>&, const arma::Mat<float>&);
template arma::vec pseudo_log_likelihood(const Rbm<double>&, const arma::Mat<double>&);
template double mean_pseudo_log_likelihood(const Rbm<float>&, const Dataset&, Binarize, double,
                                           std::size_t, std::uint64_t);
template double mean_pseudo_log_likelihood(const Rbm<double>&, const Dataset&, Binarize, double,
                                           std::size_t, std::uint64_t);
template DataMonitors evaluate_monitors(const Rbm<float>&, const Dataset&, Binarize, double,
                                        std::size_t, std::uint64_t);
template DataMonitors evaluate_monitors(const Rbm<double>&, const Dataset&, Binarize, double,
                                        std::size_t, std::uint64_t);
template FreeEnergyGap free_energy_gap(const Rbm<float>&, const Dataset&, const Dataset&, Binarize,
                                       double, std::size_t, std::uint64_t);
template FreeEnergyGap free_energy_gap(const Rbm<double>&, const Dataset&, const Dataset&,
                                       Binarize, double, std::size_t, std::uint64_t);

#define RBMKIT_BM_MONITORS_INSTANTIATE(T)                                                        \
  template arma::vec pseudo_log_likelihood(const BoltzmannMachine<T>&, const arma::mat&,         \
                                           std::size_t);                                         \
  template std::string pseudo_likelihood_obstacle(const BoltzmannMachine<T>&, std::size_t,       \
                                                  Binarize);                                     \
  template DataMonitors evaluate_monitors(const BoltzmannMachine<T>&, const Dataset&, Binarize,  \
                                          double, std::size_t, std::uint64_t);
RBMKIT_BM_MONITORS_INSTANTIATE(float)
RBMKIT_BM_MONITORS_INSTANTIATE(double)

}  // namespace rbmkit
