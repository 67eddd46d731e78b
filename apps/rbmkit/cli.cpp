#include "cli.hpp"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
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

std::size_t get_count(const po::variables_map& vm, const std::string& name, long long min) {
  const long long v = vm[name].as<long long>();
  if (v < min)
    throw UsageError("--" + name + ": must be at least " + std::to_string(min) + ", got " +
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

}  // namespace rbmkit::cli
