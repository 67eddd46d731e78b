// Annealed importance sampling: the schedule, forward runs from a base mixture, reverse runs
// from data. The chains run in float through the kernels of src/kernels; weights are double.
#include "rbmkit/evaluation/ais.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "kernels/kernels.hpp"
#include "rbmkit/core/error.hpp"
#include "rbmkit/core/math.hpp"
#include "rbmkit/core/parallel.hpp"

namespace rbmkit {

using detail::round_up;

std::vector<double> ais_schedule(std::size_t n_intermediate) {
  if (n_intermediate < 3)
    throw InvalidArgument("ais_schedule: at least 3 intermediate distributions are needed, got " +
                          std::to_string(n_intermediate));
  // Steps over [0, .5], [.5, .9], [.9, 1] in proportion 1 : 8 : 20 (500 : 4000 : 10000).
  std::size_t n1 = std::max<std::size_t>(1, std::size_t(std::llround(double(n_intermediate) / 29)));
  std::size_t n2 =
      std::max<std::size_t>(1, std::size_t(std::llround(double(n_intermediate) * 8 / 29)));
  while (n1 + n2 >= n_intermediate) (n2 > 1 ? n2 : n1)--;
  const std::size_t n3 = n_intermediate - n1 - n2;
  std::vector<double> betas;
  betas.reserve(n_intermediate + 1);
  for (std::size_t i = 0; i < n1; ++i) betas.push_back(0.5 * double(i) / double(n1));
  for (std::size_t i = 0; i < n2; ++i) betas.push_back(0.5 + 0.4 * double(i) / double(n2));
  for (std::size_t i = 0; i < n3; ++i) betas.push_back(0.9 + 0.1 * double(i) / double(n3));
  betas.push_back(1.0);
  return betas;
}

namespace {

void check_schedule(const std::vector<double>& betas, const char* who) {
  if (betas.size() < 2 || betas.front() != 0.0 || betas.back() != 1.0)
    throw InvalidArgument(std::string(who) + ": the schedule must run from beta = 0 to 1");
  for (std::size_t k = 1; k < betas.size(); ++k)
    if (!(betas[k] > betas[k - 1]))
      throw InvalidArgument(std::string(who) + ": the schedule must increase strictly");
}

/// The RBM and the base mixture in the padded float layouts of the annealing kernels.
struct AnnealModel {
  std::size_t nv = 0, nh = 0, nvp = 0, nhp = 0, K = 0, Kp = 0;
  std::vector<float> W;      ///< nvp × nh: column j is W(·, j), padding rows zero
  std::vector<float> Wt;     ///< nhp × nv: column i is W(i, ·), padding rows zero
  std::vector<float> c;      ///< nhp, zero padded
  std::vector<float> b;      ///< nvp
  std::vector<float> logit;  ///< K × nvp: ℓ_z of each base component
  std::vector<float> p0;     ///< K × nvp: sigm(ℓ_z), for exact samples of the base
  std::vector<float> Lt;     ///< Kp × nv: column i holds ℓ_{·i} (for z | v), padding zero
  std::vector<double> db;    ///< K × nv: b − ℓ_z, for the visible part of the log weights
  std::vector<double> sp;    ///< K: Σ_i softplus(ℓ_zi) = −log q_z(0)
  std::vector<double> log_pi, cum_pi;  ///< K: log π_z and Σ_{y ≤ z} π_y
  std::vector<float> zeros;  ///< max(nvp, Kp)
  /// log of the base's normaliser times 2^nh (the hidden units are uniform at β = 0).
  double base_log_z = 0;

  template <class T>
  AnnealModel(const Rbm<T>& rbm, const AisBase& base, const char* who) {
    nv = rbm.n_visible();
    nh = rbm.n_hidden();
    if (nv == 0 || nh == 0) throw InvalidArgument(std::string(who) + ": the model has no units");
    if (base.logits.n_rows != nv)
      throw DimensionError(std::string(who) + ": " + std::to_string(base.logits.n_rows) +
                           " base-rate biases for " + std::to_string(nv) + " visible units");
    K = base.weights.n_elem;
    if (K == 0 || base.logits.n_cols != K)
      throw InvalidArgument(std::string(who) + ": the base has no components");
    if (!base.logits.is_finite()) throw InvalidArgument(std::string(who) + ": non-finite base biases");
    if (!base.weights.is_finite() || base.weights.min() <= 0 ||
        std::abs(arma::accu(base.weights) - 1) > 1e-9)
      throw InvalidArgument(std::string(who) + ": the base weights must be positive and sum to 1");
    nvp = round_up(nv, detail::tile_rows);
    nhp = round_up(nh, detail::tile_rows);
    Kp = round_up(K, detail::tile_rows);
    W.assign(nvp * nh, 0.f);
    Wt.assign(nhp * nv, 0.f);
    for (std::size_t j = 0; j < nh; ++j)
      for (std::size_t i = 0; i < nv; ++i) {
        const float w = float(rbm.W()(i, j));
        W[j * nvp + i] = w;
        Wt[i * nhp + j] = w;
      }
    c.assign(nhp, 0.f);
    for (std::size_t j = 0; j < nh; ++j) c[j] = float(rbm.c()[j]);
    b.assign(nvp, 0.f);
    for (std::size_t i = 0; i < nv; ++i) b[i] = float(rbm.b()[i]);
    logit.assign(K * nvp, 0.f);
    p0.assign(K * nvp, 0.f);
    Lt.assign(Kp * nv, 0.f);
    db.resize(K * nv);
    sp.assign(K, 0.0);
    log_pi.resize(K);
    cum_pi.resize(K);
    double cum = 0;
    for (std::size_t z = 0; z < K; ++z) {
      for (std::size_t i = 0; i < nv; ++i) {
        const double l = base.logits(i, z);
        logit[z * nvp + i] = float(l);
        p0[z * nvp + i] = float(sigmoid(l));
        Lt[i * Kp + z] = float(l);
        db[z * nv + i] = double(rbm.b()[i]) - l;
        sp[z] += softplus(l);
      }
      log_pi[z] = std::log(base.weights[z]);
      cum += base.weights[z];
      cum_pi[z] = cum;
    }
    cum_pi[K - 1] = 1.0;
    zeros.assign(std::max(nvp, Kp), 0.f);
    base_log_z = double(nh) * std::log(2.0);
  }
};

/// Appends the indices i < n with u_i < p_i to `idx`, u_i uniform floats of 24 bits, two from
/// each 64-bit draw; returns the sum of `weights` over them (0 if null). Branch-free.
double sample_active(const float* p, std::size_t n, Rng& rng, std::vector<std::uint32_t>& idx,
                     const double* weights) {
  const std::size_t base = idx.size();
  idx.resize(base + n + 1);
  std::uint32_t* out = idx.data() + base;
  std::size_t count = 0;
  Rng local = rng;  // a local copy stays in registers (out[] could alias a reference)
  for (std::size_t i = 0; i < n; i += 2) {
    const std::uint64_t bits = local.next();
    const float u0 = float(bits >> 40) * 0x1.0p-24f;
    const float u1 = float((bits >> 16) & 0xffffff) * 0x1.0p-24f;
    out[count] = std::uint32_t(i);
    count += u0 < p[i];
    if (i + 1 < n) {
      out[count] = std::uint32_t(i + 1);
      count += u1 < p[i + 1];
    }
  }
  rng = local;
  idx.resize(base + count);
  double s0 = 0, s1 = 0;
  if (weights) {
    std::size_t k = 0;
    for (; k + 2 <= count; k += 2) {
      s0 += weights[out[k]];
      s1 += weights[out[k + 1]];
    }
    if (k < count) s0 += weights[out[k]];
  }
  return s0 + s1;
}

/// A group of chains annealed together by one worker: their visible and hidden states as
/// index lists of the units that are on, and the buffers of the kernels.
struct ChainGroup {
  const AnnealModel& M;
  std::size_t n;
  std::vector<Rng> rngs;
  std::vector<std::uint32_t> vidx, hidx;
  std::vector<std::size_t> vstart, hstart;
  std::vector<float> A, X, ph, pv, mix, D;
  std::vector<std::uint32_t> z;  // base component of each chain
  std::vector<double> vdot;      // (b − ℓ_z)ᵀv + Σ softplus(ℓ_z) per chain
  std::vector<double> lp;        // K scratch

  ChainGroup(const AnnealModel& model, std::vector<Rng> streams)
      : M(model), n(streams.size()), rngs(std::move(streams)) {
    vstart.assign(n + 1, 0);
    hstart.assign(n + 1, 0);
    A.assign(M.nhp * n, 0.f);
    X.assign(M.nvp * n, 0.f);
    ph.assign(M.nhp * n, 0.f);
    pv.assign(M.nvp, 0.f);
    mix.assign(M.K * M.nvp, 0.f);
    D.assign(M.K > 1 ? M.Kp * n : 0, 0.f);
    z.assign(n, 0);
    vdot.assign(n, 0.0);
    lp.assign(M.K, 0.0);
  }
  /// A uniform double in [0, 1) from chain r's stream.
  double uniform(std::size_t r) { return double(rngs[r].next() >> 11) * 0x1.0p-53; }
  /// z ~ π, then v ~ q_z: an exact sample of the base, appended as chain r (in chain order).
  void sample_base(std::size_t r) {
    if (r == 0) vidx.clear();
    if (M.K > 1) {
      const double u = uniform(r);
      z[r] = std::uint32_t(std::upper_bound(M.cum_pi.begin(), M.cum_pi.end() - 1, u) -
                           M.cum_pi.begin());
    }
    vdot[r] = sample_active(M.p0.data() + z[r] * M.nvp, M.nv, rngs[r], vidx,
                            M.db.data() + z[r] * M.nv) +
              M.sp[z[r]];
    vstart[r + 1] = vidx.size();
  }
  /// A ← Wᵀv + c for every chain.
  void hidden_inputs() {
    detail::accumulate_columns(M.Wt.data(), M.nhp, M.nv, vidx.data(), vstart.data(), n, M.c.data(),
                               A.data());
  }
  /// Σ_j softplus(β₁a_j) − softplus(β₀a_j) for chain r, leaving sigm(β₁a) in its column of ph.
  double hidden_step(std::size_t r, double beta1, double beta0) {
    double s = 0;
    for (std::size_t j0 = 0; j0 < M.nhp; j0 += 4096) {
      const std::size_t len = std::min<std::size_t>(4096, M.nhp - j0);
      s += detail::ais_hidden_step(A.data() + r * M.nhp + j0, len, beta1, beta0,
                                   ph.data() + r * M.nhp + j0);
    }
    return s;
  }
  /// Samples chain r's hidden units from its column of ph (lists are rebuilt in chain order).
  void sample_hidden(std::size_t r) {
    if (r == 0) hidx.clear();
    sample_active(ph.data() + r * M.nhp, M.nh, rngs[r], hidx, nullptr);
    hstart[r + 1] = hidx.size();
  }
  /// Samples every chain's visible units from p_β(v | h, z) = sigm((1 − β) ℓ_z + β (W h + b)),
  /// then (for a mixture) its component from p_β(z | v) ∝ π_z q_z(v)^{1−β}.
  void sample_visible(double beta) {
    detail::accumulate_columns(M.W.data(), M.nvp, M.nh, hidx.data(), hstart.data(), n,
                               M.zeros.data(), X.data());
    const float fb = float(beta);
    for (std::size_t y = 0; y < M.K; ++y)
      for (std::size_t i = 0; i < M.nvp; ++i)
        mix[y * M.nvp + i] = (1.f - fb) * M.logit[y * M.nvp + i] + fb * M.b[i];
    vidx.clear();
    for (std::size_t r = 0; r < n; ++r) {
      detail::sigmoid_affine(X.data() + r * M.nvp, fb, mix.data() + z[r] * M.nvp, pv.data(),
                             M.nvp);
      vdot[r] = sample_active(pv.data(), M.nv, rngs[r], vidx, M.db.data() + z[r] * M.nv) +
                M.sp[z[r]];
      vstart[r + 1] = vidx.size();
    }
    if (M.K == 1) return;
    // ℓ_yᵀv for every component y and chain.
    detail::accumulate_columns(M.Lt.data(), M.Kp, M.nv, vidx.data(), vstart.data(), n,
                               M.zeros.data(), D.data());
    for (std::size_t r = 0; r < n; ++r) {
      const float* d = D.data() + r * M.Kp;
      double m = -std::numeric_limits<double>::infinity();
      for (std::size_t y = 0; y < M.K; ++y) {
        lp[y] = M.log_pi[y] + (1.0 - beta) * (double(d[y]) - M.sp[y]);
        m = std::max(m, lp[y]);
      }
      double total = 0;
      for (std::size_t y = 0; y < M.K; ++y) total += (lp[y] = std::exp(lp[y] - m));
      double u = uniform(r) * total;
      std::size_t y = 0;
      while (y + 1 < M.K && u >= lp[y]) u -= lp[y++];
      if (y != z[r]) {
        z[r] = std::uint32_t(y);
        const double* dbz = M.db.data() + y * M.nv;
        double s = 0;
        for (std::size_t k = vstart[r]; k < vstart[r + 1]; ++k) s += dbz[vidx[k]];
        vdot[r] = s + M.sp[y];
      }
    }
  }
};

double log_mean_exp(const arma::vec& x) {
  const double m = x.max();
  if (!std::isfinite(m)) return m;
  return m + std::log(arma::mean(arma::exp(x - m)));
}

}  // namespace

template <class T>
LogZEstimate ais_log_partition(const Rbm<T>& rbm, const arma::vec& base_biases, std::size_t runs,
                               const std::vector<double>& betas, Rng& rng) {
  if (base_biases.n_elem != rbm.n_visible())
    throw DimensionError("ais_log_partition: " + std::to_string(base_biases.n_elem) +
                         " base-rate biases for " + std::to_string(rbm.n_visible()) +
                         " visible units");
  if (!base_biases.is_finite()) throw InvalidArgument("ais_log_partition: non-finite base biases");
  return ais_log_partition(rbm, base_rate_base(base_biases), runs, betas, rng);
}

template <class T>
LogZEstimate ais_log_partition(const Rbm<T>& rbm, const AisBase& base, std::size_t runs,
                               const std::vector<double>& betas, Rng& rng) {
  if (runs == 0) throw InvalidArgument("ais_log_partition: at least one run is needed");
  check_schedule(betas, "ais_log_partition");
  const AnnealModel M(rbm, base, "ais_log_partition");
  const std::size_t K = betas.size() - 1;

  arma::vec log_w(runs, arma::fill::zeros);
  parallel_for(runs, [&](std::size_t begin, std::size_t end, int) {
    std::vector<Rng> streams;
    for (std::size_t r = begin; r < end; ++r) streams.push_back(rng.split(r));
    ChainGroup g(M, std::move(streams));
    // (z, v₁) ~ p₀, the base mixture.
    for (std::size_t r = 0; r < g.n; ++r) g.sample_base(r);
    std::vector<double> lw(g.n, 0.0);
    for (std::size_t k = 1; k <= K; ++k) {
      // log w += log p*_k(v_k) − log p*_{k−1}(v_k); then v_{k+1} ~ T_k(· | v_k).
      g.hidden_inputs();
      const double dbeta = betas[k] - betas[k - 1];
      for (std::size_t r = 0; r < g.n; ++r) {
        lw[r] += dbeta * g.vdot[r] + g.hidden_step(r, betas[k], betas[k - 1]);
        if (k < K) g.sample_hidden(r);
      }
      if (k < K) g.sample_visible(betas[k]);
    }
    for (std::size_t r = 0; r < g.n; ++r) log_w[begin + r] = lw[r];
  });
  rng.next();

  LogZEstimate est;
  est.runs = runs;
  est.intermediate = K;
  est.base_log_z = M.base_log_z;
  est.log_weights = log_w;
  const double m = log_w.max();
  const arma::vec w = arma::exp(log_w - m);  // scaled weights, max 1
  const double mean = arma::mean(w);
  const double se = runs > 1 ? arma::stddev(w) / std::sqrt(double(runs)) : 0.0;
  est.log_z = M.base_log_z + m + std::log(mean);
  est.log_z_stderr = se / mean;
  est.log_z_upper = M.base_log_z + m + std::log(mean + 3 * se);
  est.log_z_lower = mean - 3 * se > 0 ? M.base_log_z + m + std::log(mean - 3 * se)
                                      : -std::numeric_limits<double>::infinity();
  return est;
}

template <class T>
ReverseAisEstimate reverse_ais(const Rbm<T>& rbm, const arma::vec& base_biases,
                               const arma::Mat<T>& V, std::size_t chains,
                               const std::vector<double>& betas, Rng& rng) {
  if (chains == 0) throw InvalidArgument("reverse_ais: at least one chain per example is needed");
  if (V.n_cols == 0) throw InvalidArgument("reverse_ais: no examples");
  if (V.n_rows != rbm.n_visible())
    throw DimensionError("reverse_ais: examples have " + std::to_string(V.n_rows) +
                         " dimensions, the model " + std::to_string(rbm.n_visible()) +
                         " visible units");
  for (arma::uword i = 0; i < V.n_elem; ++i)
    if (V[i] != T(0) && V[i] != T(1))
      throw InvalidArgument("reverse_ais: the examples must be binary");
  check_schedule(betas, "reverse_ais");
  if (base_biases.n_elem != rbm.n_visible())
    throw DimensionError("reverse_ais: " + std::to_string(base_biases.n_elem) +
                         " base-rate biases for " + std::to_string(rbm.n_visible()) +
                         " visible units");
  if (!base_biases.is_finite()) throw InvalidArgument("reverse_ais: non-finite base biases");
  const AnnealModel M(rbm, base_rate_base(base_biases), "reverse_ais");
  const std::size_t K = betas.size() - 1;
  const std::size_t E = V.n_cols, total = E * chains;

  arma::vec log_zhat(total, arma::fill::zeros);
  parallel_for(total, [&](std::size_t begin, std::size_t end, int) {
    std::vector<Rng> streams;
    for (std::size_t q = begin; q < end; ++q) streams.push_back(rng.split(q));
    ChainGroup g(M, std::move(streams));
    // v_K = the example.
    for (std::size_t r = 0; r < g.n; ++r) {
      const T* col = V.colptr((begin + r) / chains);
      for (std::size_t i = 0; i < M.nv; ++i)
        if (col[i] == T(1)) g.vidx.push_back(std::uint32_t(i));
      g.vstart[r + 1] = g.vidx.size();
    }
    std::vector<double> inc(g.n, 0.0);
    // ph holds sigm(β_k a(v_k)) for the transition T_k.
    g.hidden_inputs();
    for (std::size_t r = 0; r < g.n; ++r) g.hidden_step(r, betas[K], betas[K]);
    for (std::size_t k = K; k >= 1; --k) {
      // v_{k−1} ~ T_k(· | v_k), then log Ẑ += log p*_k(v_{k−1}) − log p*_{k−1}(v_{k−1}).
      for (std::size_t r = 0; r < g.n; ++r) g.sample_hidden(r);
      g.sample_visible(betas[k]);
      g.hidden_inputs();
      const double dbeta = betas[k] - betas[k - 1];
      for (std::size_t r = 0; r < g.n; ++r)
        inc[r] += dbeta * g.vdot[r] - g.hidden_step(r, betas[k - 1], betas[k]);
    }
    for (std::size_t r = 0; r < g.n; ++r) log_zhat[begin + r] = M.base_log_z + inc[r];
  });
  rng.next();

  // log p̂(v) = −F(v) − log Ẑ_rev for each run; the runs of one example are averaged in p.
  const Rbm<double> r = rbm.template cast<double>();
  const arma::vec negF = -r.free_energy(arma::conv_to<arma::mat>::from(V));
  ReverseAisEstimate est;
  est.chains = chains;
  est.intermediate = K;
  est.log_p.set_size(E);
  est.log_z.set_size(E);
  for (std::size_t e = 0; e < E; ++e) {
    const arma::vec lp = negF[e] - log_zhat.subvec(e * chains, (e + 1) * chains - 1);
    est.log_p[e] = log_mean_exp(lp);
    est.log_z[e] = negF[e] - est.log_p[e];
  }
  est.log_z_mean = arma::mean(est.log_z);
  est.log_z_stderr = E > 1 ? arma::stddev(est.log_z) / std::sqrt(double(E)) : 0.0;
  return est;
}

#define RBMKIT_AIS_INSTANTIATE(T)                                                                \
  template LogZEstimate ais_log_partition(const Rbm<T>&, const arma::vec&, std::size_t,        \
                                          const std::vector<double>&, Rng&);                   \
  template LogZEstimate ais_log_partition(const Rbm<T>&, const AisBase&, std::size_t,          \
                                          const std::vector<double>&, Rng&);                   \
  template ReverseAisEstimate reverse_ais(const Rbm<T>&, const arma::vec&, const arma::Mat<T>&, \
                                          std::size_t, const std::vector<double>&, Rng&);
RBMKIT_AIS_INSTANTIATE(float)
RBMKIT_AIS_INSTANTIATE(double)

}  // namespace rbmkit
