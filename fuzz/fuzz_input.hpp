#pragma once
// Shared by the libFuzzer targets: the readers take file names, so each input is written to a
// private file first (in $TMPDIR, /dev/shm by scripts/fuzz) and read back from there.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace rbmkit::fuzz {

/// A file private to this process, named with `suffix` (".csv", ".gz", ...).
inline std::string input_path(const char* suffix) {
  const char* dir = std::getenv("TMPDIR");
  return std::string(dir && *dir ? dir : "/tmp") + "/rbmkit-fuzz-" + std::to_string(::getpid()) +
         suffix;
}

/// Writes `size` bytes to `path`, replacing it; aborts when that fails (not a finding).
inline void write_input(const std::string& path, const void* data, std::size_t size) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f || (size > 0 && std::fwrite(data, 1, size, f) != size) || std::fclose(f) != 0) {
    std::perror(path.c_str());
    std::abort();
  }
}

/// An input of `size` bytes written to a private file named with `suffix`; its path.
inline std::string as_file(const std::uint8_t* data, std::size_t size, const char* suffix) {
  const std::string path = input_path(suffix);
  write_input(path, data, size);
  return path;
}

}  // namespace rbmkit::fuzz
