#pragma once
/// One SGD step of an RBM: phases (sampling/phases.hpp) → statistics by the configured path
/// (statistics.hpp) → centring, penalties and momentum (Hinton's practical guide §9–11).
/// The training engine (engine.hpp) drives it; it owns the optimiser state.
#include <armadillo>
#include <string>
#include <vector>

#include "rbmkit/core/random.hpp"
#include "rbmkit/io/dataset.hpp"
#include "rbmkit/io/model_file.hpp"
#include "rbmkit/models/rbm.hpp"
#include "rbmkit/sampling/phases.hpp"
#include "rbmkit/training/config.hpp"
#include "rbmkit/training/machine_step.hpp"
#include "rbmkit/training/statistics.hpp"

namespace rbmkit {

/// The RBM's step and its state: velocities, persistent chains, centring offsets and the
/// sparsity estimate.
template <class T>
class RbmStep : public MachineStep<T, Rbm<T>> {
public:
  using Base = MachineStep<T, Rbm<T>>;
  /// The name of last_error() in reports and logs: the minibatch's mean-field reconstruction
  /// error, mean (v − P(v = 1 | h = P(h | v)))² per visible unit, estimated from the examples
  /// 0, error_stride, 2·error_stride, … of the minibatch. It needs a product with the grey
  /// P(h | v), as costly as all of training's binary products together; a tenth of the
  /// examples gives an unbiased estimate of the epoch's error at a tenth of the cost.
  static constexpr const char* error_name = "reconstruction_error";
  static constexpr arma::uword error_stride = 10;

  /// An RBM for `train`, initialised as in Hinton's guide §8 from the data marginals
  /// (weights N(0, 0.01²) drawn from `rng`).
  static Rbm<T> initial_model(const Dataset& train, const TrainConfig& config, Rng& rng);

  /// Prepares training of `model` with `config` (machine MachineKind::rbm, validated).
  RbmStep(const TrainConfig& config, Rbm<T> model);
  /// Starts a fresh run on `train`: the visible centring offset starts at the data mean.
  void begin(const Dataset& train);
  /// One update from minibatch V (n_visible × B; `examples` are its columns' indices in the
  /// training set): phases, the centring and sparsity estimates from the positive phase, the
  /// statistics and, block by block as their rows are formed or after them, the pass over W
  /// (centring, weight decay, sparsity, momentum step), then the biases' step. An exception
  /// from the statistics leaves the centring and sparsity estimates advanced and may leave some
  /// blocks of W updated. Returns the raw statistics (before centring and penalties).
  Statistics<T> update(const arma::Mat<T>& V, const arma::uvec& examples, double lr,
                       double momentum, Rng& rng);

  /// The phases' positive visible states, where the next minibatch may be written
  /// (MachineStep::minibatch): update's phases then start from it without a copy.
  arma::Mat<T>& minibatch() { return workspace_.phases.positive.v; }
  /// Frees the phases' and statistics' workspaces (MachineStep::release_buffers).
  void release_buffers();
  /// Whether update returns the weight statistic dW (by default it does). Off (the trainer,
  /// which does not use it), the update reads the statistic in the layout the products give it,
  /// without a second W-sized matrix; the parameters are the same bits either way.
  void return_weight_statistic(bool on) { return_weight_statistic_ = on; }

  /// W, b, c of the current model, in that order (for averaging and divergence checks), and z
  /// for Gaussian visible units with learned variances. The non-const form lets the caller
  /// change them: the step then forgets the transposed weights it keeps for the next update.
  std::vector<arma::Mat<T>*> parameters();
  std::vector<const arma::Mat<T>*> parameters() const;
  /// A copy of the model with its parameters replaced by `params` (W, b, c).
  Rbm<T> with_parameters(const std::vector<arma::Mat<T>>& params) const;
  /// The same, with W moved from params[0] rather than copied (a view of other memory, arma's
  /// auxiliary memory, stays a view: the model is then valid only while that memory is).
  Rbm<T> with_parameters(std::vector<arma::Mat<T>>&& params) const;

  /// Stores the current parameters and the whole optimiser state as "state.*" arrays.
  void save_state(ModelFile& file) const;
  /// Restores what save_state stored; throws ModelError naming `source` when it is missing or
  /// does not fit the model.
  void load_state(const ModelFile& file, const std::string& source);

private:
  arma::Mat<T> vW_;
  arma::Col<T> vb_, vc_;
  arma::Col<T> q_;            // running mean hidden activation (sparsity); empty until started
  arma::Col<T> mu_, lambda_;  // centring offsets; empty until started
  arma::Mat<T> dW_lambda_parts_;  // the update's ΔW λ, one column per block of hidden units
  std::vector<arma::Mat<T>> slabs_;  // per worker: 32 columns of the statistic (deferred dW)
  bool return_weight_statistic_ = true;
  GradientWorkspace<T> gradient_workspace_;  // the statistics' buffers
  arma::Col<T> vz_;           // velocity of the log-variances (Gaussian, learned); empty until started
  PhaseWorkspace<T> workspace_;  // buffers only: no training state
};

extern template class RbmStep<float>;
extern template class RbmStep<double>;

}  // namespace rbmkit
