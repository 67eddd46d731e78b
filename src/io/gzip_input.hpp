#pragma once
// Reading input files that may be gzip-compressed, private to src/io. A file that starts with
// the gzip magic bytes (1f 8b) is inflated and checked to its end: every member's stream end,
// CRC-32 and length, and nothing but further gzip members after the last one; any other file is
// read as it is. Errors are DataError "fn(path): ...", and damage to compressed data is always
// "fn(path): damaged compressed data: ...".
#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace rbmkit::detail {

/// An open input file, raw or gzip, read front to back.
class InputFile {
public:
  /// Opens `path` for reading; throws DataError "fn(path): ..." when it is missing, a directory
  /// or unreadable. `fn` names the reader in messages.
  InputFile(std::string fn, std::string path);
  ~InputFile();
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  /// Reads up to `n` bytes into `buf`, fewer only at the end of the file; returns how many.
  /// At the end of a compressed file the whole stream has been checked: throws DataError
  /// "damaged compressed data" when it is cut short, fails its CRC or length, is corrupt, or
  /// is followed by bytes that are not another gzip member.
  std::size_t read(void* buf, std::size_t n);
  /// True when the file is gzip-compressed.
  bool compressed() const { return gzip_; }
  /// An upper bound of the bytes all calls of read() together can return: the file's size when
  /// raw, 1032 times it when compressed (deflate's largest expansion, 1032:1, zlib's FAQ), or
  /// UINT64_MAX when the size is unknown (a pipe or device). For reading a payload whose size a
  /// header claims straight into a buffer of its final size when the file can hold it.
  std::uint64_t most_bytes() const;

private:
  std::size_t read_raw(unsigned char* out, std::size_t n);
  /// Moves unread input to the front of the buffer and reads more; false at the end of the file.
  bool fill();
  [[noreturn]] void damaged(const std::string& why) const;
  [[noreturn]] void failed(const std::string& what) const;

  std::string fn_, path_;
  int fd_ = -1;
  bool gzip_ = false;
  bool in_member_ = false;  // inside a gzip member (between members otherwise)
  bool at_eof_ = false;     // the file has no more bytes to give
  std::uint64_t file_size_ = 0;  // st_size of a regular file; 0 when unknown
  std::size_t buffer_size_ = 0;  // of in_: the file's size + 1, from 4 KiB to 128 KiB
  std::vector<unsigned char> in_;
  z_stream z_{};
};

/// The whole (decompressed, checked) content of `path`; errors as InputFile.
std::string read_all(const std::string& fn, const std::string& path);

}  // namespace rbmkit::detail
