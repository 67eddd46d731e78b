// rbmkit import: build a model file from CSV parameters (the inverse of export), e.g. to
// evaluate an RBM trained elsewhere with rbmkit's own estimators.
#include <iostream>

#include "cli.hpp"
#include "rbmkit/core/error.hpp"
#include "rbmkit/io/csv.hpp"
#include "rbmkit/io/files.hpp"
#include "rbmkit/io/model_file.hpp"

namespace rbmkit::cli {
namespace {

/// A CSV file with at least one number.
arma::mat read_numbers(const std::string& path) {
  arma::mat m = read_csv_matrix(path);
  if (m.n_elem == 0) throw DataError(path + ": no numbers");
  return m;
}

/// A vector stored as one column or one row.
arma::vec read_vector(const std::string& path) {
  const arma::mat m = read_numbers(path);
  if (m.n_cols != 1 && m.n_rows != 1)
    throw DataError(path + ": expected one column or one row, got " + std::to_string(m.n_rows) +
                    " x " + std::to_string(m.n_cols));
  return arma::vectorise(m);
}

}  // namespace

int cmd_import(const std::vector<std::string>& args) {
  po::options_description desc("import options");
  desc.add_options()
      ("dir", po::value<std::string>(), "directory with W.csv (visible x hidden), b.csv, c.csv (required)")
      ("out", po::value<std::string>(), "model file to write (required)")
      ("precision", po::value<std::string>()->default_value("double"), "float | double");
  po::variables_map vm;
  if (!parse("import", "--dir DIR --out MODEL", desc, args, vm)) return ok;
  if (!vm.count("dir")) throw UsageError("--dir: a directory with W.csv, b.csv and c.csv is required");
  if (!vm.count("out")) throw UsageError("--out: a model file to write is required");
  const std::string precision = vm["precision"].as<std::string>();
  if (precision != "float" && precision != "double")
    throw UsageError("--precision: expected float or double, got '" + precision + "'");
  const std::string dir = vm["dir"].as<std::string>(), out = vm["out"].as<std::string>();
  check_output_path(out);
  const arma::mat W = read_numbers(dir + "/W.csv");
  const arma::vec b = read_vector(dir + "/b.csv"), c = read_vector(dir + "/c.csv");
  if (b.n_elem != W.n_rows)
    throw DataError(dir + "/b.csv: " + std::to_string(b.n_elem) + " visible biases, W.csv has " +
                    std::to_string(W.n_rows) + " rows");
  if (c.n_elem != W.n_cols)
    throw DataError(dir + "/c.csv: " + std::to_string(c.n_elem) + " hidden biases, W.csv has " +
                    std::to_string(W.n_cols) + " columns");
  Rbm<double> rbm(W.n_rows, W.n_cols);
  rbm.W() = W;
  rbm.b() = b;
  rbm.c() = c;
  const std::map<std::string, std::string> config = {{"imported_from", dir}};
  if (precision == "float")
    save_rbm(out, rbm.cast<float>(), config);
  else
    save_rbm(out, rbm, config);
  std::cerr << "rbmkit import: " << W.n_rows << "x" << W.n_cols << " RBM written to " << out << "\n";
  return ok;
}

}  // namespace rbmkit::cli
