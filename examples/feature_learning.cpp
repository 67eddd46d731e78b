// Feature learning with rbmkit as a library: train a small RBM on binarized Fashion-MNIST and
// write the hidden-unit probabilities of the first test images as features (CSV).
//
//   feature_learning [HIDDEN] [EPOCHS] [OUT.csv]
#include <rbmkit/io/dataset.hpp>
#include <rbmkit/core/error.hpp>
#include <rbmkit/io/csv.hpp>
#include <rbmkit/evaluation/monitors.hpp>
#include <rbmkit/training/rbm_trainer.hpp>

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
    Rng rng(config.seed);  // the one generator of this run
    Rbm<float> rbm = make_initial_rbm<float>(train, config, rng);
    RbmTrainer<float> trainer(config, rbm);
    for (std::size_t e = 0; e < config.epochs; ++e) {
      const EpochReport r = trainer.run_epoch(train, rng);
      std::cerr << "epoch " << r.epoch << ": reconstruction error " << r.reconstruction_error << "\n";
    }
    // Features of the first 100 test images: P(h = 1 | v), one row per image.
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
