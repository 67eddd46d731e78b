#include "rbmkit/plots/training_curves.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>

#include "rbmkit/core/error.hpp"

namespace rbmkit {

namespace {

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> cells(1);
  for (char ch : line) {
    if (ch == ',')
      cells.emplace_back();
    else if (ch != '\r')
      cells.back() += ch;
  }
  for (std::string& c : cells) {
    const auto first = c.find_first_not_of(" \t");
    c = first == std::string::npos ? "" : c.substr(first, c.find_last_not_of(" \t") - first + 1);
  }
  return cells;
}

/// The set a column belongs to and the quantity it measures.
std::pair<std::string, std::string> set_and_quantity(const std::string& column) {
  for (const char* set : {"valid", "test"}) {
    const std::string prefix = std::string(set) + "_";
    if (column.compare(0, prefix.size(), prefix) == 0 && column.size() > prefix.size())
      return {set, column.substr(prefix.size())};
  }
  return {"train", column};
}

std::string readable(std::string quantity) {
  for (char& ch : quantity)
    if (ch == '_') ch = ' ';
  return quantity;
}

}  // namespace

TrainingLog read_training_log(const std::string& path) {
  const std::string who = "read_training_log(" + path + ")";
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    throw DataError(who + ": cannot open: " + std::strerror(errno));
  if (S_ISDIR(st.st_mode)) throw DataError(who + ": is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DataError(who + ": cannot open: " + std::strerror(errno));
  TrainingLog log;
  log.source = path;
  std::string line;
  std::size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") != std::string::npos) break;
  }
  if (line_no == 0 || line.find_first_not_of(" \t\r") == std::string::npos)
    throw DataError(who + ": empty file (a training log has a header line naming its columns)");
  if (line.compare(0, 3, "\xEF\xBB\xBF") == 0) line.erase(0, 3);
  log.columns = split(line);
  std::size_t epoch = log.columns.size();
  for (std::size_t k = 0; k < log.columns.size(); ++k)
    if (log.columns[k] == "epoch") epoch = k;
  if (epoch == log.columns.size())
    throw DataError(who + ": line " + std::to_string(line_no) +
                    ": no 'epoch' column in the header (not a log of rbmkit train --log?)");
  log.values.assign(log.columns.size(), {});
  while (std::getline(in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::vector<std::string> cells = split(line);
    const std::string where = who + ": line " + std::to_string(line_no);
    if (cells.size() != log.columns.size())
      throw DataError(where + ": " + std::to_string(cells.size()) + " cells, the header names " +
                      std::to_string(log.columns.size()));
    for (std::size_t k = 0; k < cells.size(); ++k) {
      double v = std::numeric_limits<double>::quiet_NaN();
      if (!cells[k].empty()) {
        char* end = nullptr;
        v = std::strtod(cells[k].c_str(), &end);
        if (*end != '\0' || !std::isfinite(v))
          throw DataError(where + ", column " + log.columns[k] + ": '" + cells[k] +
                          "' is not a finite number");
      } else if (k == epoch) {
        throw DataError(where + ": the epoch cell is empty");
      }
      log.values[k].push_back(v);
    }
  }
  if (log.values[epoch].empty()) throw DataError(who + ": no epoch rows after the header");
  return log;
}

std::vector<Plot> training_curves(const TrainingLog& log) {
  std::size_t epoch = 0;
  for (std::size_t k = 0; k < log.columns.size(); ++k)
    if (log.columns[k] == "epoch") epoch = k;
  std::vector<Plot> plots;
  std::vector<std::string> quantities;
  for (std::size_t k = 0; k < log.columns.size(); ++k) {
    const std::string& name = log.columns[k];
    if (k == epoch || name == "seconds" || name == "learning_rate") continue;
    bool any = false;
    for (double v : log.values[k]) any = any || !std::isnan(v);
    if (!any) continue;
    const auto [set, quantity] = set_and_quantity(name);
    std::size_t q = 0;
    while (q < quantities.size() && quantities[q] != quantity) ++q;
    if (q == quantities.size()) {
      quantities.push_back(quantity);
      Plot p;
      p.title = readable(quantity);
      p.x_label = "epoch";
      p.y_label = readable(quantity);
      p.width = 640;
      p.height = 400;
      plots.push_back(p);
    }
    Series s;
    s.label = set;
    s.color = palette(set == "train" ? 0 : set == "valid" ? 1 : 2);
    for (std::size_t r = 0; r < log.values[k].size(); ++r)
      if (!std::isnan(log.values[k][r])) {
        s.x.push_back(log.values[epoch][r]);
        s.y.push_back(log.values[k][r]);
      }
    plots[q].series.push_back(s);
  }
  if (plots.empty())
    throw DataError("training_curves(" + log.source + "): no column with values to plot " +
                    "(only epoch, seconds and learning_rate, or empty columns)");
  return plots;
}

}  // namespace rbmkit
