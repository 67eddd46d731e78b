#pragma once
// Shared pieces of the rbmkit program: exit codes, option parsing helpers, progress display.
#include <boost/program_options.hpp>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "rbmkit/core/enum_names.hpp"
#include "rbmkit/core/error.hpp"
#include "rbmkit/core/progress.hpp"
#include "rbmkit/io/csv.hpp"  // format17
#include "rbmkit/io/dataset.hpp"

namespace rbmkit::cli {

namespace po = boost::program_options;

/// Documented exit codes (docs/cli.md).
enum Exit : int {
  ok = 0,
  internal_error = 1,  ///< a bug or an unexpected system failure
  usage_error = 2,     ///< unknown subcommand or option, invalid option value
  data_error = 3,      ///< input data missing, unreadable or malformed
  model_error = 4,     ///< model file missing, damaged or of the wrong kind
  output_error = 5,    ///< an output file or directory could not be written
  check_failed = 6,    ///< a check the command performs (e.g. equiv) did not hold
  numerical_error = 7  ///< training diverged: parameters became NaN or infinite
};

/// Thrown for command-line mistakes found by the program itself.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// The text --help shows for a default value: the number as typed (0.1, 1e-4 as 0.0001, never
/// 0.10000000000000001): the shortest form that reads back as the same double.
std::string default_text(double v);
inline std::string default_text(long long v) { return std::to_string(v); }
inline std::string default_text(const std::string& v) { return v; }

/// The one way options get a default: po::value<T>() with default `v`, shown by default_text.
template <class T>
po::typed_value<T>* defaulted(const T& v) {
  return po::value<T>()->default_value(v, default_text(v));
}
inline po::typed_value<std::string>* defaulted(const char* v) { return defaulted(std::string(v)); }

/// Adds --scale and --label-column (how CSV data is read) to `desc`.
void add_data_options(po::options_description& desc);
/// DataOptions from --scale and --label-column (added by add_data_options); throws UsageError
/// naming the option for an unknown scale or a label column of 0. A --scale not given takes
/// `stored_scale` (e.g. the scale a model was trained with) when that is not empty.
DataOptions data_options(const po::variables_map& vm, const std::string& stored_scale = "");
/// Prints the line "rbmkit COMMAND: read FILE: N examples of dimension D, scale ...; P% of bits
/// on after binarization ..." on stderr, and a warning line when every example binarizes to zero.
void report_data(const std::string& command, const Dataset& data, Binarize mode, double threshold);

/// Parses `args` against `desc`; returns false (after printing help) when --help was given.
bool parse(const std::string& command, const std::string& synopsis, po::options_description& desc,
           const std::vector<std::string>& args, po::variables_map& vm);

/// An integer option that must be >= min; throws UsageError naming it.
std::size_t get_count(const po::variables_map& vm, const std::string& name, long long min,
                      long long max = std::numeric_limits<long long>::max());
/// A seed option (declared as long long): refuses negative values instead of wrapping them.
std::uint64_t get_seed(const po::variables_map& vm, const std::string& name = "seed");
/// The --threads option: 0 (all cores) to 1024.
int get_threads(const po::variables_map& vm);
/// A finite number option; throws UsageError naming it when NaN or infinite.
double get_number(const po::variables_map& vm, const std::string& name);
/// A string option naming a value of enum E (the names of EnumNames<E>); throws UsageError
/// "--option: expected a, b or c, got 'text'".
template <class E>
E get_enum(const po::variables_map& vm, const std::string& option) {
  const std::string text = vm[option].as<std::string>();
  try {
    return from_string<E>(text);
  } catch (const InvalidArgument&) {
    throw UsageError("--" + option + ": expected " + enum_choices<E>() + ", got '" + text + "'");
  }
}

/// Shows progress of a long loop: a bar with ETA when stderr is a terminal, nothing otherwise.
class Progress {
public:
  explicit Progress(std::string label);
  void update(std::size_t done, std::size_t total);
  void finish();
  static bool terminal();

private:
  std::string label_;
  double start_;
  bool active_;
  std::size_t last_percent_ = 101;
};

/// Shows a library computation's progress (ProgressFn: stage, steps done, total) on stderr as
/// one updating line per stage, when stderr is a terminal; nothing otherwise.
class StageProgress {
public:
  /// The function to hand to the library; empty (never called) when stderr is not a terminal.
  ProgressFn callback();
  /// Clears the line; call before printing anything else on stderr.
  void finish();

private:
  std::string stage_;
  std::unique_ptr<Progress> bar_;
};

// Subcommands.
int cmd_train(const std::vector<std::string>& args);
int cmd_eval(const std::vector<std::string>& args);
int cmd_export(const std::vector<std::string>& args);
int cmd_info(const std::vector<std::string>& args);
int cmd_estimators(const std::vector<std::string>& args);
int cmd_equiv(const std::vector<std::string>& args);
int cmd_import(const std::vector<std::string>& args);
int cmd_transform(const std::vector<std::string>& args);
int cmd_plot(const std::vector<std::string>& args);
int cmd_filters(const std::vector<std::string>& args);
int cmd_sample(const std::vector<std::string>& args);

}  // namespace rbmkit::cli
