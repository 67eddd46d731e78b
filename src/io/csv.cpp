#include "rbmkit/io/csv.hpp"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "io/gzip_input.hpp"
#include "rbmkit/core/error.hpp"
#include "rbmkit/io/files.hpp"

namespace rbmkit {

namespace {

bool blank(char c) { return c == ' ' || c == '\t'; }

/// One field of a line: where it starts and ends, and its value when it is a number.
struct Field {
  const char* begin = nullptr;
  const char* end = nullptr;  ///< at the ',' or '\0' that ends it
  double value = 0;
  bool number = false;
};

/// Parses the field starting at `p`, which ends at the next ',' or at the end of the line.
Field parse_field(const char* p) {
  Field f;
  f.begin = p;
  while (blank(*p)) ++p;
  char* e = nullptr;
  errno = 0;
  f.value = std::strtod(p, &e);  // overflow gives ±HUGE_VAL, refused as infinite by the caller
  const char* q = e;
  while (blank(*q)) ++q;
  f.number = e != p && (*q == ',' || *q == '\0');
  if (!f.number)
    while (*q != ',' && *q != '\0') ++q;
  f.end = q;
  return f;
}

/// The fields of `line` (never empty: an empty line is one empty field).
std::vector<Field> split(const std::string& line) {
  std::vector<Field> fields;
  const char* p = line.c_str();
  for (;;) {
    fields.push_back(parse_field(p));
    p = fields.back().end;
    if (*p == '\0') break;
    ++p;
  }
  return fields;
}

std::string trimmed(const char* b, const char* e) {
  while (b < e && blank(*b)) ++b;
  while (e > b && blank(e[-1])) --e;
  return std::string(b, e);
}

/// A line written with another separator is one field holding tabs or semicolons.
bool other_separator(const std::vector<Field>& fields) {
  return fields.size() == 1 &&
         trimmed(fields[0].begin, fields[0].end).find_first_of("\t;") != std::string::npos;
}

}  // namespace

CsvReader::CsvReader(const std::string& path)
    : path_(path), text_(detail::read_all("read_csv", path)) {
  std::string line;
  if (!next_line(line)) return;
  const std::vector<Field> fields = split(line);
  for (const Field& f : fields)
    if (f.number) {
      pending_ = std::move(line);
      has_pending_ = true;
      return;
    }
  if (other_separator(fields))
    throw DataError(where() + ": values must be separated by commas (found tabs or semicolons)");
  for (const Field& f : fields) header_.push_back(trimmed(f.begin, f.end));
}

std::string CsvReader::where() const {
  return "read_csv(" + path_ + "): line " + std::to_string(line_);
}

bool CsvReader::next_line(std::string& line) {
  while (pos_ < text_.size()) {
    std::size_t end = text_.find('\n', pos_);
    if (end == std::string::npos) end = text_.size();
    line.assign(text_, pos_, end - pos_);
    pos_ = end + 1;
    ++line_;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line_ == 1 && line.compare(0, 3, "\xEF\xBB\xBF") == 0) line.erase(0, 3);
    if (line.find_first_not_of(" \t") != std::string::npos) return true;
  }
  return false;
}

bool CsvReader::next(std::vector<double>& row) {
  std::string line;
  if (has_pending_) {
    line = std::move(pending_);
    has_pending_ = false;
  } else if (!next_line(line)) {
    return false;
  }
  const std::vector<Field> fields = split(line);
  row.clear();
  for (std::size_t k = 0; k < fields.size(); ++k) {
    const Field& f = fields[k];
    if (!f.number) {
      if (other_separator(fields))
        throw DataError(where() +
                        ": values must be separated by commas (found tabs or semicolons)");
      std::string text = trimmed(f.begin, f.end);
      if (text.size() > 40) text = text.substr(0, 37) + "...";
      throw DataError(where() + ", field " + std::to_string(k + 1) + ": '" + text +
                      "' is not a number");
    }
    if (!std::isfinite(f.value))
      throw DataError(where() + ", field " + std::to_string(k + 1) + ": NaN or infinite value");
    row.push_back(f.value);
  }
  if (columns_ == 0) columns_ = row.size();
  if (row.size() != columns_)
    throw DataError(where() + " has " + std::to_string(row.size()) + " values, expected " +
                    std::to_string(columns_));
  return true;
}

arma::mat read_csv_matrix(const std::string& path) {
  CsvReader csv(path);
  std::vector<double> values, row;
  std::size_t rows = 0;
  while (csv.next(row)) {
    values.insert(values.end(), row.begin(), row.end());
    ++rows;
  }
  // values holds the file row by row: as a columns × rows matrix, transposed.
  return rows == 0 ? arma::mat() : arma::mat(values.data(), csv.columns(), rows, false).t();
}

std::string format17(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", x);
  return buf;
}

std::string format_shortest(double x) {
  char buf[32];
  for (int digits = 1; digits < 17; ++digits) {
    std::snprintf(buf, sizeof buf, "%.*g", digits, x);
    if (std::strtod(buf, nullptr) == x) return buf;
  }
  return format17(x);
}

void write_csv_matrix(const std::string& path, const arma::mat& m,
                      const std::vector<std::string>& header) {
  write_file_atomically(path, [&](std::ostream& os) {
    for (std::size_t k = 0; k < header.size(); ++k) os << (k ? "," : "") << header[k];
    if (!header.empty()) os << '\n';
    for (arma::uword i = 0; i < m.n_rows; ++i) {
      for (arma::uword j = 0; j < m.n_cols; ++j) {
        if (j) os << ',';
        os << format17(m(i, j));
      }
      os << '\n';
    }
  });
}

}  // namespace rbmkit
