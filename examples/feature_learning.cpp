// Feature learning with rbmkit as a library: load the model file `rbmkit train` wrote and write
// the hidden-unit probabilities P(h = 1 | v) of a data set as features (CSV), applying the
// preprocessing stored in the model (its binarization, and for CSV data its scale), as
// `rbmkit transform` does. The recipe of docs/feature-learning.md trains the model on grey values:
//
//   rbmkit train --binarize none --hidden 256 --epochs 10 --out fm.rbm
//   feature_learning fm.rbm [DATA] [OUT.csv]
//
// DATA defaults to the Fashion-MNIST test images, OUT.csv to features.csv (one row per example).
#include <rbmkit/core/enum_names.hpp>
#include <rbmkit/core/error.hpp>
#include <rbmkit/evaluation/features.hpp>
#include <rbmkit/io/csv.hpp>
#include <rbmkit/io/dataset.hpp>
#include <rbmkit/io/model_file.hpp>
#include <rbmkit/training/config.hpp>

#include <cstdio>
#include <iostream>
#include <string>

int main(int argc, char** argv) {
  using namespace rbmkit;
  if (argc < 2 || argc > 4) {
    std::cerr << "usage: feature_learning MODEL [DATA] [OUT.csv]\n";
    return 2;
  }
  try {
    const std::string model_path = argv[1];
    const std::string data_path = argc > 2 ? argv[2] : default_test_images();
    const std::string out = argc > 3 ? argv[3] : "features.csv";

    const ModelFile file = read_model_file(model_path);
    const Rbm<float> rbm = rbm_from_file<float>(file, model_path);
    // The preprocessing the model was trained with: binarization (none, threshold or
    // stochastic) and, for CSV data, how numbers were mapped to [0,1] and the label column.
    const TrainConfig trained = TrainConfig::from_file(file, model_path);
    DataOptions options;
    if (file.config.count("data.scale"))
      options.scale = from_string<DataScale>(file.config.at("data.scale"));
    if (file.config.count("data.label_column"))
      options.label_column = std::stoul(file.config.at("data.label_column"));

    const Dataset data = load_dataset(data_path, options);
    // n_hidden × examples, one column per example.
    const arma::fmat H = hidden_features(rbm, data, trained.binarize, trained.threshold);
    write_csv_matrix(out, arma::conv_to<arma::mat>::from(H).t());
    std::cerr << "features of " << H.n_cols << " examples (" << H.n_rows << " each, binarize "
              << to_string(trained.binarize) << ") written to " << out << "\n";
  } catch (const Error& e) {
    std::cerr << "feature_learning: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
