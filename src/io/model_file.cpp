#include "rbmkit/io/model_file.hpp"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <limits>
#include <sstream>
#include <string_view>
#include <sys/stat.h>
#include <unistd.h>

#include "rbmkit/core/error.hpp"
#include "rbmkit/io/files.hpp"

namespace rbmkit {

static_assert(sizeof(float) == 4 && sizeof(double) == 8, "IEEE-754 binary32/binary64 expected");

namespace {

constexpr unsigned char kMagic[8] = {'R', 'B', 'M', 'K', 'I', 'T', 0x1a, '\n'};

void put_u8(std::string& out, std::uint8_t x) { out.push_back(char(x)); }
void put_u16(std::string& out, std::uint16_t x) {
  for (int i = 0; i < 2; ++i) out.push_back(char((x >> (8 * i)) & 0xff));
}
void put_u32(std::string& out, std::uint32_t x) {
  for (int i = 0; i < 4; ++i) out.push_back(char((x >> (8 * i)) & 0xff));
}
void put_u64(std::string& out, std::uint64_t x) {
  for (int i = 0; i < 8; ++i) out.push_back(char((x >> (8 * i)) & 0xff));
}

/// Bounds-checked little-endian reader over the file content.
struct Reader {
  const std::string& data;
  std::size_t pos;
  const std::string& path;

  void need(std::size_t n, const char* what) {
    if (data.size() - pos < n)
      throw ModelError("read_model_file(" + path + "): file truncated while reading " + what);
  }
  std::uint64_t uint(int bytes, const char* what) {
    need(bytes, what);
    std::uint64_t x = 0;
    for (int i = 0; i < bytes; ++i)
      x |= std::uint64_t(static_cast<unsigned char>(data[pos + i])) << (8 * i);
    pos += bytes;
    return x;
  }
  std::string bytes(std::size_t n, const char* what) {
    need(n, what);
    std::string s = data.substr(pos, n);
    pos += n;
    return s;
  }
};

std::size_t element_size(ElementType t) { return static_cast<std::size_t>(t); }

/// memcpy for `n` bytes that may be 0, when a pointer of an empty array may be null (memcpy
/// with a null pointer is undefined even for 0 bytes).
void copy_bytes(void* to, const void* from, std::size_t n) {
  if (n > 0) std::memcpy(to, from, n);
}

/// The bytes of `path`; ModelError "fn: ..." when it cannot be opened or read.
std::string read_whole_file(const std::string& path, const std::string& fn) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw ModelError(fn + ": cannot open: " + std::strerror(errno));
  std::string data;
  char buf[1 << 16];
  for (;;) {
    const ssize_t got = ::read(fd, buf, sizeof buf);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      const std::string why = std::strerror(errno);
      ::close(fd);
      throw ModelError(fn + ": read error: " + why);
    }
    if (got == 0) break;
    data.append(buf, std::size_t(got));
  }
  ::close(fd);
  return data;
}

/// The elements of `a` as stored in a file of element type `t`: its bytes or its view.
std::string_view array_content(const NamedArray& a, ElementType t) {
  if (a.view)
    return {reinterpret_cast<const char*>(a.view), std::size_t(a.rows * a.cols) * element_size(t)};
  return {reinterpret_cast<const char*>(a.bytes.data()), a.bytes.size()};
}

}  // namespace

const NamedArray& ModelFile::array(const std::string& name, const std::string& source) const {
  for (const auto& a : arrays)
    if (a.name == name) return a;
  throw ModelError("model file" + (source.empty() ? std::string() : " " + source) +
                   ": no array '" + name + "'");
}

template <class T>
void ModelFile::put(const std::string& name, const arma::Mat<T>& m) {
  NamedArray a;
  a.name = name;
  a.rows = m.n_rows;
  a.cols = m.n_cols;
  if (put_refers && element_type == element_type_of<T>()) {
    if (m.n_elem > 0) a.view = reinterpret_cast<const unsigned char*>(m.memptr());
  } else if (element_type == element_type_of<T>()) {
    a.bytes.resize(m.n_elem * element_size(element_type));
    copy_bytes(a.bytes.data(), m.memptr(), a.bytes.size());
  } else if (element_type == ElementType::float32) {
    const arma::Mat<float> c = arma::conv_to<arma::Mat<float>>::from(m);
    a.bytes.assign(reinterpret_cast<const unsigned char*>(c.memptr()),
                   reinterpret_cast<const unsigned char*>(c.memptr()) + c.n_elem * sizeof(float));
  } else {
    const arma::Mat<double> c = arma::conv_to<arma::Mat<double>>::from(m);
    a.bytes.assign(reinterpret_cast<const unsigned char*>(c.memptr()),
                   reinterpret_cast<const unsigned char*>(c.memptr()) + c.n_elem * sizeof(double));
  }
  for (auto& old : arrays)
    if (old.name == name) {
      old = std::move(a);
      return;
    }
  arrays.push_back(std::move(a));
}

template <class T>
arma::Mat<T> ModelFile::get(const std::string& name, const std::string& source) const {
  const NamedArray& a = array(name, source);
  const std::string_view content = array_content(a, element_type);
  if (element_type == ElementType::float32) {
    arma::Mat<float> m(a.rows, a.cols);
    copy_bytes(m.memptr(), content.data(), content.size());
    return arma::conv_to<arma::Mat<T>>::from(m);
  }
  arma::Mat<double> m(a.rows, a.cols);
  copy_bytes(m.memptr(), content.data(), content.size());
  return arma::conv_to<arma::Mat<T>>::from(m);
}

namespace {

/// The bytes of model file `f` as pieces in order: small header parts formatted into `parts`
/// (a deque: its strings stay where they are as it grows) and views of the arrays' bytes, which
/// are not copied; the last piece is the CRC-32 of all before it.
std::vector<std::string_view> model_file_pieces(const ModelFile& f, std::deque<std::string>& parts) {
  std::vector<std::string_view> pieces;
  std::string out(reinterpret_cast<const char*>(kMagic), sizeof kMagic);
  put_u32(out, f.version);
  put_u8(out, static_cast<std::uint8_t>(f.element_type));
  put_u8(out, static_cast<std::uint8_t>(f.kind));
  put_u8(out, static_cast<std::uint8_t>(f.visible_units));
  put_u8(out, static_cast<std::uint8_t>(f.hidden_units));
  put_u64(out, f.n_visible);
  put_u64(out, f.n_hidden);
  for (auto w : f.rng_state) put_u64(out, w);
  std::string cfg;
  for (const auto& [k, v] : f.config) {
    if (k.find_first_of("=\n") != std::string::npos || v.find('\n') != std::string::npos)
      throw InvalidArgument("write_model_file: configuration entry '" + k + "' has '=' or newline");
    cfg += k + "=" + v + "\n";
  }
  put_u32(out, static_cast<std::uint32_t>(cfg.size()));
  out += cfg;
  put_u32(out, static_cast<std::uint32_t>(f.arrays.size()));
  for (const auto& a : f.arrays) {
    if ((a.rows != 0 && a.cols > std::numeric_limits<std::uint64_t>::max() / a.rows /
                                     element_size(f.element_type)) ||
        (a.view == nullptr && a.bytes.size() != a.rows * a.cols * element_size(f.element_type)))
      throw InvalidArgument("write_model_file: array '" + a.name + "' has the wrong byte count");
    put_u16(out, static_cast<std::uint16_t>(a.name.size()));
    out += a.name;
    put_u64(out, a.rows);
    put_u64(out, a.cols);
    parts.push_back(std::move(out));
    pieces.emplace_back(parts.back());
    pieces.push_back(array_content(a, f.element_type));
    out.clear();
  }
  parts.push_back(std::move(out));
  pieces.emplace_back(parts.back());
  uLong crc = crc32(0L, Z_NULL, 0);
  for (const std::string_view piece : pieces) {
    // crc32 takes at most UINT_MAX bytes a call.
    for (std::size_t at = 0; at < piece.size();) {
      const std::size_t n = std::min<std::size_t>(piece.size() - at, UINT_MAX);
      crc = crc32(crc, reinterpret_cast<const Bytef*>(piece.data() + at), uInt(n));
      at += n;
    }
  }
  std::string tail;
  put_u32(tail, static_cast<std::uint32_t>(crc));
  parts.push_back(std::move(tail));
  pieces.emplace_back(parts.back());
  return pieces;
}

}  // namespace

std::string model_file_bytes(const ModelFile& f) {
  std::deque<std::string> parts;
  const std::vector<std::string_view> pieces = model_file_pieces(f, parts);
  std::size_t size = 0;
  for (const std::string_view piece : pieces) size += piece.size();
  std::string out;
  out.reserve(size);
  for (const std::string_view piece : pieces) out.append(piece.data(), piece.size());
  return out;
}

void write_model_file(const std::string& path, const ModelFile& f) {
  // Streamed: the header parts and the arrays' own bytes, never the whole file in memory.
  std::deque<std::string> parts;
  write_file_atomically(path, model_file_pieces(f, parts));
}

ModelFile read_model_file(const std::string& path) {
  const std::string fn = "read_model_file(" + path + ")";
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw ModelError(fn + ": " + std::strerror(errno));
  if (S_ISDIR(st.st_mode)) throw ModelError(fn + ": is a directory");
  const std::string data = read_whole_file(path, fn);
  if (data.empty()) throw ModelError(fn + ": the file is empty");
  return parse_model_file(data, path);
}

ModelFile parse_model_file(const std::string& data, const std::string& path) {
  const std::string fn = "read_model_file(" + path + ")";
  if (data.size() < sizeof kMagic || std::memcmp(data.data(), kMagic, sizeof kMagic) != 0)
    throw ModelError(fn + ": not an rbmkit model file (bad magic)");
  if (data.size() < sizeof kMagic + 4 + 4)
    throw ModelError(fn + ": file truncated");
  const std::size_t body = data.size() - 4;
  std::uint32_t stored = 0;
  for (int i = 0; i < 4; ++i)
    stored |= std::uint32_t(static_cast<unsigned char>(data[body + i])) << (8 * i);
  Reader r{data, sizeof kMagic, path};
  ModelFile f;
  f.version = std::uint32_t(r.uint(4, "version"));
  if (f.version != ModelFile::current_version)
    throw ModelError(fn + ": unsupported format version " + std::to_string(f.version) +
                     " (this rbmkit reads version " +
                     std::to_string(ModelFile::current_version) + ")");
  const auto crc = crc32(0L, reinterpret_cast<const Bytef*>(data.data()), uInt(body));
  if (std::uint32_t(crc) != stored)
    throw ModelError(fn + ": checksum mismatch (file damaged or truncated)");
  const auto et = r.uint(1, "element type");
  if (et != 4 && et != 8) throw ModelError(fn + ": unknown element type " + std::to_string(et));
  f.element_type = static_cast<ElementType>(et);
  const auto kind = r.uint(1, "machine kind");
  if (kind != 1 && kind != 2) throw ModelError(fn + ": unknown machine kind " + std::to_string(kind));
  f.kind = static_cast<MachineKind>(kind);
  const auto vu = r.uint(1, "visible unit type"), hu = r.uint(1, "hidden unit type");
  if ((vu != 1 && !(vu == 2 && f.kind == MachineKind::rbm)) || hu != 1)
    throw ModelError(fn + ": unknown unit type");
  f.visible_units = static_cast<UnitType>(vu);
  f.hidden_units = UnitType::bernoulli;
  f.n_visible = r.uint(8, "n_visible");
  f.n_hidden = r.uint(8, "n_hidden");
  for (auto& w : f.rng_state) w = r.uint(8, "rng state");
  const auto cfg_len = r.uint(4, "configuration length");
  const std::string cfg = r.bytes(cfg_len, "configuration");
  std::istringstream cs(cfg);
  for (std::string line; std::getline(cs, line);) {
    const auto eq = line.find('=');
    if (eq == std::string::npos) throw ModelError(fn + ": malformed configuration line");
    f.config[line.substr(0, eq)] = line.substr(eq + 1);
  }
  const auto n_arrays = r.uint(4, "array count");
  for (std::uint64_t k = 0; k < n_arrays; ++k) {
    NamedArray a;
    a.name = r.bytes(r.uint(2, "array name length"), "array name");
    a.rows = r.uint(8, "array rows");
    a.cols = r.uint(8, "array cols");
    // Compare by division before multiplying: rows·cols·size must fit in what the file holds.
    const std::uint64_t room = (body - std::min<std::uint64_t>(body, r.pos)) / element_size(f.element_type);
    if (a.rows != 0 && a.cols > room / a.rows)
      throw ModelError(fn + ": array '" + a.name + "' claims " + std::to_string(a.rows) + " x " +
                       std::to_string(a.cols) + " elements, more than the file holds");
    const std::uint64_t nbytes = a.rows * a.cols * element_size(f.element_type);
    const std::string raw = r.bytes(nbytes, "array data");
    a.bytes.assign(raw.begin(), raw.end());
    f.arrays.push_back(std::move(a));
  }
  if (r.pos != body) throw ModelError(fn + ": unexpected bytes after the last array");
  return f;
}

#define RBMKIT_MODEL_FILE_INSTANTIATE(T)                                                  \
  template void ModelFile::put<T>(const std::string&, const arma::Mat<T>&);               \
  template arma::Mat<T> ModelFile::get<T>(const std::string&, const std::string&) const;
RBMKIT_MODEL_FILE_INSTANTIATE(float)
RBMKIT_MODEL_FILE_INSTANTIATE(double)

}  // namespace rbmkit
