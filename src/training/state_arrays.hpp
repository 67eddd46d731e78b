#pragma once
// Training state stored in a model file as arrays "state.<name>" (docs/model-format.md):
// empty arrays are not stored, and a missing optional array reads back empty.
#include <armadillo>
#include <string>

#include "rbmkit/core/error.hpp"
#include "rbmkit/io/model_file.hpp"

namespace rbmkit::detail {

template <class T>
class StateWriter {
public:
  explicit StateWriter(ModelFile& file) : file_(file) {}
  void put(const std::string& name, const arma::Mat<T>& m) {
    if (m.n_elem > 0) file_.put<T>("state." + name, m);
  }

private:
  ModelFile& file_;
};

template <class T>
class StateReader {
public:
  StateReader(const ModelFile& file, std::string source) : file_(file), source_(std::move(source)) {}
  /// A required array of exactly rows × cols.
  template <class M>
  void get(const std::string& name, M& out, arma::uword rows, arma::uword cols) const {
    if (!read(name, out, rows)) throw missing(name);
    check_cols(name, out, cols);
  }
  /// An optional array of exactly rows × cols (empty when absent).
  template <class M>
  void get_optional(const std::string& name, M& out, arma::uword rows, arma::uword cols) const {
    if (read(name, out, rows)) check_cols(name, out, cols);
  }
  /// An optional array of `rows` rows and any number of columns (empty when absent).
  template <class M>
  void get_rows(const std::string& name, M& out, arma::uword rows) const {
    read(name, out, rows);
  }

private:
  bool has(const std::string& name) const {
    for (const NamedArray& a : file_.arrays)
      if (a.name == "state." + name) return true;
    return false;
  }
  template <class M>
  bool read(const std::string& name, M& out, arma::uword rows) const {
    if (!has(name)) {
      out.reset();
      return false;
    }
    const arma::Mat<T> m = file_.get<T>("state." + name, source_);
    if (!m.is_finite())
      throw ModelError(source_ + ": training state " + name + " contains NaN or infinity");
    if (m.n_rows != rows)
      throw ModelError(source_ + ": training state " + name + " has " + std::to_string(m.n_rows) +
                       " rows, the model needs " + std::to_string(rows));
    out = m;
    return true;
  }
  template <class M>
  void check_cols(const std::string& name, const M& out, arma::uword cols) const {
    if (out.n_cols != cols)
      throw ModelError(source_ + ": training state " + name + " has " + std::to_string(out.n_cols) +
                       " columns, the model needs " + std::to_string(cols));
  }
  ModelError missing(const std::string& name) const {
    return ModelError(source_ + ": no training state '" + name +
                      "' (not a checkpoint written by rbmkit train)");
  }
  const ModelFile& file_;
  std::string source_;
};

}  // namespace rbmkit::detail
