#include "rbmkit/training/bm_step.hpp"

#include "rbmkit/core/error.hpp"
#include "rbmkit/evaluation/monitors.hpp"
#include "rbmkit/sampling/phases.hpp"
#include "rbmkit/training/bm_statistics.hpp"
#include "rbmkit/training/update.hpp"
#include "training/state_arrays.hpp"

namespace rbmkit {

template <class T>
BoltzmannMachine<T> BmStep<T>::initial_model(const Dataset& train, const TrainConfig& config,
                                             Rng& rng) {
  config.validate();
  BoltzmannMachine<T> bm(train.dim(), config.hidden, config.bm.connectivity);
  bm.initialize(train.marginals(config.binarize == Binarize::threshold ? Binarize::threshold
                                                                       : Binarize::none,
                                config.threshold),
                rng);
  return bm;
}

template <class T>
BmStep<T>::BmStep(const TrainConfig& config, BoltzmannMachine<T> model)
    : Base(config, std::move(model), MachineKind::bm, "BmStep") {
  this->model_.check("BmStep");
  vW_.zeros(this->model_.n_units(), this->model_.n_units());
  vbias_.zeros(this->model_.n_units());
}

template <class T>
void BmStep<T>::begin(const Dataset& train) { hidden_.zeros(this->model_.n_hidden(), train.size()); }

template <class T>
Statistics<T> BmStep<T>::update(const arma::Mat<T>& V, const arma::uvec& examples, double lr,
                                double momentum, Rng& rng) {
  const std::size_t nv = this->model_.n_visible(), nh = this->model_.n_hidden();
  if (examples.n_elem != V.n_cols || (nh > 0 && arma::any(examples >= hidden_.n_cols)))
    throw DimensionError("BmStep::update: examples do not index the training set of " +
                         std::to_string(hidden_.n_cols) + " (call begin first)");
  arma::Mat<T> H = nh > 0 ? arma::Mat<T>(hidden_.cols(examples)) : arma::Mat<T>(0, V.n_cols);
  const Phases<T> ph = draw_phases(this->model_, V, H, this->phase_config(this->config_.bm.gibbs_sweeps), this->chains_, rng);
  if (nh > 0) hidden_.cols(examples) = H;
  const arma::Mat<T> S_pos = unit_states(ph.positive);
  Statistics<T> g = bm_gradient(this->config_.gradient, this->model_, S_pos, unit_states(ph.negative),
                                this->observer_);
  {
    arma::Mat<T> A = this->model_.W().rows(0, nv - 1) * S_pos;
    A.each_col() += this->model_.visible_bias();
    this->last_error_ = mean_squared_error<T>(V, sigmoid<T>(A));
  }
  // Weight decay and the momentum step, identical for every gradient path. W is zero on the
  // diagonal and outside the mask, so dW, the velocity and W stay so; every operation is
  // element-wise on symmetric matrices, so W stays exactly symmetric.
  arma::Mat<T> dW = g.dW;
  if (this->config_.weight_decay > 0) dW -= T(this->config_.weight_decay) * this->model_.W();
  const arma::Col<T> dbias = arma::join_cols(g.db, g.dc);
  momentum_step<T>(this->model_.W(), vW_, dW, T(momentum), T(lr));
  momentum_step<T>(this->model_.bias(), vbias_, dbias, T(momentum), T(lr));
  return g;
}

template <class T>
std::vector<arma::Mat<T>*> BmStep<T>::parameters() {
  return {&this->model_.W(), &this->model_.bias()};
}

template <class T>
std::vector<const arma::Mat<T>*> BmStep<T>::parameters() const {
  return {&this->model_.W(), &this->model_.bias()};
}

template <class T>
BoltzmannMachine<T> BmStep<T>::with_parameters(const std::vector<arma::Mat<T>>& p) const {
  BoltzmannMachine<T> m = this->model_;
  m.W() = p.at(0);
  m.bias() = p.at(1);
  return m;
}

template <class T>
void BmStep<T>::save_state(ModelFile& f) const {
  detail::StateWriter<T> w(f);
  w.put("W", this->model_.W());
  w.put("bias", this->model_.bias());
  w.put("velocity.W", vW_);
  w.put("velocity.bias", vbias_);
  w.put("chains", this->chains_);
  w.put("hidden", hidden_);
}

template <class T>
void BmStep<T>::load_state(const ModelFile& f, const std::string& source) {
  detail::StateReader<T> r(f, source);
  const arma::uword n = this->model_.n_units(), nh = this->model_.n_hidden();
  r.get("W", this->model_.W(), n, n);
  r.get("bias", this->model_.bias(), n, 1);
  r.get("velocity.W", vW_, n, n);
  r.get("velocity.bias", vbias_, n, 1);
  r.get_rows("chains", this->chains_, n);
  r.get("hidden", hidden_, nh, hidden_.n_cols);  // one column per training example (begin)
  this->model_.check(source);
}

template class BmStep<float>;
template class BmStep<double>;

}  // namespace rbmkit
