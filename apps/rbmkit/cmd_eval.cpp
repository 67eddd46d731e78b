// rbmkit eval: log-likelihood and monitors of a model on a data set.
#include <cmath>
#include <cstdio>
#include <iostream>
#include <sstream>

#include "cli.hpp"
#include "rbmkit/evaluation/bm_likelihood.hpp"
#include "rbmkit/io/dataset.hpp"
#include "rbmkit/core/error.hpp"
#include "rbmkit/evaluation/likelihood.hpp"
#include "rbmkit/io/model_file.hpp"
#include "rbmkit/evaluation/monitors.hpp"
#include "rbmkit/core/parallel.hpp"

namespace rbmkit::cli {
namespace {

/// A JSON number, or null when it is not finite.
std::string json_number(double x) { return std::isfinite(x) ? format17(x) : "null"; }

/// The report as one JSON object: `r`, the AIS report `ais` as well when both were asked for
/// (else null), the monitors, and `"machine": machine` after the method when `machine` is set.
std::string report_json(const LikelihoodReport& r, const LikelihoodReport* ais,
                        const DataMonitors& m, AisBaseKind base_kind, const char* machine) {
  const bool is_ais = r.method == LikelihoodMethod::ais;
  const double cons_ll = r.has_conservative ? r.conservative_log_likelihood
                         : is_ais          ? NAN
                                           : r.log_likelihood;
  const double cons_lz = r.has_conservative ? r.conservative_log_z : is_ais ? NAN : r.log_z.log_z;
  std::ostringstream o;
  o << "{\"examples\": " << r.examples << ", \"method\": \"" << to_string(r.method) << "\"";
  if (machine) o << ", \"machine\": \"" << machine << "\"";
  o << ", \"log_likelihood\": " << json_number(r.log_likelihood)
    << ", \"log_likelihood_lower\": " << json_number(r.log_likelihood_lower)
    << ", \"log_likelihood_upper\": " << json_number(r.log_likelihood_upper)
    << ", \"log_z\": " << json_number(r.log_z.log_z)
    << ", \"log_z_stderr\": " << json_number(r.log_z.log_z_stderr)
    << ", \"log_z_lower\": " << json_number(r.log_z.log_z_lower)
    << ", \"log_z_upper\": " << json_number(r.log_z.log_z_upper)
    << ", \"conservative_log_likelihood\": " << json_number(cons_ll)
    << ", \"conservative_log_z\": " << json_number(cons_lz)
    << ", \"conservative_log_z_stderr\": "
    << json_number(r.has_conservative ? r.conservative_log_z_stderr : is_ais ? NAN : 0.0)
    << ", \"reverse_examples\": " << r.reverse_examples;
  const LikelihoodReport& a = ais ? *ais : r;
  if (is_ais || ais)
    o << ", \"ais_base\": \"" << to_string(base_kind) << "\", \"ais_base_components\": "
      << a.base.components() << ", \"ais_mode_starts\": " << a.base.starts;
  if (is_ais) o << ", \"ais_runs\": " << r.log_z.runs << ", \"ais_betas\": " << r.log_z.intermediate;
  if (ais)
    o << ", \"ais_log_z\": " << json_number(ais->log_z.log_z)
      << ", \"ais_log_z_stderr\": " << json_number(ais->log_z.log_z_stderr)
      << ", \"ais_log_likelihood\": " << json_number(ais->log_likelihood)
      << ", \"ais_conservative_log_likelihood\": "
      << json_number(ais->has_conservative ? ais->conservative_log_likelihood : NAN)
      << ", \"ais_runs\": " << ais->log_z.runs << ", \"ais_betas\": " << ais->log_z.intermediate;
  o << ", \"pseudo_log_likelihood\": " << json_number(m.pseudo_log_likelihood)
    << ", \"reconstruction_error\": " << json_number(m.reconstruction_error)
    << ", \"free_energy\": " << json_number(m.free_energy)
    << ", \"likelihood_seconds\": " << json_number(r.seconds + (ais ? ais->seconds : 0.0))
    << "}\n";
  return o.str();
}

/// The report as text; `exact_note` is added to the exact log-likelihood's description, and an
/// undefined (NaN) reconstruction error is left out.
void print_report(const LikelihoodReport& r, const LikelihoodReport* ais, const DataMonitors& m,
                  const std::string& exact_note = "") {
  auto print_rep = [&](const LikelihoodReport& x) {
    if (x.method == LikelihoodMethod::exact) {
      std::printf("log-likelihood         %.4f  (nats per example, exact%s)\n", x.log_likelihood,
                  exact_note.c_str());
      std::printf("log Z                  %.6f  (exact enumeration)\n", x.log_z.log_z);
    } else {
      std::printf("log-likelihood         %.4f  (nats per example, AIS; 3-sigma band %.4f .. %.4f)\n",
                  x.log_likelihood, x.log_likelihood_lower, x.log_likelihood_upper);
      std::printf("log Z                  %.4f +- %.4f  (AIS, %zu runs, %zu intermediate distributions)\n",
                  x.log_z.log_z, x.log_z.log_z_stderr, x.log_z.runs, x.log_z.intermediate);
      if (x.base.components() > 1)
        std::printf("AIS base               base-rate model + %zu modes (of %zu found from %zu examples)\n",
                    x.base.components() - 1, x.base.distinct_modes, x.base.starts);
      else
        std::printf("AIS base               base-rate model\n");
      if (x.has_conservative)
        std::printf("conservative estimate  %.4f  (reverse annealing from %zu examples; log Z %.4f +- %.4f)\n",
                    x.conservative_log_likelihood, x.reverse_examples, x.conservative_log_z,
                    x.conservative_log_z_stderr);
    }
  };
  std::printf("examples               %zu\n", r.examples);
  print_rep(r);
  if (ais) print_rep(*ais);
  std::printf("pseudo-log-likelihood  %.4f  (nats per example, all bits)\n", m.pseudo_log_likelihood);
  if (!std::isnan(m.reconstruction_error))
    std::printf("reconstruction error   %.6f  (mean squared error per pixel)\n", m.reconstruction_error);
  std::printf("free energy            %.4f  (mean per example)\n", m.free_energy);
}

/// A general Boltzmann machine: exact log-likelihood by enumeration (no AIS for it).
int eval_bm(const ModelFile& file, const std::string& model_path, const Dataset& data,
            const LikelihoodOptions& lo, bool want_ais, bool json, std::uint64_t seed) {
  const BoltzmannMachine<double> bm = bm_from_file<double>(file, model_path);
  if (want_ais)
    throw UsageError("--ais: AIS is implemented for RBMs; " + model_path +
                     " holds a general Boltzmann machine, evaluated by exact enumeration");
  if (data.dim() != bm.n_visible())
    throw DimensionError(data.source + ": data has " + std::to_string(data.dim()) +
                         " dimensions, model " + model_path + " has " +
                         std::to_string(bm.n_visible()) + " visible units");
  if (bm.n_units() > max_enumerated_bm_units)
    throw UsageError("eval: " + model_path + " is a Boltzmann machine of " +
                     std::to_string(bm.n_units()) + " units; exact enumeration allows at most " +
                     std::to_string(max_enumerated_bm_units));
  const BmLikelihoodReport b =
      evaluate_bm_likelihood(bm, data, lo.binarize, lo.threshold, lo.max_examples, seed);
  LikelihoodReport r;  // exact: no standard error, the band and the conservative value collapse
  r.method = LikelihoodMethod::exact;
  r.examples = b.examples;
  r.mean_neg_free_energy = b.mean_neg_free_energy;
  r.log_z.log_z = r.log_z.log_z_lower = r.log_z.log_z_upper = b.log_z;
  r.log_likelihood = r.log_likelihood_lower = r.log_likelihood_upper = b.log_likelihood;
  r.seconds = b.seconds;
  DataMonitors m;
  m.reconstruction_error = NAN;  // not defined for a general Boltzmann machine
  m.pseudo_log_likelihood = b.pseudo_log_likelihood;
  m.free_energy = -b.mean_neg_free_energy;
  if (json)
    std::cout << report_json(r, nullptr, m, lo.ais_base, "bm");
  else
    print_report(r, nullptr, m,
                 "; Boltzmann machine of " + std::to_string(bm.n_units()) + " units");
  return ok;
}

}  // namespace

int cmd_eval(const std::vector<std::string>& args) {
  po::options_description desc("eval options");
  desc.add_options()
      ("model", po::value<std::string>(), "model file (required)")
      ("data", po::value<std::string>()->default_value(default_test_images()),
       "data: IDX or CSV (default: Fashion-MNIST test images)")
      ("binarize", po::value<std::string>()->default_value("threshold"),
       "threshold | stochastic | none (none needs data that is already 0/1)")
      ("threshold", po::value<double>()->default_value(0.5), "binarization threshold")
      ("max-examples", po::value<long long>()->default_value(0), "use only the first N examples (0 = all)")
      ("exact", "exact log Z by enumerating the smaller layer (up to 30 units)")
      ("ais", "log Z by annealed importance sampling, with error bars and a reverse-annealing "
              "conservative bound")
      ("ais-runs", po::value<long long>()->default_value((long long)default_ais_runs),
       "AIS runs")
      ("ais-betas", po::value<long long>()->default_value((long long)default_ais_betas),
       "AIS intermediate distributions (>= 3; schedule of Salakhutdinov & Murray)")
      ("ais-base", po::value<std::string>()->default_value("modes"),
       "where AIS runs start: rate (the base-rate model of Salakhutdinov & Murray) or modes "
       "(the base-rate model plus components at the model's modes, found from the base data)")
      ("ais-modes", po::value<long long>()->default_value(32),
       "most probable modes kept as components of the modes base")
      ("reverse-examples", po::value<long long>()->default_value(100),
       "examples annealed in reverse for the conservative bound (0 = none)")
      ("base-data", po::value<std::string>(),
       "data defining the AIS base: its marginals and the starts of the mode search "
       "(default: --data)")
      ("seed", po::value<long long>()->default_value(1), "seed of the AIS chains")
      ("threads", po::value<long long>()->default_value(0), "threads (0 = all cores)")
      ("json", "print one JSON object on standard output");
  po::variables_map vm;
  if (!parse("eval", "--model MODEL [--data FILE] [--exact] [--ais] [--ais-runs R] [--ais-betas N] [--json]",
             desc, args, vm))
    return ok;
  if (!vm.count("model")) throw UsageError("--model: a model file is required");
  LikelihoodOptions lo;
  lo.binarize = get_enum<Binarize>(vm, "binarize");
  lo.threshold = get_number(vm, "threshold");
  if (lo.threshold < 0 || lo.threshold >= 1) throw UsageError("--threshold: must be in [0, 1)");
  lo.max_examples = get_count(vm, "max-examples", 0);
  lo.ais_runs = get_count(vm, "ais-runs", 1);
  lo.ais_betas = get_count(vm, "ais-betas", 3);
  lo.reverse_examples = get_count(vm, "reverse-examples", 0);
  lo.ais_base = parse_ais_base(vm["ais-base"].as<std::string>());
  lo.modes.max_modes = get_count(vm, "ais-modes", 1);
  const bool want_exact = vm.count("exact") > 0, want_ais = vm.count("ais") > 0;
  const bool json = vm.count("json") > 0;
  const std::uint64_t seed = get_seed(vm);
  set_threads(get_threads(vm));

  const std::string model_path = vm["model"].as<std::string>();
  const ModelFile file = read_model_file(model_path);
  if (file.kind == MachineKind::bm) {
    const Dataset data = load_dataset(vm["data"].as<std::string>());
    if (data.size() == 0) throw DataError(data.source + ": no examples");
    return eval_bm(file, model_path, data, lo, want_ais, json, seed);
  }
  const Rbm<double> rbm = rbm_from_file<double>(file, model_path);
  const Dataset data = load_dataset(vm["data"].as<std::string>());
  if (data.dim() != rbm.n_visible())
    throw DimensionError(data.source + ": data has " + std::to_string(data.dim()) +
                         " dimensions, model " + model_path + " has " +
                         std::to_string(rbm.n_visible()) + " visible units");
  if (data.size() == 0) throw DataError(data.source + ": no examples");
  if (want_exact && std::min(rbm.n_visible(), rbm.n_hidden()) > lo.max_units)
    throw UsageError("--exact: the smaller layer of " + model_path + " has " +
                     std::to_string(std::min(rbm.n_visible(), rbm.n_hidden())) +
                     " units, more than the " + std::to_string(lo.max_units) +
                     " exact enumeration allows (use --ais)");
  Dataset base_data;
  if (vm.count("base-data")) {
    base_data = load_dataset(vm["base-data"].as<std::string>());
    if (base_data.dim() != rbm.n_visible())
      throw DimensionError(base_data.source + ": base data has " +
                           std::to_string(base_data.dim()) + " dimensions, the model " +
                           std::to_string(rbm.n_visible()));
    if (base_data.size() == 0) throw DataError(base_data.source + ": no examples");
  }
  const Dataset& base = vm.count("base-data") ? base_data : data;

  // AIS chains run in float inside the library; enumeration and free energies use double.
  Rng rng(seed);
  LikelihoodReport main_rep, ais_rep;
  const bool both = want_exact && want_ais;
  lo.method = want_exact ? LikelihoodMethod::exact
              : want_ais ? LikelihoodMethod::ais
                         : LikelihoodMethod::automatic;
  main_rep = evaluate_likelihood(rbm, data, base, lo, rng);
  if (both) {
    lo.method = LikelihoodMethod::ais;
    ais_rep = evaluate_likelihood(rbm, data, base, lo, rng);
  }
  const DataMonitors m = evaluate_monitors(rbm, data, lo.binarize, lo.threshold, lo.max_examples);
  const LikelihoodReport* ais = both ? &ais_rep : nullptr;
  if (json)
    std::cout << report_json(main_rep, ais, m, lo.ais_base, nullptr);
  else
    print_report(main_rep, ais, m);
  return ok;
}

}  // namespace rbmkit::cli
