#pragma once
/// Data sets: IDX (raw or .gz) and CSV readers, kept compact as bytes, converted per minibatch.
#include <algorithm>
#include <armadillo>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "rbmkit/core/enum_names.hpp"
#include "rbmkit/core/random.hpp"
#include "rbmkit/models/units.hpp"

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

/// How the numbers of a CSV data file become values in [0,1].
enum class DataScale {
  automatic,  ///< [0,1] when every value is; 0–255 bytes when every value is an integer in
              ///< 0..255 and the largest is at least 128; anything else is refused
  unit,       ///< values are in [0,1] already; values outside are clipped into it (and counted)
  byte,       ///< values are 0..255: divided by 255
  max,        ///< values are 0..M, M the file's largest value: divided by M (e.g. 0–16 digits)
  /// real values as they are (any finite number, nothing clipped), for models with Gaussian
  /// visible units, which standardise them per dimension (Dataset::standardization)
  standardize
};

/// Names "auto", "unit", "byte" and "max" (`to_string`, `from_string<DataScale>`).
template <>
struct EnumNames<DataScale> {
  static constexpr const char* type = "DataScale";
  static constexpr std::pair<DataScale, const char*> names[] = {{DataScale::automatic, "auto"},
                                                                {DataScale::unit, "unit"},
                                                                {DataScale::byte, "byte"},
                                                                {DataScale::max, "max"},
                                                                {DataScale::standardize,
                                                                 "standardize"}};
};

/// How to read a data file (`load_dataset`, `read_csv`). Both fields apply to CSV files only.
struct DataOptions {
  DataScale scale = DataScale::automatic;  ///< how the numbers map to [0,1]
  /// The CSV column (counted from 1, as cut and awk count) holding each example's label; it is
  /// dropped from the examples and kept in Dataset::labels. 0 = no label column.
  std::size_t label_column = 0;
};

/// A data set held compactly, one column per example, in one of two stores: bytes (IDX files
/// and CSV files of integers 0..255, byte b meaning b/255) or floats (every other CSV file and
/// values from memory: each value x/divisor at float precision, never rounded to steps of 1/255).
struct Dataset {
  /// Byte data (is_bytes()): dim() x size(), column-major, one column per example; else empty.
  arma::Mat<std::uint8_t> pixels;
  /// Float data (!is_bytes()): dim() x size(), column-major, one column per example; else empty.
  arma::Mat<float> values;
  /// True when the examples are in `values` (floats), false when in `pixels` (bytes).
  bool float_values = false;
  std::string source;              ///< the file it came from, for messages
  arma::vec labels;                ///< size() labels when read with a label column, else empty
  /// How the file's numbers were mapped (never DataScale::automatic): a number x is held as
  /// x / divisor (bytes: as round(255 · x / divisor), which is x itself for byte data).
  DataScale scale = DataScale::byte;
  double divisor = 255;            ///< see `scale`: 1 for unit, 255 for byte, M for max
  std::size_t clipped = 0;         ///< values clipped into [0,1] (DataScale::unit only)
  DataOptions read_with;           ///< the options it was read with (to read it again on resume)
  /// The shape of one example as its IDX header gives it (e.g. {28, 28}: rows, columns; the
  /// column holds it row-major); empty for CSV data, which has none.
  std::vector<std::size_t> shape;
  /// Applied by make_batch (Binarize::none only) and marginals(Binarize::none): each value x of
  /// dimension i becomes (x − mean_i) / sd_i. Empty (the default): values as they are.
  Standardization standardization;

  bool is_bytes() const { return !float_values; }
  std::size_t dim() const { return float_values ? values.n_rows : pixels.n_rows; }
  std::size_t size() const { return float_values ? values.n_cols : pixels.n_cols; }
  /// Value of dimension i of example j (bytes as b/255).
  double value(std::size_t i, std::size_t j) const {
    return float_values ? double(values(i, j)) : pixels(i, j) / 255.0;
  }
  /// The examples `first .. first+count)` as a data set of the same store and scale (a copy of
  /// those columns only; no labels). See view() for the same without a copy.
  Dataset columns(std::size_t first, std::size_t count, const std::string& new_source) const;
  /// The examples `first .. first+count)` as columns() gives them, but without a copy: the
  /// store of the result aliases this data set's memory (its pointer is this store's column
  /// `first`), so it must not outlive this data set, nor this one be resized while it lives.
  /// Copying the result copies the examples; moving it keeps the alias. The training engine
  /// splits its data into training and held-out parts this way, so the data are held once.
  /// Throws InvalidArgument when `first + count` exceeds size().
  Dataset view(std::size_t first, std::size_t count, const std::string& new_source) const;
  /// Mean of every input dimension (after binarization by `threshold` when
  /// `mode == Binarize::threshold`), for bias initialisation and base-rate models.
  arma::vec marginals(Binarize mode = Binarize::threshold, double threshold = 0.5) const;
};

/// True when value `x` of `data` is on at `threshold` (Binarize::threshold): bytes when
/// b > 255·threshold, floats when x > threshold compared at float precision (so a value read
/// as 0.1 is not above a threshold of 0.1).
inline bool above_threshold(float x, double threshold) { return x > float(threshold); }

/// The same test for bytes in integers: byte b is above `cut` (255·threshold) exactly when
/// int(b) > byte_cut(cut), ⌊cut⌋ clamped to [−1, 255] (255 for a NaN cut: no byte is above it).
/// One integer comparison per byte, which vectorises.
inline int byte_cut(double cut) {
  return std::isnan(cut) ? 255 : int(std::floor(std::clamp(cut, -1.0, 255.0)));
}

/// The per-dimension mean and standard deviation (population, 1/N) of the values of `data`
/// (bytes as b/255), accumulated in double; a dimension whose deviation is below 1e-12 of its
/// scale (a constant) gets sd 1. Throws DataError naming the source for an empty data set.
Standardization standardization_of(const Dataset& data);
/// A view of `data` with `standardization` set: its arrays alias data's memory (no copy), so the
/// view must not outlive `data`.
Dataset standardized_view(const Dataset& data, const Standardization& standardization);

/// Reads an IDX file of unsigned bytes (images idx3 or any idxN with N >= 2), raw or gzip.
/// Examples are the first dimension; the rest are flattened row-major into one column.
Dataset read_idx(const std::string& path);
/// The shape of one example of the IDX file at `path` (its dimensions after the first), read
/// from the header alone; throws DataError naming `path` as read_idx does.
std::vector<std::size_t> read_idx_shape(const std::string& path);
/// Reads an IDX label file (idx1 of unsigned bytes), raw or gzip.
arma::Col<std::uint8_t> read_idx_labels(const std::string& path);
/// Reads a CSV file (the format of CsvReader in csv.hpp: raw or gzip, optional header line):
/// one example per row, its numbers mapped to [0,1] by `options.scale` (see DataScale); a file
/// of integers read on the byte scale is held as bytes, any other as floats (Dataset); with `options.label_column` that column is the example's label
/// (any finite number) instead. Throws DataError naming file and line: a value no scale fits
/// (negative, above 255, a fraction above 1, integers whose largest value is below 128 under
/// DataScale::automatic: the first offending value's line), a negative value under
/// DataScale::byte or max, a value above 255 under byte; a label column beyond the row, or a
/// row of nothing but the label.
Dataset read_csv(const std::string& path, const DataOptions& options = {});
/// Reads `path` as CSV when its name ends in .csv or .csv.gz, as IDX otherwise. IDX files hold
/// bytes: `options` must be the default, or DataScale::byte; anything else throws
/// InvalidArgument naming "DataOptions::scale" or "DataOptions::label_column" and the file.
Dataset load_dataset(const std::string& path, const DataOptions& options = {});
/// True when `path` names a CSV file (.csv, .CSV or .csv.gz), the rule of load_dataset.
bool is_csv_path(const std::string& path);

/// Reads the labels of a data set: an IDX label file (idx1, read_idx_labels) or a CSV file of
/// one number per row (an optional header line). Throws DataError naming `path` when it cannot
/// be read, or when it holds a number of labels other than `examples` ("N labels for M
/// examples").
arma::vec read_labels(const std::string& path, std::size_t examples);

/// What a data set holds once binarized: the numbers of the line the program prints on reading it.
struct DataSummary {
  std::size_t examples = 0;  ///< Dataset::size()
  std::size_t dim = 0;       ///< Dataset::dim()
  /// Share of bits on after binarization, in [0,1]: for Binarize::threshold the share of values
  /// above the threshold; for Binarize::stochastic the expected share (the mean value); NaN for
  /// Binarize::none (no bits).
  double fraction_on = 0;
  /// Every example binarizes to all zeros (Binarize::none: every value is 0).
  bool all_zero = false;
};

/// Summarizes `data` as binarized by `mode` (and `threshold`, for Binarize::threshold).
DataSummary summarize(const Dataset& data, Binarize mode, double threshold);

/// A data set of values held in memory, one example per column (a C-ordered examples × dim
/// array seen column-major is this layout). When every value is exactly b/255 for a byte b (as
/// T(b) / T(255) computes it: images read as bytes and divided by 255) the data are held as those
/// bytes, as their IDX file would be; otherwise as floats: values in [0,1] as they are (at float
/// precision, never rounded to steps of 1/255), values below 0 as 0 and above 1 as 1. Throws DataError naming `source` for a NaN.
template <class T>
Dataset dataset_from_values(const arma::Mat<T>& values, const std::string& source);
/// The same from a sparse matrix, dim × examples, absent entries 0 (a CSR examples × dim matrix
/// seen as CSC is this layout).
template <class T>
Dataset dataset_from_values(const arma::SpMat<T>& values, const std::string& source);

/// Real values held in memory (dim × examples, as dataset_from_values), for Gaussian visible
/// units: held as floats as they are (DataScale::standardize: nothing clipped). Throws DataError
/// naming `source` for a NaN or infinite value.
template <class T>
Dataset dataset_from_real_values(const arma::Mat<T>& values, const std::string& source);
extern template Dataset dataset_from_real_values(const arma::Mat<float>&, const std::string&);
extern template Dataset dataset_from_real_values(const arma::Mat<double>&, const std::string&);

/// The Fashion-MNIST training images installed by Debian's dataset-fashion-mnist package.
std::string default_train_images();
/// The Fashion-MNIST test images installed by Debian's dataset-fashion-mnist package.
std::string default_test_images();

/// Converts the examples `index[first .. first+count)` of `data` into a dim() x count matrix
/// of visible states in T. Only `Binarize::stochastic` draws from `rng`. With a
/// Dataset::standardization the values are standardised (computed in double); that needs
/// Binarize::none (else InvalidArgument).
template <class T>
arma::Mat<T> make_batch(const Dataset& data, const arma::uvec& index, std::size_t first,
                        std::size_t count, Binarize mode, double threshold, Rng& rng);
/// make_batch into `out` (set to dim() x count, its memory reused when it already holds that
/// many values): a caller that draws minibatches repeatedly, such as Trainer::run, allocates
/// nothing per minibatch.
template <class T>
void make_batch_into(const Dataset& data, const arma::uvec& index, std::size_t first,
                     std::size_t count, Binarize mode, double threshold, Rng& rng,
                     arma::Mat<T>& out);
/// The whole data set as a matrix (for small sets and evaluation in chunks).
template <class T>
arma::Mat<T> make_batch(const Dataset& data, std::size_t first, std::size_t count, Binarize mode,
                        double threshold, Rng& rng);

extern template Dataset dataset_from_values(const arma::Mat<float>&, const std::string&);
extern template Dataset dataset_from_values(const arma::Mat<double>&, const std::string&);
extern template Dataset dataset_from_values(const arma::SpMat<float>&, const std::string&);
extern template Dataset dataset_from_values(const arma::SpMat<double>&, const std::string&);
extern template void make_batch_into(const Dataset&, const arma::uvec&, std::size_t,
                                     std::size_t, Binarize, double, Rng&, arma::Mat<float>&);
extern template void make_batch_into(const Dataset&, const arma::uvec&, std::size_t,
                                     std::size_t, Binarize, double, Rng&, arma::Mat<double>&);
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
