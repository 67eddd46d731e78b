#pragma once
/// Data sets: IDX (raw or .gz) and CSV readers, kept compact as bytes, converted per minibatch.
#include <armadillo>
#include <cstdint>
#include <string>

#include "rbmkit/core/enum_names.hpp"
#include "rbmkit/core/random.hpp"

namespace rbmkit {

/// How grey values in [0,1] become visible states.
enum class Binarize {
  threshold,   ///< 1 if the value exceeds the threshold (default 0.5), else 0
  stochastic,  ///< 1 with probability equal to the value, drawn afresh for every minibatch
  none         ///< the value itself (the RBM then sees a mean-field input)
};

/// Names "threshold", "stochastic" and "none" (`to_string`, `from_string<Binarize>`).
template <>
struct EnumNames<Binarize> {
  static constexpr const char* type = "Binarize";
  static constexpr std::pair<Binarize, const char*> names[] = {{Binarize::threshold, "threshold"},
                                                               {Binarize::stochastic, "stochastic"},
                                                               {Binarize::none, "none"}};
};

/// A data set held compactly: one column of bytes per example, value v meaning v/255.
struct Dataset {
  arma::Mat<std::uint8_t> pixels;  ///< dim() x size(), column-major: one column per example
  std::string source;              ///< the file it came from, for messages

  std::size_t dim() const { return pixels.n_rows; }
  std::size_t size() const { return pixels.n_cols; }
  /// Mean of every input dimension in [0,1] (after binarization by `threshold` when
  /// `mode == Binarize::threshold`), for bias initialisation and base-rate models.
  arma::vec marginals(Binarize mode = Binarize::threshold, double threshold = 0.5) const;
};

/// Reads an IDX file of unsigned bytes (images idx3 or any idxN with N >= 2), raw or gzip.
/// Examples are the first dimension; the rest are flattened row-major into one column.
Dataset read_idx(const std::string& path);
/// Reads an IDX label file (idx1 of unsigned bytes), raw or gzip.
arma::Col<std::uint8_t> read_idx_labels(const std::string& path);
/// Reads a CSV file (the format of CsvReader in csv.hpp: raw or gzip, optional header line):
/// one example per row, all values in [0,1] or all in 0..255 (chosen by the largest value).
/// Values in [0,1] are stored to the nearest 1/255. Throws DataError naming file and line.
Dataset read_csv(const std::string& path);
/// Reads `path` as CSV when its name ends in .csv or .csv.gz, as IDX otherwise.
Dataset load_dataset(const std::string& path);

/// A data set of values held in memory, one example per column (a C-ordered examples × dim
/// array seen column-major is this layout): values in [0,1] are stored to the nearest 1/255,
/// values below 0 as 0 and above 1 as 1. Throws DataError naming `source` for a NaN.
template <class T>
Dataset dataset_from_values(const arma::Mat<T>& values, const std::string& source);
/// The same from a sparse matrix, dim × examples, absent entries 0 (a CSR examples × dim matrix
/// seen as CSC is this layout).
template <class T>
Dataset dataset_from_values(const arma::SpMat<T>& values, const std::string& source);

/// The Fashion-MNIST training images installed by Debian's dataset-fashion-mnist package.
std::string default_train_images();
/// The Fashion-MNIST test images installed by Debian's dataset-fashion-mnist package.
std::string default_test_images();

/// Converts the examples `index[first .. first+count)` of `data` into a dim() x count matrix
/// of visible states in T. Only `Binarize::stochastic` draws from `rng`.
template <class T>
arma::Mat<T> make_batch(const Dataset& data, const arma::uvec& index, std::size_t first,
                        std::size_t count, Binarize mode, double threshold, Rng& rng);
/// The whole data set as a matrix (for small sets and evaluation in chunks).
template <class T>
arma::Mat<T> make_batch(const Dataset& data, std::size_t first, std::size_t count, Binarize mode,
                        double threshold, Rng& rng);

extern template Dataset dataset_from_values(const arma::Mat<float>&, const std::string&);
extern template Dataset dataset_from_values(const arma::Mat<double>&, const std::string&);
extern template Dataset dataset_from_values(const arma::SpMat<float>&, const std::string&);
extern template Dataset dataset_from_values(const arma::SpMat<double>&, const std::string&);
extern template arma::Mat<float> make_batch<float>(const Dataset&, const arma::uvec&, std::size_t,
                                                   std::size_t, Binarize, double, Rng&);
extern template arma::Mat<double> make_batch<double>(const Dataset&, const arma::uvec&,
                                                     std::size_t, std::size_t, Binarize, double,
                                                     Rng&);
extern template arma::Mat<float> make_batch<float>(const Dataset&, std::size_t, std::size_t,
                                                   Binarize, double, Rng&);
extern template arma::Mat<double> make_batch<double>(const Dataset&, std::size_t, std::size_t,
                                                     Binarize, double, Rng&);

}  // namespace rbmkit
