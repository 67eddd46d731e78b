// rbmkit info: versions and threads.
#include <armadillo>
#include <iostream>
#include <thread>

#include "cli.hpp"
#include "rbmkit/core/parallel.hpp"

namespace rbmkit::cli {

int cmd_info(const std::vector<std::string>& args) {
  po::options_description desc("info options");
  po::variables_map vm;
  if (!parse("info", "", desc, args, vm)) return ok;
  std::cout << "rbmkit    " << RBMKIT_VERSION << "\n"
            << "Armadillo " << arma::arma_version::as_string() << "\n"
            << "BLAS      " << blas_info() << "\n"
            << "threads   " << threads() << " (hardware: " << std::thread::hardware_concurrency()
            << ")\n";
  return ok;
}

}  // namespace rbmkit::cli
