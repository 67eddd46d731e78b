// A helper of the CLI tests, for files a shell cannot make with coreutils alone:
//
//   rbmkit_cli_tool gzip IN OUT [FLUSH_AFTER_LINE]
//     gzip-compresses IN into OUT with a full flush after the given line, and prints the byte
//     offset in OUT just after the flush (the whole size without one), so a test can cut the
//     file exactly there: a copy that stopped early, whose bytes all decompress cleanly but
//     whose stream has no end, CRC or length.
//   rbmkit_cli_tool fix-crc FILE
//     recomputes the CRC-32 in the last four bytes of a model file (docs/model-format.md) after
//     a test changed other bytes, so the reader gets past the checksum to the change.
#include <zlib.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>

#include "gzip_writer.hpp"

namespace {

int fail(const std::string& what) {
  std::cerr << "rbmkit_cli_tool: " << what << "\n";
  return 1;
}

int fix_crc(const char* path) {
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in || bytes.size() < 4) return fail(std::string("cannot read ") + path);
  const uLong crc = crc32(0L, reinterpret_cast<const Bytef*>(bytes.data()), uInt(bytes.size() - 4));
  for (int i = 0; i < 4; ++i) bytes[bytes.size() - 4 + i] = char((crc >> (8 * i)) & 0xff);
  std::ofstream os(path, std::ios::binary);
  os.write(bytes.data(), std::streamsize(bytes.size()));
  return os.flush() ? 0 : fail(std::string("cannot write ") + path);
}

int gzip(int argc, char** argv) {
  if (argc != 2 && argc != 3) return fail("usage: rbmkit_cli_tool gzip IN OUT [FLUSH_AFTER_LINE]");
  std::ifstream in(argv[0], std::ios::binary);
  if (!in) return fail(std::string("cannot read ") + argv[0]);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::size_t split = text.size();
  if (argc == 3) {
    const long lines = std::strtol(argv[2], nullptr, 10);
    split = 0;
    for (long k = 0; k < lines; ++k) {
      const std::size_t nl = text.find('\n', split);
      if (nl == std::string::npos) return fail("the input has fewer lines than asked");
      split = nl + 1;
    }
  }
  const rbmkit::fuzz::FlushedGzip gz = rbmkit::fuzz::gzip_with_flush(text.data(), text.size(), split);
  if (!gz.ok) return fail("zlib could not compress the input");
  std::ofstream os(argv[1], std::ios::binary);
  os.write(gz.bytes.data(), std::streamsize(gz.bytes.size()));
  if (!os.flush()) return fail(std::string("cannot write ") + argv[1]);
  std::cout << (argc == 3 ? gz.flush_end : gz.bytes.size()) << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string what = argc > 1 ? argv[1] : "";
  if (what == "gzip") return gzip(argc - 2, argv + 2);
  if (what == "fix-crc" && argc == 3) return fix_crc(argv[2]);
  return fail("usage: rbmkit_cli_tool gzip IN OUT [FLUSH_AFTER_LINE] | fix-crc FILE");
}
