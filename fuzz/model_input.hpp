#pragma once
// The model-file targets: an input is a model file whose last four bytes (the CRC-32 of the
// rest) are recomputed first, so mutations reach the parser behind the checksum.
#include <zlib.h>

#include <cstdint>
#include <optional>
#include <string>

#include "fuzz_input.hpp"
#include "rbmkit/core/error.hpp"
#include "rbmkit/io/model_file.hpp"

namespace rbmkit::fuzz {

/// The input as a model file with a correct checksum, written to a private file; its path.
inline std::string as_model_file(const std::uint8_t* data, std::size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  if (size >= 4) {
    const uLong crc = crc32(0L, data, uInt(size - 4));
    for (int i = 0; i < 4; ++i) bytes[size - 4 + i] = char((crc >> (8 * i)) & 0xff);
  }
  const std::string path = input_path(".rbm");
  write_input(path, bytes.data(), bytes.size());
  return path;
}

/// The input read as a model file (as_model_file, then read_model_file), or nothing when the
/// reader refuses it; `path` receives the file's name.
inline std::optional<ModelFile> read_model_input(const std::uint8_t* data, std::size_t size,
                                                 std::string& path) {
  path = as_model_file(data, size);
  try {
    return read_model_file(path);
  } catch (const Error&) {
    return std::nullopt;
  }
}

}  // namespace rbmkit::fuzz
