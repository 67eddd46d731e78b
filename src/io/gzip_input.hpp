#pragma once
// Reading input files that may be gzip-compressed (zlib reads raw files unchanged); private to
// src/io. Errors are DataError "fn(path): ...".
#include <zlib.h>

#include <cstddef>
#include <memory>
#include <string>

namespace rbmkit::detail {

/// Closes a gzFile.
struct GzCloser {
  void operator()(gzFile_s* f) const { gzclose(f); }
};
/// An open input file, raw or gzip.
using GzPtr = std::unique_ptr<gzFile_s, GzCloser>;

/// Opens `path` for reading; throws DataError "fn(path): ..." when it is missing, a directory
/// or unreadable.
GzPtr open_input(const std::string& fn, const std::string& path);

/// Reads up to `n` bytes into `buf` (fewer only at the end of the file); returns how many were
/// read. Throws DataError on a damaged gzip stream.
std::size_t read_some(gzFile f, void* buf, std::size_t n, const std::string& fn,
                      const std::string& path);

/// The whole (decompressed) content of `path`.
std::string read_all(const std::string& fn, const std::string& path);

}  // namespace rbmkit::detail
