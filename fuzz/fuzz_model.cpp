// libFuzzer target: a model file (checksum recomputed, model_input.hpp) read and turned into an
// RBM or a Boltzmann machine in float and double, and its stored configuration parsed. Only
// rbmkit::Error may come out; a model that loads has finite parameters and is written again.
#include <cstdlib>

#include "model_input.hpp"
#include "targets.hpp"
#include "rbmkit/core/error.hpp"
#include "rbmkit/io/model_file.hpp"
#include "rbmkit/training/config.hpp"

namespace {

template <class T>
void load(const rbmkit::ModelFile& f, const std::string& path) {
  try {
    if (f.kind == rbmkit::MachineKind::rbm) {
      const rbmkit::Rbm<T> rbm = rbmkit::rbm_from_file<T>(f, path);
      if (!rbm.W().is_finite() || !rbm.b().is_finite() || !rbm.c().is_finite()) std::abort();
    } else {
      const rbmkit::BoltzmannMachine<T> bm = rbmkit::bm_from_file<T>(f, path);
      if (!bm.W().is_finite() || !bm.bias().is_finite()) std::abort();
    }
  } catch (const rbmkit::Error&) {
  }
}

}  // namespace

void rbmkit::fuzz::run_model(const std::uint8_t* data, std::size_t size) {
  std::string path;
  const std::optional<rbmkit::ModelFile> file = rbmkit::fuzz::read_model_input(data, size, path);
  if (!file) return;
  const rbmkit::ModelFile& f = *file;
  load<float>(f, path);
  load<double>(f, path);
  try {
    rbmkit::TrainConfig::from_file(f, path);
  } catch (const rbmkit::Error&) {
  }
  try {
    rbmkit::write_model_file(path, f);  // what was read can be written again
  } catch (const rbmkit::Error&) {
  }
}

#ifndef RBMKIT_FUZZ_NO_ENTRY
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  rbmkit::fuzz::run_model(data, size);
  return 0;
}
#endif
