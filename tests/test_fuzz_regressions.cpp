#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>

#include "checkpoint_data.hpp"
#include "model_input.hpp"
#include "rbmkit/core/error.hpp"
#include "rbmkit/training/engine.hpp"
#include "targets.hpp"

using namespace rbmkit;

namespace {

const std::string fuzz_data = std::string(RBMKIT_TEST_DATA) + "/fuzz";

std::string bytes_of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

const std::uint8_t* as_bytes(const std::string& s) {
  return reinterpret_cast<const std::uint8_t*>(s.data());
}

/// The targets write each input to $TMPDIR/rbmkit-fuzz-<pid>.* (fuzz_input.hpp): in a test, a
/// private directory that is removed afterwards, so no run leaves files behind.
struct PrivateTmpdir {
  std::filesystem::path dir;
  std::string saved;
  bool had = false;
  PrivateTmpdir() {
    dir = std::filesystem::temp_directory_path() /
          ("rbmkit-fuzz-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    if (const char* t = std::getenv("TMPDIR")) {
      had = true;
      saved = t;
    }
    ::setenv("TMPDIR", dir.c_str(), 1);
  }
  ~PrivateTmpdir() {
    if (had)
      ::setenv("TMPDIR", saved.c_str(), 1);
    else
      ::unsetenv("TMPDIR");
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

}  // namespace

TEST_SUITE("fuzz") {
  TEST_CASE("every input that once failed a fuzz target now passes its checks") {
    const PrivateTmpdir tmp;
    // tests/data/fuzz/<target>/<name>: what libFuzzer saved when the target crashed or a check
    // of the target failed (scripts/fuzz, docs/robustness.md). A failure here aborts the run.
    using Target = void (*)(const std::uint8_t*, std::size_t);
    const std::map<std::string, Target> targets = {
        {"idx", fuzz::run_idx},     {"idx_gzip", fuzz::run_idx_gzip}, {"labels", fuzz::run_labels},
        {"csv", fuzz::run_csv},     {"model", fuzz::run_model},       {"checkpoint", fuzz::run_checkpoint}};
    std::size_t replayed = 0;
    for (const auto& dir : std::filesystem::directory_iterator(fuzz_data)) {
      const std::string target = dir.path().filename().string();
      REQUIRE_MESSAGE(targets.count(target) == 1, "no fuzz target " << target);
      for (const auto& file : std::filesystem::directory_iterator(dir.path())) {
        CAPTURE(file.path().string());
        const std::string input = bytes_of(file.path().string());
        targets.at(target)(as_bytes(input), input.size());
        ++replayed;
      }
    }
    CHECK(replayed > 0);
  }

  TEST_CASE("a checkpoint whose training state holds NaN is refused as a damaged model file") {
    const PrivateTmpdir tmp;
    // Found by the checkpoint target: a state array (here a Boltzmann machine's parameters
    // behind the averaged ones) with a NaN was loaded, and the run failed later as if training
    // had diverged. The state is now checked as it is read.
    const std::string input = bytes_of(fuzz_data + "/checkpoint/nan-training-state");
    const std::string path = fuzz::as_model_file(as_bytes(input), input.size());
    const ModelFile f = read_model_file(path);
    REQUIRE(f.kind == MachineKind::bm);
    REQUIRE(f.element_type == ElementType::float32);
    const Dataset data = fuzz::checkpoint_data();
    CHECK_THROWS_WITH_AS(Trainer<BmStep<float>>(f, path, data),
                         doctest::Contains("contains NaN or infinity"), ModelError);
  }

  TEST_CASE("an empty array in a model file reads as an empty matrix without touching memory") {
    const PrivateTmpdir tmp;
    // Found by the model target under UndefinedBehaviorSanitizer: copying the 0 bytes of an
    // empty array passed a null pointer to memcpy (undefined behaviour even for 0 bytes). The
    // machine it belongs to is refused for its shapes.
    const std::string input = bytes_of(fuzz_data + "/model/empty-array");
    const std::string path = fuzz::as_model_file(as_bytes(input), input.size());
    const ModelFile f = read_model_file(path);
    bool has_empty = false;
    for (const NamedArray& a : f.arrays) has_empty |= a.bytes.empty();
    REQUIRE(has_empty);
    for (const NamedArray& a : f.arrays)
      if (a.bytes.empty()) CHECK(f.get<float>(a.name, path).n_elem == 0);
    CHECK_THROWS_WITH_AS(bm_from_file<float>(f, path), doctest::Contains("shapes disagree"),
                         ModelError);
  }
}
