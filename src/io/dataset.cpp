#include "rbmkit/io/dataset.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <new>
#include <sstream>
#include <vector>

#include "core/huge_pages.hpp"
#include "io/gzip_input.hpp"
#include "rbmkit/core/error.hpp"
#include "rbmkit/io/csv.hpp"

namespace rbmkit {

namespace {

using detail::InputFile;

struct IdxHeader {
  unsigned type = 0;
  std::vector<std::uint32_t> dims;
};

IdxHeader read_idx_header(InputFile& f, const std::string& fn, const std::string& path) {
  unsigned char magic[4];
  if (f.read(magic, 4) != 4)
    throw DataError(fn + "(" + path + "): file too short for an IDX header");
  if (magic[0] != 0 || magic[1] != 0)
    throw DataError(fn + "(" + path + "): not an IDX file (bad magic number)");
  IdxHeader h;
  h.type = magic[2];
  const unsigned ndim = magic[3];
  if (h.type != 0x08)
    throw DataError(fn + "(" + path + "): unsupported IDX element type 0x" +
                    [&] { std::ostringstream o; o << std::hex << h.type; return o.str(); }() +
                    " (only unsigned bytes, 0x08)");
  if (ndim == 0) throw DataError(fn + "(" + path + "): IDX file with zero dimensions");
  for (unsigned i = 0; i < ndim; ++i) {
    unsigned char b[4];
    if (f.read(b, 4) != 4)
      throw DataError(fn + "(" + path + "): IDX header truncated in dimension " +
                      std::to_string(i + 1));
    const std::uint32_t d = (std::uint32_t(b[0]) << 24) | (std::uint32_t(b[1]) << 16) |
                            (std::uint32_t(b[2]) << 8) | std::uint32_t(b[3]);
    if (d == 0)
      throw DataError(fn + "(" + path + "): IDX dimension " + std::to_string(i + 1) + " is zero");
    h.dims.push_back(d);
  }
  return h;
}

void expect_end(InputFile& f, const std::string& fn, const std::string& path) {
  unsigned char extra;
  if (f.read(&extra, 1) != 0)
    throw DataError(fn + "(" + path + "): trailing bytes after the IDX data");
}

/// Reads exactly `want` bytes of IDX payload, growing the buffer only as data arrives (by at
/// most its size, from 64 KiB up to 16 MiB a step), so a header that claims more than the file
/// holds costs little memory; then checks nothing follows.
std::vector<std::uint8_t> read_payload(InputFile& f, std::uint64_t want, const char* unit,
                                       const std::string& fn, const std::string& path) {
  std::vector<std::uint8_t> buf;
  while (buf.size() < want) {
    const std::size_t old = buf.size();
    const std::uint64_t chunk =
        std::min<std::uint64_t>(std::uint64_t(1) << 24, std::max<std::uint64_t>(old, 1 << 16));
    const std::size_t step = std::size_t(std::min<std::uint64_t>(chunk, want - old));
    buf.resize(old + step);
    const std::size_t got = f.read(buf.data() + old, step);
    if (got != step) {
      throw DataError(fn + "(" + path + "): expected " + std::to_string(want) + " " + unit +
                      ", file has " + std::to_string(old + got));
    }
  }
  expect_end(f, fn, path);
  return buf;
}

/// Reads the `want` bytes of IDX payload a header claims into `out`, which has room for them,
/// then checks nothing follows. The same errors as read_payload.
void read_payload_into(InputFile& f, std::uint8_t* out, std::uint64_t want, const char* unit,
                       const std::string& fn, const std::string& path) {
  const std::size_t got = f.read(out, std::size_t(want));
  if (got != want)
    throw DataError(fn + "(" + path + "): expected " + std::to_string(want) + " " + unit +
                    ", file has " + std::to_string(got));
  expect_end(f, fn, path);
}

/// A rows x cols matrix of bytes read from `f`: straight into its final storage (held once)
/// when the file can hold the bytes claimed (InputFile::most_bytes) and they can be allocated
/// (pages are touched only as data arrive); otherwise through read_payload's growing buffer,
/// which stops at the data actually present.
template <class M>
M read_payload_matrix(InputFile& f, std::uint64_t rows, std::uint64_t cols, const char* unit,
                      const std::string& fn, const std::string& path) {
  const std::uint64_t want = rows * cols;
  if (want > 0 && want <= f.most_bytes()) {
    M m;
    bool allocated = true;
    try {
      m.set_size(rows, cols);
    } catch (const std::bad_alloc&) {
      allocated = false;
    }
    if (allocated) {
      detail::advise_huge_pages(m.memptr(), want);  // written in full just below
      read_payload_into(f, m.memptr(), want, unit, fn, path);
      return m;
    }
  }
  const std::vector<std::uint8_t> bytes = read_payload(f, want, unit, fn, path);
  return M(bytes.data(), rows, cols);
}

/// The shape of one example of an IDX data file (its dimensions after the first, the count);
/// a file with fewer than 2 dimensions holds no examples of a shape (a label file?).
std::vector<std::size_t> example_shape(const IdxHeader& h, const std::string& fn,
                                       const std::string& path) {
  if (h.dims.size() < 2)
    throw DataError(fn + "(" + path + "): IDX file has " + std::to_string(h.dims.size()) +
                    " dimension(s); examples need at least 2 (a label file?)");
  return std::vector<std::size_t>(h.dims.begin() + 1, h.dims.end());
}

}  // namespace

Dataset read_idx(const std::string& path) {
  const std::string fn = "read_idx";
  InputFile f(fn, path);
  const IdxHeader h = read_idx_header(f, fn, path);
  const std::vector<std::size_t> shape = example_shape(h, fn, path);
  // Sizes multiplied with overflow checks; the limit (2^40 bytes) is far above any real data set
  // and only guards the arithmetic: memory grows with the bytes actually present.
  const std::uint64_t limit = std::uint64_t(1) << 40;
  std::uint64_t dim = 1;
  for (const std::size_t extent : shape) {
    if (extent > limit / dim)
      throw DataError(fn + "(" + path + "): IDX example size overflows (dimensions too large)");
    dim *= extent;
  }
  const std::uint64_t n = h.dims[0];
  if (n > limit / dim)
    throw DataError(fn + "(" + path + "): IDX data too large (" + std::to_string(n) + " x " +
                    std::to_string(dim) + " bytes)");
  Dataset d;
  d.source = path;
  d.pixels = read_payload_matrix<arma::Mat<std::uint8_t>>(f, dim, n, "bytes of data", fn, path);
  d.shape = shape;
  return d;
}

std::vector<std::size_t> read_idx_shape(const std::string& path) {
  const std::string fn = "read_idx_shape";
  InputFile f(fn, path);
  return example_shape(read_idx_header(f, fn, path), fn, path);
}

arma::Col<std::uint8_t> read_idx_labels(const std::string& path) {
  const std::string fn = "read_idx_labels";
  InputFile f(fn, path);
  const IdxHeader h = read_idx_header(f, fn, path);
  if (h.dims.size() != 1)
    throw DataError(fn + "(" + path + "): expected a 1-dimensional IDX label file, found " +
                    std::to_string(h.dims.size()) + " dimensions");
  const arma::Mat<std::uint8_t> labels =
      read_payload_matrix<arma::Mat<std::uint8_t>>(f, h.dims[0], 1, "labels", fn, path);
  return arma::Col<std::uint8_t>(labels);
}

namespace {

/// A value and the line it is on, for messages about the first offending value.
struct Found {
  bool any = false;
  std::size_t line = 0;
  double value = 0;
  void note(std::size_t l, double v) {
    if (!any) *this = Found{true, l, v};
  }
};

}  // namespace

Dataset read_csv(const std::string& path, const DataOptions& options) {
  CsvReader csv(path);
  const std::string at = "read_csv(" + path + ")";
  std::vector<double> values, row, labels;
  std::size_t rows = 0;
  Found negative, above_255, above_1, fraction, beyond_float;
  double vmax = 0;
  const std::size_t lc = options.label_column;
  while (csv.next(row)) {
    if (lc > 0) {
      if (lc > row.size())
        throw DataError(csv.where() + ": label column " + std::to_string(lc) + " (counted from 1), "
                        "but the rows have " + std::to_string(row.size()) + " fields");
      if (row.size() == 1)
        throw DataError(csv.where() + ": the rows hold only the label column, no values");
      labels.push_back(row[lc - 1]);
      row.erase(row.begin() + std::ptrdiff_t(lc - 1));
    }
    for (double x : row) {
      if (x < 0) negative.note(csv.line(), x);
      if (x > 255) above_255.note(csv.line(), x);
      if (x > 1) above_1.note(csv.line(), x);
      if (x != std::floor(x)) fraction.note(csv.line(), x);
      if (std::abs(x) > double(std::numeric_limits<float>::max())) beyond_float.note(csv.line(), x);
      vmax = std::max(vmax, x);
    }
    values.insert(values.end(), row.begin(), row.end());
    ++rows;
  }
  if (rows == 0) throw DataError(at + ": no examples in the file");
  auto line_of = [&](const Found& f) {
    return at + ": line " + std::to_string(f.line) + ": value " + format_shortest(f.value);
  };
  DataScale scale = options.scale;
  switch (scale) {
    case DataScale::automatic:
      if (negative.any || above_255.any) {
        const bool neg_first = negative.any && (!above_255.any || negative.line <= above_255.line);
        const Found& f = neg_first ? negative : above_255;
        throw DataError(line_of(f) + " is outside [0,1] and 0..255; give --scale standardize for "
                        "real values (a model with --visible gaussian), or --scale unit, byte "
                        "or max");
      }
      if (!above_1.any) {
        scale = DataScale::unit;
      } else if (fraction.any) {
        throw DataError(line_of(above_1) + " is above 1, but the file is not integers 0..255 (" +
                        format_shortest(fraction.value) + " on line " + std::to_string(fraction.line) +
                        "); give --scale unit to clip values into [0,1], or --scale max to "
                        "divide by the largest value, " + format_shortest(vmax));
      } else if (vmax < 128) {
        throw DataError(line_of(above_1) + " is above 1, and the largest value, " + format_shortest(vmax) +
                        ", is too small for 0..255 bytes; give --scale max to divide by " +
                        format_shortest(vmax) + ", or --scale byte to divide by 255");
      } else {
        scale = DataScale::byte;
      }
      break;
    case DataScale::unit:
      break;
    case DataScale::byte:
      if (negative.any) throw DataError(line_of(negative) + " is outside 0..255 (--scale byte)");
      if (above_255.any) throw DataError(line_of(above_255) + " is outside 0..255 (--scale byte)");
      break;
    case DataScale::max:
      if (negative.any) throw DataError(line_of(negative) + " is negative (--scale max)");
      break;
    case DataScale::standardize:
      // Real values are held as float (the other scales divide into [0,1] first).
      if (beyond_float.any)
        throw DataError(line_of(beyond_float) + " is beyond the range of float (magnitude at "
                        "most about 3.4e38), the precision data are held at");
      break;
  }
  Dataset d;
  d.source = path;
  d.read_with = options;
  d.scale = scale;
  d.divisor = scale == DataScale::unit || scale == DataScale::standardize ? 1.0
              : scale == DataScale::byte ? 255.0
              : vmax > 0                 ? vmax
                                         : 1.0;
  const std::size_t cols = csv.columns() - (lc > 0 ? 1 : 0);
  if (scale == DataScale::byte && !fraction.any) {
    // Integers 0..255: held as the bytes themselves.
    d.pixels.set_size(cols, rows);
    for (std::size_t r = 0; r < rows; ++r)
      for (std::size_t c = 0; c < cols; ++c)
        d.pixels(c, r) = static_cast<std::uint8_t>(values[r * cols + c]);
  } else {
    d.float_values = true;
    d.values.set_size(cols, rows);
    for (std::size_t r = 0; r < rows; ++r)
      for (std::size_t c = 0; c < cols; ++c) {
        double x = values[r * cols + c] / d.divisor;
        if (scale != DataScale::standardize && (x < 0 || x > 1)) {
          ++d.clipped;  // DataScale::unit only: the other scales refused such values above
          x = std::clamp(x, 0.0, 1.0);
        }
        d.values(c, r) = static_cast<float>(x);
      }
  }
  if (lc > 0) d.labels = arma::vec(labels);
  return d;
}

bool is_csv_path(const std::string& path) {
  auto ends_with = [&](const std::string& s) {
    return path.size() >= s.size() && path.compare(path.size() - s.size(), s.size(), s) == 0;
  };
  return ends_with(".csv") || ends_with(".csv.gz") || ends_with(".CSV");
}

Dataset load_dataset(const std::string& path, const DataOptions& options) {
  if (is_csv_path(path)) return read_csv(path, options);
  if (options.label_column > 0)
    throw InvalidArgument("DataOptions::label_column: applies to CSV files; " + path +
                          " is read as IDX (labels of IDX images come from a label file)");
  if (options.scale != DataScale::automatic && options.scale != DataScale::byte &&
      options.scale != DataScale::standardize)
    throw InvalidArgument("DataOptions::scale: " + to_string(options.scale) +
                          " applies to CSV files; " + path +
                          " is read as IDX, which holds bytes 0..255");
  Dataset d = read_idx(path);
  d.read_with = options;
  return d;
}

arma::vec read_labels(const std::string& path, std::size_t examples) {
  arma::vec labels;
  if (is_csv_path(path)) {
    CsvReader csv(path);
    std::vector<double> row, all;
    while (csv.next(row)) {
      if (row.size() != 1)
        throw DataError(csv.where() + ": a label file holds one number per row, found " +
                        std::to_string(row.size()));
      all.push_back(row[0]);
    }
    labels = arma::vec(all);
  } else {
    labels = arma::conv_to<arma::vec>::from(read_idx_labels(path));
  }
  if (labels.n_elem != examples)
    throw DataError("read_labels(" + path + "): " + std::to_string(labels.n_elem) + " labels for " +
                    std::to_string(examples) + " examples");
  return labels;
}

std::string default_train_images() {
  return "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz";
}
std::string default_test_images() {
  return "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz";
}

Dataset standardized_view(const Dataset& data, const Standardization& standardization) {
  Dataset v;
  v.source = data.source;
  v.labels = data.labels;
  v.scale = data.scale;
  v.divisor = data.divisor;
  v.clipped = data.clipped;
  v.read_with = data.read_with;
  v.shape = data.shape;
  v.float_values = data.float_values;
  if (data.float_values)
    v.values = arma::Mat<float>(const_cast<float*>(data.values.memptr()), data.values.n_rows,
                                data.values.n_cols, false, true);
  else
    v.pixels = arma::Mat<std::uint8_t>(const_cast<std::uint8_t*>(data.pixels.memptr()),
                                       data.pixels.n_rows, data.pixels.n_cols, false, true);
  v.standardization = standardization;
  return v;
}

Dataset Dataset::columns(std::size_t first, std::size_t count,
                         const std::string& new_source) const {
  Dataset d;
  d.source = new_source;
  d.read_with = read_with;
  d.scale = scale;
  d.divisor = divisor;
  d.shape = shape;
  d.standardization = standardization;
  d.float_values = float_values;
  if (float_values) {
    d.values.set_size(dim(), count);
    if (count > 0) d.values = values.cols(first, first + count - 1);
  } else {
    d.pixels.set_size(dim(), count);
    if (count > 0) d.pixels = pixels.cols(first, first + count - 1);
  }
  return d;
}

Dataset Dataset::view(std::size_t first, std::size_t count, const std::string& new_source) const {
  if (first > size() || count > size() - first)
    throw InvalidArgument("Dataset::view: examples " + std::to_string(first) + " .. " +
                          std::to_string(first + count) + " of " + source + ", which has " +
                          std::to_string(size()));
  Dataset d;
  d.source = new_source;
  d.read_with = read_with;
  d.scale = scale;
  d.divisor = divisor;
  d.shape = shape;
  d.standardization = standardization;
  d.float_values = float_values;
  // Columns are contiguous (column-major): examples first .. first+count) are one block, which
  // an Armadillo matrix on auxiliary memory (not copied, strict: never reallocated) aliases.
  if (count == 0) {  // no memory to alias; the dimension is kept
    if (float_values)
      d.values.set_size(dim(), 0);
    else
      d.pixels.set_size(dim(), 0);
  } else if (float_values) {
    d.values = arma::Mat<float>(const_cast<float*>(values.colptr(first)), values.n_rows, count,
                                false, true);
  } else {
    d.pixels = arma::Mat<std::uint8_t>(const_cast<std::uint8_t*>(pixels.colptr(first)),
                                       pixels.n_rows, count, false, true);
  }
  return d;
}

}  // namespace rbmkit
