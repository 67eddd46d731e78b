// Feature learning with rbmkit as a library: train a small RBM on binarized Fashion-MNIST and
// write the hidden-unit probabilities of the first test images as features (CSV).
//
//   feature_learning [HIDDEN] [EPOCHS] [OUT.csv]
#include <rbmkit/io/dataset.hpp>
#include <rbmkit/core/error.hpp>
#include <rbmkit/io/csv.hpp>
#include <rbmkit/evaluation/monitors.hpp>
#include <rbmkit/training/engine.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>

int main(int argc, char** argv) {
  using namespace rbmkit;
  try {
    TrainConfig config;
    config.hidden = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 64;
    config.epochs = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 1;
    const std::string out = argc > 3 ? argv[3] : "features.csv";
    config.seed = 2024;

    const Dataset train = load_dataset(default_train_images());
    const Dataset test = load_dataset(default_test_images());
    // The training run (its one generator is seeded from config.seed).
    Trainer<RbmStep<float>> trainer(config, train);
    TrainingHooks<Rbm<float>> hooks;
    hooks.epoch_end = [](EpochReport& r, const Rbm<float>&) {
      std::cerr << "epoch " << r.epoch << ": " << r.error_name << " " << r.error << "\n";
    };
    trainer.run(hooks);
    const Rbm<float> rbm = trainer.model();  // averaged parameters, as rbmkit train saves them
    // Features of the first 100 test images: P(h = 1 | v), one row per image.
    Rng rng(config.seed);  // threshold binarisation draws nothing; stochastic would
    const arma::fmat V = make_batch<float>(test, 0, 100, Binarize::threshold, 0.5, rng);
    const arma::fmat H = rbm.hidden_mean(V);
    write_csv_matrix(out, arma::conv_to<arma::mat>::from(H).t());
    std::cerr << "features of 100 test images (" << H.n_rows << " each) written to " << out << "\n";
  } catch (const Error& e) {
    std::cerr << "feature_learning: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
