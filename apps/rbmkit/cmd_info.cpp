// rbmkit info: versions, the BLAS and its kernel core, rbmkit's kernels and threads.
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
            << "kernels   " << kernel_instruction_set() << " (rbmkit's own binary products and sampling)\n"
            << "threads   " << threads() << " (hardware: " << std::thread::hardware_concurrency()
            << ")\n";
  const std::string warning = blas_core_warning();
  if (!warning.empty()) std::cerr << "warning: " << warning << "\n";
  return ok;
}

}  // namespace rbmkit::cli
