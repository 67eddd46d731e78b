// rbmkit import: build a model file from CSV parameters (the inverse of export), e.g. to
// evaluate an RBM trained elsewhere with rbmkit's own estimators.
#include <iostream>

#include "cli.hpp"
#include "rbmkit/io/files.hpp"
#include "rbmkit/io/model_csv.hpp"
#include "rbmkit/io/model_file.hpp"

namespace rbmkit::cli {

int cmd_import(const std::vector<std::string>& args) {
  po::options_description desc("import options");
  desc.add_options()
      ("dir", po::value<std::string>(),
       "directory with the CSV files of export: W.csv, b.csv, c.csv (RBM) or units.csv, W.csv, "
       "bias.csv, mask.csv (Boltzmann machine) (required)")
      ("out", po::value<std::string>(), "model file to write (required)")
      ("machine", po::value<std::string>(), "rbm | bm (default: bm when DIR has units.csv)")
      ("precision", defaulted<std::string>("double"), "float | double");
  po::variables_map vm;
  if (!parse("import", "--dir DIR --out MODEL [--machine rbm|bm]", desc, args, vm)) return ok;
  if (!vm.count("dir"))
    throw UsageError("--dir: a directory with the CSV files of export is required");
  if (!vm.count("out")) throw UsageError("--out: a model file to write is required");
  const ElementType precision = get_enum<ElementType>(vm, "precision");
  const std::string dir = vm["dir"].as<std::string>(), out = vm["out"].as<std::string>();
  const MachineKind machine =
      vm.count("machine") ? get_enum<MachineKind>(vm, "machine") : csv_machine_kind(dir);
  check_output_path(out);
  const std::map<std::string, std::string> config = {{"imported_from", dir}};
  const bool single = precision == ElementType::float32;
  if (machine == MachineKind::bm) {
    const BoltzmannMachine<double> bm = read_bm_csv(dir, precision);
    if (single)
      save_bm(out, bm.cast<float>(), config);
    else
      save_bm(out, bm, config);
    std::cerr << "rbmkit import: Boltzmann machine with " << bm.n_visible() << " visible and "
              << bm.n_hidden() << " hidden units written to " << out << "\n";
  } else {
    const Rbm<double> rbm = read_rbm_csv(dir, precision);
    if (single)
      save_rbm(out, rbm.cast<float>(), config);
    else
      save_rbm(out, rbm, config);
    std::cerr << "rbmkit import: " << rbm.n_visible() << "x" << rbm.n_hidden()
              << " RBM written to " << out << "\n";
  }
  return ok;
}

}  // namespace rbmkit::cli
