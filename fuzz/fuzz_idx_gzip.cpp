// libFuzzer target: read_idx through gzip. The input after its first two bytes is an IDX file;
// the target gzip-compresses it (a full flush where byte 1 says) and byte 0 chooses what
// happens to the compressed file: kept whole, cut short, one byte changed, or bytes appended.
// Checks: a whole file reads exactly as its raw twin does; a cut one, or one with bytes after
// its end, of a valid IDX file is always refused as "damaged compressed data"; anything else
// gives a data set or rbmkit::Error.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>

#include "fuzz_input.hpp"
#include "gzip_writer.hpp"
#include "targets.hpp"
#include "rbmkit/core/error.hpp"
#include "rbmkit/io/dataset.hpp"

namespace {

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
  // A small window and little memory: the inputs are tiny, and deflate's state is allocated
  // for every one (a 9-bit window is valid gzip; the reader inflates with a 15-bit one).
  const rbmkit::fuzz::FlushedGzip packed = rbmkit::fuzz::gzip_with_flush(idx, n, n * where / 255, 9, 1);
  if (!packed.ok) std::abort();
  std::string gz = packed.bytes;
  const std::size_t at = std::size_t(where) * gz.size() / 256;  // < gz.size()
  if (mode == 1) gz.resize(at);
  if (mode == 2) gz[at] = char(gz[at] ^ (data[0] | 1));
  if (mode == 3) gz.append(reinterpret_cast<const char*>(data), std::min<std::size_t>(size, size % 7 + 1));

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
