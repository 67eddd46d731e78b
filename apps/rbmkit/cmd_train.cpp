// rbmkit train: parse the options into a TrainConfig and RunOptions, make one library call
// (train_model or resume_model), print what it reports.
#include <cmath>
#include <cstdio>
#include <functional>
#include <iostream>
#include <sstream>

#include "cli.hpp"
#include "options.hpp"
#include "rbmkit/core/error.hpp"
#include "rbmkit/io/dataset.hpp"
#include "rbmkit/evaluation/likelihood.hpp"
#include "rbmkit/io/files.hpp"
#include "rbmkit/io/model_file.hpp"
#include "rbmkit/sampling/phases.hpp"
#include "rbmkit/training/run.hpp"
#include "stop_signal.hpp"
#include "image_shape.hpp"
#include "rbmkit/plots/receptive_fields.hpp"
#include "train_log.hpp"

namespace rbmkit::cli {
namespace {

/// When an option applies; an option given where it does not is refused, naming both.
struct Applies {
  const char* option;
  std::function<bool(const TrainConfig&, bool held_out)> when;
  const char* condition;
};

const std::vector<Applies>& applicability() {
  static const std::vector<Applies> table = {
      // Gaussian visible units model real values: nothing to binarize, no centring (first, so
      // that these options are refused naming --visible).
      {"binarize", [](auto& c, bool) { return c.rbm.visible != UnitType::gaussian; },
       "--visible bernoulli"},
      {"threshold", [](auto& c, bool) { return c.rbm.visible != UnitType::gaussian; },
       "--visible bernoulli"},
      {"centering", [](auto& c, bool) { return c.rbm.visible != UnitType::gaussian; },
       "--visible bernoulli"},
      {"centering-rate", [](auto& c, bool) { return c.rbm.visible != UnitType::gaussian; },
       "--visible bernoulli"},
      {"visible", [](auto& c, bool) { return c.machine == MachineKind::rbm; }, "--machine rbm"},
      {"variance",
       [](auto& c, bool) { return c.machine == MachineKind::rbm && c.rbm.visible == UnitType::gaussian; },
       "--machine rbm and --visible gaussian"},
      {"k", [](auto& c, bool) { return c.machine == MachineKind::rbm; }, "--machine rbm"},
      {"sparsity-target",
       [](auto& c, bool) { return c.machine == MachineKind::rbm && c.rbm.sparsity_cost > 0; },
       "--machine rbm and --sparsity-cost above 0"},
      {"sparsity-cost", [](auto& c, bool) { return c.machine == MachineKind::rbm; }, "--machine rbm"},
      {"centering", [](auto& c, bool) { return c.machine == MachineKind::rbm; }, "--machine rbm"},
      {"centering-rate", [](auto& c, bool) { return c.machine == MachineKind::rbm && c.rbm.centering; },
       "--machine rbm with --centering 1"},
      {"monitor-examples", [](auto& c, bool) { return c.machine == MachineKind::rbm; }, "--machine rbm"},
      {"gibbs-sweeps", [](auto& c, bool) { return c.machine == MachineKind::bm; }, "--machine bm"},
      {"connectivity", [](auto& c, bool) { return c.machine == MachineKind::bm; }, "--machine bm"},
      {"chains", [](auto& c, bool) { return c.method != Method::cd; }, "--method pcd or pt"},
      {"temperatures", [](auto& c, bool) { return c.method == Method::pt; }, "--method pt"},
      {"threshold", [](auto& c, bool) { return c.binarize == Binarize::threshold; },
       "--binarize threshold"},
      {"momentum", [](auto& c, bool) { return c.epochs > c.momentum_epochs; },
       "more --epochs than --momentum-epochs (until then --initial-momentum applies)"},
      {"initial-momentum", [](auto& c, bool) { return c.momentum_epochs > 0; },
       "--momentum-epochs above 0"},
      {"eval-every", [](auto&, bool held_out) { return held_out; }, "--test or --valid"},
      {"ais-runs", [](auto& c, bool h) { return h && c.machine == MachineKind::rbm; },
       "--machine rbm with --test or --valid"},
      {"ais-betas", [](auto& c, bool h) { return h && c.machine == MachineKind::rbm; },
       "--machine rbm with --test or --valid"},
      {"ais-base", [](auto& c, bool h) { return h && c.machine == MachineKind::rbm; },
       "--machine rbm with --test or --valid"},
      {"filters", [](auto& c, bool) { return c.machine == MachineKind::rbm; }, "--machine rbm"},
  };
  return table;
}

/// Options a resumed run accepts: they choose what to watch and where to write, never the model.
const char* const resume_options[] = {"resume",     "out",       "data",           "epochs",
                                      "log",        "test",      "eval-every",     "monitor-examples",
                                      "ais-runs",   "ais-betas", "ais-base",       "checkpoint-every",
                                      "filters",    "image-shape"};

bool given(const po::variables_map& vm, const std::string& name) {
  return vm.count(name) && !vm[name].defaulted();
}

TrainConfig config_from(const po::variables_map& vm) {
  TrainConfig c;
  c.machine = get_enum<MachineKind>(vm, "machine");
  c.hidden = get_count(vm, "hidden", 1);
  c.epochs = get_count(vm, "epochs", 1);
  c.batch = get_count(vm, "batch", 1);
  c.lr = get_number(vm, "lr");
  c.lr_decay = get_number(vm, "lr-decay");
  c.momentum = get_number(vm, "momentum");
  c.initial_momentum = get_number(vm, "initial-momentum");
  c.momentum_epochs = get_count(vm, "momentum-epochs", 0);
  c.weight_decay = get_number(vm, "weight-decay");
  c.average_from = get_number(vm, "average-from");
  c.method = get_enum<Method>(vm, "method");
  c.chains = get_count(vm, "chains", 0);
  c.temperatures = get_count(vm, "temperatures", 2, (long long)max_temperatures);
  c.gradient = get_enum<GradientPath>(vm, "gradient");
  c.binarize = get_enum<Binarize>(vm, "binarize");
  c.threshold = get_number(vm, "threshold");
  c.valid = get_count(vm, "valid", 0);
  c.seed = get_seed(vm);
  c.threads = get_threads(vm);
  c.rbm.k = get_count(vm, "k", 1);
  c.rbm.sparsity_target = get_number(vm, "sparsity-target");
  c.rbm.sparsity_cost = get_number(vm, "sparsity-cost");
  const std::size_t centering = get_count(vm, "centering", 0);
  if (centering > 1) throw UsageError("--centering: expected 0 or 1, got " + std::to_string(centering));
  c.rbm.centering = centering == 1;
  c.rbm.centering_rate = get_number(vm, "centering-rate");
  c.rbm.visible = get_enum<UnitType>(vm, "visible");
  c.rbm.variance = get_enum<Variance>(vm, "variance");
  if (c.rbm.visible == UnitType::gaussian) {  // real values: not binarized, no centring
    c.binarize = Binarize::none;
    c.rbm.centering = false;
  }
  c.bm.gibbs_sweeps = get_count(vm, "gibbs-sweeps", 1);
  c.bm.connectivity = get_enum<Connectivity>(vm, "connectivity");
  return c;
}

void refuse_inapplicable(const po::variables_map& vm, const TrainConfig& c, bool held_out) {
  for (const Applies& a : applicability())
    if (given(vm, a.option) && !a.when(c, held_out))
      throw UsageError(std::string("--") + a.option + ": applies only with " + a.condition);
  if (c.machine == MachineKind::bm && given(vm, "k"))
    throw UsageError("--k: applies only with --machine rbm; use --gibbs-sweeps with --machine bm");
}

void refuse_on_resume(const po::variables_map& vm) {
  for (const auto& [name, value] : vm) {
    if (value.defaulted()) continue;
    bool allowed = name == "help";
    for (const char* ok_name : resume_options) allowed = allowed || name == ok_name;
    if (!allowed)
      throw UsageError("--" + name + ": cannot be given with --resume (the run continues with "
                       "its stored configuration; only --data, --epochs and the monitoring and "
                       "output options may be given)");
  }
}

RunOptions run_options_from(const po::variables_map& vm, const DataOptions& data_options) {
  RunOptions o;
  o.out = vm["out"].as<std::string>();
  o.checkpoint_every = get_count(vm, "checkpoint-every", 0);
  o.monitor_examples = get_count(vm, "monitor-examples", 0);
  if (vm.count("test")) o.test = load_dataset(vm["test"].as<std::string>(), data_options);
  o.eval_every = get_count(vm, "eval-every", 1);
  o.likelihood.ais_runs = get_count(vm, "ais-runs", 1);
  o.likelihood.ais_betas = get_count(vm, "ais-betas", 3);
  o.likelihood.ais_base = get_enum<AisBaseKind>(vm, "ais-base");
  o.precision = get_enum<ElementType>(vm, "precision");
  return o;
}

/// How the run stored in `file` read its data (data.scale, data.label_column); throws ModelError
/// naming `source` for a malformed entry.
DataOptions stored_data_options(const ModelFile& file, const std::string& source) {
  DataOptions o;
  try {
    if (file.config.count("data.scale")) o.scale = from_string<DataScale>(file.config.at("data.scale"));
    if (file.config.count("data.label_column")) {
      const std::string& v = file.config.at("data.label_column");
      std::size_t used = 0;
      const unsigned long k = std::stoul(v, &used);
      if (used != v.size() || k == 0) throw InvalidArgument(v);
      o.label_column = k;
    }
  } catch (const std::exception&) {
    throw ModelError(source + ": training state entry data.scale or data.label_column is not valid");
  }
  return o;
}

/// The monitoring and output options of this run, for the command that continues it.
std::string continue_options(const po::variables_map& vm) {
  std::string s;
  for (const char* name : {"log", "test", "eval-every", "monitor-examples", "ais-runs", "ais-betas",
                           "ais-base", "checkpoint-every", "filters", "image-shape"})
    if (given(vm, name)) {
      std::ostringstream v;
      if (vm[name].value().type() == typeid(std::string))
        v << vm[name].as<std::string>();
      else
        v << vm[name].as<long long>();
      s += std::string(" --") + name + " " + v.str();
    }
  return s;
}

/// One line per epoch on stderr: the step's error, the pseudo-likelihood, held-out estimates.
std::string epoch_line(const EpochReport& r) {
  auto value = [&](const std::string& name) {
    for (const auto& [n, v] : r.values)
      if (n == name) return v;
    return std::nan("");
  };
  char buf[256];
  std::snprintf(buf, sizeof buf, "epoch %3zu/%zu  %7.2f s  %s %.5f", r.epoch, r.epochs, r.seconds,
                r.error_name == "conditional_error" ? "conditional error" : "reconstruction error",
                r.error);
  std::string line = buf;
  for (const auto& [name, v] : r.values) {
    if (name == "pseudo_log_likelihood") {
      std::snprintf(buf, sizeof buf, "  pseudo-LL %.3f", v);
      line += buf;
    }
    const std::string suffix = "_log_likelihood";
    if (name.size() <= suffix.size() || name.compare(name.size() - suffix.size(), suffix.size(), suffix) ||
        name.find("conservative") != std::string::npos || name == "pseudo_log_likelihood" ||
        std::isnan(v))
      continue;
    const std::string set = name.substr(0, name.size() - suffix.size());
    const double se = value(set + "_log_z_stderr"), cons = value(set + "_conservative_log_likelihood");
    if (std::isnan(se) || se == 0)
      std::snprintf(buf, sizeof buf, "  %s LL %.3f (exact)", set.c_str(), v);
    else if (std::isnan(cons))  // no reverse runs, or a reverse estimate above AIS
      std::snprintf(buf, sizeof buf, "  %s LL %.3f +- %.3f (AIS)", set.c_str(), v, se);
    else
      std::snprintf(buf, sizeof buf, "  %s LL %.3f +- %.3f (AIS; conservative %.3f)", set.c_str(), v,
                    se, cons);
    line += buf;
    const double gap = value(set + "_free_energy_gap");
    if (!std::isnan(gap)) {
      std::snprintf(buf, sizeof buf, "  F gap %+.3f", gap);
      line += buf;
    }
  }
  return line;
}

}  // namespace

int cmd_train(const std::vector<std::string>& args) {
  const TrainConfig d;  // defaults
  po::options_description desc("train options");
  desc.add_options()
      ("data", defaulted<std::string>(default_train_images()),
       "training data: IDX (raw or .gz) or CSV (default: Fashion-MNIST training images)")
      ("out", po::value<std::string>(), "model file to write (required)")
      ("resume", po::value<std::string>(),
       "continue the run saved in FILE (by --checkpoint-every or an interrupt) with its stored "
       "configuration; --data, --epochs and the monitoring and output options may be given")
      ("checkpoint-every", defaulted<long long>(0),
       "write --out with the whole training state every N epochs (0 = only at the end)")
      ("machine", defaulted<std::string>("rbm"),
       "rbm | bm (general Boltzmann machine)")
      ("gibbs-sweeps", defaulted<long long>((long long)d.bm.gibbs_sweeps),
       "bm: sequential Gibbs sweeps per phase per update")
      ("connectivity", defaulted<std::string>(to_string(d.bm.connectivity)),
       "bm: full | semi-restricted (no hidden-hidden) | restricted (visible-hidden only)")
      ("hidden", defaulted<long long>((long long)d.hidden), "hidden units")
      ("epochs", defaulted<long long>((long long)d.epochs), "passes over the data")
      ("batch", defaulted<long long>((long long)d.batch), "minibatch size")
      ("lr", defaulted<double>(d.lr), "learning rate")
      ("lr-decay", defaulted<double>(d.lr_decay),
       "learning rate at epoch e is lr / (1 + lr-decay * e)")
      ("method", defaulted<std::string>(to_string(d.method)),
       "cd | pcd | pt (rbm: parallel tempering, docs/sampling.md)")
      ("temperatures", defaulted<long long>((long long)d.temperatures),
       "pt: inverse temperatures per persistent chain, evenly spaced from 1 to 0 (at least 2)")
      ("k", defaulted<long long>((long long)d.rbm.k),
       "rbm: Gibbs steps per update")
      ("chains", defaulted<long long>((long long)d.chains),
       "pcd, pt: persistent chains (0 = minibatch size)")
      ("gradient", defaulted<std::string>(to_string(d.gradient)),
       "contrastive | reward-correlator")
      ("momentum", defaulted<double>(d.momentum), "momentum after the first epochs")
      ("initial-momentum", defaulted<double>(d.initial_momentum),
       "momentum during the first --momentum-epochs epochs")
      ("momentum-epochs", defaulted<long long>((long long)d.momentum_epochs),
       "epochs at the initial momentum")
      ("weight-decay", defaulted<double>(d.weight_decay), "L2 penalty on W")
      ("sparsity-target", defaulted<double>(d.rbm.sparsity_target),
       "rbm: target mean hidden activation")
      ("sparsity-cost", defaulted<double>(d.rbm.sparsity_cost),
       "rbm: sparsity penalty weight (0 = off)")
      ("centering", defaulted<long long>(d.rbm.centering ? 1 : 0),
       "rbm: 1 = centred gradient (offsets: data means of v and h), 0 = plain gradient")
      ("centering-rate", defaulted<double>(d.rbm.centering_rate),
       "rbm: sliding-average rate of the centring offsets")
      ("average-from", defaulted<double>(d.average_from),
       "save the mean of the parameters from this fraction of the epochs on (1 = last iterate)")
      ("visible", defaulted<std::string>(to_string(d.rbm.visible)),
       "rbm: bernoulli | gaussian (real-valued data, standardised per dimension; Cho et al. 2011)")
      ("variance", defaulted<std::string>(to_string(d.rbm.variance)),
       "gaussian: unit (fixed variances 1) | learned")
      ("binarize", defaulted<std::string>(to_string(d.binarize)),
       "threshold | stochastic | none")
      ("threshold", defaulted<double>(d.threshold), "binarization threshold")
      ("seed", defaulted<long long>((long long)d.seed), "random seed")
      ("precision", defaulted<std::string>("float"), "float | double")
      ("threads", defaulted<long long>(0), "threads (0 = all cores)")
      ("log", po::value<std::string>(),
       "per-epoch statistics as CSV: written to FILE.partial during training, renamed to FILE "
       "once the run completes")
      ("monitor-examples", defaulted<long long>(200),
       "rbm: training examples used for the per-epoch pseudo-likelihood (0 = no monitor)")
      ("test", po::value<std::string>(),
       "held-out data whose log-likelihood is logged (exact when cheap, AIS otherwise)")
      ("valid", defaulted<long long>(0),
       "hold out the last N training examples (not trained on) and log their log-likelihood")
      ("eval-every", defaulted<long long>(1),
       "evaluate held-out data every N epochs (and after the last)")
      ("ais-runs", defaulted<long long>((long long)default_ais_runs),
       "AIS runs for held-out log-likelihood")
      ("ais-betas", defaulted<long long>((long long)default_ais_betas),
       "AIS intermediate distributions for held-out log-likelihood")
      ("ais-base", defaulted<std::string>("modes"),
       "where AIS runs start: rate or modes (see rbmkit eval --help)")
      ("filters", po::value<std::string>(),
       "rbm: PNG picture of the receptive fields (columns of W as images), written at the end");
  add_image_shape_option(desc);
  add_data_options(desc);
  po::variables_map vm;
  if (!parse("train", "--out MODEL [--data FILE] [options] | --resume FILE --out MODEL", desc, args,
             vm))
    return ok;
  if (!vm.count("out")) throw UsageError("--out: a model file to write is required");
  const bool resume = vm.count("resume") > 0;
  ModelFile stored;
  TrainConfig config;
  std::string data_path = vm["data"].as<std::string>();
  DataOptions read_options;
  if (resume) {
    refuse_on_resume(vm);
    const std::string source = vm["resume"].as<std::string>();
    stored = read_model_file(source);
    if (!has_training_state(stored))
      throw ModelError(source + ": no training state (only files written by rbmkit train from "
                                "version 0.2 on can be resumed)");
    config = TrainConfig::from_file(stored, source);
    if (!given(vm, "data") && stored.config.count("data.source"))
      data_path = stored.config.at("data.source");
    read_options = stored_data_options(stored, source);
  } else {
    config = config_from(vm);
    config.validate();
    read_options = data_options(vm);
  }
  const bool held_out = config.valid > 0 || vm.count("test");
  if (resume && given(vm, "epochs")) config.epochs = get_count(vm, "epochs", 1);
  refuse_inapplicable(vm, config, held_out);
  if (!resume && read_options.scale == DataScale::standardize &&
      !(config.machine == MachineKind::rbm && config.rbm.visible == UnitType::gaussian))
    throw UsageError("--scale standardize: applies only with --visible gaussian");
  RunOptions options = run_options_from(vm, read_options);
  check_output_path(options.out);
  const std::string filters = vm.count("filters") ? vm["filters"].as<std::string>() : "";
  if (vm.count("image-shape") && filters.empty())
    throw UsageError("--image-shape: applies only with --filters");
  check_image_shape_syntax(vm);
  if (!filters.empty()) {
    check_output_path(filters);
    require_drawing();  // Cairo missing: stop before training, not after
  }
  TrainLog log(vm.count("log") ? vm["log"].as<std::string>() : "", config, options);
  if (resume && stored.config.count("run.epoch"))
    log.continue_after(std::strtoull(stored.config.at("run.epoch").c_str(), nullptr, 10));
  const Dataset data = [&] {
    try {
      return load_dataset(data_path, read_options);
    } catch (const DataError& e) {
      if (!resume || given(vm, "data")) throw;
      throw DataError(std::string(e.what()) + " (the training data path stored in " +
                      vm["resume"].as<std::string>() + "; give --data to point at it)");
    }
  }();
  std::pair<std::size_t, std::size_t> shape;
  if (!filters.empty())
    shape = image_shape(vm, data.shape, data.dim(),
                        is_csv_path(data_path) ? data_path + " is CSV"
                                               : "the IDX header of " + data_path);

  RunEvents events;
  events.started = [&](const std::string& s) {
    report_data("train", data, config.binarize, config.threshold);
    std::cerr << "rbmkit train: " << s << "\n";
  };
  Progress bar("");
  std::size_t bar_epoch = 0;
  events.progress = [&](std::size_t epoch, std::size_t done, std::size_t total) {
    if (epoch != bar_epoch) {
      bar = Progress("epoch " + std::to_string(epoch) + "/" + std::to_string(config.epochs));
      bar_epoch = epoch;
    }
    bar.update(done, total);
    if (done == total) bar.finish();
  };
  events.epoch = [&](const EpochReport& r) {
    std::cerr << epoch_line(r) << "\n";
    log.add(r);
  };
  events.stop = [] { return stop_signal() != 0; };
  install_stop_handlers();
  const RunSummary s =
      resume ? resume_model(stored, vm["resume"].as<std::string>(), data,
                            given(vm, "epochs") ? config.epochs : 0, options, events)
             : train_model(config, data, options, events);
  if (!s.completed) {
    bar.finish();
    const int sig = stop_signal();
    std::cerr << "rbmkit train: " << stop_signal_name(sig) << ": stopped after epoch "
              << s.epochs_done << (s.minibatch ? ", minibatch " + std::to_string(s.minibatch) + " of " +
                                                     std::to_string(s.minibatches) + " of epoch " +
                                                     std::to_string(s.epochs_done + 1)
                                               : std::string())
              << "; the whole training state is in " << options.out
              << "; continue with: rbmkit train --resume " << options.out << " --out "
              << options.out << continue_options(vm) << "\n";
    return 128 + sig;
  }
  log.commit();
  std::cerr << "rbmkit train: model written to " << options.out << "\n";
  if (!filters.empty()) {
    write_png(filters, receptive_fields(rbm_from_file<double>(read_model_file(options.out),
                                                              options.out),
                                        shape.first, shape.second));
    std::cerr << "rbmkit train: receptive fields written to " << filters << "\n";
  }
  return ok;
}

}  // namespace rbmkit::cli
