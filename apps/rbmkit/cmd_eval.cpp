// rbmkit eval: log-likelihood and monitors of a model on a data set.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <sstream>

#include "cli.hpp"
#include "rbmkit/core/enum_names.hpp"
#include "rbmkit/core/error.hpp"
#include "rbmkit/core/parallel.hpp"
#include "rbmkit/evaluation/likelihood.hpp"
#include "rbmkit/evaluation/monitors.hpp"
#include "rbmkit/io/dataset.hpp"
#include "rbmkit/io/model_file.hpp"

namespace rbmkit::cli {
namespace {

/// A JSON number, or null when it is not finite.
std::string json_number(double x) { return std::isfinite(x) ? format17(x) : "null"; }

/// A JSON string (the library's sentences hold no control characters).
std::string json_string(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

/// What eval prints besides the reports: the monitors, and why a quantity is not available.
struct Extras {
  DataMonitors monitors;
  AisBaseKind base_kind = AisBaseKind::modes;
  const char* machine = nullptr;  ///< "bm" for a general Boltzmann machine, else null
  std::string exact_note;         ///< added to the exact log-likelihood's description
  std::string no_likelihood;      ///< why there is no log-likelihood (the report is then empty)
  std::string no_pseudo;          ///< why the pseudo-log-likelihood is NaN, when it is
  bool gaussian = false;          ///< Gaussian visible units: log-densities, also in data units
};

/// The report as one JSON object: `r`, the AIS report `ais` as well when both were asked for
/// (else null), the monitors, and `"machine": ...` after the method when set. Without a
/// log-likelihood (x.no_likelihood), the method and every log-likelihood field are null and
/// `log_likelihood_unavailable` says why.
std::string report_json(const LikelihoodReport& r, const LikelihoodReport* ais, const Extras& x) {
  const DataMonitors& m = x.monitors;
  const bool none = !x.no_likelihood.empty();
  const bool is_ais = !none && r.method == LikelihoodMethod::ais;
  const double na = NAN;
  // An exact report is its own conservative estimate; AIS has one only when the reverse runs
  // do not contradict it.
  const double cons_ll = r.has_conservative() ? r.reverse_log_likelihood
                         : is_ais || none     ? na
                                              : r.log_likelihood;
  const double cons_lz = r.has_conservative() ? r.reverse_log_z
                         : is_ais || none     ? na
                                              : r.log_z.log_z;
  const double cons_se = r.has_conservative() ? r.reverse_log_z_stderr : is_ais || none ? na : 0.0;
  std::ostringstream o;
  o << "{\"examples\": " << r.examples
    << ", \"method\": " << (none ? "null" : json_string(to_string(r.method)));
  if (x.machine) o << ", \"machine\": \"" << x.machine << "\"";
  o << ", \"log_likelihood\": " << json_number(none ? na : r.log_likelihood)
    << ", \"log_likelihood_lower\": " << json_number(none ? na : r.log_likelihood_lower)
    << ", \"log_likelihood_upper\": " << json_number(none ? na : r.log_likelihood_upper)
    << ", \"log_z\": " << json_number(none ? na : r.log_z.log_z)
    << ", \"log_z_stderr\": " << json_number(none ? na : r.log_z.log_z_stderr)
    << ", \"log_z_lower\": " << json_number(none ? na : r.log_z.log_z_lower)
    << ", \"log_z_upper\": " << json_number(none ? na : r.log_z.log_z_upper)
    << ", \"conservative_log_likelihood\": " << json_number(cons_ll)
    << ", \"conservative_log_z\": " << json_number(cons_lz)
    << ", \"conservative_log_z_stderr\": " << json_number(cons_se)
    << ", \"reverse_examples\": " << r.reverse_examples;
  if (is_ais)
    o << ", \"log_z_floor\": " << json_number(r.log_z_floor)
      << ", \"log_likelihood_ceiling\": " << json_number(r.log_likelihood_ceiling)
      << ", \"ais_below_floor\": " << (r.ais_below_floor ? "true" : "false");
  if (r.has_reverse)
    o << ", \"reverse_log_likelihood\": " << json_number(r.reverse_log_likelihood)
      << ", \"reverse_log_z\": " << json_number(r.reverse_log_z)
      << ", \"reverse_log_z_stderr\": " << json_number(r.reverse_log_z_stderr)
      << ", \"reverse_above_ais\": " << (r.reverse_above_ais ? "true" : "false")
      << ", \"reverse_above_ceiling\": " << (r.reverse_above_ceiling ? "true" : "false");
  if (x.gaussian && !none)
    o << ", \"visible_units\": \"gaussian\", \"log_likelihood_data_units\": "
      << json_number(r.log_likelihood - r.standardization_log_scale)
      << ", \"standardization_log_scale\": " << json_number(r.standardization_log_scale);
  if (none) o << ", \"log_likelihood_unavailable\": " << json_string(x.no_likelihood);
  const LikelihoodReport& a = ais ? *ais : r;
  if (is_ais || ais)
    o << ", \"ais_base\": \"" << to_string(x.base_kind) << "\", \"ais_base_components\": "
      << a.base.components() << ", \"ais_mode_starts\": " << a.base.starts;
  if (is_ais) o << ", \"ais_runs\": " << r.log_z.runs << ", \"ais_betas\": " << r.log_z.intermediate;
  if (ais)
    o << ", \"ais_log_z\": " << json_number(ais->log_z.log_z)
      << ", \"ais_log_z_stderr\": " << json_number(ais->log_z.log_z_stderr)
      << ", \"ais_log_likelihood\": " << json_number(ais->log_likelihood)
      << ", \"ais_conservative_log_likelihood\": "
      << json_number(ais->has_conservative() ? ais->reverse_log_likelihood : NAN)
      << ", \"ais_reverse_log_likelihood\": "
      << json_number(ais->has_reverse ? ais->reverse_log_likelihood : NAN)
      << ", \"ais_reverse_above_ais\": " << (ais->reverse_above_ais ? "true" : "false")
      << ", \"ais_runs\": " << ais->log_z.runs << ", \"ais_betas\": " << ais->log_z.intermediate;
  o << ", \"pseudo_log_likelihood\": " << json_number(m.pseudo_log_likelihood);
  if (!x.no_pseudo.empty()) o << ", \"pseudo_log_likelihood_unavailable\": " << json_string(x.no_pseudo);
  o << ", \"reconstruction_error\": " << json_number(m.reconstruction_error)
    << ", \"free_energy\": " << json_number(m.free_energy)
    << ", \"likelihood_seconds\": " << json_number(r.seconds + (ais ? ais->seconds : 0.0))
    << "}\n";
  return o.str();
}

/// The report as text; a quantity that is not available gets one line saying why, and an
/// undefined (NaN) reconstruction error is left out.
void print_report(const LikelihoodReport& r, const LikelihoodReport* ais, const Extras& x) {
  const DataMonitors& m = x.monitors;
  auto print_rep = [&](const LikelihoodReport& y) {
    if (y.method == LikelihoodMethod::exact) {
      std::printf("log-likelihood         %.4f  (nats per example, exact%s)\n", y.log_likelihood,
                  x.exact_note.c_str());
      if (x.gaussian)
        std::printf("in the data's units    %.4f  (log-density of the values before "
                    "standardisation: minus the sum of log sd, %.4f)\n",
                    y.log_likelihood - y.standardization_log_scale, y.standardization_log_scale);
      std::printf("log Z                  %.6f  (exact enumeration)\n", y.log_z.log_z);
    } else {
      std::printf("log-likelihood         %.4f  (nats per example, AIS; 3-sigma band %.4f .. %.4f)\n",
                  y.log_likelihood, y.log_likelihood_lower, y.log_likelihood_upper);
      if (x.gaussian)
        std::printf("in the data's units    %.4f  (log-density of the values before "
                    "standardisation: minus the sum of log sd, %.4f)\n",
                    y.log_likelihood - y.standardization_log_scale, y.standardization_log_scale);
      std::printf("log Z                  %.4f +- %.4f  (AIS, %zu runs, %zu intermediate distributions)\n",
                  y.log_z.log_z, y.log_z.log_z_stderr, y.log_z.runs, y.log_z.intermediate);
      if (y.ais_below_floor)
        std::printf("AIS check              FAILED: log Z is below %.4f, a certain floor from the "
                    "modes found, so this log-likelihood is at least %.4f too high (the runs "
                    "missed mass; try --ais-base modes or more --ais-betas)\n",
                    y.log_z_floor, y.log_z_floor - y.log_z.log_z);
      if (x.gaussian)
        std::printf("AIS base               the model's visible Gaussians (no weights)\n");
      else if (y.base.components() > 1)
        std::printf("AIS base               base-rate model + %zu modes (of %zu found from %zu examples)\n",
                    y.base.components() - 1, y.base.distinct_modes, y.base.starts);
      else
        std::printf("AIS base               base-rate model\n");
      if (y.has_conservative())
        std::printf("conservative estimate  %.4f  (reverse annealing from %zu examples; log Z %.4f +- %.4f)\n",
                    y.reverse_log_likelihood, y.reverse_examples, y.reverse_log_z,
                    y.reverse_log_z_stderr);
      else if (y.has_reverse && y.reverse_above_ceiling)
        std::printf("reverse estimate       %.4f  (NOT conservative: above %.4f, a certain upper "
                    "bound from the modes found; reverse annealing from %zu examples; log Z "
                    "%.4f +- %.4f)\n",
                    y.reverse_log_likelihood, y.log_likelihood_ceiling, y.reverse_examples,
                    y.reverse_log_z, y.reverse_log_z_stderr);
      else if (y.has_reverse)
        std::printf("reverse estimate       %.4f  (NOT conservative: %.3f nats above AIS, beyond 3 "
                    "sigma; reverse annealing from %zu examples; log Z %.4f +- %.4f)\n",
                    y.reverse_log_likelihood, y.reverse_log_likelihood - y.log_likelihood,
                    y.reverse_examples, y.reverse_log_z, y.reverse_log_z_stderr);
    }
  };
  std::printf("examples               %zu\n", r.examples);
  if (x.no_likelihood.empty())
    print_rep(r);
  else
    std::printf("log-likelihood         not available: %s\n", x.no_likelihood.c_str());
  if (ais) print_rep(*ais);
  if (x.no_pseudo.empty())
    std::printf("pseudo-log-likelihood  %.4f  (nats per example, all bits)\n", m.pseudo_log_likelihood);
  else
    std::printf("pseudo-log-likelihood  not available: %s\n", x.no_pseudo.c_str());
  if (!std::isnan(m.reconstruction_error))
    std::printf("reconstruction error   %.6f  (mean squared error per pixel)\n", m.reconstruction_error);
  if (!std::isnan(m.free_energy))
    std::printf("free energy            %.4f  (mean per example)\n", m.free_energy);
}

/// A general Boltzmann machine: the exact log-likelihood when every state can be enumerated,
/// else the pseudo-log-likelihood and free energy where they are computable and one line saying
/// why the log-likelihood is not available. No AIS for it.
int eval_bm(const ModelFile& file, const std::string& model_path, const Dataset& data,
            LikelihoodOptions lo, bool want_exact, bool want_ais, bool json, std::uint64_t seed) {
  const BoltzmannMachine<double> bm = bm_from_file<double>(file, model_path);
  if (want_ais)
    throw UsageError("--ais: AIS is implemented for RBMs only; " + model_path +
                     " holds a general Boltzmann machine (evaluated by exact enumeration up to " +
                     std::to_string(lo.max_units) + " units)");
  if (data.dim() != bm.n_visible())
    throw DimensionError(data.source + ": data has " + std::to_string(data.dim()) +
                         " dimensions, model " + model_path + " has " +
                         std::to_string(bm.n_visible()) + " visible units");
  Extras x;
  x.machine = "bm";
  x.base_kind = lo.ais_base;
  x.no_likelihood = exact_likelihood_obstacle(bm, lo);
  if (want_exact && !x.no_likelihood.empty())
    throw UsageError("--exact: " + model_path + ": " + x.no_likelihood);
  lo.method = LikelihoodMethod::exact;
  lo.seed = seed;  // stochastic binarisation
  LikelihoodReport r;
  r.examples = lo.max_examples ? std::min(lo.max_examples, data.size()) : data.size();
  if (x.no_likelihood.empty()) {
    Rng rng(seed);
    r = evaluate_likelihood(bm, data, lo, rng);
  }
  x.monitors = evaluate_monitors(bm, data, lo.binarize, lo.threshold, lo.max_examples, seed);
  x.no_pseudo = pseudo_likelihood_obstacle(bm, r.examples, lo.binarize);
  x.exact_note = "; Boltzmann machine of " + std::to_string(bm.n_units()) + " units";
  report_data("eval", data, lo.binarize, lo.threshold);  // once nothing can fail: errors stay one line
  if (json)
    std::cout << report_json(r, nullptr, x);
  else
    print_report(r, nullptr, x);
  return ok;
}

}  // namespace

int cmd_eval(const std::vector<std::string>& args) {
  po::options_description desc("eval options");
  desc.add_options()
      ("model", po::value<std::string>(), "model file (required)")
      ("data", defaulted<std::string>(default_test_images()),
       "data: IDX or CSV (default: Fashion-MNIST test images)")
      ("binarize", defaulted<std::string>("threshold"),
       "threshold | stochastic | none (none needs data that is already 0/1)")
      ("threshold", defaulted<double>(0.5), "binarization threshold")
      ("max-examples", defaulted<long long>(0), "use only the first N examples (0 = all)")
      ("exact", "exact log Z by enumerating the smaller layer (up to 30 units)")
      ("ais", "log Z by annealed importance sampling, with error bars and a reverse-annealing "
              "estimate from the same base, reported as conservative unless it lands above AIS "
              "beyond noise")
      ("ais-runs", defaulted<long long>((long long)default_ais_runs),
       "AIS runs")
      ("ais-betas", defaulted<long long>((long long)default_ais_betas),
       "AIS intermediate distributions (>= 3; schedule of Salakhutdinov & Murray)")
      ("ais-base", defaulted<std::string>("modes"),
       "where AIS runs start: rate (the base-rate model of Salakhutdinov & Murray) or modes "
       "(the base-rate model plus components at the model's modes, found from the base data)")
      ("ais-modes", defaulted<long long>(32),
       "most probable modes kept as components of the modes base")
      ("reverse-examples", defaulted<long long>(100),
       "examples annealed in reverse for the conservative estimate (0 = none)")
      ("base-data", po::value<std::string>(),
       "data defining the AIS base: its marginals and the starts of the mode search "
       "(default: --data)")
      ("seed", defaulted<long long>(1), "seed of the AIS chains")
      ("threads", defaulted<long long>(0), "threads (0 = all cores)")
      ("json", "print one JSON object on standard output");
  add_data_options(desc);
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
  lo.ais_base = get_enum<AisBaseKind>(vm, "ais-base");
  lo.modes.max_modes = get_count(vm, "ais-modes", 1);
  const bool want_exact = vm.count("exact") > 0, want_ais = vm.count("ais") > 0;
  const bool json = vm.count("json") > 0;
  const std::uint64_t seed = get_seed(vm);
  set_threads(get_threads(vm));
  const std::string model_path = vm["model"].as<std::string>();
  const ModelFile file = read_model_file(model_path);
  // The data are read as training read them (the model's stored --scale) unless --scale is given.
  const DataOptions read_options = data_options(
      vm, file.config.count("data.scale") ? file.config.at("data.scale") : std::string());
  if (file.kind == MachineKind::bm) {
    const Dataset data = load_dataset(vm["data"].as<std::string>(), read_options);
    if (data.size() == 0) throw DataError(data.source + ": no examples");
    return eval_bm(file, model_path, data, lo, want_exact, want_ais, json, seed);
  }
  const Rbm<double> rbm = rbm_from_file<double>(file, model_path);
  const Dataset data = load_dataset(vm["data"].as<std::string>(), read_options);
  if (data.dim() != rbm.n_visible())
    throw DimensionError(data.source + ": data has " + std::to_string(data.dim()) +
                         " dimensions, model " + model_path + " has " +
                         std::to_string(rbm.n_visible()) + " visible units");
  if (data.size() == 0) throw DataError(data.source + ": no examples");
  const bool gaussian = rbm.visible_units() == UnitType::gaussian;
  if (gaussian) {
    for (const char* name : {"binarize", "threshold"})
      if (vm.count(name) && !vm[name].defaulted())
        throw UsageError(std::string("--") + name + ": does not apply to " + model_path +
                         ", whose visible units are Gaussian (it standardises the data itself)");
    // AIS starts from the model's own visible Gaussians: no base data, modes or reverse runs.
    for (const char* name : {"ais-base", "ais-modes", "base-data", "reverse-examples"})
      if (vm.count(name) && !vm[name].defaulted())
        throw UsageError(std::string("--") + name + ": does not apply to " + model_path +
                         ", whose visible units are Gaussian (AIS starts from its own visible "
                         "Gaussians)");
    if (want_exact && rbm.n_hidden() > lo.max_units)
      throw UsageError("--exact: " + model_path + " has " + std::to_string(rbm.n_hidden()) +
                       " hidden units, more than the " + std::to_string(lo.max_units) +
                       " exact enumeration allows (use --ais)");
    lo.binarize = Binarize::none;
  } else if (read_options.scale == DataScale::standardize) {
    throw UsageError("--scale standardize: applies only to models with Gaussian visible units");
  }
  if (want_exact && !gaussian && std::min(rbm.n_visible(), rbm.n_hidden()) > lo.max_units)
    throw UsageError("--exact: the smaller layer of " + model_path + " has " +
                     std::to_string(std::min(rbm.n_visible(), rbm.n_hidden())) +
                     " units, more than the " + std::to_string(lo.max_units) +
                     " exact enumeration allows (use --ais)");
  Dataset base_data;
  if (vm.count("base-data")) {
    base_data = load_dataset(vm["base-data"].as<std::string>(), read_options);
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
  // On a terminal, one updating line per annealing stage ("AIS", "reverse AIS") on stderr.
  StageProgress progress;
  lo.progress = progress.callback();
  main_rep = evaluate_likelihood(rbm, data, base, lo, rng);
  if (both) {
    lo.method = LikelihoodMethod::ais;
    ais_rep = evaluate_likelihood(rbm, data, base, lo, rng);
  }
  progress.finish();
  Extras x;
  x.monitors = evaluate_monitors(rbm, data, lo.binarize, lo.threshold, lo.max_examples);
  x.base_kind = lo.ais_base;
  x.gaussian = gaussian;
  if (gaussian) x.no_pseudo = "the pseudo-log-likelihood is defined for binary visible units only";
  const LikelihoodReport* ais = both ? &ais_rep : nullptr;
  report_data("eval", data, lo.binarize, lo.threshold);  // once nothing can fail: errors stay one line
  if (json)
    std::cout << report_json(main_rep, ais, x);
  else
    print_report(main_rep, ais, x);
  return ok;
}

}  // namespace rbmkit::cli
