#pragma once
/// Minibatch SGD training of an RBM with CD-k or PCD (Hinton's practical guide; Tieleman 2008).
#include <armadillo>
#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "rbmkit/io/dataset.hpp"
#include "rbmkit/training/statistics.hpp"
#include "rbmkit/core/random.hpp"
#include "rbmkit/models/rbm.hpp"

namespace rbmkit {

/// How the negative phase is sampled.
enum class Method {
  cd,  ///< contrastive divergence: k Gibbs steps from the minibatch
  pcd  ///< persistent contrastive divergence: k Gibbs steps from persistent chains
};
/// Parses "cd" | "pcd"; throws InvalidArgument naming `option`.
Method parse_method(const std::string& text, const std::string& option = "--method");
/// The name `parse_method` accepts.
std::string to_string(Method m);

/// Everything that defines a training run. The defaults are rbmkit's recommended setting
/// (docs/training.md says how they were chosen).
struct TrainConfig {
  std::size_t hidden = 500;          ///< number of hidden units
  std::size_t epochs = 20;           ///< passes over the data
  std::size_t batch = 100;           ///< minibatch size
  double lr = 0.1;                   ///< learning rate at epoch 0
  double lr_decay = 0.0;             ///< lr at epoch e is lr / (1 + lr_decay · e)
  double momentum = 0.0;             ///< final momentum
  double initial_momentum = 0.0;     ///< momentum during the first `momentum_epochs` epochs
  std::size_t momentum_epochs = 5;   ///< epochs at initial momentum (Hinton's guide §9)
  double weight_decay = 1e-4;        ///< L2 penalty on W (Hinton's guide §10)
  double sparsity_target = 0.0;      ///< target mean hidden activation; 0 = off
  double sparsity_cost = 0.0;        ///< weight of the sparsity penalty (Hinton's guide §11)
  double sparsity_decay = 0.9;       ///< λ of the running estimate q ← λq + (1−λ)q_batch
  /// Centred gradient (Melchior, Fischer & Wiskott 2016; the "enhanced gradient" of Cho et al.
  /// 2011): with offsets μ ≈ E_data[v] and λ ≈ E_data[P(h|v)], the update is
  /// ΔW = g_W − μ g_cᵀ − g_b λᵀ, Δb = g_b − ΔW λ, Δc = g_c − ΔWᵀ μ — the gradient of the
  /// energy written in v − μ and h − λ, mapped back to W, b, c. Same fixed points, far better
  /// conditioned; applied after either gradient path, so both stay bitwise identical.
  bool centering = true;
  double centering_rate = 0.01;      ///< offsets slide: μ ← (1−r)μ + r⟨v⟩, λ ← (1−r)λ + r⟨h⟩
  /// Parameter averaging (Polyak & Juditsky 1992): the trained model is the mean of the
  /// parameters after every update from epoch ⌊average_from · epochs⌋ on; 1 = the last iterate.
  double average_from = 0.5;
  Method method = Method::pcd;       ///< negative phase
  std::size_t k = 1;                 ///< Gibbs steps per update
  std::size_t chains = 0;            ///< persistent chains for PCD; 0 = batch size
  GradientPath gradient = GradientPath::contrastive;
  Binarize binarize = Binarize::threshold;
  double threshold = 0.5;
  std::uint64_t seed = 1;
  int threads = 0;                   ///< 0 = all hardware threads

  /// Checks every value; throws InvalidArgument naming the CLI option at fault.
  void validate() const;
  /// Key/value form stored in model files.
  std::map<std::string, std::string> to_map() const;
};

/// Statistics of one epoch.
struct EpochReport {
  std::size_t epoch = 0;            ///< 1-based
  double seconds = 0;
  double reconstruction_error = 0;  ///< mean over the epoch's minibatches (mean-field)
  double learning_rate = 0;
};

/// Trains an RBM epoch by epoch. Owns the optimiser state (velocities, persistent chains,
/// sparsity estimates); the generator is passed to every call.
template <class T>
class RbmTrainer {
public:
  /// Prepares training of `rbm` on data of `n_visible` dimensions.
  RbmTrainer(const TrainConfig& config, Rbm<T>& rbm);

  /// One pass over `data` in a fresh random order; updates the model.
  EpochReport run_epoch(const Dataset& data, Rng& rng,
                        const std::function<void(std::size_t done, std::size_t total)>& progress = {});

  /// One SGD step on the minibatch V (columns are examples); returns the gradient statistics.
  Statistics<T> step(const arma::Mat<T>& V, double learning_rate, double momentum, Rng& rng);

  /// The trained model: the mean of the parameters since averaging began
  /// (TrainConfig::average_from), or the current parameters before then or without averaging.
  Rbm<T> final_model() const;
  /// Parameter updates averaged into final_model() so far.
  std::size_t averaged_updates() const { return n_avg_; }

  /// Mean-field reconstruction error of the last minibatch, measured before its update.
  double last_reconstruction_error() const { return last_reconstruction_error_; }
  /// Hands every reward stream of the reward-correlator path to `observer` (see gradient.hpp).
  void set_stream_observer(StreamObserver<T> observer) { observer_ = std::move(observer); }
  /// Epochs completed so far.
  std::size_t epochs_done() const { return epoch_; }
  const TrainConfig& config() const { return config_; }
  /// The persistent chains' visible states (PCD), n_visible × chains; empty before the first step.
  const arma::Mat<T>& chains() const { return chains_; }

private:
  TrainConfig config_;
  Rbm<T>& rbm_;
  arma::Mat<T> vW_;
  arma::Col<T> vb_, vc_;
  arma::Mat<T> chains_;
  arma::Col<T> q_;  // running mean hidden activation (sparsity)
  bool q_started_ = false;
  arma::Col<T> mu_, lambda_;  // centring offsets (empty until the first step)
  arma::mat avg_W_;           // running mean of the parameters (double), when averaging
  arma::vec avg_b_, avg_c_;
  std::size_t n_avg_ = 0;
  std::size_t epoch_ = 0;
  double last_reconstruction_error_ = 0;
  StreamObserver<T> observer_;
};

/// Creates an RBM for `data` initialised as in Hinton's guide from the data marginals.
template <class T>
Rbm<T> make_initial_rbm(const Dataset& data, const TrainConfig& config, Rng& rng);

extern template class RbmTrainer<float>;
extern template class RbmTrainer<double>;
extern template Rbm<float> make_initial_rbm(const Dataset&, const TrainConfig&, Rng&);
extern template Rbm<double> make_initial_rbm(const Dataset&, const TrainConfig&, Rng&);

}  // namespace rbmkit
