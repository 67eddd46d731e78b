#include "rbmkit/evaluation/bm_likelihood.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "rbmkit/core/math.hpp"
#include "rbmkit/core/error.hpp"
#include "rbmkit/evaluation/likelihood.hpp"
#include "rbmkit/core/parallel.hpp"

namespace rbmkit {

namespace {

/// ℓ(s) = −E(s) of the states first, …, first + count − 1 of the units `units` (state bit t is
/// unit units[t]; other units fixed by `a0`, `l0`: activations and −E with all of `units` off),
/// visited in Gray-code order of the low bits. W is the full symmetric matrix.
void gray_block(const arma::mat& W, const std::vector<std::size_t>& units, const arma::vec& a0,
                double l0, std::uint64_t first, std::size_t count, double* out) {
  arma::vec a = a0;
  double l = l0;
  std::vector<unsigned char> on(units.size(), 0);
  auto flip = [&](std::size_t t) {
    const std::size_t k = units[t];
    if (on[t]) {
      on[t] = 0;
      a -= W.col(k);
      l -= a[k];  // a_k does not depend on s_k (zero diagonal)
    } else {
      l += a[k];
      a += W.col(k);
      on[t] = 1;
    }
  };
  for (std::size_t t = 0; t < units.size(); ++t)
    if (first >> t & 1) flip(t);
  for (std::size_t i = 0; i < count; ++i) {
    out[i] = l;
    if (i + 1 < count) {
      std::size_t t = 0;
      while (!((i + 1) >> t & 1)) ++t;  // Gray code: flip the lowest set bit of i + 1
      flip(t);
    }
  }
}

/// The machine in double, with what the free energies need to know about it.
struct Prepared {
  arma::mat W;
  arma::vec b;
  std::size_t nv = 0;
  bool closed = false;  ///< no hidden–hidden weights: −F(v) has a closed form

  template <class T>
  explicit Prepared(const BoltzmannMachine<T>& bm)
      : W(arma::conv_to<arma::mat>::from(bm.W())),
        b(arma::conv_to<arma::vec>::from(bm.bias())),
        nv(bm.n_visible()),
        closed(nv == W.n_rows ||
               !arma::any(arma::vectorise(W.submat(nv, nv, W.n_rows - 1, W.n_cols - 1)))) {}

  /// Throws InvalidArgument (naming `who`) when −F would enumerate more than `max_hidden` units.
  void require_enumerable(std::size_t max_hidden, const char* who) const {
    const std::size_t nh = b.n_elem - nv;
    if (!closed && nh > max_hidden)
      throw InvalidArgument(std::string(who) + ": enumerating " + std::to_string(nh) +
                            " hidden units with hidden-hidden weights is too costly (at most " +
                            std::to_string(max_hidden) + ")");
  }
};

/// −F(v) of every column of V for a checked machine (see neg_free_energy).
arma::vec neg_free_energy_of(const Prepared& m, const arma::mat& V) {
  const std::size_t nv = m.nv, n = m.b.n_elem, nh = n - nv;
  arma::vec out(V.n_cols);
  std::vector<std::size_t> hidden(nh);
  for (std::size_t j = 0; j < nh; ++j) hidden[j] = nv + j;
  parallel_for(V.n_cols, [&](std::size_t begin, std::size_t end, int) {
    std::vector<double> terms(m.closed ? 0 : std::size_t(1) << nh);
    arma::vec s(n, arma::fill::zeros);
    for (std::size_t e = begin; e < end; ++e) {
      s.head(nv) = V.col(e);
      const arma::vec a = m.W * s + m.b;  // every unit's activation with the hidden units off
      // −E(v, 0) = b_vᵀv + ½ vᵀW_vv v = ½ vᵀ(b_v + a_v)
      const double l0 = 0.5 * arma::dot(V.col(e), m.b.head(nv) + a.head(nv));
      if (m.closed) {
        double f = l0;
        for (std::size_t j = nv; j < n; ++j) f += softplus(a[j]);
        out[e] = f;
      } else {
        gray_block(m.W, hidden, a, l0, 0, terms.size(), terms.data());
        out[e] = log_sum_exp(terms);
      }
    }
  });
  return out;
}

}  // namespace

template <class T>
double exact_log_partition(const BoltzmannMachine<T>& bm, std::size_t max_units) {
  bm.check("exact_log_partition");
  const std::size_t n = bm.n_units();
  if (n == 0) throw InvalidArgument("exact_log_partition: the machine has no units");
  if (n > max_units || n > 62)
    throw InvalidArgument("exact_log_partition: a Boltzmann machine of " + std::to_string(n) +
                          " units is too large to enumerate (at most " +
                          std::to_string(std::min<std::size_t>(max_units, 62)) + ")");
  const arma::mat W = arma::conv_to<arma::mat>::from(bm.W());
  const arma::vec b = arma::conv_to<arma::vec>::from(bm.bias());
  std::vector<std::size_t> units(n);
  for (std::size_t i = 0; i < n; ++i) units[i] = i;
  return log_sum_exp_enumerated(n, [&](std::uint64_t first, std::size_t count, double* out) {
    gray_block(W, units, b, 0.0, first, count, out);
  });
}

template <class T>
arma::vec neg_free_energy(const BoltzmannMachine<T>& bm, const arma::mat& V,
                          std::size_t max_hidden) {
  bm.check("neg_free_energy");
  const std::size_t nv = bm.n_visible();
  if (V.n_rows != nv)
    throw DimensionError("neg_free_energy: examples have " + std::to_string(V.n_rows) +
                         " dimensions, the machine " + std::to_string(nv) + " visible units");
  const Prepared m(bm);
  m.require_enumerable(max_hidden, "neg_free_energy");
  return neg_free_energy_of(m, V);
}

template <class T>
BmLikelihoodReport evaluate_bm_likelihood(const BoltzmannMachine<T>& bm, const Dataset& data,
                                          Binarize mode, double threshold,
                                          std::size_t max_examples, std::uint64_t seed,
                                          std::size_t max_units) {
  const auto t0 = std::chrono::steady_clock::now();
  const std::size_t nv = bm.n_visible(), nh = bm.n_hidden();
  if (data.dim() != nv)
    throw DimensionError("evaluate_bm_likelihood: " + data.source + " has " +
                         std::to_string(data.dim()) + " dimensions, the machine " +
                         std::to_string(nv) + " visible units");
  const std::size_t N = max_examples ? std::min(max_examples, data.size()) : data.size();
  if (N == 0) throw DataError("evaluate_bm_likelihood: " + data.source + " has no examples");
  BmLikelihoodReport rep;
  rep.examples = N;
  rep.log_z = exact_log_partition(bm, max_units);
  const Prepared m(bm);
  m.require_enumerable(20, "neg_free_energy");
  const double per_example =
      m.closed ? double(nh + nv) * double(nv + nh) : std::ldexp(double(nh), int(nh));
  const bool with_pll = double(N) * double(nv + 1) * per_example <= 2e9;
  Rng rng(seed);
  double sum_f = 0, sum_pll = 0;
  for (std::size_t first = 0; first < N; first += 1000) {
    const std::size_t count = std::min<std::size_t>(1000, N - first);
    const arma::mat V = make_batch<double>(data, first, count, mode, threshold, rng);
    if (mode == Binarize::none && arma::any(arma::vectorise((V != 0) % (V != 1))))
      throw DataError("evaluate_bm_likelihood(" + data.source +
                      "): log-likelihood needs binary data; the data is not binary "
                      "(binarize it by threshold or stochastically)");
    const arma::vec f = neg_free_energy_of(m, V);
    sum_f += arma::accu(f);
    if (with_pll)
      for (std::size_t i = 0; i < nv; ++i) {
        arma::mat Vi = V;
        Vi.row(i) = 1 - Vi.row(i);
        const arma::vec fi = neg_free_energy_of(m, Vi);
        // log P(v_i | v_−i) = −F(v) − log(exp(−F(v)) + exp(−F(v with bit i flipped)))
        for (std::size_t e = 0; e < count; ++e) {
          const double top = std::max(f[e], fi[e]);
          sum_pll += f[e] - (top + std::log(std::exp(f[e] - top) + std::exp(fi[e] - top)));
        }
      }
  }
  rep.mean_neg_free_energy = sum_f / double(N);
  rep.log_likelihood = rep.mean_neg_free_energy - rep.log_z;
  rep.pseudo_log_likelihood =
      with_pll ? sum_pll / double(N) : std::numeric_limits<double>::quiet_NaN();
  rep.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return rep;
}

#define RBMKIT_BM_LIKELIHOOD_INSTANTIATE(T)                                                    \
  template double exact_log_partition(const BoltzmannMachine<T>&, std::size_t);              \
  template arma::vec neg_free_energy(const BoltzmannMachine<T>&, const arma::mat&,           \
                                     std::size_t);                                           \
  template BmLikelihoodReport evaluate_bm_likelihood(const BoltzmannMachine<T>&,             \
                                                     const Dataset&, Binarize, double,       \
                                                     std::size_t, std::uint64_t, std::size_t);
RBMKIT_BM_LIKELIHOOD_INSTANTIATE(float)
RBMKIT_BM_LIKELIHOOD_INSTANTIATE(double)

}  // namespace rbmkit
