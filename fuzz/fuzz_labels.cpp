// libFuzzer target: read_idx_labels on any bytes (raw or gzip). Only rbmkit::Error may come out.
#include <cstdlib>

#include "fuzz_input.hpp"
#include "targets.hpp"
#include "rbmkit/core/error.hpp"
#include "rbmkit/io/dataset.hpp"

void rbmkit::fuzz::run_labels(const std::uint8_t* data, std::size_t size) {
  const std::string path = rbmkit::fuzz::as_file(data, size, ".idx");
  try {
    const arma::Col<std::uint8_t> labels = rbmkit::read_idx_labels(path);
    if (labels.n_elem == 0) std::abort();
  } catch (const rbmkit::Error&) {
  }
}

#ifndef RBMKIT_FUZZ_NO_ENTRY
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  rbmkit::fuzz::run_labels(data, size);
  return 0;
}
#endif
