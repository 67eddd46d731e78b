// rbmkit eval: monitors of a model on a data set.
#include <cstdio>
#include <iostream>

#include "cli.hpp"
#include "rbmkit/data.hpp"
#include "rbmkit/error.hpp"
#include "rbmkit/model_io.hpp"
#include "rbmkit/monitor.hpp"
#include "rbmkit/parallel.hpp"

namespace rbmkit::cli {

int cmd_eval(const std::vector<std::string>& args) {
  po::options_description desc("eval options");
  desc.add_options()
      ("model", po::value<std::string>(), "model file (required)")
      ("data", po::value<std::string>()->default_value(default_test_images()),
       "data: IDX or CSV (default: Fashion-MNIST test images)")
      ("binarize", po::value<std::string>()->default_value("threshold"),
       "threshold | stochastic | none")
      ("threshold", po::value<double>()->default_value(0.5), "binarization threshold")
      ("max-examples", po::value<long long>()->default_value(0), "use only the first N examples (0 = all)")
      ("threads", po::value<long long>()->default_value(0), "threads (0 = all cores)")
      ("json", "print one JSON object on standard output");
  po::variables_map vm;
  if (!parse("eval", "--model MODEL [--data FILE] [--json]", desc, args, vm)) return ok;
  if (!vm.count("model")) throw UsageError("--model: a model file is required");
  const Binarize mode = parse_binarize(vm["binarize"].as<std::string>());
  const double threshold = get_number(vm, "threshold");
  if (threshold < 0 || threshold >= 1) throw UsageError("--threshold: must be in [0, 1)");
  const std::size_t max_examples = get_count(vm, "max-examples", 0);
  set_threads(int(get_count(vm, "threads", 0)));

  const std::string model_path = vm["model"].as<std::string>();
  const ModelFile file = read_model_file(model_path);
  const Rbm<double> rbm = rbm_from_file<double>(file, model_path);
  const Dataset data = load_dataset(vm["data"].as<std::string>());
  if (data.dim() != rbm.n_visible())
    throw DimensionError(data.source + ": data has " + std::to_string(data.dim()) +
                         " dimensions, model " + model_path + " has " +
                         std::to_string(rbm.n_visible()) + " visible units");
  const DataMonitors m = evaluate_monitors(rbm, data, mode, threshold, max_examples);
  const std::size_t n = max_examples ? std::min(max_examples, data.size()) : data.size();
  if (vm.count("json")) {
    std::cout << "{\"examples\": " << n
              << ", \"reconstruction_error\": " << format17(m.reconstruction_error)
              << ", \"pseudo_log_likelihood\": " << format17(m.pseudo_log_likelihood)
              << ", \"free_energy\": " << format17(m.free_energy) << "}\n";
  } else {
    std::printf("examples               %zu\n", n);
    std::printf("reconstruction error   %.6f  (mean squared error per pixel)\n", m.reconstruction_error);
    std::printf("pseudo-log-likelihood  %.4f  (nats per example, all bits)\n", m.pseudo_log_likelihood);
    std::printf("free energy            %.4f  (mean per example)\n", m.free_energy);
  }
  return ok;
}

}  // namespace rbmkit::cli
