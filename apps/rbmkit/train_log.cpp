#include "train_log.hpp"

#include <cerrno>
#include <cmath>
#include <cstring>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <sys/stat.h>

#include "cli.hpp"
#include "rbmkit/core/error.hpp"
#include "rbmkit/io/files.hpp"

namespace rbmkit::cli {

TrainLog::TrainLog(std::string path, const TrainConfig& config, const RunOptions& options)
    : path_(std::move(path)) {
  if (path_.empty()) return;
  check_output_path(path_);
  struct stat st {};
  in_place_ = ::stat(path_.c_str(), &st) == 0 && !S_ISREG(st.st_mode);
  // epoch, seconds, the step's error, training-data monitors, the learning rate, held-out
  // monitors (the column order of earlier versions).
  columns_ = {"epoch", "seconds",
              config.machine == MachineKind::bm ? "conditional_error" : "reconstruction_error"};
  bool lr_placed = false;
  for (const std::string& name : monitor_names(config, options)) {
    if (!lr_placed && name != "pseudo_log_likelihood") {
      columns_.push_back("learning_rate");
      lr_placed = true;
    }
    columns_.push_back(name);
  }
  if (!lr_placed) columns_.push_back("learning_rate");
  for (std::size_t k = 0; k < columns_.size(); ++k) header_ += (k ? "," : "") + columns_[k];
  header_ += "\n";
  text_ = header_;
}

void TrainLog::continue_after(std::size_t epochs) {
  if (path_.empty()) return;
  for (const std::string& file : {path_ + ".partial", path_}) {
    std::ifstream in(file);
    std::string line;
    if (!in || !std::getline(in, line)) continue;
    if (line + "\n" != header_) {
      std::cerr << "rbmkit train: " << file << " has other columns (other monitoring options); "
                << "the log starts again\n";
      return;
    }
    std::string kept = header_;
    while (std::getline(in, line)) {
      const std::size_t epoch = std::strtoull(line.c_str(), nullptr, 10);
      if (epoch >= 1 && epoch <= epochs) kept += line + "\n";
    }
    text_ = kept;
    return;
  }
}

void TrainLog::add(const EpochReport& r) {
  if (path_.empty()) return;
  std::map<std::string, double> value = {{"epoch", double(r.epoch)},
                                         {"seconds", r.seconds},
                                         {r.error_name, r.error},
                                         {"learning_rate", r.learning_rate}};
  for (const auto& [name, v] : r.values) value[name] = v;
  std::ostringstream row;
  for (std::size_t k = 0; k < columns_.size(); ++k) {
    const std::string& name = columns_[k];
    const double v = value.count(name) ? value[name] : std::nan("");
    if (k) row << ",";
    if (name == "epoch")
      row << r.epoch;
    else if (!std::isnan(v) || name == "pseudo_log_likelihood")  // empty: not evaluated
      row << format17(v);
  }
  text_ += row.str() + "\n";
  if (!in_place_) {
    write_file_atomically(path_ + ".partial", [&](std::ostream& os) { os << text_; });
    partial_written_ = true;
  }
}

void TrainLog::commit() {
  if (path_.empty()) return;
  // In place, or no epoch ran (a resumed run that was already complete): the whole text.
  if (in_place_ || !partial_written_) {
    write_file_atomically(path_, [&](std::ostream& os) { os << text_; });
    return;
  }
  if (std::rename((path_ + ".partial").c_str(), path_.c_str()) != 0)
    throw OutputError(path_ + ": cannot rename " + path_ + ".partial into place: " +
                      std::strerror(errno));
}

}  // namespace rbmkit::cli
