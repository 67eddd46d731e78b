// rbmkit: restricted and general Boltzmann machines and stochastic binary neurons.
// Parses the subcommand, dispatches, and maps exceptions to the exit codes of docs/cli.md.
#include <csignal>
#include <iostream>
#include <map>
#include <new>

#include "cli.hpp"
#include "options.hpp"
#include "rbmkit/core/error.hpp"

namespace {

struct Command {
  int (*run)(const std::vector<std::string>&);
  const char* summary;
};

const std::map<std::string, Command>& commands() {
  using namespace rbmkit::cli;
  static const std::map<std::string, Command> table = {
      {"train", {cmd_train, "train an RBM or a Boltzmann machine, or resume a stopped run"}},
      {"eval", {cmd_eval, "evaluate a model on a data set"}},
      {"equiv", {cmd_equiv, "contrastive vs reward-correlator updates on the same samples"}},
      {"export", {cmd_export, "write a model's parameters as CSV files"}},
      {"info", {cmd_info, "versions of rbmkit, Armadillo and BLAS; threads"}},
      {"estimators", {cmd_estimators, "variance study of stochastic-neuron gradient estimators"}},
      {"import", {cmd_import, "build a model file from CSV parameters (inverse of export)"}},
      {"transform", {cmd_transform, "hidden features P(h = 1 | v) of a data set as CSV"}},
      {"plot", {cmd_plot, "training curves of a train --log file as a PNG picture"}},
      {"filters", {cmd_filters, "an RBM's receptive fields, tiled, as a PNG picture"}},
      {"sample", {cmd_sample, "samples of an RBM by parallel tempering, tiled, as a PNG picture"}},
  };
  return table;
}

/// The documented exit code of an error (docs/cli.md).
int exit_code(const std::exception& e) {
  using namespace rbmkit::cli;
  if (dynamic_cast<const UsageError*>(&e) || dynamic_cast<const rbmkit::InvalidArgument*>(&e))
    return usage_error;
  if (dynamic_cast<const rbmkit::DataError*>(&e) || dynamic_cast<const rbmkit::DimensionError*>(&e))
    return data_error;
  if (dynamic_cast<const rbmkit::ModelError*>(&e)) return model_error;
  if (dynamic_cast<const rbmkit::OutputError*>(&e)) return output_error;
  if (dynamic_cast<const rbmkit::NumericalError*>(&e)) return numerical_error;
  return internal_error;
}

void usage(std::ostream& os) {
  os << "usage: rbmkit <command> [options]   (rbmkit <command> --help for its options)\n\n"
        "commands:\n";
  for (const auto& [name, c] : commands())
    os << "  " << name << std::string(name.size() < 11 ? 12 - name.size() : 1, ' ') << c.summary << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  using namespace rbmkit::cli;
  // Past a file size limit (ulimit -f) a write raises SIGXFSZ, which would kill the program
  // with a temporary file left behind; ignored, the write fails with EFBIG and is reported as
  // an output error (exit 5) with the previous file untouched.
  std::signal(SIGXFSZ, SIG_IGN);
  if (argc < 2) {
    usage(std::cerr);
    return usage_error;
  }
  const std::string name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    usage(std::cout);
    return ok;
  }
  if (name == "--version") {
    std::cout << "rbmkit " << RBMKIT_VERSION << "\n";
    return ok;
  }
  const auto it = commands().find(name);
  if (it == commands().end()) {
    std::cerr << "rbmkit: unknown command '" << name << "' (try rbmkit --help)\n";
    return usage_error;
  }
  const std::vector<std::string> args(argv + 2, argv + argc);
  try {
    return it->second.run(args);
  } catch (const std::bad_alloc&) {
    std::cerr << "rbmkit " << name << ": out of memory\n";
    return internal_error;
  } catch (const std::exception& e) {
    const int code = exit_code(e);
    std::cerr << "rbmkit " << name << ": " << (code == internal_error ? "internal error: " : "")
              << in_option_terms(e.what()) << "\n";
    return code;
  }
}
