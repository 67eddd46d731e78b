#include "rbmkit/io/model_file.hpp"

#include <zlib.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <limits>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

#include "rbmkit/core/error.hpp"

namespace rbmkit {

static_assert(sizeof(float) == 4 && sizeof(double) == 8, "IEEE-754 binary32/binary64 expected");

namespace {

constexpr unsigned char kMagic[8] = {'R', 'B', 'M', 'K', 'I', 'T', 0x1a, '\n'};

template <class T>
constexpr ElementType element_type_of() {
  return sizeof(T) == 4 ? ElementType::float32 : ElementType::float64;
}

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
  a.bytes.resize(m.n_elem * element_size(element_type));
  if (element_type == element_type_of<T>()) {
    std::memcpy(a.bytes.data(), m.memptr(), a.bytes.size());
  } else if (element_type == ElementType::float32) {
    const arma::Mat<float> c = arma::conv_to<arma::Mat<float>>::from(m);
    std::memcpy(a.bytes.data(), c.memptr(), a.bytes.size());
  } else {
    const arma::Mat<double> c = arma::conv_to<arma::Mat<double>>::from(m);
    std::memcpy(a.bytes.data(), c.memptr(), a.bytes.size());
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
  if (element_type == ElementType::float32) {
    arma::Mat<float> m(a.rows, a.cols);
    std::memcpy(m.memptr(), a.bytes.data(), a.bytes.size());
    return arma::conv_to<arma::Mat<T>>::from(m);
  }
  arma::Mat<double> m(a.rows, a.cols);
  std::memcpy(m.memptr(), a.bytes.data(), a.bytes.size());
  return arma::conv_to<arma::Mat<T>>::from(m);
}

void check_output_path(const std::string& path) {
  if (path.empty()) throw OutputError("output path is empty");
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
    throw OutputError(path + ": is a directory");
  const auto slash = path.find_last_of('/');
  const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash + 1);
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    throw OutputError(path + ": directory " + dir + " does not exist");
  if (::access(dir.c_str(), W_OK) != 0) throw OutputError(path + ": directory " + dir + " is not writable");
}

void ensure_directory(const std::string& dir) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) {
    if (::mkdir(dir.c_str(), 0755) != 0)
      throw OutputError(dir + ": cannot create directory: " + std::strerror(errno));
  } else if (!S_ISDIR(st.st_mode)) {
    throw OutputError(dir + ": exists and is not a directory");
  }
}

void write_file_atomically(const std::string& path,
                           const std::function<void(std::ostream&)>& write) {
  check_output_path(path);
  std::string tmpl = path + ".tmp.XXXXXX";
  std::vector<char> name(tmpl.begin(), tmpl.end());
  name.push_back('\0');
  const int fd = ::mkstemp(name.data());
  if (fd < 0) throw OutputError(path + ": cannot create a temporary file: " + std::strerror(errno));
  const std::string tmp(name.data());
  std::ostringstream buffer;
  try {
    write(buffer);
  } catch (...) {
    ::close(fd);
    ::unlink(tmp.c_str());
    throw;
  }
  const std::string content = buffer.str();
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t w = ::write(fd, content.data() + done, content.size() - done);
    if (w < 0) {
      if (errno == EINTR) continue;
      const std::string why = std::strerror(errno);
      ::close(fd);
      ::unlink(tmp.c_str());
      throw OutputError(path + ": write failed: " + why);
    }
    done += std::size_t(w);
  }
  {  // keep the mode of the file being replaced; a new file gets 0666 less the umask
    struct stat old {};
    mode_t mode;
    if (::stat(path.c_str(), &old) == 0) {
      mode = old.st_mode & 07777;
    } else {
      const mode_t mask = ::umask(0);
      ::umask(mask);
      mode = 0666 & ~mask;
    }
    ::fchmod(fd, mode);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    const std::string why = std::strerror(errno);
    ::unlink(tmp.c_str());
    throw OutputError(path + ": cannot flush: " + why);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    ::unlink(tmp.c_str());
    throw OutputError(path + ": cannot rename into place: " + why);
  }
}

void write_model_file(const std::string& path, const ModelFile& f) {
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
        a.bytes.size() != a.rows * a.cols * element_size(f.element_type))
      throw InvalidArgument("write_model_file: array '" + a.name + "' has the wrong byte count");
    put_u16(out, static_cast<std::uint16_t>(a.name.size()));
    out += a.name;
    put_u64(out, a.rows);
    put_u64(out, a.cols);
    out.append(reinterpret_cast<const char*>(a.bytes.data()), a.bytes.size());
  }
  const uLong crc = crc32(0L, reinterpret_cast<const Bytef*>(out.data()), uInt(out.size()));
  put_u32(out, static_cast<std::uint32_t>(crc));
  write_file_atomically(path, [&](std::ostream& os) { os.write(out.data(), std::streamsize(out.size())); });
}

ModelFile read_model_file(const std::string& path) {
  const std::string fn = "read_model_file(" + path + ")";
  std::ifstream in(path, std::ios::binary);
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw ModelError(fn + ": " + std::strerror(errno));
  if (S_ISDIR(st.st_mode)) throw ModelError(fn + ": is a directory");
  if (!in) throw ModelError(fn + ": cannot open: " + std::strerror(errno));
  const std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
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
  if (vu != 1 || hu != 1) throw ModelError(fn + ": unknown unit type");
  f.visible_units = f.hidden_units = UnitType::bernoulli;
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

template <class T>
ModelFile make_rbm_file(const Rbm<T>& rbm, const std::map<std::string, std::string>& config,
                        const Rng::State& rng_state) {
  if (!rbm.W().is_finite() || !rbm.b().is_finite() || !rbm.c().is_finite())
    throw NumericalError("make_rbm_file: parameters contain NaN or infinity; nothing written");
  ModelFile f;
  f.element_type = element_type_of<T>();
  f.kind = MachineKind::rbm;
  f.n_visible = rbm.n_visible();
  f.n_hidden = rbm.n_hidden();
  f.config = config;
  f.rng_state = rng_state;
  f.put<T>("W", rbm.W());
  f.put<T>("b", arma::Mat<T>(rbm.b()));
  f.put<T>("c", arma::Mat<T>(rbm.c()));
  return f;
}

template <class T>
Rbm<T> rbm_from_file(const ModelFile& f, const std::string& source) {
  const std::string fn = "load_rbm(" + source + ")";
  if (f.kind != MachineKind::rbm) throw ModelError(fn + ": the file holds a general Boltzmann machine, not an RBM");
  // Shapes come from the stored arrays (bounded by the file size), never from the header alone.
  const arma::Mat<T> W = f.get<T>("W", source), b = f.get<T>("b", source), c = f.get<T>("c", source);
  if (W.n_rows != f.n_visible || W.n_cols != f.n_hidden || b.n_elem != f.n_visible ||
      c.n_elem != f.n_hidden || f.n_visible == 0 || f.n_hidden == 0)
    throw ModelError(fn + ": parameter shapes disagree with the header");
  if (!W.is_finite() || !b.is_finite() || !c.is_finite())
    throw ModelError(fn + ": parameters contain NaN or infinity");
  Rbm<T> rbm;
  rbm.W() = W;
  rbm.b() = arma::vectorise(b);
  rbm.c() = arma::vectorise(c);
  return rbm;
}

template <class T>
void save_rbm(const std::string& path, const Rbm<T>& rbm,
              const std::map<std::string, std::string>& config, const Rng::State& rng_state) {
  write_model_file(path, make_rbm_file(rbm, config, rng_state));
}

template <class T>
Rbm<T> load_rbm(const std::string& path) {
  return rbm_from_file<T>(read_model_file(path), path);
}

#define RBMKIT_MODEL_IO_INSTANTIATE(T)                                                    \
  template void ModelFile::put<T>(const std::string&, const arma::Mat<T>&);               \
  template arma::Mat<T> ModelFile::get<T>(const std::string&, const std::string&) const;  \
  template ModelFile make_rbm_file(const Rbm<T>&, const std::map<std::string, std::string>&, \
                                   const Rng::State&);                                    \
  template Rbm<T> rbm_from_file(const ModelFile&, const std::string&);                    \
  template void save_rbm(const std::string&, const Rbm<T>&,                               \
                         const std::map<std::string, std::string>&, const Rng::State&);   \
  template Rbm<T> load_rbm(const std::string&);
RBMKIT_MODEL_IO_INSTANTIATE(float)
RBMKIT_MODEL_IO_INSTANTIATE(double)

template <class T>
ModelFile make_bm_file(const BoltzmannMachine<T>& bm,
                       const std::map<std::string, std::string>& config,
                       const Rng::State& rng_state) {
  if (!bm.W().is_finite() || !bm.bias().is_finite())
    throw NumericalError("make_bm_file: parameters contain NaN or infinity; nothing written");
  bm.check("make_bm_file");
  ModelFile f;
  f.element_type = element_type_of<T>();
  f.kind = MachineKind::bm;
  f.n_visible = bm.n_visible();
  f.n_hidden = bm.n_hidden();
  f.config = config;
  f.rng_state = rng_state;
  f.put<T>("W", bm.W());
  f.put<T>("bias", arma::Mat<T>(bm.bias()));
  f.put<T>("mask", bm.mask());
  return f;
}

template <class T>
BoltzmannMachine<T> bm_from_file(const ModelFile& f, const std::string& source) {
  const std::string fn = "load_bm(" + source + ")";
  if (f.kind != MachineKind::bm)
    throw ModelError(fn + ": the file holds an RBM, not a general Boltzmann machine");
  if (f.n_visible == 0) throw ModelError(fn + ": no visible units");
  if (f.n_hidden > std::numeric_limits<std::uint64_t>::max() - f.n_visible)
    throw ModelError(fn + ": unit counts overflow");
  const std::uint64_t n = f.n_visible + f.n_hidden;
  const arma::Mat<T> W = f.get<T>("W", source), bias = f.get<T>("bias", source),
                     mask = f.get<T>("mask", source);
  if (W.n_rows != n || W.n_cols != n || bias.n_elem != n || mask.n_rows != n || mask.n_cols != n)
    throw ModelError(fn + ": parameter shapes disagree with the header");
  BoltzmannMachine<T> bm(f.n_visible, f.n_hidden);
  try {
    bm.set_mask(mask);
    bm.W() = W;
    bm.bias() = arma::vectorise(bias);
    bm.check(fn);
  } catch (const Error& e) {
    throw ModelError(e.what());
  }
  return bm;
}

template <class T>
void save_bm(const std::string& path, const BoltzmannMachine<T>& bm,
             const std::map<std::string, std::string>& config, const Rng::State& rng_state) {
  write_model_file(path, make_bm_file(bm, config, rng_state));
}

template <class T>
BoltzmannMachine<T> load_bm(const std::string& path) {
  return bm_from_file<T>(read_model_file(path), path);
}

#define RBMKIT_MODEL_IO_BM_INSTANTIATE(T)                                                   \
  template ModelFile make_bm_file(const BoltzmannMachine<T>&,                               \
                                  const std::map<std::string, std::string>&, const Rng::State&); \
  template BoltzmannMachine<T> bm_from_file(const ModelFile&, const std::string&);          \
  template void save_bm(const std::string&, const BoltzmannMachine<T>&,                     \
                        const std::map<std::string, std::string>&, const Rng::State&);      \
  template BoltzmannMachine<T> load_bm(const std::string&);
RBMKIT_MODEL_IO_BM_INSTANTIATE(float)
RBMKIT_MODEL_IO_BM_INSTANTIATE(double)

}  // namespace rbmkit
