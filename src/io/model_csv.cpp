#include "rbmkit/io/model_csv.hpp"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <sys/stat.h>
#include <vector>

#include "rbmkit/core/error.hpp"
#include "rbmkit/io/csv.hpp"
#include "rbmkit/io/files.hpp"

namespace rbmkit {

namespace {

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

/// "fn(path): ", the start of a message about one file.
std::string about(const char* fn, const std::string& path) {
  return std::string(fn) + "(" + path + "): ";
}

/// "row i, column j" counted from 1, as a spreadsheet shows the entry (i, j).
std::string entry(arma::uword i, arma::uword j) {
  return "row " + std::to_string(i + 1) + ", column " + std::to_string(j + 1);
}

/// Throws DataError naming the file, line and field of the first value of `m` (the rows of
/// `path` as read_csv_matrix gives them) that float cannot hold, unless `precision` is double.
void check_range(const char* fn, const std::string& path, const arma::mat& m,
                 ElementType precision) {
  if (precision == ElementType::float64) return;
  const double largest = std::numeric_limits<float>::max();
  for (arma::uword i = 0; i < m.n_rows; ++i)
    for (arma::uword j = 0; j < m.n_cols; ++j) {
      const double x = m(i, j);
      if (std::abs(x) <= largest) continue;
      CsvReader csv(path);  // only to find the line of row i
      std::vector<double> row;
      for (arma::uword k = 0; k <= i; ++k) csv.next(row);
      char value[32], limit[32];
      std::snprintf(value, sizeof value, "%.9g", x);
      std::snprintf(limit, sizeof limit, "%.9g", largest);
      throw DataError(about(fn, path) + "line " + std::to_string(csv.line()) + ", field " +
                      std::to_string(j + 1) + ": " + value +
                      " is outside the range of float (magnitudes up to " + limit +
                      "); use ElementType::float64");
    }
}

/// A matrix file with at least one number, every value within the range of `precision`.
arma::mat read_matrix(const char* fn, const std::string& path,
                      ElementType precision = ElementType::float64) {
  arma::mat m = read_csv_matrix(path);
  if (m.n_elem == 0) throw DataError(about(fn, path) + "no numbers");
  check_range(fn, path, m, precision);
  return m;
}

/// A vector file: one column or one row, every value within the range of `precision`.
arma::vec read_vector(const char* fn, const std::string& path, ElementType precision) {
  const arma::mat m = read_matrix(fn, path, precision);
  if (m.n_cols != 1 && m.n_rows != 1)
    throw DataError(about(fn, path) + "expected one column or one row, got " +
                    std::to_string(m.n_rows) + " x " + std::to_string(m.n_cols));
  return arma::vectorise(m);
}

/// units.csv: n_visible and n_hidden, whole numbers, at least one visible unit.
std::pair<std::size_t, std::size_t> read_units(const char* fn, const std::string& path) {
  CsvReader csv(path);
  const std::vector<std::string> names = {"n_visible", "n_hidden"};
  if (!csv.header().empty() && csv.header() != names)
    throw DataError(about(fn, path) + "the header must be n_visible,n_hidden");
  std::vector<double> row;
  if (!csv.next(row)) throw DataError(about(fn, path) + "no unit counts");
  if (row.size() != 2)
    throw DataError(csv.where() + ": expected two counts n_visible,n_hidden, got " +
                    std::to_string(row.size()) + " values");
  std::vector<double> more;
  if (csv.next(more)) throw DataError(csv.where() + ": expected a single row of unit counts");
  std::size_t count[2];
  for (int k = 0; k < 2; ++k) {
    const double x = row[k], least = k == 0 ? 1 : 0;
    if (x != std::floor(x) || x < least || x > 1e9)
      throw DataError(about(fn, path) + names[k] + " must be a whole number from " +
                      format17(least) + " to 1e9, got " + format17(x));
    count[k] = std::size_t(x);
  }
  return {count[0], count[1]};
}

/// Entries 0 or 1, symmetric, zero diagonal.
void check_mask(const char* fn, const std::string& path, const arma::mat& mask) {
  for (arma::uword j = 0; j < mask.n_cols; ++j)
    for (arma::uword i = 0; i < mask.n_rows; ++i) {
      const double m = mask(i, j);
      if (m != 0 && m != 1)
        throw DataError(about(fn, path) + entry(i, j) + " is " + format17(m) +
                        ", expected 0 or 1");
      if (i == j && m != 0)
        throw DataError(about(fn, path) + entry(i, j) +
                        " is 1, but the diagonal must be 0 (no unit connects to itself)");
      if (m != mask(j, i))
        throw DataError(about(fn, path) + "not symmetric: " + entry(i, j) + " is " +
                        format17(m) + ", " + entry(j, i) + " is " + format17(mask(j, i)));
    }
}

/// Zero diagonal, symmetric, zero wherever the mask is 0.
void check_weights(const char* fn, const std::string& path, const arma::mat& W,
                   const arma::mat& mask) {
  for (arma::uword j = 0; j < W.n_cols; ++j)
    for (arma::uword i = 0; i < W.n_rows; ++i) {
      const double w = W(i, j);
      if (i == j && w != 0)
        throw DataError(about(fn, path) + entry(i, j) + " is " + format17(w) +
                        ", but the diagonal must be 0 (no unit connects to itself)");
      if (w != W(j, i))
        throw DataError(about(fn, path) + "not symmetric: " + entry(i, j) + " is " +
                        format17(w) + ", " + entry(j, i) + " is " + format17(W(j, i)));
      if (w != 0 && mask(i, j) == 0)
        throw DataError(about(fn, path) + entry(i, j) + " is " + format17(w) +
                        " where the mask has no connection");
    }
}

}  // namespace

void write_rbm_csv(const std::string& dir, const Rbm<double>& rbm) {
  if (!rbm.W().is_finite() || !rbm.b().is_finite() || !rbm.c().is_finite())
    throw NumericalError("write_rbm_csv: parameters contain NaN or infinity; nothing written");
  ensure_directory(dir);
  write_csv_matrix(dir + "/W.csv", rbm.W());
  write_csv_matrix(dir + "/b.csv", rbm.b());
  write_csv_matrix(dir + "/c.csv", rbm.c());
}

void write_bm_csv(const std::string& dir, const BoltzmannMachine<double>& bm) {
  if (!bm.W().is_finite() || !bm.bias().is_finite())
    throw NumericalError("write_bm_csv: parameters contain NaN or infinity; nothing written");
  bm.check("write_bm_csv");
  ensure_directory(dir);
  const arma::mat units = {{double(bm.n_visible()), double(bm.n_hidden())}};
  write_csv_matrix(dir + "/units.csv", units, {"n_visible", "n_hidden"});
  write_csv_matrix(dir + "/W.csv", bm.W());
  write_csv_matrix(dir + "/bias.csv", bm.bias());
  write_csv_matrix(dir + "/mask.csv", bm.mask());
}

MachineKind csv_machine_kind(const std::string& dir) {
  const std::string fn = "csv_machine_kind(" + dir + "): ";
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) throw DataError(fn + std::strerror(errno));
  if (!S_ISDIR(st.st_mode)) throw DataError(fn + "not a directory");
  const bool bm = exists(dir + "/units.csv");
  const bool rbm = exists(dir + "/b.csv") || exists(dir + "/c.csv");
  if (bm && rbm)
    throw DataError(fn + "holds both units.csv (Boltzmann machine) and b.csv or c.csv (RBM)");
  if (!bm && !rbm)
    throw DataError(fn + "holds neither units.csv (Boltzmann machine) nor b.csv and c.csv (RBM)");
  return bm ? MachineKind::bm : MachineKind::rbm;
}

Rbm<double> read_rbm_csv(const std::string& dir, ElementType precision) {
  const char* fn = "read_rbm_csv";
  const arma::mat W = read_matrix(fn, dir + "/W.csv", precision);
  const arma::vec b = read_vector(fn, dir + "/b.csv", precision),
                  c = read_vector(fn, dir + "/c.csv", precision);
  if (b.n_elem != W.n_rows)
    throw DataError(about(fn, dir + "/b.csv") + std::to_string(b.n_elem) +
                    " visible biases, W.csv has " + std::to_string(W.n_rows) + " rows");
  if (c.n_elem != W.n_cols)
    throw DataError(about(fn, dir + "/c.csv") + std::to_string(c.n_elem) +
                    " hidden biases, W.csv has " + std::to_string(W.n_cols) + " columns");
  Rbm<double> rbm(W.n_rows, W.n_cols);
  rbm.W() = W;
  rbm.b() = b;
  rbm.c() = c;
  return rbm;
}

BoltzmannMachine<double> read_bm_csv(const std::string& dir, ElementType precision) {
  const char* fn = "read_bm_csv";
  const auto [nv, nh] = read_units(fn, dir + "/units.csv");
  const std::size_t n = nv + nh;
  const std::string units = " (units.csv: " + std::to_string(nv) + " visible + " +
                            std::to_string(nh) + " hidden units)";
  const std::string w_path = dir + "/W.csv", mask_path = dir + "/mask.csv";
  const arma::mat W = read_matrix(fn, w_path, precision);
  if (W.n_rows != n || W.n_cols != n)
    throw DataError(about(fn, w_path) + std::to_string(W.n_rows) + " x " +
                    std::to_string(W.n_cols) + ", expected " + std::to_string(n) + " x " +
                    std::to_string(n) + units);
  const arma::vec bias = read_vector(fn, dir + "/bias.csv", precision);
  if (bias.n_elem != n)
    throw DataError(about(fn, dir + "/bias.csv") + std::to_string(bias.n_elem) +
                    " biases, expected " + std::to_string(n) + units);
  arma::mat mask;
  if (exists(mask_path)) {
    mask = read_matrix(fn, mask_path);
    if (mask.n_rows != n || mask.n_cols != n)
      throw DataError(about(fn, mask_path) + std::to_string(mask.n_rows) + " x " +
                      std::to_string(mask.n_cols) + ", expected " + std::to_string(n) + " x " +
                      std::to_string(n) + units);
    check_mask(fn, mask_path, mask);
  } else {
    mask = connectivity_mask(nv, nh, Connectivity::full);
  }
  check_weights(fn, w_path, W, mask);
  BoltzmannMachine<double> bm(nv, nh);
  bm.set_mask(mask);
  bm.W() = W;
  bm.bias() = bias;
  bm.check(fn);
  return bm;
}

}  // namespace rbmkit
