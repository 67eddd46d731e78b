#include "cli.hpp"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <sstream>

namespace rbmkit::cli {

bool parse(const std::string& command, const std::string& synopsis, po::options_description& desc,
           const std::vector<std::string>& args, po::variables_map& vm) {
  desc.add_options()("help,h", "show this help");
  try {
    po::store(po::command_line_parser(args).options(desc).run(), vm);
    if (vm.count("help")) {
      std::cout << "usage: rbmkit " << command << " " << synopsis << "\n\n" << desc << "\n";
      return false;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    throw UsageError(e.what());
  }
  return true;
}

std::size_t get_count(const po::variables_map& vm, const std::string& name, long long min,
                      long long max) {
  const long long v = vm[name].as<long long>();
  if (v < min)
    throw UsageError("--" + name + ": must be at least " + std::to_string(min) + ", got " +
                     std::to_string(v));
  if (v > max)
    throw UsageError("--" + name + ": at most " + std::to_string(max) + ", got " +
                     std::to_string(v));
  return std::size_t(v);
}

std::uint64_t get_seed(const po::variables_map& vm, const std::string& name) {
  return std::uint64_t(get_count(vm, name, 0));
}

int get_threads(const po::variables_map& vm) {
  const std::size_t n = get_count(vm, "threads", 0);
  if (n > 1024) throw UsageError("--threads: at most 1024, got " + std::to_string(n));
  return int(n);
}

double get_number(const po::variables_map& vm, const std::string& name) {
  const double v = vm[name].as<double>();
  if (!std::isfinite(v)) throw UsageError("--" + name + ": must be a finite number");
  return v;
}

std::string default_text(double v) {
  char buf[32];
  for (int digits = 1; digits <= 17; ++digits) {
    std::snprintf(buf, sizeof buf, "%.*g", digits, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

void add_data_options(po::options_description& desc) {
  desc.add_options()
      ("scale", defaulted("auto"),
       "CSV data: auto | unit (values in [0,1]; others clipped) | byte (0..255, divided by 255) | "
       "max (divided by the file's largest value) | standardize (real values as they are, for "
       "Gaussian visible units, which standardise them); auto takes [0,1] or 0..255 integers "
       "and refuses anything else")
      ("label-column", po::value<long long>(),
       "CSV data: column K (counted from 1) holds a label, not a visible unit");
}

DataOptions data_options(const po::variables_map& vm, const std::string& stored_scale) {
  DataOptions o;
  const bool given = vm.count("scale") && !vm["scale"].defaulted();
  if (given || stored_scale.empty())
    o.scale = get_enum<DataScale>(vm, "scale");
  else
    o.scale = from_string<DataScale>(stored_scale);
  if (vm.count("label-column")) {
    const long long k = vm["label-column"].as<long long>();
    if (k < 1)
      throw UsageError("--label-column: columns are counted from 1, got " + std::to_string(k));
    o.label_column = std::size_t(k);
  }
  return o;
}

void report_data(const std::string& command, const Dataset& data, Binarize mode, double threshold) {
  const DataSummary s = summarize(data, mode, threshold);
  std::ostringstream line;
  line << "rbmkit " << command << ": read " << data.source << ": " << s.examples << " examples of "
       << "dimension " << s.dim;
  if (!data.labels.empty()) line << " with labels";
  line << ", scale " << to_string(data.scale);
  if (data.scale == DataScale::unit)
    line << " (values in [0,1]";
  else if (data.scale == DataScale::standardize)
    line << " (values as they are, standardised per dimension by the model";
  else
    line << " (values / " << default_text(data.divisor);
  if (data.clipped)
    line << "; " << data.clipped << (data.clipped == 1 ? " value" : " values") << " clipped into [0,1]";
  line << ")";
  char pct[32];
  std::snprintf(pct, sizeof pct, "%.1f%%", 100.0 * s.fraction_on);
  if (mode == Binarize::threshold)
    line << "; " << pct << " of bits on after binarization at threshold " << default_text(threshold);
  else if (mode == Binarize::stochastic)
    line << "; " << pct << " of bits on (expected) after stochastic binarization";
  else
    line << "; not binarized";
  std::cerr << line.str() << "\n";
  if (s.all_zero)
    std::cerr << "rbmkit " << command << ": warning: every example of " << data.source
              << " binarizes to all zeros"
              << (mode == Binarize::threshold
                      ? " (no value above the threshold " + default_text(threshold) + ")"
                      : std::string())
              << "; check --scale" << (mode == Binarize::threshold ? " and --threshold" : "")
              << "\n";
}

namespace {
double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
}  // namespace

bool Progress::terminal() { return ::isatty(STDERR_FILENO) == 1; }

Progress::Progress(std::string label) : label_(std::move(label)), start_(now()), active_(terminal()) {}

void Progress::update(std::size_t done, std::size_t total) {
  if (!active_ || total == 0) return;
  const std::size_t percent = done * 100 / total;
  if (percent == last_percent_) return;
  last_percent_ = percent;
  const double elapsed = now() - start_;
  const double eta = done ? elapsed * double(total - done) / double(done) : 0.0;
  const int width = 30;
  const int filled = int(width * done / total);
  std::fprintf(stderr, "\r%s [%s%s] %3zu%% ETA %5.0fs", label_.c_str(),
               std::string(filled, '#').c_str(), std::string(width - filled, ' ').c_str(),
               percent, eta);
  std::fflush(stderr);
}

void Progress::finish() {
  if (!active_) return;
  std::fprintf(stderr, "\r%*s\r", int(label_.size() + 50), "");
  std::fflush(stderr);
}

ProgressFn StageProgress::callback() {
  if (!Progress::terminal()) return {};
  return [this](const char* stage, std::size_t done, std::size_t total) {
    if (!bar_ || stage_ != stage) {
      if (bar_) bar_->finish();
      stage_ = stage;
      bar_ = std::make_unique<Progress>(stage_);
    }
    bar_->update(done, total);
  };
}

void StageProgress::finish() {
  if (bar_) bar_->finish();
  bar_.reset();
  stage_.clear();
}

}  // namespace rbmkit::cli
