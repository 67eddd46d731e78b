// rbmkit transform: the features an RBM learned, P(h = 1 | v) for every example of a data set,
// as CSV rows (the label first, when there are labels).
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

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
      ("model", po::value<std::string>(),
       "model file of an RBM (required), or several separated by commas: a stack, each applied "
       "to the features of the one before, with its own stored binarization")
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

  // The stack: the first model reads the data, each further one the features before it.
  std::vector<std::string> model_paths;
  {
    const std::string list = vm["model"].as<std::string>();
    std::size_t at = 0;
    while (true) {
      const std::size_t comma = list.find(',', at);
      model_paths.push_back(list.substr(at, comma == std::string::npos ? comma : comma - at));
      if (model_paths.back().empty()) throw UsageError("--model: an empty file name in '" + list + "'");
      if (comma == std::string::npos) break;
      at = comma + 1;
    }
  }
  std::vector<Rbm<double>> layers;
  std::vector<TrainConfig> configs;
  ModelFile file;
  for (std::size_t k = 0; k < model_paths.size(); ++k) {
    const std::string& path = model_paths[k];
    ModelFile f = read_model_file(path);
    if (f.kind != MachineKind::rbm)
      throw ModelError(path + ": transform needs an RBM (P(h | v) of a general Boltzmann "
                              "machine does not factorize over its hidden units)");
    layers.push_back(rbm_from_file<double>(f, path));
    configs.push_back(TrainConfig::from_file(f, path));
    if (k > 0 && layers[k].n_visible() != layers[k - 1].n_hidden())
      throw ModelError(path + ": has " + std::to_string(layers[k].n_visible()) +
                       " visible units, but " + model_paths[k - 1] + " below it gives " +
                       std::to_string(layers[k - 1].n_hidden()) + " features");
    if (k == 0) file = std::move(f);
  }
  const std::string& model_path = model_paths.front();
  const Rbm<double>& rbm = layers.front();
  // The preprocessing the first model was trained with, unless overridden.
  const TrainConfig& trained = configs.front();
  if (rbm.visible_units() == UnitType::gaussian) {  // real values, standardised by the model
    for (const char* name : {"binarize", "threshold"})
      if (vm.count(name))
        throw UsageError(std::string("--") + name + ": does not apply to " + model_path +
                         ", whose visible units are Gaussian (it standardises the data itself)");
  } else if (vm.count("scale") && !vm["scale"].defaulted() &&
             get_enum<DataScale>(vm, "scale") == DataScale::standardize) {
    throw UsageError("--scale standardize: applies only to models with Gaussian visible units");
  }
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

  arma::mat H = hidden_features(rbm, data, mode, threshold, seed);
  for (std::size_t k = 1; k < layers.size(); ++k)  // at full precision, as each was trained
    H = hidden_features(layers[k], H, configs[k].binarize, configs[k].threshold, seed + k);
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
