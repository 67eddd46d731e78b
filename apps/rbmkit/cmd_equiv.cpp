// rbmkit equiv: the contrastive and reward-correlator updates from the same samples, compared;
// with --literal, the reward correlator of the paper's §4.2 setup against the exact gradient.
#include <cstdio>
#include <iostream>

#include "cli.hpp"
#include "rbmkit/io/dataset.hpp"
#include "rbmkit/evaluation/exact.hpp"
#include "rbmkit/studies/equivalence.hpp"
#include "rbmkit/studies/literal.hpp"
#include "rbmkit/core/error.hpp"
#include "rbmkit/io/model_file.hpp"
#include "rbmkit/core/parallel.hpp"

namespace rbmkit::cli {
namespace {

std::string short_number(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", x);
  return buf;
}

void print_difference(const UpdateDifference& d, MachineKind machine) {
  std::cout << "largest |contrastive - correlator|:\n"
            << "  visible biases  " << format17(d.visible_bias) << "\n"
            << "  hidden biases   " << format17(d.hidden_bias) << "\n"
            << "  weights         " << format17(d.weights) << "\n";
  if (machine == MachineKind::bm)
    std::cout << "    visible-visible " << format17(d.weights_vv) << "\n"
              << "    visible-hidden  " << format17(d.weights_vh) << "\n"
              << "    hidden-hidden   " << format17(d.weights_hh) << "\n";
}

template <class T>
EquivResult minibatch(const ModelFile& file, const std::string& model_path, const Dataset& data,
                      const EquivConfig& cfg, Rng& rng) {
  if (file.kind == MachineKind::rbm)
    return rbm_equivalence(rbm_from_file<T>(file, model_path), data, cfg, rng);
  return bm_equivalence(bm_from_file<T>(file, model_path), data, cfg, rng);
}

int literal(const ModelFile& file, const std::string& model_path, const Dataset& data,
            const EquivConfig& cfg, const LiteralConfig& lcfg, Rng& rng) {
  // Cheap checks first: the whole data set is converted below.
  if (file.n_visible > 16)
    throw UsageError("--literal: needs a model with at most 16 visible units, " + model_path +
                     " has " + std::to_string(file.n_visible));
  if (data.dim() != file.n_visible)
    throw DimensionError(data.source + ": data has " + std::to_string(data.dim()) +
                         " dimensions, model " + model_path + " has " +
                         std::to_string(file.n_visible) + " visible units");
  const arma::mat V = make_batch<double>(data, 0, data.size(), cfg.binarize, cfg.threshold, rng);
  const bool rbm = file.kind == MachineKind::rbm;
  const LiteralResult r = rbm ? literal_rbm(rbm_from_file<double>(file, model_path), V, lcfg, rng)
                              : literal_bm(bm_from_file<double>(file, model_path), V, lcfg, rng);
  char line[256];
  std::printf("literal setup (paper section 4.2): %s with %llu visible and %llu hidden units, "
              "%zu examples\n",
              rbm ? "RBM" : "Boltzmann machine", (unsigned long long)file.n_visible,
              (unsigned long long)file.n_hidden, data.size());
  std::printf("rejection constant M = %.6g, positives per chain step %.6g (1/M = %.6g)\n",
              r.rejection_constant, r.acceptance_rate, 1.0 / r.rejection_constant);
  std::printf("error of the reward correlator against the exact log-likelihood gradient:\n");
  std::printf("%10s %12s %14s %14s %14s %12s\n", "pairs", "chain_steps", "visible_bias",
              "hidden_bias", "weights", "bound");
  for (const LiteralCheckpoint& c : r.checkpoints) {
    std::snprintf(line, sizeof line, "%10zu %12llu %14.6g %14.6g %14.6g %12.6g\n", c.pairs,
                  (unsigned long long)c.chain_steps, c.error.visible_bias, c.error.hidden_bias,
                  c.error.weights, c.bound);
    std::cout << line;
  }
  if (r.centered_available) {
    const std::size_t nv = rbm ? 0 : file.n_visible;
    const UpdateDifference to_target = max_abs_difference(r.centered_estimate, r.centered_target, nv);
    const UpdateDifference to_ll = max_abs_difference(r.centered_estimate, r.exact, nv);
    const UpdateDifference gap = max_abs_difference(r.centered_target, r.exact, nv);
    std::printf("centered (Theorem 1) correlator, sum R (s - sigm(a)) / n+, largest error:\n");
    std::printf("  against its exact expectation dE[R]/da: %.6g\n", to_target.max());
    std::printf("  against the log-likelihood gradient:    %.6g (the two targets differ by %.6g)\n",
                to_ll.max(), gap.max());
  }
  const LiteralCheckpoint& last = r.checkpoints.back();
  if (last.error.max() > last.bound) {
    std::cerr << "rbmkit equiv: literal setup: error " << format17(last.error.max())
              << " exceeds the bound " << format17(last.bound) << "\n";
    return check_failed;
  }
  std::printf("within the bound z*sqrt(1/(2*pairs)) = %.6g (z = %g): ok\n", last.bound, lcfg.z);
  return ok;
}

}  // namespace

int cmd_equiv(const std::vector<std::string>& args) {
  const EquivConfig d;
  const LiteralConfig dl;
  po::options_description desc("equiv options");
  desc.add_options()
      ("model", po::value<std::string>(), "model file (required)")
      ("data", defaulted<std::string>(default_train_images()),
       "data: IDX (raw or .gz) or CSV (default: Fashion-MNIST training images)")
      ("machine", po::value<std::string>(), "rbm | bm (default: the kind the model file holds)")
      ("method", defaulted<std::string>(to_string(d.method)),
       "cd (chains start at the minibatch) | pcd (chains start at another minibatch) | pt "
       "(rbm: tempered chains that start where pcd's do)")
      ("temperatures", defaulted<long long>((long long)d.temperatures),
       "pt: inverse temperatures per chain (at least 2)")
      ("k", defaulted<long long>((long long)d.k),
       "Gibbs steps (rbm) or sweeps per phase (bm)")
      ("batch", defaulted<long long>((long long)d.batch),
       "positive samples (= negative samples)")
      ("seed", defaulted<long long>(1), "random seed")
      ("precision", defaulted<std::string>("double"), "float | double")
      ("binarize", defaulted<std::string>(to_string(d.binarize)),
       "threshold | stochastic | none")
      ("threshold", defaulted<double>(d.threshold), "binarization threshold")
      ("tolerance", defaulted<double>(1e-12),
       "largest allowed absolute difference")
      ("dump", po::value<std::string>(),
       "write stream.csv and both updates as CSV files into this directory")
      ("literal", po::bool_switch(), "run the literal setup of section 4.2 instead (<= 16 visible)")
      ("pairs", defaulted<long long>((long long)dl.pairs),
       "literal: positive-negative pairs in the stream")
      ("burn-in", defaulted<long long>((long long)dl.burn_in),
       "literal: chain steps discarded first")
      ("z", defaulted<double>(dl.z), "literal: the bound is z*sqrt(1/(2*pairs))")
      ("threads", defaulted<long long>(0), "threads (0 = all cores)");
  po::variables_map vm;
  if (!parse("equiv", "--model MODEL [--data FILE] [options]", desc, args, vm)) return ok;
  if (!vm.count("model")) throw UsageError("--model: a model file is required");
  const bool is_literal = vm["literal"].as<bool>();
  // Options of one check given with the other are refused, not ignored.
  for (const char* name : is_literal
                              ? std::vector<const char*>{"method", "temperatures", "k", "batch",
                                                         "precision", "tolerance"}
                              : std::vector<const char*>{"pairs", "burn-in", "z"})
    if (!vm[name].defaulted())
      throw UsageError(std::string("--") + name + ": applies " +
                       (is_literal ? "to the minibatch check, not --literal"
                                   : "only with --literal"));
  EquivConfig cfg;
  cfg.method = get_enum<Method>(vm, "method");
  cfg.k = get_count(vm, "k", 1);
  cfg.temperatures = get_count(vm, "temperatures", 2, (long long)max_temperatures);
  if (!vm["temperatures"].defaulted() && cfg.method != Method::pt)
    throw UsageError("--temperatures: applies only with --method pt");
  cfg.batch = get_count(vm, "batch", 1);
  cfg.binarize = get_enum<Binarize>(vm, "binarize");
  cfg.threshold = get_number(vm, "threshold");
  if (cfg.threshold < 0 || cfg.threshold >= 1) throw UsageError("--threshold: must be in [0, 1)");
  const double tolerance = get_number(vm, "tolerance");
  if (tolerance < 0) throw UsageError("--tolerance: must be >= 0");
  const std::string precision = vm["precision"].as<std::string>();
  if (precision != "float" && precision != "double")
    throw UsageError("--precision: expected float or double, got '" + precision + "'");
  LiteralConfig lcfg;
  lcfg.pairs = get_count(vm, "pairs", 1);
  lcfg.burn_in = get_count(vm, "burn-in", 0);
  lcfg.z = get_number(vm, "z");
  if (lcfg.z <= 0) throw UsageError("--z: must be positive");
  std::string dump;
  if (vm.count("dump")) {
    if (is_literal) throw UsageError("--dump: applies to the minibatch check, not --literal");
    dump = vm["dump"].as<std::string>();
  }
  const std::string model_path = vm["model"].as<std::string>();
  const ModelFile file = read_model_file(model_path);
  if (vm.count("machine")) {
    const MachineKind want = get_enum<MachineKind>(vm, "machine");
    if (want != file.kind)
      throw ModelError(model_path + ": holds " +
                       (file.kind == MachineKind::rbm ? "an RBM" : "a general Boltzmann machine") +
                       ", but --machine " + to_string(want) + " was given");
  }
  if (cfg.method == Method::pt && file.kind != MachineKind::rbm)
    throw UsageError("--method: pt (parallel tempering) is implemented for RBMs only; " +
                     model_path + " holds a general Boltzmann machine");
  if (file.visible_units == UnitType::gaussian)  // the Gaussian paths: tests/test_gaussian.cpp
    throw ModelError(model_path + ": equiv checks Bernoulli units; this model's visible units are "
                                  "Gaussian (train --gradient reward-correlator gives its bits)");
  set_threads(get_threads(vm));
  const Dataset data = load_dataset(vm["data"].as<std::string>());
  Rng rng(get_seed(vm));
  if (is_literal) return literal(file, model_path, data, cfg, lcfg, rng);

  const EquivResult r = precision == "float" ? minibatch<float>(file, model_path, data, cfg, rng)
                                             : minibatch<double>(file, model_path, data, cfg, rng);
  std::cout << to_string(r.machine) << " " << r.n_visible << "x"
            << r.n_hidden << ", " << to_string(cfg.method) << "-" << cfg.k
            << (cfg.method == Method::pt
                    ? " with " + std::to_string(cfg.temperatures) + " temperatures"
                    : std::string())
            << ", batch "
            << cfg.batch << ", " << r.reward.n_elem << " stream samples, " << precision << "\n";
  print_difference(r.difference, r.machine);
  if (!dump.empty()) {
    write_equivalence_dump(dump, r);
    std::cout << "stream and both updates written to " << dump << "\n";
  }
  if (!(r.difference.max() <= tolerance)) {
    std::cerr << "rbmkit equiv: largest difference " << format17(r.difference.max())
              << " exceeds the tolerance " << short_number(tolerance) << "\n";
    return check_failed;
  }
  std::cout << "within tolerance " << short_number(tolerance) << ": ok\n";
  return ok;
}

}  // namespace rbmkit::cli
