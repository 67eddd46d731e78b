// libFuzzer target: a model file with training state (checksum recomputed, model_input.hpp)
// resumed as a run: Trainer(file, source, data) for the machine and precision it holds, on the
// data it records (checkpoint_data.hpp); then its state is written out again and, when the
// stored settings keep a step cheap, two minibatches are trained. Only rbmkit::Error may come
// out of loading; a run that loads must train and save without any.
#include <cstdlib>
#include <memory>

#include "checkpoint_data.hpp"
#include "model_input.hpp"
#include "targets.hpp"
#include "rbmkit/core/error.hpp"
#include "rbmkit/core/parallel.hpp"
#include "rbmkit/io/model_file.hpp"
#include "rbmkit/training/engine.hpp"

namespace {

template <class Step>
void resume(const rbmkit::ModelFile& f, const std::string& path, const rbmkit::Dataset& data) {
  std::unique_ptr<rbmkit::Trainer<Step>> tr;
  try {
    tr = std::make_unique<rbmkit::Trainer<Step>>(f, path, data);
  } catch (const rbmkit::Error&) {
    return;
  }
  tr->to_file();
  const rbmkit::TrainConfig& c = tr->config();
  const bool cheap = c.hidden <= 64 && c.rbm.k <= 4 && c.bm.gibbs_sweeps <= 4 && c.chains <= 64;
  if (!cheap) return;
  std::size_t done = 0;
  rbmkit::TrainingHooks<typename Step::Model> hooks;
  hooks.progress = [&](std::size_t, std::size_t) { ++done; };
  hooks.stop = [&] { return done >= 2; };
  try {
    tr->run(hooks);
  } catch (const rbmkit::NumericalError&) {
    return;  // parameters a file may hold can diverge; that is reported, not a fault
  }
  tr->to_file();
}

}  // namespace

void rbmkit::fuzz::run_checkpoint(const std::uint8_t* data, std::size_t size) {
  static const rbmkit::Dataset examples = rbmkit::fuzz::checkpoint_data();
  std::string path;
  const std::optional<rbmkit::ModelFile> file = rbmkit::fuzz::read_model_input(data, size, path);
  if (!file) return;
  const rbmkit::ModelFile& f = *file;
  const bool single = f.element_type == rbmkit::ElementType::float32;
  if (f.kind == rbmkit::MachineKind::rbm) {
    if (single)
      resume<rbmkit::RbmStep<float>>(f, path, examples);
    else
      resume<rbmkit::RbmStep<double>>(f, path, examples);
  } else if (single) {
    resume<rbmkit::BmStep<float>>(f, path, examples);
  } else {
    resume<rbmkit::BmStep<double>>(f, path, examples);
  }
}

#ifndef RBMKIT_FUZZ_NO_ENTRY
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  rbmkit::set_threads(1);  // one process per core: no threads of its own
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  rbmkit::fuzz::run_checkpoint(data, size);
  return 0;
}
#endif
