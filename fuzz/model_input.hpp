#pragma once
// The model-file targets: an input is a model file whose last four bytes (the CRC-32 of the
// rest) are recomputed first, so mutations reach the parser behind the checksum.
#include <zlib.h>

#include <cstdint>
#include <string>

#include "fuzz_input.hpp"

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

}  // namespace rbmkit::fuzz
