#include "rbmkit/studies/equivalence.hpp"


#include <algorithm>
#include <cmath>
#include <cstdio>
#include <deque>
#include <limits>

#include "rbmkit/training/bm_statistics.hpp"
#include "rbmkit/core/math.hpp"
#include "rbmkit/core/error.hpp"
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

UpdateDifference max_abs_difference(const Updates& a, const Updates& b, std::size_t nv) {
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

template <class T>
Updates to_updates(const RbmGradient<T>& g) {
  return {arma::conv_to<arma::mat>::from(g.dW), arma::conv_to<arma::vec>::from(g.db),
          arma::conv_to<arma::vec>::from(g.dc)};
}
template <class T>
Updates to_updates(const BmGradient<T>& g) {
  return {arma::conv_to<arma::mat>::from(g.dW), arma::conv_to<arma::vec>::from(g.db),
          arma::conv_to<arma::vec>::from(g.dc)};
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
  r.contrastive = to_updates(contrastive_gradient(pos, neg));
  r.correlator = to_updates(reward_correlator_gradient(stream));
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
  r.contrastive = to_updates(bm_contrastive_gradient(bm, S_pos, S_neg));
  r.correlator = to_updates(bm_reward_correlator_gradient(bm, stream));
  r.difference = max_abs_difference(r.contrastive, r.correlator, nv);
  return r;
}

namespace {
void write_csv(const std::string& path, const arma::mat& m) {
  write_file_atomically(path, [&](std::ostream& os) {
    char buf[32];
    for (arma::uword i = 0; i < m.n_rows; ++i) {
      for (arma::uword j = 0; j < m.n_cols; ++j) {
        std::snprintf(buf, sizeof buf, "%.17g", m(i, j));
        if (j) os << ',';
        os << buf;
      }
      os << '\n';
    }
  });
}
}  // namespace

void write_equivalence_dump(const std::string& dir, const EquivResult& r) {
  ensure_directory(dir);
  // One row per stream sample: reward, visible states, hidden values.
  write_csv(dir + "/stream.csv", arma::join_cols(arma::join_cols(r.reward, r.v), r.h).t());
  write_csv(dir + "/contrastive_dW.csv", r.contrastive.dW);
  write_csv(dir + "/contrastive_db.csv", r.contrastive.db);
  write_csv(dir + "/contrastive_dc.csv", r.contrastive.dc);
  write_csv(dir + "/correlator_dW.csv", r.correlator.dW);
  write_csv(dir + "/correlator_db.csv", r.correlator.db);
  write_csv(dir + "/correlator_dc.csv", r.correlator.dc);
  if (r.machine == MachineKind::bm) write_csv(dir + "/mask.csv", r.mask);
}

// ---- exact quantities by enumeration ------------------------------------------------------------

namespace detail {

std::size_t visible_index(const double* v, std::size_t nv) {
  std::size_t x = 0;
  for (std::size_t i = 0; i < nv; ++i)
    if (v[i] != 0.0) x |= std::size_t(1) << i;
  return x;
}

arma::vec data_distribution(const arma::mat& data) {
  const std::size_t nv = data.n_rows;
  if (nv == 0 || nv > 16)
    throw InvalidArgument("data_distribution: needs 1 to 16 visible units, got " +
                          std::to_string(nv));
  if (data.n_cols == 0) throw DataError("data_distribution: no examples");
  arma::vec p(std::size_t(1) << nv, arma::fill::zeros);
  for (arma::uword t = 0; t < data.n_cols; ++t) {
    for (arma::uword i = 0; i < nv; ++i)
      if (data(i, t) != 0.0 && data(i, t) != 1.0)
        throw DataError("data_distribution: example " + std::to_string(t) +
                        " is not binary (0/1)");
    p[visible_index(data.colptr(t), nv)] += 1.0;
  }
  return p / double(data.n_cols);
}

namespace {
double mean_ll(const arma::vec& p_data, const arma::vec& p_visible) {
  double ll = 0;
  for (arma::uword x = 0; x < p_data.n_elem; ++x)
    if (p_data[x] > 0) ll += p_data[x] * std::log(p_visible[x]);
  return ll;
}
}  // namespace

Exact exact_bm(const BoltzmannMachine<double>& bm, const arma::mat& data) {
  bm.check("exact_bm");
  const std::size_t nv = bm.n_visible(), n = bm.n_units();
  if (nv > 16 || n > 20)
    throw InvalidArgument("exact_bm: enumeration needs at most 16 visible and 20 units in all, "
                          "got " + std::to_string(nv) + " and " + std::to_string(n));
  if (data.n_rows != nv)
    throw DimensionError("exact_bm: data has " + std::to_string(data.n_rows) +
                         " rows, model has " + std::to_string(nv) + " visible units");
  const arma::vec p_data = data_distribution(data);
  const arma::mat& W = bm.W();
  const arma::vec& b = bm.bias();
  const std::size_t N = std::size_t(1) << n, vmask = (std::size_t(1) << nv) - 1;
  std::vector<double> logw(N);
  std::vector<std::size_t> on;
  on.reserve(n);
  auto active = [&](std::size_t x) {
    on.clear();
    for (std::size_t i = 0; i < n; ++i)
      if (x >> i & 1) on.push_back(i);
  };
  for (std::size_t x = 0; x < N; ++x) {
    active(x);
    double lw = 0;
    for (std::size_t a = 0; a < on.size(); ++a) {
      lw += b[on[a]];
      for (std::size_t c = a + 1; c < on.size(); ++c) lw += W(on[a], on[c]);
    }
    logw[x] = lw;
  }
  Exact e;
  e.log_z = log_sum_exp(logw);
  e.p_visible.zeros(vmask + 1);
  for (std::size_t x = 0; x < N; ++x) e.p_visible[x & vmask] += std::exp(logw[x] - e.log_z);
  e.mean_log_likelihood = mean_ll(p_data, e.p_visible);
  // Σ_s (p̃(s) − p(s)) f(s), p̃(s) = p_data(v) P(h | v): the clamped minus the free expectation.
  arma::vec g_bias(n, arma::fill::zeros), c_bias(n, arma::fill::zeros);
  arma::mat g_W(n, n, arma::fill::zeros), G(n, n, arma::fill::zeros);
  arma::vec a(n);
  for (std::size_t x = 0; x < N; ++x) {
    active(x);
    const double ps = std::exp(logw[x] - e.log_z);
    const std::size_t vi = x & vmask;
    const double pt = p_data[vi] > 0 ? p_data[vi] * ps / e.p_visible[vi] : 0.0;
    const double w = pt - ps;
    for (std::size_t i = 0; i < n; ++i) {
      double ai = b[i];
      for (std::size_t j : on) ai += W(i, j);  // W(i, i) = 0
      a[i] = ai;
    }
    for (std::size_t p : on) {
      g_bias[p] += w;
      for (std::size_t q : on) g_W(p, q) += w;
    }
    for (std::size_t i = 0; i < n; ++i) {
      const double ei = double(x >> i & 1) - sigmoid(a[i]);
      c_bias[i] += w * ei;
      for (std::size_t j : on) G(i, j) += w * ei;  // (s_i − σ_i) s_j
    }
  }
  arma::mat C = G + G.t();
  const arma::mat& M = bm.mask();
  for (arma::uword k = 0; k < M.n_elem; ++k)
    if (M[k] == 0.0) g_W[k] = C[k] = 0.0;
  e.ll_gradient = {g_W, g_bias.head(nv), g_bias.tail(n - nv)};
  e.has_centered = true;
  e.centered_target = {C, c_bias.head(nv), c_bias.tail(n - nv)};
  return e;
}

namespace {
Updates rbm_block(const Updates& u, std::size_t nv) {
  const std::size_t n = u.dW.n_rows;
  return {u.dW.submat(0, nv, nv - 1, n - 1), u.db, u.dc};
}
}  // namespace

Exact exact_rbm(const Rbm<double>& rbm, const arma::mat& data, bool with_centered) {
  const std::size_t nv = rbm.n_visible(), nh = rbm.n_hidden();
  if (nv > 16)
    throw InvalidArgument("exact_rbm: enumeration needs at most 16 visible units, got " +
                          std::to_string(nv));
  if (data.n_rows != nv)
    throw DimensionError("exact_rbm: data has " + std::to_string(data.n_rows) +
                         " rows, model has " + std::to_string(nv) + " visible units");
  const arma::vec p_data = data_distribution(data);
  const std::size_t N = std::size_t(1) << nv;
  std::vector<double> logw(N);
  arma::vec v(nv);
  auto set_v = [&](std::size_t x) {
    for (std::size_t i = 0; i < nv; ++i) v[i] = double(x >> i & 1);
  };
  for (std::size_t x = 0; x < N; ++x) {
    set_v(x);
    const arma::vec ah = rbm.W().t() * v + rbm.c();
    double lw = arma::dot(rbm.b(), v);
    for (std::size_t j = 0; j < nh; ++j) lw += softplus(ah[j]);
    logw[x] = lw;  // −F(v)
  }
  Exact e;
  e.log_z = log_sum_exp(logw);
  e.p_visible.set_size(N);
  for (std::size_t x = 0; x < N; ++x) e.p_visible[x] = std::exp(logw[x] - e.log_z);
  e.mean_log_likelihood = mean_ll(p_data, e.p_visible);
  Updates g{arma::mat(nv, nh, arma::fill::zeros), arma::vec(nv, arma::fill::zeros),
            arma::vec(nh, arma::fill::zeros)};
  for (std::size_t x = 0; x < N; ++x) {
    const double w = p_data[x] - e.p_visible[x];
    set_v(x);
    arma::vec mh = rbm.W().t() * v + rbm.c();
    for (std::size_t j = 0; j < nh; ++j) mh[j] = sigmoid(mh[j]);
    g.db += w * v;
    g.dc += w * mh;
    g.dW += w * v * mh.t();
  }
  e.ll_gradient = g;
  if (with_centered && nv + nh <= 20) {
    const Exact full = exact_bm(to_boltzmann(rbm), data);
    e.has_centered = true;
    e.centered_target = rbm_block(full.centered_target, nv);
  }
  return e;
}

}  // namespace detail

// ---- the literal setup of §4.2 ------------------------------------------------------------------

namespace {

/// Σ R·f over the stream, for every statistic, in BM form (all n units).
struct StreamSums {
  std::size_t n;
  arma::vec s, cs;
  arma::mat ss, G;
  explicit StreamSums(std::size_t n_units)
      : n(n_units), s(n, arma::fill::zeros), cs(n, arma::fill::zeros),
        ss(n, n, arma::fill::zeros), G(n, n, arma::fill::zeros) {}
  void add(double r, const arma::vec& st, const arma::vec& p) {
    std::vector<std::size_t> on;
    for (std::size_t i = 0; i < n; ++i)
      if (st[i] != 0.0) on.push_back(i);
    for (std::size_t i : on) {
      s[i] += r;
      for (std::size_t j : on) ss(i, j) += r;
    }
    for (std::size_t i = 0; i < n; ++i) {
      const double e = r * (st[i] - p[i]);
      cs[i] += e;
      for (std::size_t j : on) G(i, j) += e;
    }
  }
};

/// BM-form sums divided by n₊, masked, diagonal zero; in RBM form when `rbm`.
Updates finish_sums(const arma::vec& s, const arma::mat& ss, std::size_t pairs, std::size_t nv,
                    const arma::mat& mask, bool rbm) {
  const std::size_t n = s.n_elem;
  arma::mat W = ss / double(pairs);
  for (arma::uword k = 0; k < W.n_elem; ++k)
    if (mask[k] == 0.0) W[k] = 0.0;
  const arma::vec bias = s / double(pairs);
  if (rbm) return {W.submat(0, nv, nv - 1, n - 1), bias.head(nv), bias.tail(n - nv)};
  return {W, bias.head(nv), bias.tail(n - nv)};
}

/// Runs the chain through `step(s, p)` (advance one step; s the new binary state of all units,
/// p = P(s_i = 1 | s_−i) for each unit) and builds the ±1 stream of §4.2.
template <class Step>
LiteralResult run_literal(std::size_t nv, std::size_t nh, const arma::mat& mask, bool rbm_form,
                          const detail::Exact& ex, const arma::vec& p_data,
                          const LiteralConfig& cfg, Rng& rng, Step step) {
  if (cfg.pairs == 0) throw InvalidArgument("--pairs: must be at least 1");
  if (!(cfg.z > 0)) throw InvalidArgument("literal: z must be positive");
  const std::size_t n = nv + nh;
  LiteralResult res;
  // Rejection constant: p_data(v) ≤ M p_model(v) for every v.
  double M = 0;
  for (arma::uword x = 0; x < p_data.n_elem; ++x)
    if (p_data[x] > 0) M = std::max(M, p_data[x] / ex.p_visible[x]);
  res.rejection_constant = M;
  const double expected = double(cfg.burn_in) + double(cfg.pairs) * M * 1.05;
  if (!(expected <= double(cfg.max_chain_steps)))
    throw InvalidArgument("literal: the rejection constant M = " + std::to_string(M) +
                          " needs about " + std::to_string(expected) +
                          " chain steps; use a model closer to the data or fewer --pairs");
  res.exact = ex.ll_gradient;
  res.centered_available = ex.has_centered;
  if (ex.has_centered) res.centered_target = ex.centered_target;
  const double q = 1.0 / M;  // the negatives' coin: the positives' average acceptance rate

  arma::vec s(n), p(n);
  for (std::size_t t = 0; t < cfg.burn_in; ++t) step(s, p);
  std::deque<std::pair<arma::vec, arma::vec>> pos, neg;
  StreamSums sums(n);
  std::size_t pairs = 0, n_accepted = 0;
  std::uint64_t steps = 0;
  std::size_t next_checkpoint = std::min<std::size_t>(100, cfg.pairs);
  while (pairs < cfg.pairs) {
    if (steps >= cfg.max_chain_steps)
      throw InvalidArgument("literal: reached " + std::to_string(cfg.max_chain_steps) +
                            " chain steps before " + std::to_string(cfg.pairs) + " pairs");
    step(s, p);
    ++steps;
    const double pd = p_data[detail::visible_index(s.memptr(), nv)];
    const double pm = ex.p_visible[detail::visible_index(s.memptr(), nv)];
    const double alpha = cfg.reject ? pd / (M * pm) : q;
    if (rng.uniform() < alpha) {
      pos.emplace_back(s, p);
      ++n_accepted;
    }
    if (rng.uniform() < q) neg.emplace_back(s, p);
    while (!pos.empty() && !neg.empty() && pairs < cfg.pairs) {
      sums.add(+1.0, pos.front().first, pos.front().second);
      sums.add(-1.0, neg.front().first, neg.front().second);
      pos.pop_front();
      neg.pop_front();
      ++pairs;
      if (pairs == next_checkpoint) {
        LiteralCheckpoint c;
        c.pairs = pairs;
        c.chain_steps = steps;
        c.error = max_abs_difference(finish_sums(sums.s, sums.ss, pairs, nv, mask, rbm_form),
                                     ex.ll_gradient, rbm_form ? 0 : nv);
        c.bound = cfg.z * std::sqrt(1.0 / (2.0 * double(pairs)));
        res.checkpoints.push_back(c);
        next_checkpoint = next_checkpoint * 10 < cfg.pairs ? next_checkpoint * 10 : cfg.pairs;
      }
    }
  }
  res.chain_steps = steps;
  res.acceptance_rate = double(n_accepted) / double(steps);
  res.estimate = finish_sums(sums.s, sums.ss, pairs, nv, mask, rbm_form);
  if (ex.has_centered) {
    const arma::mat C = sums.G + sums.G.t();
    res.centered_estimate = finish_sums(sums.cs, C, pairs, nv, mask, rbm_form);
  }
  return res;
}


}  // namespace

LiteralResult literal_rbm(const Rbm<double>& rbm, const arma::mat& data,
                          const LiteralConfig& cfg, Rng& rng) {
  const std::size_t nv = rbm.n_visible(), nh = rbm.n_hidden();
  const detail::Exact ex = detail::exact_rbm(rbm, data, /*with_centered=*/true);
  const arma::vec p_data = detail::data_distribution(data);
  const arma::mat mask = connectivity_mask(nv, nh, Connectivity::restricted);
  const arma::mat& W = rbm.W();
  arma::vec v = data.col(0), h(nh, arma::fill::zeros);
  // One block Gibbs step h ~ P(h | v), v ~ P(v | h): (v, h) is then a joint sample.
  auto step = [&](arma::vec& s, arma::vec& p) {
    for (std::size_t j = 0; j < nh; ++j) {
      double a = rbm.c()[j];
      const double* w = W.colptr(j);
      for (std::size_t i = 0; i < nv; ++i) a += w[i] * v[i];
      h[j] = rng.uniform() < sigmoid(a) ? 1.0 : 0.0;
    }
    for (std::size_t i = 0; i < nv; ++i) {
      double a = rbm.b()[i];
      for (std::size_t j = 0; j < nh; ++j) a += W(i, j) * h[j];
      p[i] = sigmoid(a);
      v[i] = rng.uniform() < p[i] ? 1.0 : 0.0;
    }
    for (std::size_t j = 0; j < nh; ++j) {
      double a = rbm.c()[j];
      const double* w = W.colptr(j);
      for (std::size_t i = 0; i < nv; ++i) a += w[i] * v[i];
      p[nv + j] = sigmoid(a);  // P(h_j = 1 | v): the conditional given all other units
    }
    s.head(nv) = v;
    s.tail(nh) = h;
  };
  return run_literal(nv, nh, mask, /*rbm_form=*/true, ex, p_data, cfg, rng, step);
}

LiteralResult literal_bm(const BoltzmannMachine<double>& bm, const arma::mat& data,
                         const LiteralConfig& cfg, Rng& rng) {
  const std::size_t nv = bm.n_visible(), nh = bm.n_hidden(), n = bm.n_units();
  const detail::Exact ex = detail::exact_bm(bm, data);
  const arma::vec p_data = detail::data_distribution(data);
  const arma::mat& W = bm.W();
  const arma::vec& b = bm.bias();
  arma::vec state(n, arma::fill::zeros);
  state.head(nv) = data.col(0);
  // One sequential sweep over all units; afterwards p_i = P(s_i = 1 | s_−i) of the final state.
  auto step = [&](arma::vec& s, arma::vec& p) {
    for (std::size_t i = 0; i < n; ++i) {
      double a = b[i];
      const double* w = W.colptr(i);
      for (std::size_t j = 0; j < n; ++j) a += w[j] * state[j];
      state[i] = rng.uniform() < sigmoid(a) ? 1.0 : 0.0;
    }
    for (std::size_t i = 0; i < n; ++i) {
      double a = b[i];
      const double* w = W.colptr(i);
      for (std::size_t j = 0; j < n; ++j) a += w[j] * state[j];
      p[i] = sigmoid(a);
    }
    s = state;
  };
  return run_literal(nv, nh, bm.mask(), /*rbm_form=*/false, ex, p_data, cfg, rng, step);
}

#define RBMKIT_EQUIVALENCE_INSTANTIATE(T)                                                     \
  template EquivResult rbm_equivalence(const Rbm<T>&, const Dataset&, const EquivConfig&,     \
                                       Rng&);                                                 \
  template EquivResult bm_equivalence(const BoltzmannMachine<T>&, const Dataset&,             \
                                      const EquivConfig&, Rng&);
RBMKIT_EQUIVALENCE_INSTANTIATE(float)
RBMKIT_EQUIVALENCE_INSTANTIATE(double)

}  // namespace rbmkit
