#pragma once
// The fuzz targets as functions: each fuzz_<target>.cpp defines run_<target> and, unless
// RBMKIT_FUZZ_NO_ENTRY is defined, libFuzzer's entry point calling it. The unit tests compile
// them without the entry point and replay every input that once failed (tests/data/fuzz/).
// A target aborts when a check fails; any exception other than rbmkit::Error escapes.
#include <cstddef>
#include <cstdint>

namespace rbmkit::fuzz {

void run_idx(const std::uint8_t* data, std::size_t size);
void run_idx_gzip(const std::uint8_t* data, std::size_t size);
void run_labels(const std::uint8_t* data, std::size_t size);
void run_csv(const std::uint8_t* data, std::size_t size);
void run_model(const std::uint8_t* data, std::size_t size);
void run_checkpoint(const std::uint8_t* data, std::size_t size);

}  // namespace rbmkit::fuzz
