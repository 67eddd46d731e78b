#pragma once
// One gzip member with a full flush at a chosen byte, so that a test can cut the file exactly
// there: everything before the cut then decompresses cleanly, but the stream has no end, CRC or
// length. Shared by the fuzz target idx_gzip, the unit tests of damaged input and the CLI tests'
// helper (tests/tools/cli_tool.cpp).
#include <zlib.h>

#include <cstddef>
#include <string>

namespace rbmkit::fuzz {

/// A gzip member and the size of its part up to the flush.
struct FlushedGzip {
  std::string bytes;          ///< the whole member
  std::size_t flush_end = 0;  ///< bytes up to and including the full flush
  bool ok = false;            ///< false when zlib failed (bytes is then empty)
};

/// `size` bytes at `data` compressed as one gzip member with a full flush after the first
/// `flush_at` of them (at most `size`). A small `window_bits` (9 to 15) and `mem_level` (1 to 9)
/// make deflate's state small, for many tiny inputs; the result is valid gzip either way.
inline FlushedGzip gzip_with_flush(const void* data, std::size_t size, std::size_t flush_at,
                                   int window_bits = 15, int mem_level = 8) {
  FlushedGzip out;
  z_stream z{};
  if (deflateInit2(&z, 6, Z_DEFLATED, 16 + window_bits, mem_level, Z_DEFAULT_STRATEGY) != Z_OK)
    return out;
  std::string buf(deflateBound(&z, uLong(size)) + 64, '\0');
  const auto* in = static_cast<const unsigned char*>(data);
  auto run = [&](std::size_t begin, std::size_t end, int flush) {
    z.next_in = const_cast<Bytef*>(in + begin);
    z.avail_in = uInt(end - begin);
    z.next_out = reinterpret_cast<Bytef*>(&buf[z.total_out]);
    z.avail_out = uInt(buf.size() - z.total_out);
    return deflate(&z, flush);
  };
  if (flush_at > size) flush_at = size;
  const bool flushed = run(0, flush_at, Z_FULL_FLUSH) == Z_OK;
  out.flush_end = z.total_out;
  const bool finished = flushed && run(flush_at, size, Z_FINISH) == Z_STREAM_END;
  buf.resize(z.total_out);
  deflateEnd(&z);
  if (!finished) return out;
  out.bytes = std::move(buf);
  out.ok = true;
  return out;
}

}  // namespace rbmkit::fuzz
