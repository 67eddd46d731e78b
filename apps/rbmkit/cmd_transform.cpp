// rbmkit transform: the features an RBM learned, P(h = 1 | v) for every example of a data set,
// as CSV rows (the label first, when there are labels).
#include <cstdio>
#include <iostream>

#include "cli.hpp"
#include "rbmkit/core/parallel.hpp"
#include "rbmkit/evaluation/features.hpp"
#include "rbmkit/io/files.hpp"
#include "rbmkit/io/model_file.hpp"
#include "rbmkit/training/config.hpp"

namespace rbmkit::cli {
namespace {

/// One line per example (a column of H, n_hidden × examples): its label when `labels` is not
/// empty, then its hidden means, with 17 significant digits.
/// With `progress` and stderr on a terminal, a bar there shows how many lines are done.
void write_features(std::ostream& os, const arma::mat& H, const arma::vec& labels,
                    bool progress) {
  Progress bar("transform: writing");
  for (arma::uword j = 0; j < H.n_cols; ++j) {
    if (progress) bar.update(j, H.n_cols);
    if (!labels.empty()) os << format17(labels[j]) << (H.n_rows ? "," : "");
    const double* h = H.colptr(j);
    for (arma::uword i = 0; i < H.n_rows; ++i) os << (i ? "," : "") << format17(h[i]);
    os << '\n';
  }
  if (progress) bar.finish();
}

}  // namespace

int cmd_transform(const std::vector<std::string>& args) {
  po::options_description desc("transform options");
  desc.add_options()
      ("model", po::value<std::string>(), "model file of an RBM (required)")
      ("data", po::value<std::string>(), "data: IDX or CSV (required)")
      ("labels", po::value<std::string>(),
       "labels of the examples, written as the first column: IDX label file or CSV of one "
       "number per row")
      ("out", po::value<std::string>(), "CSV file to write (default: standard output)")
      ("binarize", po::value<std::string>(),
       "threshold | stochastic | none (default: as the model was trained)")
      ("threshold", po::value<double>(), "binarization threshold (default: as the model was trained)")
      ("seed", defaulted<long long>(1), "seed of --binarize stochastic")
      ("threads", defaulted<long long>(0), "threads (0 = all cores)");
  add_data_options(desc);
  po::variables_map vm;
  if (!parse("transform",
             "--model MODEL --data FILE [--labels FILE | --label-column K] [--out FILE.csv]", desc,
             args, vm))
    return ok;
  if (!vm.count("model")) throw UsageError("--model: a model file is required");
  if (!vm.count("data")) throw UsageError("--data: a data file is required");
  if (vm.count("labels") && vm.count("label-column"))
    throw UsageError("--labels: cannot be given with --label-column (one source of labels)");
  const std::string out = vm.count("out") ? vm["out"].as<std::string>() : "";
  const std::uint64_t seed = get_seed(vm);
  set_threads(get_threads(vm));
  if (!out.empty()) check_output_path(out);

  const std::string model_path = vm["model"].as<std::string>();
  const ModelFile file = read_model_file(model_path);
  if (file.kind != MachineKind::rbm)
    throw ModelError(model_path + ": transform needs an RBM (P(h | v) of a general Boltzmann "
                                  "machine does not factorize over its hidden units)");
  const Rbm<double> rbm = rbm_from_file<double>(file, model_path);
  // The preprocessing the model was trained with, unless overridden.
  const TrainConfig trained = TrainConfig::from_file(file, model_path);
  const Binarize mode = vm.count("binarize") ? get_enum<Binarize>(vm, "binarize") : trained.binarize;
  double threshold = trained.threshold;
  if (vm.count("threshold")) {
    if (mode != Binarize::threshold)
      throw UsageError("--threshold: applies only with --binarize threshold");
    threshold = get_number(vm, "threshold");
    if (threshold < 0 || threshold >= 1) throw UsageError("--threshold: must be in [0, 1)");
  }
  const std::string stored_scale =
      file.config.count("data.scale") ? file.config.at("data.scale") : std::string();
  const Dataset data = load_dataset(vm["data"].as<std::string>(), data_options(vm, stored_scale));
  if (data.dim() != rbm.n_visible())
    throw DimensionError(data.source + ": data has " + std::to_string(data.dim()) +
                         " dimensions, model " + model_path + " has " +
                         std::to_string(rbm.n_visible()) + " visible units");
  const arma::vec labels =
      vm.count("labels") ? read_labels(vm["labels"].as<std::string>(), data.size()) : data.labels;
  report_data("transform", data, mode, threshold);

  const arma::mat H = hidden_features(rbm, data, mode, threshold, seed);
  if (out.empty()) {
    write_features(std::cout, H, labels, false);  // no bar between lines on a terminal
    std::cout.flush();
    if (!std::cout) throw OutputError("standard output: write failed");
  } else {
    write_file_atomically(out, [&](std::ostream& os) { write_features(os, H, labels, true); });
    std::cerr << "rbmkit transform: " << H.n_cols << " rows of " << H.n_rows << " features"
              << (labels.empty() ? "" : " after the label") << " written to " << out << "\n";
  }
  return ok;
}

}  // namespace rbmkit::cli
