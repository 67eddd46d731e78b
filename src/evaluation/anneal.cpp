// The annealing machinery of AIS: the padded model layouts and the chain transitions, shared by
// forward (ais.cpp) and reverse (reverse_ais.cpp) annealing.
#include "evaluation/anneal.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "kernels/binary.hpp"
#include "kernels/kernels.hpp"
#include "rbmkit/core/error.hpp"
#include "rbmkit/core/math.hpp"

namespace rbmkit::detail {

void check_schedule(const std::vector<double>& betas, const char* who) {
  if (betas.size() < 2 || betas.front() != 0.0 || betas.back() != 1.0)
    throw InvalidArgument(std::string(who) + ": the schedule must run from beta = 0 to 1");
  for (std::size_t k = 1; k < betas.size(); ++k)
    if (!(betas[k] > betas[k - 1]))
      throw InvalidArgument(std::string(who) + ": the schedule must increase strictly");
}

AisBase checked_base_rate_base(const arma::vec& base_biases, std::size_t n_visible,
                               const char* who) {
  if (base_biases.n_elem != n_visible)
    throw DimensionError(std::string(who) + ": " + std::to_string(base_biases.n_elem) +
                         " base-rate biases for " + std::to_string(n_visible) + " visible units");
  if (!base_biases.is_finite()) throw InvalidArgument(std::string(who) + ": non-finite base biases");
  return base_rate_base(base_biases);
}

template <class T>
AnnealModel::AnnealModel(const Rbm<T>& rbm, const AisBase& base, const char* who) {
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
  nvp = round_up(nv, lanes);
  nhp = round_up(nh, lanes);
  Kp = round_up(K, lanes);
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

template AnnealModel::AnnealModel(const Rbm<float>&, const AisBase&, const char*);
template AnnealModel::AnnealModel(const Rbm<double>&, const AisBase&, const char*);

namespace {

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

}  // namespace

ChainGroup::ChainGroup(const AnnealModel& model, std::vector<Rng> streams)
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

void ChainGroup::sample_base(std::size_t r) {
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

void ChainGroup::hidden_inputs() {
  gather_add(M.Wt.data(), M.nhp, M.nhp, M.nv, vidx.data(), vstart.data(), 0, n, M.c.data(),
             A.data(), M.nhp);
}

double ChainGroup::hidden_step(std::size_t r, double beta1, double beta0) {
  double s = 0;
  for (std::size_t j0 = 0; j0 < M.nhp; j0 += 4096) {
    const std::size_t len = std::min<std::size_t>(4096, M.nhp - j0);
    s += ais_hidden_step(A.data() + r * M.nhp + j0, len, beta1, beta0,
                                 ph.data() + r * M.nhp + j0);
  }
  return s;
}

void ChainGroup::sample_hidden(std::size_t r) {
  if (r == 0) hidx.clear();
  sample_active(ph.data() + r * M.nhp, M.nh, rngs[r], hidx, nullptr);
  hstart[r + 1] = hidx.size();
}

void ChainGroup::sample_visible(double beta) {
  gather_add(M.W.data(), M.nvp, M.nvp, M.nh, hidx.data(), hstart.data(), 0, n, M.zeros.data(),
             X.data(), M.nvp);
  const float fb = float(beta);
  for (std::size_t y = 0; y < M.K; ++y)
    for (std::size_t i = 0; i < M.nvp; ++i)
      mix[y * M.nvp + i] = (1.f - fb) * M.logit[y * M.nvp + i] + fb * M.b[i];
  vidx.clear();
  for (std::size_t r = 0; r < n; ++r) {
    sigmoid_affine(X.data() + r * M.nvp, fb, mix.data() + z[r] * M.nvp, pv.data(),
                           M.nvp);
    vdot[r] = sample_active(pv.data(), M.nv, rngs[r], vidx, M.db.data() + z[r] * M.nv) +
              M.sp[z[r]];
    vstart[r + 1] = vidx.size();
  }
  if (M.K == 1) return;
  // ℓ_yᵀv for every component y and chain.
  gather_add(M.Lt.data(), M.Kp, M.Kp, M.nv, vidx.data(), vstart.data(), 0, n, M.zeros.data(),
             D.data(), M.Kp);
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

}  // namespace rbmkit::detail
