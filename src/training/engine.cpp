#include "rbmkit/training/engine.hpp"

#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <type_traits>

#include "rbmkit/core/error.hpp"
#include "rbmkit/core/parallel.hpp"

namespace rbmkit {

std::uint64_t dataset_checksum(const Dataset& data) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  auto mix = [&h](std::uint64_t byte) {
    h ^= byte;
    h *= 0x100000001b3ULL;
  };
  for (std::uint64_t n : {std::uint64_t(data.dim()), std::uint64_t(data.size())})
    for (int k = 0; k < 8; ++k) mix((n >> (8 * k)) & 0xff);
  if (data.is_bytes()) {
    const std::uint8_t* p = data.pixels.memptr();
    for (arma::uword i = 0; i < data.pixels.n_elem; ++i) mix(p[i]);
  } else {  // float data: every byte of every value, in memory order
    const auto* p = reinterpret_cast<const unsigned char*>(data.values.memptr());
    for (arma::uword i = 0; i < data.values.n_elem * sizeof(float); ++i) mix(p[i]);
  }
  return h;
}

bool has_training_state(const ModelFile& file) { return file.config.count("run.epoch") > 0; }

arma::uvec epoch_order(std::size_t n, Rng& rng) {
  arma::uvec order = n ? arma::regspace<arma::uvec>(0, n - 1) : arma::uvec();
  shuffle(order.begin(), order.end(), rng);
  return order;
}

namespace {

std::string hex(std::uint64_t x) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%016" PRIx64, x);
  return buf;
}
std::string hex_double(double x) {  // exact: %a round-trips every double
  char buf[40];
  std::snprintf(buf, sizeof buf, "%a", x);
  return buf;
}

const std::string& entry(const ModelFile& f, const std::string& key, const std::string& source) {
  const auto it = f.config.find(key);
  if (it == f.config.end())
    throw ModelError(source + ": no training state (entry " + key +
                     "); only files written by rbmkit train from this version on can be resumed");
  return it->second;
}
std::uint64_t entry_count(const ModelFile& f, const std::string& key, const std::string& source,
                          int base = 10) {
  const std::string& v = entry(f, key, source);
  char* end = nullptr;
  const unsigned long long x = std::strtoull(v.c_str(), &end, base);
  if (v.empty() || *end != '\0' || v[0] == '-')
    throw ModelError(source + ": training state entry " + key + " = '" + v + "' is not valid");
  return x;
}

TrainConfig stored_config(const ModelFile& f, const std::string& source, std::size_t epochs) {
  TrainConfig c = TrainConfig::from_file(f, source);
  if (epochs > 0) c.epochs = epochs;
  return c;
}

}  // namespace

template <class Step>
void Trainer<Step>::split(const Dataset& data, bool checksum) {
  if (data.size() == 0) throw DataError(data.source + ": no examples");
  if (config_.valid >= data.size())
    throw InvalidArgument("TrainConfig::valid: holding out " + std::to_string(config_.valid) +
                          " examples leaves none of the " + std::to_string(data.size()) + " of " +
                          data.source + " to train on");
  const std::size_t n = data.size() - config_.valid;
  data_examples_ = data.size();
  if (checksum) data_checksum_ = dataset_checksum(data);
  // Views, not copies: the data are held once, by the caller (Dataset::view).
  train_ = data.view(0, n, data.source);
  valid_ = data.view(n, config_.valid,
                     data.source + " (last " + std::to_string(config_.valid) + ")");
  if (config_.machine == MachineKind::rbm && config_.rbm.visible == UnitType::gaussian) {
    // Standardised with statistics of the training part, rounded to the precision the model
    // file stores them in, so a resumed run and an evaluation use the very same numbers.
    using T = typename Step::Scalar;
    train_.standardization = standardization_of(train_);
    Standardization& st = train_.standardization;
    st.mean = arma::conv_to<arma::vec>::from(arma::conv_to<arma::Col<T>>::from(st.mean));
    st.sd = arma::conv_to<arma::vec>::from(arma::conv_to<arma::Col<T>>::from(st.sd));
    valid_.standardization = st;
  }
}

template <class Step>
typename Trainer<Step>::Model Trainer<Step>::start(const Dataset& data) {
  config_.validate();
  split(data, false);
  // The checksum reads every byte of the data, one at a time (about 15 ms for 60,000 images);
  // the initial model draws its weights and reads the training part's marginals. Neither
  // depends on the other, so they run side by side (the same values on any thread).
  Model model;
  parallel_for(2, [&](std::size_t first, std::size_t last, int) {
    for (std::size_t k = first; k < last; ++k) {
      if (k == 0)
        data_checksum_ = dataset_checksum(data);
      else
        model = Step::initial_model(train_, config_, rng_);
    }
  });
  return model;
}

template <class Step>
Trainer<Step>::Trainer(const TrainConfig& config, const Dataset& data)
    : config_(config), rng_(config.seed), step_(config_, start(data)) {
  step_.begin(train_);
}

template <class Step>
Trainer<Step>::Trainer(const ModelFile& file, const std::string& source, const Dataset& data,
                       std::size_t epochs)
    : config_(stored_config(file, source, epochs)),
      rng_(config_.seed),
      step_(config_, (split(data), Step::model_from(file, source))) {
  const std::uint64_t examples = entry_count(file, "data.examples", source);
  const std::uint64_t checksum = entry_count(file, "data.checksum", source, 16);
  if (examples != data_examples_ || checksum != data_checksum_)
    throw DataError(data.source + ": not the data the run in " + source + " was trained on (" +
                    std::to_string(data_examples_) + " examples, checksum " +
                    hex(data_checksum_) + "; the run has " + std::to_string(examples) +
                    " examples, checksum " + hex(checksum) + ")");
  step_.begin(train_);  // sizes the per-example state that load_state then fills
  step_.load_state(file, source);
  average_.load(file, "run.average.", source, std::as_const(step_).parameters());
  epoch_ = entry_count(file, "run.epoch", source);
  position_ = entry_count(file, "run.minibatch", source);
  if (epochs > 0) change_epochs(TrainConfig::from_file(file, source).epochs);
  rng_.set_state(file.rng_state);
  if (position_ > 0) {
    if (position_ >= minibatches_per_epoch())
      throw ModelError(source + ": training state run.minibatch is out of range");
    Rng::State s;
    const std::string& words = entry(file, "run.epoch_rng", source);
    if (std::sscanf(words.c_str(), "%" SCNx64 " %" SCNx64 " %" SCNx64 " %" SCNx64, &s[0], &s[1],
                    &s[2], &s[3]) != 4)
      throw ModelError(source + ": training state run.epoch_rng is not valid");
    // The epoch's order is drawn again from the generator as it was when the epoch began.
    Rng r;
    r.set_state(s);
    epoch_rng_ = s;
    set_order(epoch_order(train_.size(), r));
    error_sum_ = std::strtod(entry(file, "run.error_sum", source).c_str(), nullptr);
  }
}

namespace {

/// The model `file` holds, for a run of `config` on `train` continuing it (checked to fit).
template <class Step>
typename Step::Model continued_model(const ModelFile& file, const std::string& source,
                                     const TrainConfig& config, const Dataset& train) {
  if (config.machine != MachineKind::rbm || file.kind != MachineKind::rbm)
    throw InvalidArgument("Trainer: continuing on other data is implemented for RBMs only");
  if (config.hidden != file.n_hidden)
    throw InvalidArgument("TrainConfig::hidden: " + std::to_string(config.hidden) +
                          ", but the model in " + source + " has " +
                          std::to_string(file.n_hidden) + " hidden units");
  if (config.rbm.visible != file.visible_units)
    throw InvalidArgument("RbmConfig::visible: " + to_string(config.rbm.visible) +
                          ", but the model in " + source + " has " +
                          to_string(file.visible_units) + " visible units");
  if (train.dim() != file.n_visible)
    throw DimensionError(train.source + ": has " + std::to_string(train.dim()) +
                         " dimensions, the model in " + source + " " +
                         std::to_string(file.n_visible) + " visible units");
  return Step::model_from(file, source);
}

}  // namespace

template <class Step>
Trainer<Step>::Trainer(const TrainConfig& config, const Dataset& data, const ModelFile& file,
                       const std::string& source)
    : config_(config),
      rng_(config.seed),
      step_(config_, (config_.validate(), split(data),
                      continued_model<Step>(file, source, config_, train_))) {
  if constexpr (std::is_same_v<typename Step::Model, Rbm<typename Step::Scalar>>) {
    // New data of a Gaussian model are standardised as the model's first data were.
    const Standardization& st = step_.model().standardization();
    if (!st.empty()) train_.standardization = valid_.standardization = st;
  }
  step_.begin(train_);
  if (has_training_state(file)) {
    step_.load_state(file, source);  // after begin: the stored centring offsets are kept
    rng_.set_state(file.rng_state);
  }
}

template <class Step>
void Trainer<Step>::change_epochs(std::size_t stored_epochs) {
  const std::size_t begun = epoch_ + (position_ > 0 ? 1 : 0);
  if (config_.epochs < begun)
    throw InvalidArgument("TrainConfig::epochs: the run has begun " + std::to_string(begun) +
                          " epochs, so it cannot end after " + std::to_string(config_.epochs));
  const double af = config_.average_from;
  const double old_start = std::floor(af * double(stored_epochs));
  const double new_start = std::floor(af * double(config_.epochs));
  if (af >= 1 || new_start == old_start) return;
  // A run of the new length averages from epoch new_start on; the stored average covers another
  // window. Before that window has begun, restarting the average is exact; after, it is not.
  if (new_start >= double(begun)) {
    average_.reset();
    return;
  }
  throw InvalidArgument("TrainConfig::epochs: with TrainConfig::average_from " +
                        std::to_string(af) + ", a run of " + std::to_string(config_.epochs) +
                        " epochs averages from epoch " + std::to_string(std::size_t(new_start) + 1) +
                        ", which this run has passed; choose a number of epochs whose averaging "
                        "starts after epoch " + std::to_string(begun) +
                        " or keep " + std::to_string(stored_epochs));
}

template <class Step>
std::size_t Trainer<Step>::minibatches_per_epoch() const {
  return train_.size() / std::min(config_.batch, train_.size());
}

template <class Step>
void Trainer<Step>::set_order(const arma::uvec& order) {
  // Half the memory of Armadillo's 64-bit indices (480 KB for 60,000 examples).
  if (order.n_elem > 0xffffffffULL)
    throw InvalidArgument("Trainer: more than 2^32 - 1 examples (" +
                          std::to_string(order.n_elem) + ")");
  order_.assign(order.begin(), order.end());
}

template <class Step>
void Trainer<Step>::start_epoch() {
  epoch_rng_ = rng_.state();
  set_order(epoch_order(train_.size(), rng_));
  error_sum_ = 0;
}

template <class Step>
bool Trainer<Step>::run(const TrainingHooks<Model>& hooks) {
  const std::size_t B = std::min(config_.batch, train_.size());
  const std::size_t n_batches = minibatches_per_epoch();
  const double average_start = std::floor(config_.average_from * double(config_.epochs));
  // rbmkit's workers split every product of a step (kernels/products.hpp). OpenBLAS, called in
  // between (dense fallbacks within those workers, the monitors), runs on the calling thread:
  // its own idle workers would otherwise spin for a while after each call, taking the cores.
  const SerialBlas serial_blas;
  // The trainer ignores the statistics update returns: the step need not form them apart.
  struct Restore {
    Step& step;
    ~Restore() { step.return_weight_statistic(true); }
  } restore{step_};
  step_.return_weight_statistic(false);
  while (epoch_ < config_.epochs) {
    const auto t0 = std::chrono::steady_clock::now();
    if (position_ == 0) start_epoch();
    EpochReport rep;
    rep.epoch = epoch_ + 1;
    rep.epochs = config_.epochs;
    rep.learning_rate = config_.lr / (1.0 + config_.lr_decay * double(epoch_));
    rep.momentum =
        epoch_ < config_.momentum_epochs ? config_.initial_momentum : config_.momentum;
    const bool averaging = config_.average_from < 1 && double(epoch_) >= average_start;
    while (position_ < n_batches) {
      examples_.set_size(B);
      for (std::size_t k = 0; k < B; ++k) examples_[k] = order_[position_ * B + k];
      arma::Mat<T>& V = step_.minibatch();  // no allocation or copy per minibatch
      make_batch_into(train_, examples_, 0, B, config_.binarize, config_.threshold, rng_, V);
      step_.update(V, examples_, rep.learning_rate, rep.momentum, rng_);
      if (averaging) average_.add(std::as_const(step_).parameters());
      error_sum_ += step_.last_error();
      ++position_;
      if (hooks.progress) hooks.progress(position_, n_batches);
      if (position_ < n_batches && hooks.stop && hooks.stop()) {
        step_.release_buffers();  // not held while the interrupted run is written
        return false;
      }
    }
    // The step's buffers are not needed until the next epoch: not held while the monitors run
    // and the model is written (allocated again at the next epoch's first minibatch).
    step_.release_buffers();
    if (any_non_finite(std::as_const(step_).parameters())) {
      char lr[32];
      std::snprintf(lr, sizeof lr, "%g", rep.learning_rate);
      throw NumericalError("Trainer::run: training diverged in epoch " + std::to_string(epoch_ + 1) +
                           ": parameters became NaN or infinite; lower TrainConfig::lr (now " +
                           lr + ")");
    }
    rep.error_name = Step::error_name;
    rep.error = error_sum_ / double(n_batches);
    rep.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    ++epoch_;
    position_ = 0;
    error_sum_ = 0;
    if (hooks.epoch_end) with_model([&](const Model& m) { hooks.epoch_end(rep, m); });
    if (epoch_ < config_.epochs && hooks.stop && hooks.stop()) return false;
  }
  return true;
}

template <class Step>
template <class F>
void Trainer<Step>::with_model(const F& f) const {
  if (average_.count() == 0) {
    f(step_.model());
    return;
  }
  // Views of the averaged arrays (arma auxiliary memory, read-only use): the step moves them
  // into its model where it can (RbmStep's weights), so the monitors and the file written at
  // the end of an epoch hold no second copy of the largest array.
  std::vector<arma::Mat<T>> views;
  views.reserve(average_.mean().size());  // (arma's move is not noexcept: growth would copy)
  for (const arma::Mat<T>& m : average_.mean())
    views.emplace_back(const_cast<T*>(m.memptr()), m.n_rows, m.n_cols, false, true);
  f(step_.with_parameters(std::move(views)));
}

template <class Step>
typename Trainer<Step>::Model Trainer<Step>::model() const {
  if (average_.count() == 0) return step_.model();
  return step_.with_parameters(average_.mean());
}

template <class Step>
ModelFile Trainer<Step>::to_file() const {
  return file_of(model(), false);
}

template <class Step>
void Trainer<Step>::write(const std::string& path) const {
  with_model([&](const Model& m) { write_model_file(path, file_of(m, true)); });
}

template <class Step>
ModelFile Trainer<Step>::file_of(const Model& model, bool refer) const {
  std::map<std::string, std::string> config = config_.to_map();
  config["data.examples"] = std::to_string(data_examples_);
  config["data.checksum"] = hex(data_checksum_);
  config["data.source"] = train_.source;
  if (train_.read_with.scale != DataScale::automatic)
    config["data.scale"] = to_string(train_.read_with.scale);
  if (train_.read_with.label_column > 0)
    config["data.label_column"] = std::to_string(train_.read_with.label_column);
  config["run.epoch"] = std::to_string(epoch_);
  config["run.minibatch"] = std::to_string(position_);
  if (position_ > 0) {
    config["run.epoch_rng"] = hex(epoch_rng_[0]) + " " + hex(epoch_rng_[1]) + " " +
                              hex(epoch_rng_[2]) + " " + hex(epoch_rng_[3]);
    config["run.error_sum"] = hex_double(error_sum_);
  }
  ModelFile f = Step::make_file(model, config, rng_.state(), refer);
  f.put_refers = refer;  // the arrays below live as long as the trainer
  step_.save_state(f);
  average_.save(f, "run.average.");
  f.put_refers = false;
  return f;
}

template class Trainer<RbmStep<float>>;
template class Trainer<RbmStep<double>>;
template class Trainer<BmStep<float>>;
template class Trainer<BmStep<double>>;

}  // namespace rbmkit
