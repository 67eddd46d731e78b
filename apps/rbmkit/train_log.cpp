#include "train_log.hpp"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "cli.hpp"
#include "rbmkit/core/error.hpp"
#include "rbmkit/io/files.hpp"
#include "rbmkit/io/model_file.hpp"

namespace rbmkit::cli {

TrainLog::TrainLog(std::string path, const TrainConfig& config, const RunOptions& options)
    : path_(std::move(path)) {
  if (path_.empty()) return;
  check_output_path(path_);
  header_ = std::string("epoch,seconds,") +
            (config.machine == MachineKind::bm ? "conditional_error" : "reconstruction_error") +
            "";
  // Training-data monitors, the learning rate, then held-out monitors.
  bool lr_written = false;
  for (const std::string& name : monitor_names(config, options)) {
    if (!lr_written && name != "pseudo_log_likelihood") {
      header_ += ",learning_rate";
      lr_written = true;
    }
    header_ += "," + name;
  }
  if (!lr_written) header_ += ",learning_rate";
  header_ += "\n";
  text_ = header_;
}

void TrainLog::continue_after(std::size_t epochs) {
  if (path_.empty()) return;
  for (const std::string& file : {path_ + ".partial", path_}) {
    std::ifstream in(file);
    std::string line;
    if (!in || !std::getline(in, line) || line + "\n" != header_) continue;
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
  std::ostringstream row;
  row << r.epoch << "," << format17(r.seconds) << "," << format17(r.error);
  bool lr_written = false;
  for (const auto& value : r.values) {
    if (!lr_written && value.first != "pseudo_log_likelihood") {
      row << "," << format17(r.learning_rate);
      lr_written = true;
    }
    row << ",";
    if (!std::isnan(value.second) || value.first == "pseudo_log_likelihood")
      row << format17(value.second);
  }
  if (!lr_written) row << "," << format17(r.learning_rate);
  text_ += row.str() + "\n";
  write_file_atomically(path_ + ".partial", [&](std::ostream& os) { os << text_; });
}

void TrainLog::commit() {
  if (path_.empty()) return;
  if (std::rename((path_ + ".partial").c_str(), path_.c_str()) != 0)
    throw OutputError(path_ + ": cannot rename " + path_ + ".partial into place");
}

}  // namespace rbmkit::cli
