// rbmkit plot: the training curves of a log written by rbmkit train --log, as a PNG picture.

#include <algorithm>
#include <iostream>

#include "cli.hpp"
#include "rbmkit/io/files.hpp"
#include "rbmkit/plots/training_curves.hpp"

namespace rbmkit::cli {

int cmd_plot(const std::vector<std::string>& args) {
  po::options_description desc("plot options");
  desc.add_options()
      ("log", po::value<std::string>(), "training log written by rbmkit train --log (required)")
      ("out", po::value<std::string>(), "PNG file to write (required)");
  po::variables_map vm;
  if (!parse("plot", "--log LOG.csv --out FILE.png", desc, args, vm)) return ok;
  if (!vm.count("log")) throw UsageError("--log: a training log is required");
  if (!vm.count("out")) throw UsageError("--out: a PNG file to write is required");
  const std::string out = vm["out"].as<std::string>();
  check_output_path(out);
  const std::vector<Plot> plots = training_curves(read_training_log(vm["log"].as<std::string>()));
  write_png(out, render_panels(plots, std::min<std::size_t>(plots.size(), 2)));
  std::cerr << "rbmkit plot: " << plots.size() << " chart" << (plots.size() == 1 ? "" : "s")
            << " written to " << out << "\n";
  return ok;
}

}  // namespace rbmkit::cli
