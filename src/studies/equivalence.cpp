#include "rbmkit/studies/equivalence.hpp"


#include <algorithm>
#include <cmath>
#include <cstdio>
#include <deque>
#include <limits>

#include "rbmkit/training/bm_statistics.hpp"
#include "rbmkit/core/math.hpp"
#include "rbmkit/core/error.hpp"
#include "rbmkit/io/csv.hpp"
#include "rbmkit/io/files.hpp"
#include "rbmkit/sampling/gibbs.hpp"
#include "rbmkit/training/statistics.hpp"

namespace rbmkit {

// ---- differences ------------------------------------------------------------------------------

double UpdateDifference::max() const { return std::max({visible_bias, hidden_bias, weights}); }

namespace {
double max_abs(const arma::mat& a, const arma::mat& b) {
  if (a.n_rows != b.n_rows || a.n_cols != b.n_cols)
    throw DimensionError("max_abs_difference: updates differ in shape");
  return a.n_elem ? arma::abs(a - b).max() : 0.0;
}
}  // namespace

UpdateDifference max_abs_difference(const Statistics<double>& a, const Statistics<double>& b, std::size_t nv) {
  UpdateDifference d;
  d.visible_bias = max_abs(a.db, b.db);
  d.hidden_bias = max_abs(a.dc, b.dc);
  d.weights = max_abs(a.dW, b.dW);
  const std::size_t n = a.dW.n_rows;
  if (nv > 0 && a.dW.n_cols == n && nv <= n) {  // BM: n × n weights over visible-then-hidden
    const arma::mat D = arma::abs(a.dW - b.dW);
    d.weights_vv = D.submat(0, 0, nv - 1, nv - 1).max();
    if (nv < n) {
      d.weights_vh = D.submat(0, nv, nv - 1, n - 1).max();
      d.weights_hh = D.submat(nv, nv, n - 1, n - 1).max();
    }
  }
  return d;
}

// ---- one minibatch ------------------------------------------------------------------------------

namespace {

void check_equiv_inputs(std::size_t nv, const Dataset& data, const EquivConfig& c,
                        const char* fn) {
  if (data.dim() != nv)
    throw DimensionError(std::string(fn) + ": " + data.source + " has " +
                         std::to_string(data.dim()) + " dimensions, model has " +
                         std::to_string(nv) + " visible units");
  if (data.size() == 0) throw DataError(std::string(fn) + ": " + data.source + ": no examples");
  if (c.k == 0) throw InvalidArgument("--k: must be at least 1");
  if (c.batch == 0) throw InvalidArgument("--batch: must be at least 1");
  if (c.batch > data.size())
    throw InvalidArgument("--batch: " + std::to_string(c.batch) + " exceeds the " +
                          std::to_string(data.size()) + " examples of " + data.source);
}

/// The positive minibatch (first `batch` of a random order) and, for PCD, the chains' start
/// (the next `batch` examples of that order, wrapping around).
template <class T>
void draw_minibatches(const Dataset& data, const EquivConfig& c, Rng& rng, arma::Mat<T>& V,
                      arma::Mat<T>& V_chain) {
  const std::size_t N = data.size(), B = c.batch;
  arma::uvec order(N);
  for (std::size_t i = 0; i < N; ++i) order[i] = i;
  shuffle(order.begin(), order.end(), rng);
  V = make_batch<T>(data, order, 0, B, c.binarize, c.threshold, rng);
  if (c.method == Method::pcd) {
    arma::uvec second(B);
    for (std::size_t j = 0; j < B; ++j) second[j] = order[(B + j) % N];
    V_chain = make_batch<T>(data, second, 0, B, c.binarize, c.threshold, rng);
  }
}


}  // namespace

template <class T>
EquivResult rbm_equivalence(const Rbm<T>& rbm, const Dataset& data, const EquivConfig& c,
                            Rng& rng) {
  check_equiv_inputs(rbm.n_visible(), data, c, "rbm_equivalence");
  arma::Mat<T> V, V_chain;
  draw_minibatches(data, c, rng, V, V_chain);
  // The sampling of RbmTrainer::step.
  Phase<T> pos;
  pos.v = V;
  pos.h = rbm.hidden_mean(V);
  const Phase<T> neg = c.method == Method::cd ? gibbs_chain_from(rbm, pos.h, c.k, rng)
                                              : gibbs_chain(rbm, V_chain, c.k, rng);
  const RewardStream<T> stream = make_reward_stream(pos, neg);
  EquivResult r;
  r.machine = MachineKind::rbm;
  r.n_visible = rbm.n_visible();
  r.n_hidden = rbm.n_hidden();
  r.reward = arma::conv_to<arma::rowvec>::from(stream.reward);
  r.v = arma::conv_to<arma::mat>::from(stream.v);
  r.h = arma::conv_to<arma::mat>::from(stream.h);
  r.contrastive = contrastive_gradient(pos, neg).template cast<double>();
  r.correlator = reward_correlator_gradient(stream).template cast<double>();
  r.difference = max_abs_difference(r.contrastive, r.correlator);
  return r;
}

template <class T>
EquivResult bm_equivalence(const BoltzmannMachine<T>& bm, const Dataset& data,
                           const EquivConfig& c, Rng& rng) {
  bm.check("bm_equivalence");
  check_equiv_inputs(bm.n_visible(), data, c, "bm_equivalence");
  const std::size_t nv = bm.n_visible(), n = bm.n_units(), B = c.batch;
  arma::Mat<T> V, V_chain;
  draw_minibatches(data, c, rng, V, V_chain);
  // The sampling of BmTrainer::step, hidden states starting at 0.
  arma::Mat<T> S_pos(n, B, arma::fill::zeros);
  S_pos.rows(0, nv - 1) = V;
  gibbs_sweeps_clamped(bm, S_pos, c.k, rng);
  arma::Mat<T> S_neg;
  if (c.method == Method::cd) {
    S_neg = S_pos;
  } else {
    S_neg.zeros(n, B);
    S_neg.rows(0, nv - 1) = V_chain;
  }
  gibbs_sweeps_free(bm, S_neg, c.k, rng);
  const RewardStream<T> stream = make_bm_reward_stream(S_pos, S_neg);
  EquivResult r;
  r.machine = MachineKind::bm;
  r.n_visible = nv;
  r.n_hidden = bm.n_hidden();
  r.reward = arma::conv_to<arma::rowvec>::from(stream.reward);
  const arma::mat S = arma::conv_to<arma::mat>::from(stream.v);
  r.v = S.rows(0, nv - 1);
  r.h = n > nv ? arma::mat(S.rows(nv, n - 1)) : arma::mat(0, S.n_cols);
  r.mask = arma::conv_to<arma::mat>::from(bm.mask());
  r.contrastive = bm_contrastive_gradient(bm, S_pos, S_neg).template cast<double>();
  r.correlator = bm_reward_correlator_gradient(bm, stream).template cast<double>();
  r.difference = max_abs_difference(r.contrastive, r.correlator, nv);
  return r;
}

void write_equivalence_dump(const std::string& dir, const EquivResult& r) {
  ensure_directory(dir);
  // One row per stream sample: reward, visible states, hidden values.
  write_csv_matrix(dir + "/stream.csv", arma::join_cols(arma::join_cols(r.reward, r.v), r.h).t());
  write_csv_matrix(dir + "/contrastive_dW.csv", r.contrastive.dW);
  write_csv_matrix(dir + "/contrastive_db.csv", r.contrastive.db);
  write_csv_matrix(dir + "/contrastive_dc.csv", r.contrastive.dc);
  write_csv_matrix(dir + "/correlator_dW.csv", r.correlator.dW);
  write_csv_matrix(dir + "/correlator_db.csv", r.correlator.db);
  write_csv_matrix(dir + "/correlator_dc.csv", r.correlator.dc);
  if (r.machine == MachineKind::bm) write_csv_matrix(dir + "/mask.csv", r.mask);
}

#define RBMKIT_EQUIVALENCE_INSTANTIATE(T)                                                     \
  template EquivResult rbm_equivalence(const Rbm<T>&, const Dataset&, const EquivConfig&,     \
                                       Rng&);                                                 \
  template EquivResult bm_equivalence(const BoltzmannMachine<T>&, const Dataset&,             \
                                      const EquivConfig&, Rng&);
RBMKIT_EQUIVALENCE_INSTANTIATE(float)
RBMKIT_EQUIVALENCE_INSTANTIATE(double)

}  // namespace rbmkit
