// rbmkit estimators: the variance study of the stochastic-neuron gradient estimators, the toy
// learning curves and the autoencoder training demo.

#include <iostream>
#include <set>
#include <sstream>

#include "cli.hpp"
#include "rbmkit/core/error.hpp"
#include "rbmkit/core/parallel.hpp"
#include "rbmkit/io/files.hpp"
#include "rbmkit/studies/binary_autoencoder.hpp"
#include "rbmkit/studies/estimator_report.hpp"
#include "rbmkit/studies/estimator_study.hpp"
#include "rbmkit/plots/plot.hpp"

namespace rbmkit::cli {
namespace {

std::set<std::string> parse_tasks(const std::string& text) {
  static const std::set<std::string> known = {"all", "quadratic", "toy", "sbn", "demo"};
  std::set<std::string> tasks;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (!known.count(item))
      throw UsageError("--task: unknown task '" + item + "' (all, quadratic, toy, sbn, demo)");
    if (item == "all")
      tasks.insert({"quadratic", "toy", "sbn"});
    else
      tasks.insert(item);
  }
  if (tasks.empty()) throw UsageError("--task: no task given");
  return tasks;
}

template <class F>
void write_text(const std::string& path, F write) {
  write_file_atomically(path, [&](std::ostream& os) { write(os); });
}

}  // namespace

int cmd_estimators(const std::vector<std::string>& args) {
  po::options_description desc("estimators options");
  desc.add_options()
      ("out", po::value<std::string>(), "output directory, created if missing (required)")
      ("task", defaulted<std::string>("all"),
       "comma-separated: quadratic, toy, sbn, demo; all = quadratic,toy,sbn")
      ("seed", defaulted<long long>(1), "master seed")
      ("samples", defaulted<long long>(100000),
       "estimates per variance.csv row (at least 2)")
      ("instances", defaulted<long long>(8),
       "random instances per size for scaling.csv (0 = skip)")
      ("scaling-samples", defaulted<long long>(10000),
       "estimates per instance for scaling.csv (at least 2)")
      ("toy-steps", defaulted<long long>(10000), "SGD steps of the toy curves")
      ("demo-steps", defaulted<long long>(3000),
       "Adam steps per estimator in the autoencoder demo")
      ("data", defaulted<std::string>(default_train_images()),
       "demo training images (default: Fashion-MNIST)")
      ("test-data", defaulted<std::string>(default_test_images()),
       "demo test images (default: Fashion-MNIST)")
      ("threads", defaulted<long long>(1), "threads for the demo's BLAS (0 = all cores)");
  po::variables_map vm;
  if (!parse("estimators", "[--task LIST] [--seed S] [--samples N] --out DIR", desc, args, vm))
    return ok;
  if (!vm.count("out")) throw UsageError("--out: an output directory is required");
  const std::set<std::string> tasks = parse_tasks(vm["task"].as<std::string>());
  const std::uint64_t seed = get_seed(vm);
  StudyConfig study;
  study.samples = get_count(vm, "samples", 2);
  const std::size_t instances = get_count(vm, "instances", 0);
  const std::size_t scaling_samples = get_count(vm, "scaling-samples", 2);
  ToyConfig toy;
  toy.steps = get_count(vm, "toy-steps", 1);
  toy.record_every = std::max<std::size_t>(1, toy.steps / 100);
  AutoencoderConfig demo;
  demo.steps = get_count(vm, "demo-steps", 1);
  demo.record_every = std::max<std::size_t>(1, demo.steps / 30);
  set_threads(get_threads(vm));
  const std::string dir = vm["out"].as<std::string>();
  ensure_directory(dir);
  require_drawing();  // Cairo missing: stop before the studies, not after the first

  const std::vector<Estimator>& estimators = all_estimators();
  std::vector<std::string> written;
  StudyResult all;
  auto append = [&](const StudyResult& r) {
    all.rows.insert(all.rows.end(), r.rows.begin(), r.rows.end());
    all.signals.insert(all.signals.end(), r.signals.begin(), r.signals.end());
  };
  if (tasks.count("quadratic")) {
    const StudyResult q = quadratic_study({1, 4, 16, 64, 256}, estimators, study, seed);
    append(q);
    write_png(dir + "/variance.png",
              render(variance_plot(q.rows, "quadratic",
                                   "quadratic task: variance of one gradient estimate")));
    written.push_back("variance.png");
  }
  if (tasks.count("toy")) {
    append(toy_study(estimators, study, seed));
    const std::vector<ToyPoint> curves = toy_learning_curves(estimators, toy, seed);
    write_text(dir + "/toy.csv", [&](std::ostream& os) { write_toy_csv(os, curves); });
    write_png(dir + "/toy.png", render(toy_plot(curves)));
    written.insert(written.end(), {"toy.csv", "toy.png"});
  }
  if (tasks.count("sbn")) {
    const StudyResult s = sbn_study({1, 2, 4, 8}, estimators, study, seed);
    append(s);
    write_png(dir + "/variance-sbn.png",
              render(variance_plot(s.rows, "sbn",
                                   "sigmoid belief net: variance of one gradient estimate")));
    written.push_back("variance-sbn.png");
  }
  if (instances > 0 && (tasks.count("quadratic") || tasks.count("sbn"))) {
    StudyConfig sc = study;
    sc.samples = scaling_samples;
    std::vector<ScalingRow> rows;
    for (const char* task : {"quadratic", "sbn"}) {
      if (!tasks.count(task)) continue;
      const std::string name = task;
      const std::vector<std::size_t> sizes =
          name == "quadratic" ? std::vector<std::size_t>{1, 4, 16, 64, 256}
                              : std::vector<std::size_t>{1, 2, 4, 8};
      const std::vector<ScalingRow> r = scaling_study(name, sizes, estimators, instances, sc, seed);
      rows.insert(rows.end(), r.begin(), r.end());
      const std::string png = name == "quadratic" ? "scaling.png" : "scaling-sbn.png";
      write_png(dir + "/" + png,
                render(scaling_plot(r, name, name + " task: variance relative to the gradient, median of " +
                                                 std::to_string(instances) + " instances")));
      written.push_back(png);
    }
    write_text(dir + "/scaling.csv", [&](std::ostream& os) { write_scaling_csv(os, rows); });
    written.push_back("scaling.csv");
  }
  if (!all.rows.empty()) {
    write_text(dir + "/variance.csv", [&](std::ostream& os) { write_variance_csv(os, all.rows); });
    write_text(dir + "/gradients.csv",
               [&](std::ostream& os) { write_signal_csv(os, all.signals); });
    written.insert(written.begin(), {"variance.csv", "gradients.csv"});
  }
  if (tasks.count("demo")) {
    const Dataset train = load_dataset(vm["data"].as<std::string>());
    const Dataset test = load_dataset(vm["test-data"].as<std::string>());
    std::vector<AutoencoderRun> runs;
    Progress progress("demo");
    const std::size_t total = estimators.size() + 1;
    for (std::size_t j = 0; j <= estimators.size(); ++j) {
      progress.update(j, total);
      Rng rng = Rng(seed).split(0xde30);  // the same start and batches for every estimator
      AutoencoderConfig c = demo;
      c.train_encoder = j < estimators.size();
      runs.push_back(train_binary_autoencoder(
          train, test, j < estimators.size() ? estimators[j] : Estimator::reinforce, c, rng));
    }
    progress.finish();
    write_text(dir + "/demo.csv",
               [&](std::ostream& os) { write_autoencoder_curves_csv(os, runs); });
    write_text(dir + "/demo-summary.csv",
               [&](std::ostream& os) { write_autoencoder_summary_csv(os, runs); });
    write_png(dir + "/demo.png", render(autoencoder_plot(runs)));
    written.insert(written.end(), {"demo.csv", "demo-summary.csv", "demo.png"});
  }
  std::cerr << "rbmkit estimators: wrote";
  for (const std::string& f : written) std::cerr << " " << f;
  std::cerr << " to " << dir << "\n";
  return ok;
}

}  // namespace rbmkit::cli
