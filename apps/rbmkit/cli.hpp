#pragma once
// Shared pieces of the rbmkit program: exit codes, option parsing helpers, progress display.
#include <boost/program_options.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "rbmkit/core/enum_names.hpp"
#include "rbmkit/core/error.hpp"
#include "rbmkit/io/csv.hpp"  // format17

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

/// Parses `args` against `desc`; returns false (after printing help) when --help was given.
bool parse(const std::string& command, const std::string& synopsis, po::options_description& desc,
           const std::vector<std::string>& args, po::variables_map& vm);

/// An integer option that must be >= min; throws UsageError naming it.
std::size_t get_count(const po::variables_map& vm, const std::string& name, long long min);
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

// Subcommands.
int cmd_train(const std::vector<std::string>& args);
int cmd_eval(const std::vector<std::string>& args);
int cmd_export(const std::vector<std::string>& args);
int cmd_info(const std::vector<std::string>& args);
int cmd_estimators(const std::vector<std::string>& args);
int cmd_equiv(const std::vector<std::string>& args);
int cmd_import(const std::vector<std::string>& args);

}  // namespace rbmkit::cli
