// libFuzzer target: read_idx through gzip. The input after its first two bytes is an IDX file;
// the target gzip-compresses it (a full flush where byte 1 says) and byte 0 chooses what
// happens to the compressed file: kept whole, cut short, one byte changed, or bytes appended.
// Checks: a whole file reads exactly as its raw twin does; a cut one, or one with bytes after
// its end, of a valid IDX file is always refused as "damaged compressed data"; anything else
// gives a data set or rbmkit::Error.
#include <zlib.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "fuzz_input.hpp"
#include "targets.hpp"
#include "rbmkit/core/error.hpp"
#include "rbmkit/io/dataset.hpp"

namespace {

std::string gzip(const std::uint8_t* data, std::size_t size, std::size_t flush_at) {
  z_stream z{};
  if (deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) std::abort();
  std::string out(deflateBound(&z, uLong(size)) + 64, '\0');
  auto run = [&](std::size_t begin, std::size_t end, int flush) {
    z.next_in = const_cast<Bytef*>(data + begin);
    z.avail_in = uInt(end - begin);
    z.next_out = reinterpret_cast<Bytef*>(&out[z.total_out]);
    z.avail_out = uInt(out.size() - z.total_out);
    return deflate(&z, flush);
  };
  if (run(0, flush_at, Z_FULL_FLUSH) != Z_OK || run(flush_at, size, Z_FINISH) != Z_STREAM_END)
    std::abort();
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

bool same(const rbmkit::Dataset& a, const rbmkit::Dataset& b) {
  return a.dim() == b.dim() && a.size() == b.size() &&
         std::memcmp(a.pixels.memptr(), b.pixels.memptr(), a.pixels.n_elem) == 0;
}

}  // namespace

void rbmkit::fuzz::run_idx_gzip(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return;
  const unsigned mode = data[0] % 4, where = data[1];
  const std::uint8_t* idx = data + 2;
  const std::size_t n = size - 2;
  std::string gz = gzip(idx, n, n * where / 255);
  const std::size_t at = std::size_t(where) * gz.size() / 256;  // < gz.size()
  if (mode == 1) gz.resize(at);
  if (mode == 2) gz[at] = char(gz[at] ^ (data[0] | 1));
  if (mode == 3) gz.append(reinterpret_cast<const char*>(data), size % 7 + 1);

  const std::string raw_path = rbmkit::fuzz::as_file(idx, n, ".idx");
  const std::string gz_path = rbmkit::fuzz::input_path(".idx.gz");
  rbmkit::fuzz::write_input(gz_path, gz.data(), gz.size());
  bool raw_ok = false;
  rbmkit::Dataset raw;
  try {
    raw = rbmkit::read_idx(raw_path);
    raw_ok = true;
  } catch (const rbmkit::Error&) {
  }
  try {
    const rbmkit::Dataset d = rbmkit::read_idx(gz_path);
    if (mode == 1 || mode == 3) std::abort();  // a cut or extended stream was accepted
    if (mode == 0 && !(raw_ok && same(d, raw))) std::abort();
  } catch (const rbmkit::Error& e) {
    if (mode == 0 && raw_ok) std::abort();     // an intact file was refused
    // A cut or extended stream of a valid IDX file is refused for the damage; of an invalid
    // one, the reader may stop at the first fault of the content, before the damage.
    const bool damaged = std::strstr(e.what(), "damaged compressed data") != nullptr;
    if (raw_ok && ((mode == 1 && at >= 2) || mode == 3) && !damaged) std::abort();
  }
}

#ifndef RBMKIT_FUZZ_NO_ENTRY
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  rbmkit::fuzz::run_idx_gzip(data, size);
  return 0;
}
#endif
