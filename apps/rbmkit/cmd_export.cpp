// rbmkit export: a model's parameters as CSV files any tool can read.

#include <iostream>

#include "cli.hpp"
#include "rbmkit/core/error.hpp"
#include "rbmkit/io/csv.hpp"
#include "rbmkit/io/files.hpp"
#include "rbmkit/io/model_file.hpp"

namespace rbmkit::cli {

int cmd_export(const std::vector<std::string>& args) {
  po::options_description desc("export options");
  desc.add_options()
      ("model", po::value<std::string>(), "model file (required)")
      ("dir", po::value<std::string>(), "output directory, created if missing (required)");
  po::variables_map vm;
  if (!parse("export", "--model MODEL --dir DIR", desc, args, vm)) return ok;
  if (!vm.count("model")) throw UsageError("--model: a model file is required");
  if (!vm.count("dir")) throw UsageError("--dir: an output directory is required");
  const std::string model_path = vm["model"].as<std::string>();
  const std::string dir = vm["dir"].as<std::string>();
  const ModelFile file = read_model_file(model_path);
  const Rbm<double> rbm = rbm_from_file<double>(file, model_path);
  ensure_directory(dir);
  write_csv_matrix(dir + "/W.csv", rbm.W());
  write_csv_matrix(dir + "/b.csv", arma::mat(rbm.b()));
  write_csv_matrix(dir + "/c.csv", arma::mat(rbm.c()));
  std::cerr << "rbmkit export: W.csv (" << rbm.n_visible() << " x " << rbm.n_hidden()
            << "), b.csv, c.csv written to " << dir << "\n";
  return ok;
}

}  // namespace rbmkit::cli
