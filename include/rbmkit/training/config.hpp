#pragma once
/// What defines a training run: the schedule every machine shares (TrainConfig) and the fields
/// of one kind of machine (RbmConfig, BmConfig). Only fields that apply are validated and
/// recorded in model files. The defaults are rbmkit's recommended RBM setting (docs/training.md
/// says how they were chosen).
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include "rbmkit/io/dataset.hpp"
#include "rbmkit/io/model_file.hpp"
#include "rbmkit/models/boltzmann.hpp"
#include "rbmkit/sampling/phases.hpp"
#include "rbmkit/training/statistics.hpp"

namespace rbmkit {

/// How the variances σ_i² = exp(z_i) of Gaussian visible units are set.
enum class Variance {
  unit,    ///< fixed at 1 (z = 0): the data are standardised, so unit variance fits them
  learned  ///< z trained with the gradient of Cho, Ilin & Raiko 2011 (§3)
};
/// Names "unit" and "learned" (`to_string`, `from_string<Variance>`).
template <>
struct EnumNames<Variance> {
  static constexpr const char* type = "Variance";
  static constexpr std::pair<Variance, const char*> names[] = {{Variance::unit, "unit"},
                                                               {Variance::learned, "learned"}};
};

/// The fields of an RBM run.
struct RbmConfig {
  std::size_t k = 1;                 ///< Gibbs steps per phase (CD-k, PCD-k)
  double sparsity_target = 0.0;      ///< target mean hidden activation (Hinton's guide §11)
  double sparsity_cost = 0.0;        ///< weight of the sparsity penalty; 0 = off
  double sparsity_decay = 0.9;       ///< λ of the running estimate q ← λq + (1−λ)q_batch
  /// Centred gradient (Melchior, Fischer & Wiskott 2016; the "enhanced gradient" of Cho et al.
  /// 2011): with offsets μ ≈ E_data[v] and λ ≈ E_data[P(h|v)], the update is
  /// ΔW = g_W − μ g_cᵀ − g_b λᵀ, Δb = g_b − ΔW λ, Δc = g_c − ΔWᵀ μ: the gradient of the energy
  /// written in v − μ and h − λ, mapped back to W, b, c. Same fixed points, far better
  /// conditioned; applied after either gradient path, so both stay bitwise identical.
  bool centering = true;
  double centering_rate = 0.01;      ///< offsets slide: μ ← (1−r)μ + r⟨v⟩, λ ← (1−r)λ + r⟨h⟩
  /// Kind of visible units. UnitType::gaussian (Cho, Ilin & Raiko 2011) trains on data
  /// standardised per dimension with statistics of the training part (kept in the model); it
  /// needs Binarize::none and no centring.
  UnitType visible = UnitType::bernoulli;
  Variance variance = Variance::unit;  ///< UnitType::gaussian only
};

/// The fields of a general Boltzmann machine run.
struct BmConfig {
  std::size_t gibbs_sweeps = 1;                    ///< sequential sweeps per phase
  Connectivity connectivity = Connectivity::full;  ///< which pairs of units are connected
};

/// Everything that defines a training run.
struct TrainConfig {
  MachineKind machine = MachineKind::rbm;
  std::size_t hidden = 500;          ///< hidden units
  std::size_t epochs = 20;           ///< passes over the training data
  std::size_t batch = 100;           ///< minibatch size (the data set's size when smaller)
  double lr = 0.1;                   ///< learning rate at epoch 0
  double lr_decay = 0.0;             ///< lr at epoch e is lr / (1 + lr_decay · e)
  double momentum = 0.0;             ///< momentum after the first momentum_epochs epochs
  double initial_momentum = 0.0;     ///< momentum during the first momentum_epochs epochs
  std::size_t momentum_epochs = 5;   ///< epochs at initial momentum (Hinton's guide §9)
  double weight_decay = 1e-4;        ///< L2 penalty on the weights (Hinton's guide §10)
  /// Parameter averaging (Polyak & Juditsky 1992): the trained model is the mean of the
  /// parameters after every update from epoch ⌊average_from · epochs⌋ on; 1 = the last iterate.
  double average_from = 0.5;
  Method method = Method::pcd;       ///< how the negative phase is sampled
  std::size_t chains = 0;            ///< PCD and PT: persistent chains; 0 = the minibatch size
  /// PT only (RBMs): inverse temperatures per persistent chain, spaced as tempering_betas
  /// (sampling/tempering.hpp), at least 2
  std::size_t temperatures = 20;
  GradientPath gradient = GradientPath::contrastive;  ///< not recorded: both give equal bits
  Binarize binarize = Binarize::threshold;            ///< how grey inputs become states
  double threshold = 0.5;            ///< Binarize::threshold only
  std::size_t valid = 0;             ///< the last `valid` examples are held out, not trained on
  std::uint64_t seed = 1;            ///< the one seed every random stream of the run derives from
  int threads = 0;                   ///< 0 = all hardware threads
  RbmConfig rbm;                     ///< MachineKind::rbm only
  BmConfig bm;                       ///< MachineKind::bm only

  /// Checks every field that applies; throws InvalidArgument naming it, e.g.
  /// "TrainConfig::lr: must be a positive finite number, got -1".
  void validate() const;
  /// Key/value form stored in model files: only the fields that apply to this machine and
  /// method (e.g. no chains for CD, no centring for a Boltzmann machine).
  std::map<std::string, std::string> to_map() const;
  /// The configuration stored by to_map (missing keys keep their defaults); throws ModelError
  /// naming `source` for an unknown key or a malformed value.
  static TrainConfig from_map(const std::map<std::string, std::string>& map,
                              const std::string& source);
  /// The configuration stored in a model file: from_map of its entries without a '.' (entries
  /// such as "run.epoch" and "data.checksum" belong to the training state).
  static TrainConfig from_file(const ModelFile& file, const std::string& source);
};

}  // namespace rbmkit
