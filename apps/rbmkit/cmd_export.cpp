// rbmkit export: a model's parameters as CSV files any tool can read (docs/model-format.md).

#include <iostream>

#include "cli.hpp"
#include "rbmkit/core/error.hpp"
#include "rbmkit/io/model_csv.hpp"
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
  if (file.kind == MachineKind::bm) {
    const BoltzmannMachine<double> bm = bm_from_file<double>(file, model_path);
    write_bm_csv(dir, bm);
    std::cerr << "rbmkit export: units.csv (" << bm.n_visible() << " visible, " << bm.n_hidden()
              << " hidden), W.csv (" << bm.n_units() << " x " << bm.n_units()
              << "), bias.csv, mask.csv written to " << dir << "\n";
  } else {
    const Rbm<double> rbm = rbm_from_file<double>(file, model_path);
    if (rbm.visible_units() == UnitType::gaussian)  // W, b, c alone would import as Bernoulli
      throw ModelError(model_path + ": export writes Bernoulli RBMs only; this model's visible "
                                    "units are Gaussian (its z and standardisation have no CSV form)");
    write_rbm_csv(dir, rbm);
    std::cerr << "rbmkit export: W.csv (" << rbm.n_visible() << " x " << rbm.n_hidden()
              << "), b.csv, c.csv written to " << dir << "\n";
  }
  return ok;
}

}  // namespace rbmkit::cli
