#include "io/gzip_input.hpp"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rbmkit/core/error.hpp"

namespace rbmkit::detail {

namespace {

constexpr std::size_t max_buffer = std::size_t(1) << 17;
constexpr unsigned char gzip_magic[2] = {0x1f, 0x8b};

}  // namespace

InputFile::InputFile(std::string fn, std::string path) : fn_(std::move(fn)), path_(std::move(path)) {
  struct stat st {};
  if (::stat(path_.c_str(), &st) != 0) failed(std::strerror(errno));
  if (S_ISDIR(st.st_mode)) failed("is a directory, not a file");
  fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) failed(std::string("cannot open: ") + std::strerror(errno));
  // A small file gets a small buffer (a device or pipe, whose size is 0, the full one).
  const auto size = std::uint64_t(st.st_size > 0 ? st.st_size : 0);
  if (S_ISREG(st.st_mode)) file_size_ = size;
  buffer_size_ = size > 0 ? std::size_t(std::clamp<std::uint64_t>(size + 1, 4096, max_buffer))
                          : max_buffer;
  in_.reserve(buffer_size_);
  // Two bytes decide: the gzip magic, or a raw file (whose first bytes stay in in_).
  while (in_.size() < 2 && fill()) {
  }
  gzip_ = in_.size() >= 2 && in_[0] == gzip_magic[0] && in_[1] == gzip_magic[1];
  if (gzip_) {
    // 16 + MAX_WBITS: gzip wrapper only, with its CRC-32 and length checked by inflate.
    if (inflateInit2(&z_, 16 + MAX_WBITS) != Z_OK) {
      ::close(fd_);
      throw DataError(fn_ + "(" + path_ + "): cannot start zlib's inflate");
    }
  }
  z_.next_in = in_.data();
  z_.avail_in = unsigned(in_.size());
}

InputFile::~InputFile() {
  if (gzip_) inflateEnd(&z_);
  if (fd_ >= 0) ::close(fd_);
}

void InputFile::failed(const std::string& what) const {
  throw DataError(fn_ + "(" + path_ + "): " + what);
}

void InputFile::damaged(const std::string& why) const {
  failed("damaged compressed data: " + why);
}

bool InputFile::fill() {
  if (at_eof_) return false;  // called only with fewer than 2 unread bytes: room is left
  // Keep the unread bytes (z_.avail_in of them, at z_.next_in) and append after them.
  const std::size_t keep = in_.empty() ? 0 : z_.avail_in;
  if (keep > 0 && z_.next_in != in_.data()) std::memmove(in_.data(), z_.next_in, keep);
  in_.resize(buffer_size_);
  for (;;) {
    const ssize_t got = ::read(fd_, in_.data() + keep, buffer_size_ - keep);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) failed(std::string("read error: ") + std::strerror(errno));
    in_.resize(keep + std::size_t(got));
    if (got == 0) at_eof_ = true;
    break;
  }
  z_.next_in = in_.data();
  z_.avail_in = unsigned(in_.size());
  return !at_eof_;
}

std::uint64_t InputFile::most_bytes() const {
  constexpr std::uint64_t unknown = UINT64_MAX, ratio = 1032;
  if (file_size_ == 0) return unknown;  // a pipe or device (an empty file gives nothing anyway)
  if (!gzip_) return file_size_;
  return file_size_ > unknown / ratio ? unknown : ratio * file_size_;
}

std::size_t InputFile::read_raw(unsigned char* out, std::size_t n) {
  std::size_t total = std::min<std::size_t>(n, z_.avail_in);  // bytes kept from sniffing
  if (total > 0) std::memcpy(out, z_.next_in, total);
  z_.next_in += total;
  z_.avail_in -= unsigned(total);
  while (total < n && !at_eof_) {
    const ssize_t got = ::read(fd_, out + total, n - total);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) failed(std::string("read error: ") + std::strerror(errno));
    if (got == 0) at_eof_ = true;
    total += std::size_t(got);
  }
  return total;
}

std::size_t InputFile::read(void* buf, std::size_t n) {
  auto* out = static_cast<unsigned char*>(buf);
  if (!gzip_) return read_raw(out, n);
  std::size_t total = 0;
  while (total < n) {
    if (!in_member_) {
      // Between members: the end of the file, or the magic of the next member.
      while (z_.avail_in < 2 && fill()) {
      }
      if (z_.avail_in == 0) break;  // the end, after complete members only
      if (z_.avail_in < 2 || z_.next_in[0] != gzip_magic[0] || z_.next_in[1] != gzip_magic[1])
        damaged("bytes that are not gzip data follow the end of the gzip stream");
      if (inflateReset(&z_) != Z_OK) damaged("cannot restart zlib's inflate");
      in_member_ = true;
    }
    if (z_.avail_in == 0 && !fill())
      damaged("unexpected end of file (the gzip stream is cut short)");
    const std::size_t want = std::min<std::size_t>(n - total, UINT_MAX);
    z_.next_out = out + total;
    z_.avail_out = unsigned(want);
    const int ret = inflate(&z_, Z_NO_FLUSH);
    total += want - z_.avail_out;
    if (ret == Z_STREAM_END) {
      in_member_ = false;  // inflate has checked this member's CRC-32 and length
    } else if (ret == Z_DATA_ERROR || ret == Z_NEED_DICT || ret == Z_STREAM_ERROR) {
      damaged(z_.msg ? z_.msg : "corrupt deflate stream");
    } else if (ret == Z_MEM_ERROR) {
      failed("out of memory while decompressing");
    }
    // Z_OK: progress made; Z_BUF_ERROR: input exhausted, refilled above on the next pass.
  }
  return total;
}

std::string read_all(const std::string& fn, const std::string& path) {
  InputFile f(fn, path);
  std::string text;
  std::size_t chunk = 4096;  // doubles up to 1 MiB: small files stay cheap, large ones fast
  for (;;) {
    const std::size_t old = text.size();
    text.resize(old + chunk);
    const std::size_t got = f.read(&text[old], chunk);
    text.resize(old + got);
    if (got < chunk) break;
    chunk = std::min<std::size_t>(2 * chunk, std::size_t(1) << 20);
  }
  return text;
}

}  // namespace rbmkit::detail
