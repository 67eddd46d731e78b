#include "rbmkit/training/statistics.hpp"

#include <memory>

#include "rbmkit/core/error.hpp"
#include "kernels/products.hpp"

namespace rbmkit {

template <class T>
std::size_t RewardStream<T>::n_positive() const {
  std::size_t n = 0;
  for (arma::uword t = 0; t < reward.n_elem; ++t) n += reward[t] > 0;
  return n;
}

template <class T>
RewardStream<T> make_reward_stream(const Phase<T>& pos, const Phase<T>& neg) {
  if (pos.v.n_rows != neg.v.n_rows || pos.h.n_rows != neg.h.n_rows ||
      pos.v.n_cols != pos.h.n_cols || neg.v.n_cols != neg.h.n_cols)
    throw DimensionError("make_reward_stream: positive and negative phases differ in shape");
  RewardStream<T> s;
  s.v = arma::join_rows(pos.v, neg.v);
  s.h = arma::join_rows(pos.h, neg.h);
  s.reward.set_size(pos.v.n_cols + neg.v.n_cols);
  s.reward.head(pos.v.n_cols).fill(T(1));
  s.reward.tail(neg.v.n_cols).fill(T(-1));
  return s;
}

template <class T>
GradientWorkspace<T>::GradientWorkspace() : buffers_(std::make_unique<detail::ProductBuffers<T>>()) {}
template <class T>
GradientWorkspace<T>::~GradientWorkspace() = default;
template <class T>
GradientWorkspace<T>::GradientWorkspace(const GradientWorkspace&) : GradientWorkspace() {}
template <class T>
GradientWorkspace<T>& GradientWorkspace<T>::operator=(const GradientWorkspace&) {
  return *this;
}
template <class T>
GradientWorkspace<T>::GradientWorkspace(GradientWorkspace&&) noexcept = default;
template <class T>
GradientWorkspace<T>& GradientWorkspace<T>::operator=(GradientWorkspace&&) noexcept = default;
template <class T>
detail::ProductBuffers<T>& GradientWorkspace<T>::buffers() {
  if (shared_) return *shared_;
  if (!buffers_) buffers_ = std::make_unique<detail::ProductBuffers<T>>();  // after a move
  return *buffers_;
}

namespace {

/// The caller's workspace, or `own` made for this call, with its products set for the kind of
/// the visible units (real-valued Gaussian states: BLAS only).
template <class T>
GradientWorkspace<T>& workspace_for(GradientWorkspace<T>* given,
                                    std::unique_ptr<GradientWorkspace<T>>& own, UnitType visible) {
  if (!given) given = (own = std::make_unique<GradientWorkspace<T>>()).get();
  given->buffers().dense_only = visible == UnitType::gaussian;
  return *given;
}

}  // namespace

template <class T>
Statistics<T> contrastive_gradient(const Phase<T>& pos, const Phase<T>& neg, UnitType visible,
                                   GradientWorkspace<T>* workspace) {
  if (pos.v.n_rows != neg.v.n_rows || pos.h.n_rows != neg.h.n_rows)
    throw DimensionError("contrastive_gradient: positive and negative phases differ in shape");
  const T n_pos = T(pos.v.n_cols), n_neg = T(neg.v.n_cols);
  Statistics<T> g;
  // The negative phase's terms are subtracted from the positive phase's sums one by one, where
  // the correlator adds the terms of −h (the same bits; see the header on bitwise equality).
  std::unique_ptr<GradientWorkspace<T>> own;
  GradientWorkspace<T>& ws = workspace_for(workspace, own, visible);
  detail::ProductBuffers<T>& buf = ws.buffers();
  arma::Mat<T>& Pt = buf.Wt;  // (GradientWorkspace::buffers)
  buf.wt_ready = false;
  // arma::sum(·, 1)'s bits, split among threads.
  arma::Col<T> pv, nv, ph, nh;
  // The positive phase's sums as the caller formed them for these matrices, or formed here.
  auto take = [](typename GradientWorkspace<T>::NamedSums& given, const arma::Mat<T>& M,
                 arma::Col<T>& out) {
    if (given.are_of(M))
      out = std::move(given.sums);
    else
      detail::sum_rows(M, out);
    given.of = nullptr;
  };
  take(ws.positive_sums.v, pos.v, pv);
  detail::sum_rows(neg.v, nv);
  take(ws.positive_sums.h, pos.h, ph);
  detail::sum_rows(neg.h, nh);
  ws.weight_rows_reported = false;
  // The products come transposed (products.hpp); the same operations in either layout.
  if (n_pos == n_neg) {
    g.db = (pv - nv) / n_pos;
    g.dc = (ph - nh) / n_pos;
    ws.divisor = double(n_pos);
    detail::RowsDone rows_done;
    if (ws.defer_weights && ws.weight_rows) {
      static_assert(detail::rows_unit == 32, "GradientWorkspace::weight_rows: blocks of 32 rows");
      rows_done = [&](std::size_t first, std::size_t last, int worker) {
        ws.weight_rows(first, last, worker, g);
      };
    }
    if (!detail::outer_difference_transposed(pos.v, pos.h, neg.v, neg.h, Pt, buf, rows_done,
                                             &ws.weight_rows_reported)) {
      detail::outer_transposed(pos.v, pos.h, Pt, buf);
      detail::accumulate_outer_transposed(neg.v, neg.h, Pt, true, buf);
    }
    if (!ws.defer_weights) detail::transpose(Pt, g.dW, n_pos);
  } else {
    arma::Mat<T> Nt;
    detail::outer_transposed(pos.v, pos.h, Pt, buf);
    detail::outer_transposed(neg.v, neg.h, Nt, buf);
    Pt /= n_pos;
    Nt /= n_neg;
    Pt -= Nt;
    ws.divisor = 1;
    if (!ws.defer_weights) detail::transpose(Pt, g.dW);
    g.db = pv / n_pos - nv / n_neg;
    g.dc = ph / n_pos - nh / n_neg;
  }
  return g;
}

template <class T>
Statistics<T> reward_correlator_gradient(const RewardStream<T>& s, UnitType visible,
                                         GradientWorkspace<T>* workspace) {
  const arma::uword n = s.reward.n_elem;
  if (s.v.n_cols != n || s.h.n_cols != n)
    throw DimensionError("reward_correlator_gradient: stream has " + std::to_string(n) +
                         " rewards for " + std::to_string(s.v.n_cols) + " samples");
  const std::size_t n_pos = s.n_positive();
  for (arma::uword t = 0; t < n; ++t)
    if (s.reward[t] != T(1) && s.reward[t] != T(-1))
      throw InvalidArgument("reward_correlator_gradient: reward of sample " + std::to_string(t) +
                            " is neither +1 nor -1");
  if (n_pos == 0 || 2 * n_pos != n)
    throw InvalidArgument("reward_correlator_gradient: needs equal numbers of positive and "
                          "negative samples, got " + std::to_string(n_pos) + " and " +
                          std::to_string(n - n_pos));
  Statistics<T> g;
  g.db.zeros(s.v.n_rows);
  g.dc.zeros(s.h.n_rows);
  // Σ_t R_t (·) over each run of equal reward, each term added to the accumulators in stream
  // order (the statistic transposed, as the products give it).
  std::unique_ptr<GradientWorkspace<T>> own;
  GradientWorkspace<T>& ws = workspace_for(workspace, own, visible);
  detail::ProductBuffers<T>& buf = ws.buffers();
  arma::Mat<T>& RhvT = buf.Wt;  // (GradientWorkspace::buffers)
  buf.wt_ready = false;
  ws.weight_rows_reported = false;  // (the rows are formed in runs: none final before the last)
  arma::uword a = 0;
  while (a < n) {
    arma::uword b = a + 1;
    while (b < n && s.reward[b] == s.reward[a]) ++b;
    const T r = s.reward[a];
    const arma::Mat<T> Rv = s.v.cols(a, b - 1) * r;  // exact: r = ±1
    const arma::Mat<T> Rh = s.h.cols(a, b - 1) * r;
    const arma::Mat<T> V_run = s.v.cols(a, b - 1);
    if (a == 0)
      detail::outer_transposed(V_run, Rh, RhvT, buf);
    else
      detail::accumulate_outer_transposed(V_run, Rh, RhvT, false, buf);
    g.db += arma::sum(Rv, 1);
    g.dc += arma::sum(Rh, 1);
    a = b;
  }
  ws.divisor = double(n_pos);
  if (!ws.defer_weights) detail::transpose(RhvT, g.dW, T(n_pos));
  g.db /= T(n_pos);
  g.dc /= T(n_pos);
  return g;
}

template <class T>
Statistics<double> reward_correlator_reference(const RewardStream<T>& s) {
  const arma::uword nv = s.v.n_rows, nh = s.h.n_rows, n = s.reward.n_elem;
  std::vector<long double> W(nv * nh, 0.0L), b(nv, 0.0L), c(nh, 0.0L);
  std::size_t n_pos = 0;
  for (arma::uword t = 0; t < n; ++t) {
    const long double r = s.reward[t];
    n_pos += r > 0;
    for (arma::uword i = 0; i < nv; ++i) b[i] += r * s.v(i, t);
    for (arma::uword j = 0; j < nh; ++j) c[j] += r * s.h(j, t);
    for (arma::uword j = 0; j < nh; ++j)
      for (arma::uword i = 0; i < nv; ++i) W[j * nv + i] += r * s.v(i, t) * s.h(j, t);
  }
  Statistics<double> g;
  g.dW.set_size(nv, nh);
  g.db.set_size(nv);
  g.dc.set_size(nh);
  const long double d = n_pos ? (long double)n_pos : 1.0L;
  for (arma::uword k = 0; k < nv * nh; ++k) g.dW[k] = double(W[k] / d);
  for (arma::uword i = 0; i < nv; ++i) g.db[i] = double(b[i] / d);
  for (arma::uword j = 0; j < nh; ++j) g.dc[j] = double(c[j] / d);
  return g;
}

template <class T>
Statistics<T> rbm_gradient(GradientPath path, const Phase<T>& pos, const Phase<T>& neg,
                            const StreamObserver<T>& observer, UnitType visible,
                            GradientWorkspace<T>* workspace) {
  if (path == GradientPath::contrastive) return contrastive_gradient(pos, neg, visible, workspace);
  const RewardStream<T> stream = make_reward_stream(pos, neg);
  if (observer) observer(stream);
  return reward_correlator_gradient(stream, visible, workspace);
}

#define RBMKIT_GRADIENT_INSTANTIATE(T)                                              \
  template struct RewardStream<T>;                                                  \
  template class GradientWorkspace<T>;                                              \
  template RewardStream<T> make_reward_stream(const Phase<T>&, const Phase<T>&);    \
  template Statistics<T> contrastive_gradient(const Phase<T>&, const Phase<T>&, UnitType, \
                                              GradientWorkspace<T>*);               \
  template Statistics<T> reward_correlator_gradient(const RewardStream<T>&, UnitType,   \
                                                    GradientWorkspace<T>*);         \
  template Statistics<double> reward_correlator_reference(const RewardStream<T>&); \
  template Statistics<T> rbm_gradient(GradientPath, const Phase<T>&, const Phase<T>&, \
                                       const StreamObserver<T>&, UnitType,          \
                                       GradientWorkspace<T>*);
RBMKIT_GRADIENT_INSTANTIATE(float)
RBMKIT_GRADIENT_INSTANTIATE(double)

}  // namespace rbmkit
