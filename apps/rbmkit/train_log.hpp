#pragma once
// The --log file of rbmkit train: one CSV row per epoch. It grows as FILE.partial and replaces
// FILE only when the run completes, so a failed or interrupted run never replaces a log; a
// resumed run continues the partial log of the run it resumes. A FILE that is a device or FIFO
// (e.g. /dev/null) has no FILE.partial: the log is written to it once, when the run completes.
#include <cstddef>
#include <string>
#include <vector>

#include "rbmkit/training/run.hpp"

namespace rbmkit::cli {

class TrainLog {
public:
  /// A log at `path` ("" = no log) with the columns of `config` and `options`.
  TrainLog(std::string path, const TrainConfig& config, const RunOptions& options);
  /// Keeps the rows of epochs 1..`epochs` of the log being resumed (FILE.partial, else FILE)
  /// when its header is this log's.
  void continue_after(std::size_t epochs);
  /// Appends the row of one epoch and rewrites FILE.partial atomically.
  void add(const EpochReport& report);
  /// Moves FILE.partial to FILE; throws OutputError naming FILE when it cannot.
  void commit();

private:
  std::string path_;
  std::vector<std::string> columns_;
  std::string header_;
  std::string text_;
  bool in_place_ = false;  // FILE is a device or FIFO: no FILE.partial
  bool partial_written_ = false;  // add() wrote FILE.partial in this run
};

}  // namespace rbmkit::cli
