#include "rbmkit/training/bm_statistics.hpp"

#include "rbmkit/core/error.hpp"

namespace rbmkit {

namespace {

template <class T>
void check_states(const BoltzmannMachine<T>& bm, const arma::Mat<T>& S, const char* fn,
                  const char* what) {
  if (S.n_rows != bm.n_units())
    throw DimensionError(std::string(fn) + ": " + what + " states have " +
                         std::to_string(S.n_rows) + " rows, machine has " +
                         std::to_string(bm.n_units()) + " units");
}

/// Symmetrises from the upper triangle, zeroes the diagonal and every masked-out pair, and splits
/// the bias statistics into visible and hidden parts. The same operations for every path.
template <class T>
Statistics<T> finish(const BoltzmannMachine<T>& bm, arma::Mat<T>&& dW, const arma::Col<T>& dbias) {
  const std::size_t n = bm.n_units(), nv = bm.n_visible();
  Statistics<T> g;
  g.dW = std::move(dW);
  const arma::Mat<T>& M = bm.mask();
  for (std::size_t j = 0; j < n; ++j)
    for (std::size_t i = 0; i <= j; ++i) {
      const T x = M(i, j) != T(0) ? g.dW(i, j) : T(0);
      g.dW(i, j) = x;
      g.dW(j, i) = x;
    }
  g.db = dbias.head(nv);
  g.dc = dbias.tail(n - nv);
  return g;
}

}  // namespace

template <class T>
RewardStream<T> make_bm_reward_stream(const arma::Mat<T>& S_pos, const arma::Mat<T>& S_neg) {
  if (S_pos.n_rows != S_neg.n_rows)
    throw DimensionError("make_bm_reward_stream: positive and negative states differ in units");
  return make_reward_stream(Phase<T>{S_pos, S_pos}, Phase<T>{S_neg, S_neg});
}

template <class T>
Statistics<T> bm_contrastive_gradient(const BoltzmannMachine<T>& bm, const arma::Mat<T>& S_pos,
                                      const arma::Mat<T>& S_neg) {
  check_states(bm, S_pos, "bm_contrastive_gradient", "positive");
  check_states(bm, S_neg, "bm_contrastive_gradient", "negative");
  Statistics<T> g = contrastive_gradient(Phase<T>{S_pos, S_pos}, Phase<T>{S_neg, S_neg});
  return finish(bm, std::move(g.dW), g.db);
}

template <class T>
Statistics<T> bm_reward_correlator_gradient(const BoltzmannMachine<T>& bm,
                                            const RewardStream<T>& stream) {
  check_states(bm, stream.v, "bm_reward_correlator_gradient", "stream");
  check_states(bm, stream.h, "bm_reward_correlator_gradient", "stream");
  Statistics<T> g = reward_correlator_gradient(stream);
  return finish(bm, std::move(g.dW), g.db);
}

template <class T>
Statistics<T> bm_gradient(GradientPath path, const BoltzmannMachine<T>& bm,
                          const arma::Mat<T>& S_pos, const arma::Mat<T>& S_neg,
                          const StreamObserver<T>& observer) {
  if (path == GradientPath::contrastive) return bm_contrastive_gradient(bm, S_pos, S_neg);
  const RewardStream<T> stream = make_bm_reward_stream(S_pos, S_neg);
  if (observer) observer(stream);
  return bm_reward_correlator_gradient(bm, stream);
}

template <class T>
Statistics<double> centered_correlator_gradient(const BoltzmannMachine<T>& bm,
                                                const arma::Mat<T>& S, const arma::Mat<T>& P,
                                                const arma::Row<T>& reward) {
  check_states(bm, S, "centered_correlator_gradient", "stream");
  if (P.n_rows != S.n_rows || P.n_cols != S.n_cols || reward.n_elem != S.n_cols)
    throw DimensionError("centered_correlator_gradient: states, probabilities and rewards "
                         "disagree in shape");
  std::size_t n_pos = 0;
  for (arma::uword t = 0; t < reward.n_elem; ++t) {
    if (reward[t] != T(1) && reward[t] != T(-1))
      throw InvalidArgument("centered_correlator_gradient: reward of sample " +
                            std::to_string(t) + " is neither +1 nor -1");
    n_pos += reward[t] > 0;
  }
  if (n_pos == 0 || 2 * n_pos != reward.n_elem)
    throw InvalidArgument("centered_correlator_gradient: needs equal numbers of positive and "
                          "negative samples");
  const arma::mat Sd = arma::conv_to<arma::mat>::from(S);
  const arma::mat Pd = arma::conv_to<arma::mat>::from(P);
  const arma::rowvec r = arma::conv_to<arma::rowvec>::from(reward);
  // R_t (s_t − p_t) for every unit, then G = Σ_t R_t (s_t − p_t) s_tᵀ: unit i's term through a_i.
  arma::mat E = Sd - Pd;
  E.each_row() %= r;
  const arma::vec dbias = arma::sum(E, 1) / double(n_pos);
  const arma::mat G = E * Sd.t() / double(n_pos);
  arma::mat dW = G + G.t();
  return finish(bm.template cast<double>(), std::move(dW), dbias);
}

#define RBMKIT_BM_GRADIENT_INSTANTIATE(T)                                                        \
  template RewardStream<T> make_bm_reward_stream(const arma::Mat<T>&, const arma::Mat<T>&);      \
  template Statistics<T> bm_contrastive_gradient(const BoltzmannMachine<T>&, const arma::Mat<T>&, \
                                                 const arma::Mat<T>&);                           \
  template Statistics<T> bm_reward_correlator_gradient(const BoltzmannMachine<T>&,               \
                                                       const RewardStream<T>&);                  \
  template Statistics<T> bm_gradient(GradientPath, const BoltzmannMachine<T>&,                   \
                                     const arma::Mat<T>&, const arma::Mat<T>&,                   \
                                     const StreamObserver<T>&);                                  \
  template Statistics<double> centered_correlator_gradient(                                      \
      const BoltzmannMachine<T>&, const arma::Mat<T>&, const arma::Mat<T>&, const arma::Row<T>&);
RBMKIT_BM_GRADIENT_INSTANTIATE(float)
RBMKIT_BM_GRADIENT_INSTANTIATE(double)

}  // namespace rbmkit
