// libFuzzer target: read_idx on any bytes (raw IDX, or gzip when they start with 1f 8b). Only
// rbmkit::Error may come out; a data set that is read has the shape its header claims.
#include <cstdlib>

#include "fuzz_input.hpp"
#include "targets.hpp"
#include "rbmkit/core/error.hpp"
#include "rbmkit/io/dataset.hpp"

void rbmkit::fuzz::run_idx(const std::uint8_t* data, std::size_t size) {
  const std::string path = rbmkit::fuzz::as_file(data, size, ".idx");
  try {
    const rbmkit::Dataset d = rbmkit::read_idx(path);
    if (d.dim() == 0 || d.size() == 0) std::abort();
  } catch (const rbmkit::Error&) {
  }
}

#ifndef RBMKIT_FUZZ_NO_ENTRY
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  rbmkit::fuzz::run_idx(data, size);
  return 0;
}
#endif
