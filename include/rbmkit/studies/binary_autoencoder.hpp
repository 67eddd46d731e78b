#pragma once
/// A binary-latent autoencoder trained with the stochastic-neuron gradient estimators: the
/// training demo of the estimator study.
///
/// Encoder: k stochastic binary units h ~ Bern(sigm(We x + be)) (Eq. 2). Decoder: Bernoulli
/// pixels with logits Wd h + bd. Objective, in nats per image (lower is better):
/// E_{h ~ q(h|x)}[−log p(x | h)] = E[Σ_j softplus(d_j) − x_j d_j], d = Wd h + bd.
/// The decoder's gradient is exact given h (back-propagation); the encoder's logits get ĝ from
/// the chosen estimator (estimators.hpp) and We, be follow by the chain rule (ĝ xᵀ, ĝ).
/// Both are updated with Adam. Images are binarized at 0.5.
#include <cstddef>
#include <ostream>
#include <string>
#include <vector>

#include "rbmkit/io/dataset.hpp"
#include "rbmkit/estimators/estimators.hpp"
#include "rbmkit/plots/plot.hpp"
#include "rbmkit/core/random.hpp"

namespace rbmkit {

/// Settings of one training run.
struct AutoencoderConfig {
  std::size_t latent = 32;          ///< binary latent units k
  std::size_t steps = 3000;         ///< Adam steps (the budget, the same for every estimator)
  std::size_t batch = 50;           ///< images per step
  double learning_rate = 1e-3;      ///< Adam step size
  double memory = 5000;             ///< running averages of centered-optimal and learned, in samples
  std::size_t record_every = 100;   ///< steps per point of the training curve
  std::size_t eval_examples = 10000;  ///< test images for the final objective (0 = all)
  bool train_encoder = true;        ///< false: a reference with the encoder left at its start
};

/// The outcome of one run.
struct AutoencoderRun {
  std::string estimator;                ///< estimator name, or "frozen-encoder"
  std::vector<std::size_t> steps;       ///< curve points: steps done
  std::vector<double> train_objective;  ///< mean objective over the steps since the last point
  double test_objective = 0;            ///< final objective on the test images (one h per image)
  double seconds = 0;                   ///< wall time of the training
};

/// Trains an autoencoder on `train` with `estimator` for the encoder and evaluates it on `test`.
/// Throws InvalidArgument for bad settings and DimensionError when the sets differ in dimension.
AutoencoderRun train_binary_autoencoder(const Dataset& train, const Dataset& test,
                                        Estimator estimator, const AutoencoderConfig& config,
                                        Rng& rng);

/// Writes estimator,step,train_objective: the training curves of `runs`.
void write_autoencoder_curves_csv(std::ostream& os, const std::vector<AutoencoderRun>& runs);
/// Writes estimator,steps,final_train_objective,test_objective,seconds: one line per run.
void write_autoencoder_summary_csv(std::ostream& os, const std::vector<AutoencoderRun>& runs);
/// Training curves (objective against step), one line per run.
Plot autoencoder_plot(const std::vector<AutoencoderRun>& runs);

}  // namespace rbmkit
