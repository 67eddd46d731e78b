// The minibatch equivalence check: the training engine's first minibatch and phases, both
// updates from the same samples, their differences and the CSV dump.
#include "rbmkit/studies/equivalence.hpp"

#include <algorithm>
#include <cstdio>

#include "rbmkit/core/error.hpp"
#include "rbmkit/io/csv.hpp"
#include "rbmkit/io/files.hpp"
#include "rbmkit/sampling/phases.hpp"
#include "rbmkit/training/bm_statistics.hpp"
#include "rbmkit/training/engine.hpp"
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

UpdateDifference max_abs_difference(const Statistics<double>& a, const Statistics<double>& b,
                                    std::size_t nv) {
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
  if (c.k == 0) throw InvalidArgument("EquivConfig::k: must be at least 1, got 0");
  if (c.batch == 0) throw InvalidArgument("EquivConfig::batch: must be at least 1, got 0");
  if (c.batch > data.size())
    throw InvalidArgument("EquivConfig::batch: " + std::to_string(c.batch) + " exceeds the " +
                          std::to_string(data.size()) + " examples of " + data.source);
}

/// The trainer's first minibatch: the first `batch` examples of an epoch order (epoch_order)
/// and, for PCD, the chains' start: the next `batch` examples of that order, wrapping around
/// (the state of persistent chains that have moved away from the minibatch).
template <class T>
void draw_minibatch(const Dataset& data, const EquivConfig& c, Rng& rng, arma::Mat<T>& V,
                    arma::Mat<T>& chains, std::size_t chain_rows) {
  const std::size_t N = data.size(), B = c.batch;
  const arma::uvec order = epoch_order(N, rng);
  V = make_batch<T>(data, order, 0, B, c.binarize, c.threshold, rng);
  chains.reset();
  if (c.method != Method::cd) {
    arma::uvec second(B);
    for (std::size_t j = 0; j < B; ++j) second[j] = order[(B + j) % N];
    chains.zeros(chain_rows, B);
    chains.head_rows(V.n_rows) = make_batch<T>(data, second, 0, B, c.binarize, c.threshold, rng);
    if (c.method == Method::pt) chains = arma::repmat(chains, 1, c.temperatures);
  }
}

}  // namespace

template <class T>
EquivResult rbm_equivalence(const Rbm<T>& rbm, const Dataset& data, const EquivConfig& c,
                            Rng& rng) {
  check_equiv_inputs(rbm.n_visible(), data, c, "rbm_equivalence");
  arma::Mat<T> V, chains;
  draw_minibatch(data, c, rng, V, chains, rbm.n_visible());
  const Phases<T> ph =
      draw_phases(rbm, V, PhaseConfig{c.method, c.k, 0, c.temperatures}, chains, rng);
  const Phase<T>& pos = ph.positive;
  const Phase<T>& neg = ph.negative;
  const RewardStream<T> stream = make_reward_stream(pos, neg);
  EquivResult r;
  r.machine = MachineKind::rbm;
  r.precision = element_type_of<T>();
  r.n_visible = rbm.n_visible();
  r.n_hidden = rbm.n_hidden();
  r.reward = arma::conv_to<arma::rowvec>::from(stream.reward);
  r.v = arma::conv_to<arma::mat>::from(stream.v);
  r.h = arma::conv_to<arma::mat>::from(stream.h);
  r.contrastive = contrastive_gradient(pos, neg, rbm.visible_units()).template cast<double>();
  r.correlator =
      reward_correlator_gradient(stream, rbm.visible_units()).template cast<double>();
  r.difference = max_abs_difference(r.contrastive, r.correlator);
  return r;
}

template <class T>
EquivResult bm_equivalence(const BoltzmannMachine<T>& bm, const Dataset& data,
                           const EquivConfig& c, Rng& rng) {
  bm.check("bm_equivalence");
  check_equiv_inputs(bm.n_visible(), data, c, "bm_equivalence");
  const std::size_t nv = bm.n_visible(), n = bm.n_units(), B = c.batch;
  arma::Mat<T> V, chains;
  draw_minibatch(data, c, rng, V, chains, n);
  arma::Mat<T> H(n - nv, B, arma::fill::zeros);  // the trainer's hidden states start at 0
  const Phases<T> ph =
      draw_phases(bm, V, H, PhaseConfig{c.method, c.k, 0, c.temperatures}, chains, rng);
  const arma::Mat<T> S_pos = unit_states(ph.positive), S_neg = unit_states(ph.negative);
  const RewardStream<T> stream = make_bm_reward_stream(S_pos, S_neg);
  EquivResult r;
  r.machine = MachineKind::bm;
  r.precision = element_type_of<T>();
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
  write_file_atomically(dir + "/precision.txt",
                        [&](std::ostream& os) { os << to_string(r.precision) << "\n"; });
}

#define RBMKIT_EQUIVALENCE_INSTANTIATE(T)                                                     \
  template EquivResult rbm_equivalence(const Rbm<T>&, const Dataset&, const EquivConfig&,     \
                                       Rng&);                                                 \
  template EquivResult bm_equivalence(const BoltzmannMachine<T>&, const Dataset&,             \
                                      const EquivConfig&, Rng&);
RBMKIT_EQUIVALENCE_INSTANTIATE(float)
RBMKIT_EQUIVALENCE_INSTANTIATE(double)

}  // namespace rbmkit
