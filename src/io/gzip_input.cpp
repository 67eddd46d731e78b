#include "io/gzip_input.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sys/stat.h>
#include <vector>

#include "rbmkit/core/error.hpp"

namespace rbmkit::detail {

GzPtr open_input(const std::string& fn, const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    throw DataError(fn + "(" + path + "): " + std::strerror(errno));
  if (S_ISDIR(st.st_mode)) throw DataError(fn + "(" + path + "): is a directory, not a file");
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) throw DataError(fn + "(" + path + "): cannot open: " + std::strerror(errno));
  gzbuffer(f, 1 << 17);
  return GzPtr(f);
}

std::size_t read_some(gzFile f, void* buf, std::size_t n, const std::string& fn,
                      const std::string& path) {
  std::size_t total = 0;
  auto* p = static_cast<unsigned char*>(buf);
  while (total < n) {
    const unsigned chunk = static_cast<unsigned>(std::min<std::size_t>(n - total, 1u << 30));
    const int got = gzread(f, p + total, chunk);
    if (got < 0) {
      int code = 0;
      const char* msg = gzerror(f, &code);
      throw DataError(fn + "(" + path + "): damaged compressed data: " + (msg ? msg : "?"));
    }
    if (got == 0) break;
    total += static_cast<std::size_t>(got);
  }
  return total;
}

std::string read_all(const std::string& fn, const std::string& path) {
  const GzPtr f = open_input(fn, path);
  std::string text;
  std::vector<char> buf(1 << 16);
  for (;;) {
    const std::size_t got = read_some(f.get(), buf.data(), buf.size(), fn, path);
    if (got == 0) break;
    text.append(buf.data(), got);
  }
  return text;
}

}  // namespace rbmkit::detail
