#pragma once
/// Training curves: the per-epoch log of `rbmkit train --log` (a CSV file whose header names its
/// columns; a cell is empty where a quantity was not evaluated that epoch) and its line charts.
#include <string>
#include <vector>

#include "rbmkit/plots/plot.hpp"

namespace rbmkit {

/// A training log: its column names and, for each column, one value per row (NaN where the
/// cell was empty).
struct TrainingLog {
  std::string source;                        ///< the file it came from, for messages
  std::vector<std::string> columns;
  std::vector<std::vector<double>> values;   ///< values[column][row]
};

/// Reads a training log. Throws DataError naming `path` when it is missing, a directory or
/// unreadable, has no header line or no "epoch" column, has no rows, or holds a row with
/// another number of cells than the header, or a cell that is neither empty nor a finite
/// number (naming the line and column), or an empty epoch cell.
TrainingLog read_training_log(const std::string& path);

/// One chart per quantity of `log` against its epoch column: a quantity is a column name
/// without its held-out set's prefix ("valid_", "test_"), and each set is one series of its
/// chart ("train" for the columns of the training data). The epoch, seconds and learning-rate
/// columns are not plotted, nor columns with no value; empty cells are skipped. Throws
/// DataError naming the log when nothing is left to plot.
std::vector<Plot> training_curves(const TrainingLog& log);

}  // namespace rbmkit
