#include "rbmkit/training/rbm_step.hpp"

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

#include "rbmkit/core/error.hpp"
#include "rbmkit/core/parallel.hpp"
#include "rbmkit/evaluation/monitors.hpp"
#include "rbmkit/sampling/phases.hpp"
#include "rbmkit/training/gaussian_statistics.hpp"
#include "kernels/kernels.hpp"
#include "kernels/optimizer.hpp"
#include "kernels/products.hpp"
#include "training/state_arrays.hpp"
#include "rbmkit/training/update.hpp"

namespace rbmkit {

template <class T>
Rbm<T> RbmStep<T>::initial_model(const Dataset& train, const TrainConfig& config, Rng& rng) {
  config.validate();
  Rbm<T> rbm(train.dim(), config.hidden);
  if (config.rbm.visible == UnitType::gaussian) {  // train holds standardised data (engine.cpp)
    rbm.set_visible_units(UnitType::gaussian);
    rbm.standardization() = train.standardization;
    rbm.initialize(train.marginals(Binarize::none), rng);
    return rbm;
  }
  rbm.initialize(train.marginals(config.binarize == Binarize::threshold ? Binarize::threshold
                                                                        : Binarize::none,
                                 config.threshold),
                 rng);
  return rbm;
}

namespace {

/// mean((V − sigm(W P + b))²) over the visible units and the examples 0, `stride`, 2·`stride`, …
/// of V (n_visible × B, B > 0) for Bernoulli visible units, in blocks of 64 visible units
/// (block) that idle workers take up in the background (BackgroundLoop) from the
/// constructor on, while the step draws its negative phase; the blocks' sums added in block
/// order in value(), so the bits do not depend on who computed them. W, b, V and the hidden
/// means P are read in place: none may change before value().
template <class T>
class ReconstructionError {
public:
  ReconstructionError(const arma::Mat<T>& W, const arma::Col<T>& b, const arma::Mat<T>& V,
                      const arma::Mat<T>& P, arma::uword stride)
      : W_(W), b_(b), V_(V), P_(P), stride_(stride),
        sums_((V.n_rows + block_rows - 1) / block_rows, 0.0),
        loop_(sums_.size(), [this](std::size_t k) { sums_[k] = block(k); }) {
    // Small products are not worth a thread's attention: they run in value().
    if (std::size_t(V.n_rows) * P.n_rows * examples() >= (std::size_t(1) << 18)) loop_.start();
  }
  double value() {
    loop_.join();
    double total = 0;
    for (const double s : sums_) total += s;
    return total / double(V_.n_rows * examples());
  }

private:
  static constexpr arma::uword block_rows = 64;  ///< visible units a block

  /// The examples 0, stride, 2·stride, … of the minibatch.
  arma::uword examples() const { return (V_.n_cols + stride_ - 1) / stride_; }

  /// The sum of the squared differences over the visible units [64k, 64k + 64) and examples():
  /// that block's W P + b by detail::narrow_product from its rows of W (P's columns read in
  /// place, stride apart), summed in double, example by example.
  double block(std::size_t k) const {
    const arma::uword m = examples(), a = arma::uword(k) * block_rows;
    const arma::uword n = std::min<arma::uword>(block_rows, V_.n_rows - a);
    arma::Mat<T> A(n, m), R(n, m);
    detail::narrow_product(W_.memptr() + a, W_.n_rows, n, P_.n_rows, P_.memptr(),
                           P_.n_rows * stride_, m, b_.memptr() + a, A.memptr(), n);
    detail::sigmoid_sample(A.memptr(), n, m, R.memptr(), static_cast<T*>(nullptr),
                           static_cast<const T*>(nullptr));
    double s = 0;
    for (arma::uword j = 0; j < m; ++j)
      for (arma::uword i = 0; i < n; ++i) {
        const double d = double(V_(a + i, j * stride_)) - double(R(i, j));
        s += d * d;
      }
    return s;
  }

  const arma::Mat<T>& W_;
  const arma::Col<T>& b_;
  const arma::Mat<T>& V_;
  const arma::Mat<T>& P_;
  const arma::uword stride_;
  std::vector<double> sums_;
  BackgroundLoop loop_;
};

}  // namespace

template <class T>
RbmStep<T>::RbmStep(const TrainConfig& config, Rbm<T> model)
    : Base(config, std::move(model), MachineKind::rbm, "RbmStep") {
  vW_.zeros(this->model_.n_visible(), this->model_.n_hidden());
  vb_.zeros(this->model_.n_visible());
  vc_.zeros(this->model_.n_hidden());
}

template <class T>
void RbmStep<T>::begin(const Dataset& train) {
  if (this->config_.rbm.centering)  // the visible offset starts at the data mean
    mu_ = arma::conv_to<arma::Col<T>>::from(train.marginals(
        this->config_.binarize == Binarize::threshold ? Binarize::threshold : Binarize::none,
        this->config_.threshold));
}

template <class T>
Statistics<T> RbmStep<T>::update(const arma::Mat<T>& V, const arma::uvec&, double lr,
                                 double momentum, Rng& rng) {
  const RbmConfig& rc = this->config_.rbm;
  gradient_workspace_.defer_weights = !return_weight_statistic_;
  const UnitType visible = this->model_.visible_units();  // Gaussian: BLAS products only
  // Mean-field reconstruction error of this minibatch, before the update, estimated from every
  // tenth example (rbm_step.hpp); with Bernoulli visible units started as soon as the positive
  // phase is known, for idle workers to compute while the negative phase is drawn (the positive
  // phase stays in the workspace until the gradient is formed).
  // With one thread nothing would overlap: computed after the phases, as its buffers then take
  // no room among the phases' (bench/peak_memory.sh runs on one thread).
  std::optional<ReconstructionError<T>> error;
  if (visible != UnitType::gaussian && threads() > 1)
    workspace_.after_positive = [&](const Phase<T>& positive) {
      error.emplace(this->model_.W(), this->model_.b(), positive.v, positive.h, error_stride);
    };
  struct Forget {  // the hook refers to this call's locals
    PhaseWorkspace<T>& ws;
    ~Forget() { ws.after_positive = nullptr; }
  } forget{workspace_};
  const Phases<T>& ph =
      draw_phases(this->model_, V, this->phase_config(rc.k), this->chains_, rng, workspace_);
  const Phase<T>& pos = ph.positive;
  // Gaussian units with learned variances: the statistics of (v / σ², h) and of z
  // (gaussian_statistics.hpp); with unit variances v / σ² = v.
  const bool learned = this->model_.visible_units() == UnitType::gaussian &&
                       rc.variance == Variance::learned;
  if (visible == UnitType::gaussian) {
    const arma::uvec every_tenth = arma::regspace<arma::uvec>(0, error_stride, V.n_cols - 1);
    SerialBlas serial;
    this->last_error_ = mean_squared_error<T>(
        V.cols(every_tenth), this->model_.visible_mean(pos.h.cols(every_tenth)));
  } else {
    if (!error) error.emplace(this->model_.W(), this->model_.b(), pos.v, pos.h, error_stride);
    this->last_error_ = error->value();
  }

  // Centring, penalties and the momentum step, identical for every gradient path; their terms
  // from the positive phase come first, so that the pass over the weights below can run while
  // the statistics are still being formed.
  const bool centred = rc.centering, sparse = rc.sparsity_cost > 0;
  auto& sums = gradient_workspace_.positive_sums;
  sums.v.of = sums.h.of = nullptr;
  if (centred) {
    // With Bernoulli visible units, the means of the row sums the contrastive statistics take
    // as well (formed once, split among threads). arma::mean(·, 1)'s bits: its sum starts from
    // +0 where sum_rows starts from the first column, which differs only for a row of −0 alone
    // (−0 against +0); adding +0 to the sum makes that +0 and leaves every other sum as it is.
    arma::Col<T> v_mean, h_mean;
    if (visible == UnitType::bernoulli) {
      auto mean_of = [](typename GradientWorkspace<T>::NamedSums& named, const arma::Mat<T>& M) {
        detail::sum_rows(M, named.sums);
        named.of = M.memptr();
        named.cols = M.n_cols;
        arma::Col<T> m(named.sums.n_elem);
        for (arma::uword i = 0; i < m.n_elem; ++i) m[i] = (named.sums[i] + T(0)) / T(M.n_cols);
        return m;
      };
      v_mean = mean_of(sums.v, pos.v);
      h_mean = mean_of(sums.h, pos.h);
    } else {
      v_mean = arma::mean(pos.v, 1);
      h_mean = arma::mean(pos.h, 1);
    }
    const T r = T(rc.centering_rate);
    if (mu_.n_elem == 0) mu_ = v_mean;
    if (lambda_.n_elem == 0)
      lambda_ = arma::Col<T>(this->model_.n_hidden(), arma::fill::value(T(0.5)));
    mu_ = (T(1) - r) * mu_ + r * v_mean;
    lambda_ = (T(1) - r) * lambda_ + r * h_mean;
  }
  arma::Col<T> excess, v_mean;
  if (sparse) {
    const arma::Col<T> q_batch = arma::mean(pos.h, 1);
    if (q_.n_elem == 0) q_ = q_batch;  // the running estimate starts at the first minibatch
    q_ = T(rc.sparsity_decay) * q_ + T(1 - rc.sparsity_decay) * q_batch;
    excess = q_ - T(rc.sparsity_target);
    v_mean = arma::mean(pos.v, 1);
  }
  const arma::Col<T> dz =
      learned ? log_variance_gradient(this->config_.gradient, this->model_, pos, ph.negative)
              : arma::Col<T>();
  // One pass over the weights, column by column (this runs every minibatch):
  // ΔW = g_W − μ g_cᵀ − g_b λᵀ (centring), with the sums of Δb = g_b − ΔW λ and
  // Δc = g_c − ΔWᵀ μ taken on the way; then weight decay, sparsity and the momentum step.
  const arma::uword nv = this->model_.n_visible(), nh = this->model_.n_hidden();
  const T m = T(momentum), eta = T(lr), decay = T(this->config_.weight_decay);
  const T cost = T(rc.sparsity_cost);
  arma::Col<T> dc(nh), dW_lambda(centred ? nv : 0, arma::fill::zeros);
  // Blocks of columns split among threads; each block sums its own share of ΔW λ, and the
  // shares are added in block order, so the bits do not depend on the thread count.
  constexpr arma::uword block = 32;
  const arma::uword n_blocks = (nh + block - 1) / block;
  if (centred) dW_lambda_parts_.zeros(nv, n_blocks);
  // The weight statistic: g.dW, or (deferred, GradientWorkspace::defer_weights) the transposed
  // statistic in the workspace, turned a block of 32 columns at a time into the worker's slab
  // with the same copy and division transpose() would make.
  const bool deferred = gradient_workspace_.defer_weights;
  // The statistics reuse the phases' buffers (their index lists, and Wᵀ's matrix for the
  // statistic), except with Gaussian units, whose statistics set the buffers to BLAS only.
  gradient_workspace_.share(visible == UnitType::gaussian ? nullptr : &workspace_.buffers());
  const arma::Mat<T>& Pt = gradient_workspace_.buffers().Wt;
  if (deferred) slabs_.resize(std::size_t(threads()));  // each sized on first use, by its worker
  // With Bernoulli visible units the phases' buffers hold the statistic in Wᵀ's matrix. Once a
  // block of the statistic has been read, that block's rows take Wᵀ of the updated weights, so
  // the next minibatch's phases need not transpose W (PhaseWorkspace::keep_transposed_weights).
  // Whether Wt has W's transposed shape is asked when the pass runs: the statistics size it.
  arma::Mat<T>& Wt = workspace_.buffers().Wt;
  auto keeps_transpose = [&] {
    return visible != UnitType::gaussian && Wt.n_rows == nh && Wt.n_cols == nv;
  };
  detail::MomentumColumn<T> base;  // the terms common to every column
  base.n = nv;
  base.momentum = m;
  base.lr = eta;
  base.decay = decay;
  if (centred) base.mu = mu_.memptr();
  if (sparse) {
    base.v_mean = v_mean.memptr();
    base.cost = cost;
  }
  auto columns = [&](std::size_t first_block, std::size_t last_block, int worker,
                     const Statistics<T>& g) {
    std::vector<T> d(nv);  // one column of ΔW
    arma::Mat<T>* slab = deferred ? &slabs_[std::size_t(worker)] : nullptr;
    if (slab && (slab->n_rows != nv || slab->n_cols != block)) slab->set_size(nv, block);
    const T divisor = T(gradient_workspace_.divisor);
    const bool keep_transpose = keeps_transpose();
    for (arma::uword j = arma::uword(first_block) * block;
         j < std::min<arma::uword>(nh, arma::uword(last_block) * block); ++j) {
      if (slab && j % block == 0) {
        const arma::uword width = std::min<arma::uword>(block, nh - j);
        detail::transpose_block(Pt.colptr(0) + j, Pt.n_rows, width, nv, slab->memptr(), nv);
        if (divisor != T(1)) detail::divide(slab->memptr(), width * nv, divisor);
      }
      const T* gw = slab ? slab->colptr(j % block) : g.dW.colptr(j);
      detail::MomentumColumn<T> c = base;
      if (centred) {
        c.gb = g.db.memptr();
        c.gc = g.dc[j];
        c.lambda = lambda_[j];
        c.dl = dW_lambda_parts_.colptr(j / block);
      }
      if (sparse) c.excess = excess[j];
      const T sum = detail::momentum_column(c, gw, this->model_.W().colptr(j), vW_.colptr(j),
                                            d.data());
      if (centred) dc[j] = g.dc[j] - sum;
      if (keep_transpose && (j % block == block - 1 || j == nh - 1)) {
        const arma::uword j0 = j - j % block;
        detail::transpose_block(this->model_.W().colptr(j0), nv, nv, j - j0 + 1,
                                Wt.memptr() + j0, nh);
      }
    }
  };
  // With the statistic deferred, the pass may run on the rows of Pt already formed while the
  // statistics form the others (GradientWorkspace::weight_rows: whole blocks of 32 rows).
  if (deferred)
    gradient_workspace_.weight_rows = [&](std::size_t first, std::size_t last, int worker,
                                          const Statistics<T>& partial) {
      columns(first / block, (last + block - 1) / block, worker, partial);
    };
  struct Unhook {  // the hook refers to this call's locals
    GradientWorkspace<T>& ws;
    ~Unhook() { ws.weight_rows = nullptr; }
  } unhook{gradient_workspace_};
  Statistics<T> g =
      learned ? rbm_gradient(this->config_.gradient, precision_weighted(this->model_, pos),
                             precision_weighted(this->model_, ph.negative), this->observer_,
                             visible, &gradient_workspace_)
              : rbm_gradient(this->config_.gradient, pos, ph.negative, this->observer_, visible,
                             &gradient_workspace_);
  sums.v.of = sums.h.of = nullptr;  // (the correlator's path does not take them)
  if (!gradient_workspace_.weight_rows_reported) {
    auto all = [&](std::size_t first_block, std::size_t last_block, int worker) {
      columns(first_block, last_block, worker, g);
    };
    if (std::size_t(nv) * nh < (std::size_t(1) << 15))
      all(0, n_blocks, 0);
    else
      parallel_for_dynamic(n_blocks, all);
  }
  if (!centred) dc = g.dc;
  arma::Col<T> db = g.db;
  if (centred)
    for (arma::uword k = 0; k < n_blocks; ++k) dW_lambda += dW_lambda_parts_.col(k);
  if (centred) db = g.db - dW_lambda;
  if (sparse) dc -= cost * excess;
  if (keeps_transpose()) workspace_.keep_transposed_weights();
  momentum_step<T>(this->model_.b(), vb_, db, m, eta);
  momentum_step<T>(this->model_.c(), vc_, dc, m, eta);
  if (learned) {
    if (vz_.n_elem == 0) vz_.zeros(this->model_.n_visible());
    momentum_step<T>(this->model_.z(), vz_, dz, m, eta);
  }
  return g;
}

template <class T>
void RbmStep<T>::release_buffers() {
  workspace_ = PhaseWorkspace<T>();
  gradient_workspace_ = GradientWorkspace<T>();
  dW_lambda_parts_.reset();
  slabs_.clear();
}

template <class T>
std::vector<arma::Mat<T>*> RbmStep<T>::parameters() {
  workspace_.forget_transposed_weights();  // the caller may change W
  std::vector<arma::Mat<T>*> out;
  for (const arma::Mat<T>* p : std::as_const(*this).parameters())
    out.push_back(const_cast<arma::Mat<T>*>(p));  // this step's own arrays, not const
  return out;
}

template <class T>
std::vector<const arma::Mat<T>*> RbmStep<T>::parameters() const {
  const Rbm<T>& m = this->model_;
  if (this->config_.rbm.visible == UnitType::gaussian && this->config_.rbm.variance == Variance::learned)
    return {&m.W(), &m.b(), &m.c(), &m.z()};
  return {&m.W(), &m.b(), &m.c()};
}

template <class T>
Rbm<T> RbmStep<T>::with_parameters(const std::vector<arma::Mat<T>>& p) const {
  return with_parameters(std::vector<arma::Mat<T>>(p));  // W copied once, then moved in
}

template <class T>
Rbm<T> RbmStep<T>::with_parameters(std::vector<arma::Mat<T>>&& p) const {
  // The model's other members (the unit type, log-variances and standardisation), without a
  // copy of model_'s weights that p's would replace.
  Rbm<T> r = this->model_.with_weights(std::move(p.at(0)));
  r.b() = p.at(1);
  r.c() = p.at(2);
  if (p.size() > 3) r.z() = p.at(3);
  return r;
}

template <class T>
void RbmStep<T>::save_state(ModelFile& f) const {
  detail::StateWriter<T> w(f);
  w.put("W", this->model_.W());
  w.put("b", this->model_.b());
  w.put("c", this->model_.c());
  w.put("velocity.W", vW_);
  w.put("velocity.b", vb_);
  w.put("velocity.c", vc_);
  w.put("chains", this->chains_);
  w.put("sparsity.q", q_);
  w.put("centering.mu", mu_);
  w.put("centering.lambda", lambda_);
  if (this->model_.visible_units() == UnitType::gaussian) {
    w.put("z", this->model_.z());
    w.put("velocity.z", vz_);
  }
}

template <class T>
void RbmStep<T>::load_state(const ModelFile& f, const std::string& source) {
  workspace_.forget_transposed_weights();
  detail::StateReader<T> r(f, source);
  const arma::uword nv = this->model_.n_visible(), nh = this->model_.n_hidden();
  r.get("W", this->model_.W(), nv, nh);
  r.get("b", this->model_.b(), nv, 1);
  r.get("c", this->model_.c(), nh, 1);
  r.get("velocity.W", vW_, nv, nh);
  r.get("velocity.b", vb_, nv, 1);
  r.get("velocity.c", vc_, nh, 1);
  r.get_rows("chains", this->chains_, nv);
  if (this->config_.method == Method::pt && this->chains_.n_cols % this->config_.temperatures != 0)
    throw ModelError(source + ": training state chains has " +
                     std::to_string(this->chains_.n_cols) + " columns, not a multiple of the " +
                     std::to_string(this->config_.temperatures) + " temperatures");
  r.get_optional("sparsity.q", q_, nh, 1);
  r.get_optional("centering.mu", mu_, nv, 1);
  r.get_optional("centering.lambda", lambda_, nh, 1);
  if (this->model_.visible_units() == UnitType::gaussian) {
    r.get("z", this->model_.z(), nv, 1);
    r.get_optional("velocity.z", vz_, nv, 1);
  }
}

template class RbmStep<float>;
template class RbmStep<double>;

}  // namespace rbmkit
