#include "rbmkit/evaluation/ais_base.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <vector>

#include "evaluation/batches.hpp"
#include "kernels/kernels.hpp"
#include "rbmkit/core/error.hpp"
#include "rbmkit/core/math.hpp"
#include "rbmkit/core/parallel.hpp"

namespace rbmkit {

using detail::round_up;

arma::vec base_rate_biases(const Dataset& data, Binarize mode, double threshold) {
  if (data.size() == 0) throw DataError("base_rate_biases: " + data.source + " has no examples");
  const arma::vec p = data.marginals(mode == Binarize::threshold ? Binarize::threshold
                                                                 : Binarize::none,
                                     threshold);
  const double N = double(data.size());
  const arma::vec q = (p * N + 1.0) / (N + 2.0);
  return arma::log(q / (1.0 - q));
}

AisBase base_rate_base(const arma::vec& base_biases) {
  if (base_biases.n_elem == 0) throw InvalidArgument("base_rate_base: no base-rate biases");
  if (!base_biases.is_finite()) throw InvalidArgument("base_rate_base: non-finite base biases");
  AisBase base;
  base.logits = base_biases;
  base.weights = arma::vec{1.0};
  base.mode_log_p = arma::vec{arma::datum::nan};
  base.modes.zeros(0, 1);
  return base;
}

namespace {

/// Greedy ascent on log p*(h) = cᵀh + Σ_i softplus(b_i + W_{i·}h) by single flips, sweeping
/// the hidden units in order until no flip raises it by more than 1e−9 nats. `A` holds
/// b + W h (padded with softplus_zero_pad), `Wd` the columns of W (padded with zeros).
double climb(std::vector<unsigned char>& h, std::vector<double>& A, const std::vector<double>& Wd,
             const arma::vec& c, std::size_t nvp) {
  const std::size_t nh = h.size();
  double sp = detail::sum_softplus(A.data(), nvp);
  for (int sweep = 0; sweep < 1000; ++sweep) {
    bool improved = false;
    for (std::size_t j = 0; j < nh; ++j) {
      const double s = h[j] ? -1.0 : 1.0;
      const double* w = Wd.data() + j * nvp;
      const double flipped = detail::sum_softplus_affine(A.data(), w, s, nvp);
      if (s * c[j] + flipped - sp > 1e-9) {
        h[j] ^= 1;
        for (std::size_t i = 0; i < nvp; ++i) A[i] += s * w[i];
        sp = flipped;  // Σ softplus of the updated A
        improved = true;
      }
    }
    if (!improved) break;
  }
  double ch = 0;
  for (std::size_t j = 0; j < nh; ++j)
    if (h[j]) ch += c[j];
  return ch + sp;
}

}  // namespace

template <class T>
AisBase mode_mixture_base(const Rbm<T>& rbm, const Dataset& data, const arma::vec& base_biases,
                          const ModeBaseOptions& o) {
  const std::size_t nv = rbm.n_visible(), nh = rbm.n_hidden();
  if (nv == 0 || nh == 0) throw InvalidArgument("mode_mixture_base: the model has no units");
  detail::check_data_dim(nv, data, "mode_mixture_base");
  if (data.size() == 0) throw DataError("mode_mixture_base: " + data.source + " has no examples");
  if (base_biases.n_elem != nv)
    throw DimensionError("mode_mixture_base: " + std::to_string(base_biases.n_elem) +
                         " base-rate biases for " + std::to_string(nv) + " visible units");
  if (!(o.base_rate_weight > 0 && o.base_rate_weight < 1))
    throw InvalidArgument("ModeBaseOptions::base_rate_weight: must lie in (0, 1), got " +
                          std::to_string(o.base_rate_weight));
  if (o.max_modes == 0) return base_rate_base(base_biases);

  const arma::mat W = arma::conv_to<arma::mat>::from(rbm.W());
  const arma::vec b = arma::conv_to<arma::vec>::from(rbm.b());
  const arma::vec c = arma::conv_to<arma::vec>::from(rbm.c());
  const std::size_t nvp = round_up(nv, detail::lanes);
  std::vector<double> Wd(nvp * nh, 0.0);
  for (std::size_t j = 0; j < nh; ++j)
    std::copy(W.colptr(j), W.colptr(j) + nv, Wd.begin() + std::ptrdiff_t(j * nvp));

  std::size_t starts = o.starts;
  if (starts == 0)
    starts = std::size_t(std::max(100.0, 5e8 / (double(nh) * double(nvp))));
  starts = std::min(starts, data.size());

  // Each start: the data example's most probable hidden state, then the climb.
  std::vector<std::vector<unsigned char>> found(starts);
  std::vector<double> found_log_p(starts);
  parallel_for(starts, [&](std::size_t begin, std::size_t end, int) {
    std::vector<double> A(nvp, detail::softplus_zero_pad);
    Rng unused(0);
    for (std::size_t s = begin; s < end; ++s) {
      const std::size_t e = s * data.size() / starts;
      const arma::vec v = make_batch<double>(data, e, 1, o.binarize == Binarize::stochastic
                                                             ? Binarize::threshold
                                                             : o.binarize,
                                             o.threshold, unused);
      const arma::vec hv = arma::conv_to<arma::vec>::from(W.t() * v + c > 0);
      std::vector<unsigned char> h(hv.begin(), hv.end());
      const arma::vec a = W * hv + b;
      std::copy(a.begin(), a.end(), A.begin());  // padding keeps softplus_zero_pad
      found_log_p[s] = climb(h, A, Wd, c, nvp);
      found[s] = std::move(h);
      // The first chunk reports for all: the chunks are of equal size (± 1).
      if (o.progress && begin == 0) o.progress("AIS mode search", s + 1, end);
    }
  });

  // Distinct maxima, most probable first (ties by state, so the order is fixed).
  std::map<std::vector<unsigned char>, double> distinct;
  for (std::size_t s = 0; s < starts; ++s) distinct.emplace(found[s], found_log_p[s]);
  std::vector<std::pair<double, const std::vector<unsigned char>*>> order;
  for (const auto& kv : distinct) order.emplace_back(kv.second, &kv.first);
  std::stable_sort(order.begin(), order.end(),
                   [](const auto& x, const auto& y) { return x.first > y.first; });
  const std::size_t K = std::min(o.max_modes, order.size());

  AisBase base;
  base.starts = starts;
  base.distinct_modes = distinct.size();
  base.logits.set_size(nv, K + 1);
  base.logits.col(0) = base_biases;
  base.mode_log_p.set_size(K + 1);
  base.modes.zeros(nh, K + 1);
  base.mode_log_p[0] = arma::datum::nan;
  base.weights.set_size(K + 1);
  base.weights[0] = o.base_rate_weight;
  const double top = order[0].first;
  double total = 0;
  for (std::size_t k = 0; k < K; ++k) total += std::exp(order[k].first - top);
  for (std::size_t k = 0; k < K; ++k) {
    const std::vector<unsigned char>& h = *order[k].second;
    arma::vec l = b;
    for (std::size_t j = 0; j < nh; ++j)
      if (h[j]) l += W.col(j);
    base.logits.col(k + 1) = l;
    for (std::size_t j = 0; j < nh; ++j) base.modes(j, k + 1) = h[j];
    base.mode_log_p[k + 1] = order[k].first;
    base.weights[k + 1] = (1 - o.base_rate_weight) *
                          (0.5 * std::exp(order[k].first - top) / total + 0.5 / double(K));
  }
  base.weights /= arma::accu(base.weights);
  if (!base.logits.is_finite())
    throw NumericalError("mode_mixture_base: the model gives non-finite logits");
  return base;
}

AisBase reweighted_base(const AisBase& base, const arma::uvec& start_components,
                        const arma::vec& log_weights, double keep) {
  if (start_components.n_elem != log_weights.n_elem || log_weights.n_elem == 0)
    throw DimensionError("reweighted_base: " + std::to_string(start_components.n_elem) +
                         " start components for " + std::to_string(log_weights.n_elem) + " runs");
  if (start_components.max() >= base.components())
    throw DimensionError("reweighted_base: a run started from a component the base lacks");
  const arma::vec w = arma::exp(log_weights - log_weights.max());
  arma::vec share(base.components(), arma::fill::zeros);
  for (arma::uword r = 0; r < w.n_elem; ++r) share[start_components[r]] += w[r];
  AisBase out = base;
  out.weights = (1 - keep) * share / arma::accu(share) + keep * base.weights;
  out.weights /= arma::accu(out.weights);
  return out;
}

template <class T>
double mode_log_z_floor(const Rbm<T>& rbm, const AisBase& base) {
  if (base.modes.n_cols > 1 && base.modes.n_rows != rbm.n_hidden())
    throw DimensionError("mode_log_z_floor: modes of " + std::to_string(base.modes.n_rows) +
                         " hidden units for a model with " + std::to_string(rbm.n_hidden()));
  const arma::mat W = arma::conv_to<arma::mat>::from(rbm.W());
  const arma::vec b = arma::conv_to<arma::vec>::from(rbm.b());
  const arma::vec c = arma::conv_to<arma::vec>::from(rbm.c());
  std::vector<double> log_p;
  for (arma::uword k = 1; k < base.modes.n_cols; ++k) {  // column 0: the base-rate component
    const arma::vec h = arma::conv_to<arma::vec>::from(base.modes.col(k));
    const arma::vec a = b + W * h;
    double lp = arma::dot(c, h);
    for (double x : a) lp += softplus(x);
    log_p.push_back(lp);
  }
  if (log_p.empty()) return -std::numeric_limits<double>::infinity();
  const double m = *std::max_element(log_p.begin(), log_p.end());
  double s = 0;
  for (double lp : log_p) s += std::exp(lp - m);
  return m + std::log(s);
}

template AisBase mode_mixture_base(const Rbm<float>&, const Dataset&, const arma::vec&,
                                   const ModeBaseOptions&);
template AisBase mode_mixture_base(const Rbm<double>&, const Dataset&, const arma::vec&,
                                   const ModeBaseOptions&);
template double mode_log_z_floor(const Rbm<float>&, const AisBase&);
template double mode_log_z_floor(const Rbm<double>&, const AisBase&);

}  // namespace rbmkit
