#pragma once
/// CSV files of numbers: the one reader (raw or gzip, header line, UTF-8 byte-order mark, CRLF)
/// and the one writer (17 significant digits, atomic) of rbmkit. Data sets (`read_csv` in
/// dataset.hpp), model parameters (model_csv.hpp) and result dumps all go through them.
#include <armadillo>
#include <cstddef>
#include <string>
#include <vector>

namespace rbmkit {

/// Reads a CSV file of numbers row by row.
///
/// The format: fields separated by commas, rows by newlines (LF or CRLF); a UTF-8 byte-order
/// mark before the first line is skipped, and so are blank lines; spaces and tabs may surround a
/// number. The first non-blank line is a header when none of its fields is a number. Every value
/// must be finite and every row must have as many fields as the first. Any failure throws
/// DataError "read_csv(path): line L...: what is wrong".
class CsvReader {
public:
  /// Reads `path` (raw or gzip-compressed) and its header line, if any; throws DataError when
  /// the file is missing, a directory, unreadable or damaged.
  explicit CsvReader(const std::string& path);
  /// Fills `row` with the next row's values (columns() of them); false at the end of the file.
  bool next(std::vector<double>& row);
  /// The header's field names, spaces trimmed; empty when the file has no header.
  const std::vector<std::string>& header() const { return header_; }
  /// Line number (from 1) in the file of the row `next` returned last; of the header before.
  std::size_t line() const { return line_; }
  /// Number of values in every row; 0 until the first row was read.
  std::size_t columns() const { return columns_; }
  /// The file being read.
  const std::string& path() const { return path_; }
  /// "read_csv(path): line L", the start of messages about the current line.
  std::string where() const;

private:
  bool next_line(std::string& line);

  std::string path_;
  std::string text_;
  std::size_t pos_ = 0;
  std::size_t line_ = 0;
  std::size_t columns_ = 0;
  std::vector<std::string> header_;
  std::string pending_;  ///< a first line that turned out to be data, not a header
  bool has_pending_ = false;
};

/// A whole CSV file of numbers (format of CsvReader) as a rows × columns matrix laid out as in
/// the file; a header line is not a row. A file with no rows gives a 0 × 0 matrix.
/// Throws DataError naming the file and line.
arma::mat read_csv_matrix(const std::string& path);

/// `x` with 17 significant digits (printf "%.17g"): reads back as the same double.
std::string format17(double x);
/// x in the fewest significant digits (%g, at most 17) that read back as the same double: how a
/// value from a file is quoted in messages (1e300, not 1.0000000000000001e+300).
std::string format_shortest(double x);

/// Writes `m` (rows × columns) to `path` atomically: one line per row, values separated by commas
/// with 17 significant digits (NaN and infinities as nan, inf, -inf, which the reader refuses);
/// a non-empty `header` goes first as a line of names. Throws OutputError naming `path`.
void write_csv_matrix(const std::string& path, const arma::mat& m,
                      const std::vector<std::string>& header = {});

}  // namespace rbmkit
