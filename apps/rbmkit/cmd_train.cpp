// rbmkit train: fit an RBM (or, with --machine bm, a general Boltzmann machine) and save it.
#include <cstdio>
#include <limits>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli.hpp"
#include "rbmkit/training/bm_trainer.hpp"
#include "rbmkit/io/dataset.hpp"
#include "rbmkit/core/error.hpp"
#include "rbmkit/evaluation/likelihood.hpp"
#include "rbmkit/io/files.hpp"
#include "rbmkit/io/model_file.hpp"
#include "rbmkit/evaluation/monitors.hpp"
#include "rbmkit/core/parallel.hpp"
#include "rbmkit/training/rbm_trainer.hpp"

namespace rbmkit::cli {
namespace {

struct TrainJob {
  TrainConfig config;
  std::string data_path;
  std::string out;
  std::string log;
  std::size_t monitor_examples = 200;
  std::string test_path;            // --test: held-out data whose log-likelihood is logged
  std::size_t valid = 0;            // --valid N: hold out the last N training examples
  std::size_t eval_every = 1;       // --eval-every
  LikelihoodOptions likelihood;     // exact when cheap, AIS otherwise
};

/// The --log file grows as FILE.partial during training and replaces FILE only once the model
/// is saved, so a failed run never replaces an earlier log.
void write_partial_log(const TrainJob& job, const std::string& text) {
  if (!job.log.empty())
    write_file_atomically(job.log + ".partial", [&](std::ostream& os) { os << text; });
}
void commit_log(const TrainJob& job) {
  if (job.log.empty()) return;
  if (std::rename((job.log + ".partial").c_str(), job.log.c_str()) != 0)
    throw OutputError(job.log + ": cannot rename " + job.log + ".partial into place");
}

/// A held-out data set evaluated during training.
struct HeldOut {
  std::string name;  // column prefix: "test" or "valid"
  Dataset data;
};

/// Log-likelihood, its uncertainty and the free-energy gap of one held-out set, as CSV cells
/// and as a line for the terminal.
template <class T>
void evaluate_held_out(const Rbm<T>& rbm, const Dataset& train, const HeldOut& h,
                       const TrainJob& job, std::uint64_t seed,
                       std::ostream& csv, std::ostream& line) {
  const TrainConfig& cfg = job.config;
  LikelihoodOptions lo = job.likelihood;
  lo.binarize = cfg.binarize == Binarize::none ? Binarize::threshold : cfg.binarize;
  lo.threshold = cfg.threshold;
  Rng rng(seed);  // its own generator: evaluation never changes the training stream
  const Rbm<double> r = rbm.template cast<double>();
  const LikelihoodReport rep = evaluate_likelihood(r, h.data, train, lo, rng);  // AIS base from the training data
  const FreeEnergyGap gap = free_energy_gap(r, train, h.data, lo.binarize, lo.threshold,
                                            std::min<std::size_t>(h.data.size(), 10000));
  csv << "," << format17(rep.log_likelihood) << "," << format17(rep.log_z.log_z) << ","
      << format17(rep.log_z.log_z_stderr) << ","
      << (rep.has_conservative ? format17(rep.conservative_log_likelihood) : "") << ","
      << format17(gap.gap);
  char buf[256];
  if (rep.method == LikelihoodMethod::exact)
    std::snprintf(buf, sizeof buf, "  %s LL %.3f (exact)  F gap %+.3f", h.name.c_str(),
                  rep.log_likelihood, gap.gap);
  else
    std::snprintf(buf, sizeof buf, "  %s LL %.3f +- %.3f (AIS; conservative %.3f)  F gap %+.3f",
                  h.name.c_str(), rep.log_likelihood, rep.log_z.log_z_stderr,
                  rep.conservative_log_likelihood, gap.gap);
  line << buf;
}

template <class T>
int run(const TrainJob& job) {
  const TrainConfig& cfg = job.config;
  Dataset data = load_dataset(job.data_path);
  std::vector<HeldOut> held;
  if (job.valid > 0) {
    if (job.valid >= data.size())
      throw UsageError("--valid: " + std::to_string(job.valid) + " held-out examples leave none of " +
                       std::to_string(data.size()) + " to train on");
    const std::size_t n = data.size() - job.valid;
    held.push_back({"valid", Dataset{data.pixels.cols(n, data.size() - 1),
                                     data.source + " (last " + std::to_string(job.valid) + ")"}});
    data.pixels = arma::Mat<std::uint8_t>(data.pixels.cols(0, n - 1));
  }
  if (!job.test_path.empty()) {
    held.push_back({"test", load_dataset(job.test_path)});
    if (held.back().data.dim() != data.dim())
      throw DimensionError(held.back().data.source + ": has " +
                           std::to_string(held.back().data.dim()) + " dimensions, the training data " +
                           std::to_string(data.dim()));
  }
  std::cerr << "rbmkit train: " << data.size() << " examples of " << data.dim() << " from "
            << data.source << "; " << data.dim() << "x" << cfg.hidden << " RBM, "
            << to_string(cfg.method) << "-" << cfg.k << ", " << to_string(cfg.gradient) << ", "
            << (sizeof(T) == 4 ? "float" : "double") << ", seed " << cfg.seed << ", "
            << threads() << " thread(s)\n";
  Rng rng(cfg.seed);
  Rbm<T> rbm = make_initial_rbm<T>(data, cfg, rng);
  RbmTrainer<T> trainer(cfg, rbm);
  std::ostringstream log;
  log << "epoch,seconds,reconstruction_error,pseudo_log_likelihood,learning_rate";
  for (const HeldOut& h : held)
    log << "," << h.name << "_log_likelihood," << h.name << "_log_z," << h.name << "_log_z_stderr,"
        << h.name << "_conservative_log_likelihood," << h.name << "_free_energy_gap";
  log << "\n";
  for (std::size_t e = 0; e < cfg.epochs; ++e) {
    Progress bar("epoch " + std::to_string(e + 1) + "/" + std::to_string(cfg.epochs));
    const EpochReport rep = trainer.run_epoch(
        data, rng, [&](std::size_t done, std::size_t total) { bar.update(done, total); });
    bar.finish();
    // The model as it would be saved now (averaged parameters once averaging has begun).
    const Rbm<T> model = trainer.final_model();
    // Monitors on a fixed subset of the training data, with their own generator so that
    // monitoring never changes the training stream.
    DataMonitors mon;
    mon.pseudo_log_likelihood = std::numeric_limits<double>::quiet_NaN();
    if (job.monitor_examples > 0)
      mon = evaluate_monitors(model, data, cfg.binarize, cfg.threshold, job.monitor_examples,
                              cfg.seed);
    char line[256];
    std::snprintf(line, sizeof line,
                  "epoch %3zu/%zu  %7.2f s  reconstruction error %.5f  pseudo-LL %.3f",
                  rep.epoch, cfg.epochs, rep.seconds, rep.reconstruction_error,
                  mon.pseudo_log_likelihood);
    std::ostringstream held_line;
    log << rep.epoch << "," << format17(rep.seconds) << "," << format17(rep.reconstruction_error)
        << "," << format17(mon.pseudo_log_likelihood) << "," << format17(rep.learning_rate);
    const bool evaluate = rep.epoch % job.eval_every == 0 || rep.epoch == cfg.epochs;
    for (const HeldOut& h : held) {
      if (evaluate)
        evaluate_held_out(model, data, h, job, cfg.seed + 0x9e3779b97f4a7c15ULL, log, held_line);
      else
        log << ",,,,,";
    }
    log << "\n";
    std::cerr << line << held_line.str() << "\n";
    write_partial_log(job, log.str());
  }
  save_rbm(job.out, trainer.final_model(), cfg.to_map(), rng.state());
  commit_log(job);
  std::cerr << "rbmkit train: model written to " << job.out << "\n";
  return ok;
}

// The general Boltzmann machine: persistent chains, sequential Gibbs sweeps (bm_trainer.hpp).
template <class T>
int run_bm(const TrainJob& job, const BmTrainConfig& bcfg) {
  const TrainConfig& cfg = bcfg.base;
  const Dataset data = load_dataset(job.data_path);
  std::cerr << "rbmkit train: " << data.size() << " examples of " << data.dim() << " from "
            << data.source << "; Boltzmann machine with " << data.dim() << " visible and "
            << cfg.hidden << " hidden units (" << to_string(bcfg.connectivity) << "), "
            << to_string(cfg.method) << ", " << bcfg.gibbs_sweeps << " Gibbs sweep(s) per phase, "
            << to_string(cfg.gradient) << ", " << (sizeof(T) == 4 ? "float" : "double")
            << ", seed " << cfg.seed << ", " << threads() << " thread(s)\n";
  Rng rng(cfg.seed);
  BoltzmannMachine<T> bm = make_initial_bm<T>(data, bcfg, rng);
  BmTrainer<T> trainer(bcfg, bm);
  std::ostringstream log;
  log << "epoch,seconds,conditional_error,learning_rate\n";
  for (std::size_t e = 0; e < cfg.epochs; ++e) {
    Progress bar("epoch " + std::to_string(e + 1) + "/" + std::to_string(cfg.epochs));
    const BmEpochReport rep = trainer.run_epoch(
        data, rng, [&](std::size_t done, std::size_t total) { bar.update(done, total); });
    bar.finish();
    char line[256];
    std::snprintf(line, sizeof line, "epoch %3zu/%zu  %7.2f s  conditional error %.5f\n",
                  rep.epoch, cfg.epochs, rep.seconds, rep.conditional_error);
    std::cerr << line;
    log << rep.epoch << "," << format17(rep.seconds) << "," << format17(rep.conditional_error)
        << "," << format17(rep.learning_rate) << "\n";
    write_partial_log(job, log.str());
  }
  save_bm(job.out, bm, bcfg.to_map(), rng.state());
  commit_log(job);
  std::cerr << "rbmkit train: model written to " << job.out << "\n";
  return ok;
}

}  // namespace

int cmd_train(const std::vector<std::string>& args) {
  TrainConfig d;  // defaults
  po::options_description desc("train options");
  desc.add_options()
      ("data", po::value<std::string>()->default_value(default_train_images()),
       "training data: IDX (raw or .gz) or CSV (default: Fashion-MNIST training images)")
      ("out", po::value<std::string>(), "model file to write (required)")
      ("machine", po::value<std::string>()->default_value("rbm"),
       "rbm | bm (general Boltzmann machine)")
      ("gibbs-sweeps", po::value<long long>()->default_value(1),
       "bm: sequential Gibbs sweeps per phase per update")
      ("connectivity", po::value<std::string>()->default_value("full"),
       "bm: full | semi-restricted (no hidden-hidden) | restricted (visible-hidden only)")
      ("hidden", po::value<long long>()->default_value((long long)d.hidden), "hidden units")
      ("epochs", po::value<long long>()->default_value((long long)d.epochs), "passes over the data")
      ("batch", po::value<long long>()->default_value((long long)d.batch), "minibatch size")
      ("lr", po::value<double>()->default_value(d.lr), "learning rate")
      ("lr-decay", po::value<double>()->default_value(d.lr_decay),
       "learning rate at epoch e is lr / (1 + lr-decay * e)")
      ("method", po::value<std::string>()->default_value(to_string(d.method)), "cd | pcd")
      ("k", po::value<long long>()->default_value((long long)d.k), "Gibbs steps per update")
      ("chains", po::value<long long>()->default_value(0),
       "persistent chains for pcd (0 = minibatch size)")
      ("gradient", po::value<std::string>()->default_value(to_string(d.gradient)),
       "contrastive | reward-correlator")
      ("momentum", po::value<double>()->default_value(d.momentum), "momentum after the first epochs")
      ("initial-momentum", po::value<double>()->default_value(d.initial_momentum),
       "momentum during the first --momentum-epochs epochs")
      ("momentum-epochs", po::value<long long>()->default_value((long long)d.momentum_epochs),
       "epochs at the initial momentum")
      ("weight-decay", po::value<double>()->default_value(d.weight_decay), "L2 penalty on W")
      ("sparsity-target", po::value<double>()->default_value(d.sparsity_target),
       "target mean hidden activation (0 = off)")
      ("sparsity-cost", po::value<double>()->default_value(d.sparsity_cost), "sparsity penalty weight")
      ("centering", po::value<int>()->default_value(d.centering ? 1 : 0),
       "1 = centred gradient (offsets: data means of v and h), 0 = plain gradient")
      ("centering-rate", po::value<double>()->default_value(d.centering_rate),
       "sliding-average rate of the centring offsets")
      ("average-from", po::value<double>()->default_value(d.average_from),
       "save the mean of the parameters from this fraction of the epochs on (1 = last iterate)")
      ("binarize", po::value<std::string>()->default_value(to_string(d.binarize)),
       "threshold | stochastic | none")
      ("threshold", po::value<double>()->default_value(d.threshold), "binarization threshold")
      ("seed", po::value<long long>()->default_value((long long)d.seed), "random seed")
      ("precision", po::value<std::string>()->default_value("float"), "float | double")
      ("threads", po::value<long long>()->default_value(0), "threads (0 = all cores)")
      ("log", po::value<std::string>(),
       "per-epoch statistics as CSV: written to FILE.partial during training, renamed to FILE "
       "once the model is saved")
      ("monitor-examples", po::value<long long>()->default_value(200),
       "training examples used for the per-epoch pseudo-likelihood (0 = no monitor)")
      ("test", po::value<std::string>(),
       "held-out data whose log-likelihood is logged (exact when cheap, AIS otherwise)")
      ("valid", po::value<long long>()->default_value(0),
       "hold out the last N training examples (not trained on) and log their log-likelihood")
      ("eval-every", po::value<long long>()->default_value(1),
       "evaluate held-out data every N epochs (and after the last)")
      ("ais-runs", po::value<long long>()->default_value((long long)default_ais_runs),
       "AIS runs for held-out log-likelihood")
      ("ais-betas", po::value<long long>()->default_value((long long)default_ais_betas),
       "AIS intermediate distributions for held-out log-likelihood")
      ("ais-base", po::value<std::string>()->default_value("modes"),
       "where AIS runs start: rate or modes (see rbmkit eval --help)");
  po::variables_map vm;
  if (!parse("train", "--out MODEL [--data FILE] [options]", desc, args, vm)) return ok;
  if (!vm.count("out")) throw UsageError("--out: a model file to write is required");

  TrainJob job;
  TrainConfig& c = job.config;
  c.hidden = get_count(vm, "hidden", 1);
  c.epochs = get_count(vm, "epochs", 1);
  c.batch = get_count(vm, "batch", 1);
  c.lr = get_number(vm, "lr");
  c.lr_decay = get_number(vm, "lr-decay");
  c.method = parse_method(vm["method"].as<std::string>());
  c.k = get_count(vm, "k", 1);
  c.chains = get_count(vm, "chains", 0);
  c.gradient = parse_gradient_path(vm["gradient"].as<std::string>());
  c.momentum = get_number(vm, "momentum");
  c.initial_momentum = get_number(vm, "initial-momentum");
  c.momentum_epochs = get_count(vm, "momentum-epochs", 0);
  c.weight_decay = get_number(vm, "weight-decay");
  c.sparsity_target = get_number(vm, "sparsity-target");
  c.sparsity_cost = get_number(vm, "sparsity-cost");
  c.centering = vm["centering"].as<int>() != 0;
  c.centering_rate = get_number(vm, "centering-rate");
  c.average_from = get_number(vm, "average-from");
  c.binarize = get_enum<Binarize>(vm, "binarize");
  c.threshold = get_number(vm, "threshold");
  c.seed = get_seed(vm);
  c.threads = get_threads(vm);
  if (c.lr <= 0) throw UsageError("--lr: must be a positive number");
  c.validate();
  const std::string precision = vm["precision"].as<std::string>();
  if (precision != "float" && precision != "double")
    throw UsageError("--precision: expected float or double, got '" + precision + "'");
  job.data_path = vm["data"].as<std::string>();
  job.out = vm["out"].as<std::string>();
  if (vm.count("log")) job.log = vm["log"].as<std::string>();
  job.monitor_examples = get_count(vm, "monitor-examples", 0);
  if (vm.count("test")) job.test_path = vm["test"].as<std::string>();
  job.valid = get_count(vm, "valid", 0);
  job.eval_every = get_count(vm, "eval-every", 1);
  job.likelihood.ais_runs = get_count(vm, "ais-runs", 1);
  job.likelihood.ais_betas = get_count(vm, "ais-betas", 3);
  job.likelihood.ais_base = parse_ais_base(vm["ais-base"].as<std::string>());
  check_output_path(job.out);
  if (!job.log.empty()) check_output_path(job.log);
  const std::string machine = vm["machine"].as<std::string>();
  if (machine != "rbm" && machine != "bm")
    throw UsageError("--machine: expected rbm or bm, got '" + machine + "'");
  if (machine == "bm") {
    if (!vm["k"].defaulted())
      throw UsageError("--k: applies to --machine rbm; use --gibbs-sweeps with --machine bm");
    BmTrainConfig bcfg;
    bcfg.base = c;
    bcfg.gibbs_sweeps = get_count(vm, "gibbs-sweeps", 1);
    bcfg.connectivity = parse_connectivity(vm["connectivity"].as<std::string>());
    bcfg.validate();
    set_threads(c.threads);
    return precision == "float" ? run_bm<float>(job, bcfg) : run_bm<double>(job, bcfg);
  }
  for (const char* bm_only : {"gibbs-sweeps", "connectivity"})
    if (!vm[bm_only].defaulted())
      throw UsageError(std::string("--") + bm_only + ": applies to --machine bm only");
  set_threads(c.threads);
  return precision == "float" ? run<float>(job) : run<double>(job);
}

}  // namespace rbmkit::cli
