#include "rbmkit/training/run.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "rbmkit/core/error.hpp"
#include "rbmkit/core/parallel.hpp"
#include "rbmkit/evaluation/monitors.hpp"

namespace rbmkit {

namespace {

constexpr double not_evaluated = std::numeric_limits<double>::quiet_NaN();
/// Held-out evaluation draws from its own generator, so it never changes the training stream.
constexpr std::uint64_t evaluation_stream = 0x9e3779b97f4a7c15ULL;

struct HeldOut {
  std::string name;  // column prefix
  const Dataset* data;
};

std::vector<HeldOut> held_out_sets(const Dataset& valid, const RunOptions& o) {
  std::vector<HeldOut> sets;
  if (valid.size() > 0) sets.push_back({"valid", &valid});
  if (o.test.size() > 0) sets.push_back({"test", &o.test});
  return sets;
}

/// The names held_out_sets gives, before the held-out split exists.
std::vector<std::string> held_out_names(const TrainConfig& c, const RunOptions& o) {
  std::vector<std::string> names;
  if (c.valid > 0) names.push_back("valid");
  if (o.test.size() > 0) names.push_back("test");
  return names;
}

const char* const rbm_held_out_columns[] = {"log_likelihood", "log_z", "log_z_stderr",
                                            "conservative_log_likelihood", "free_energy_gap"};
const char* const bm_held_out_columns[] = {"log_likelihood", "log_z"};

Binarize evaluation_binarize(const TrainConfig& c) {
  return c.binarize == Binarize::none ? Binarize::threshold : c.binarize;
}

bool evaluate_now(const EpochReport& rep, const RunOptions& o) {
  return rep.epoch % std::max<std::size_t>(o.eval_every, 1) == 0 || rep.epoch == rep.epochs;
}

template <class T>
void add_monitors(EpochReport& rep, const Rbm<T>& model, const Trainer<RbmStep<T>>& tr,
                  const RunOptions& o) {
  const TrainConfig& c = tr.config();
  // A fixed subset, with its own generator (stochastic binarisation). The pseudo-likelihood flips
  // binary visible units: there is none for Gaussian ones.
  if (o.monitor_examples > 0 && model.visible_units() == UnitType::bernoulli)
    rep.values.push_back({"pseudo_log_likelihood",
                          mean_pseudo_log_likelihood(model, tr.training_data(), c.binarize,
                                                     c.threshold, o.monitor_examples, c.seed)});
  const bool now = evaluate_now(rep, o);
  Rbm<double> r;  // the model in double, made only when a held-out set is evaluated
  for (const HeldOut& h : held_out_sets(tr.validation_data(), o)) {
    double v[5] = {not_evaluated, not_evaluated, not_evaluated, not_evaluated, not_evaluated};
    if (now) {
      if (r.n_visible() == 0) r = model.template cast<double>();
      LikelihoodOptions lo = o.likelihood;
      lo.binarize = evaluation_binarize(c);
      lo.threshold = c.threshold;
      Rng rng(c.seed + evaluation_stream);
      // The AIS base comes from the training data.
      const LikelihoodReport l = evaluate_likelihood(r, *h.data, tr.training_data(), lo, rng);
      const FreeEnergyGap gap =
          free_energy_gap(r, tr.training_data(), *h.data, lo.binarize, lo.threshold,
                          std::min<std::size_t>(h.data->size(), 10000));
      v[0] = l.log_likelihood;
      v[1] = l.log_z.log_z;
      v[2] = l.log_z.log_z_stderr;
      v[3] = l.has_conservative() ? l.reverse_log_likelihood : not_evaluated;
      v[4] = gap.gap;
    }
    for (int k = 0; k < 5; ++k) rep.values.push_back({h.name + "_" + rbm_held_out_columns[k], v[k]});
  }
}

template <class T>
void add_monitors(EpochReport& rep, const BoltzmannMachine<T>& model, const Trainer<BmStep<T>>& tr,
                  const RunOptions& o) {
  const TrainConfig& c = tr.config();
  const bool now = evaluate_now(rep, o);
  for (const HeldOut& h : held_out_sets(tr.validation_data(), o)) {
    double v[2] = {not_evaluated, not_evaluated};
    if (now) {
      LikelihoodOptions lo = o.likelihood;
      lo.method = LikelihoodMethod::exact;
      lo.binarize = evaluation_binarize(c);
      lo.threshold = c.threshold;
      Rng rng(c.seed + evaluation_stream);
      const LikelihoodReport l = evaluate_likelihood(model, *h.data, lo, rng);
      v[0] = l.log_likelihood;
      v[1] = l.log_z.log_z;
    }
    for (int k = 0; k < 2; ++k) rep.values.push_back({h.name + "_" + bm_held_out_columns[k], v[k]});
  }
}

/// Refuses, before any training, an evaluation the machine cannot have.
void check_evaluations(const TrainConfig& c, std::size_t n_visible, const RunOptions& o) {
  if (c.machine != MachineKind::bm || (c.valid == 0 && o.test.size() == 0)) return;
  LikelihoodOptions lo = o.likelihood;
  lo.method = LikelihoodMethod::exact;
  std::string why = exact_likelihood_obstacle(
      BoltzmannMachine<double>(n_visible, c.hidden, c.bm.connectivity), lo);
  // Training gives the hidden-hidden block weights, and then −F(v) enumerates the hidden layer.
  if (why.empty() && c.bm.connectivity == Connectivity::full && c.hidden > lo.max_hidden)
    why = "the free energy of a Boltzmann machine with hidden-hidden weights enumerates its " +
          std::to_string(c.hidden) + " hidden units (at most " + std::to_string(lo.max_hidden) + ")";
  if (!why.empty())
    throw InvalidArgument("train_model: TrainConfig::valid and RunOptions::test need the exact "
                          "held-out log-likelihood, and " + why);
}

std::string describe(const TrainConfig& c, const Dataset& train, const Dataset& valid) {
  std::ostringstream s;
  s << train.size() << " examples of " << train.dim() << " from " << train.source;
  if (valid.size() > 0) s << " (" << valid.size() << " held out)";
  if (c.machine == MachineKind::rbm)
    s << "; " << train.dim() << "x" << c.hidden << " RBM, " << to_string(c.method) << "-"
      << c.rbm.k << (c.method == Method::pt
                         ? " with " + std::to_string(c.temperatures) + " temperatures"
                         : std::string());
  else
    s << "; Boltzmann machine with " << train.dim() << " visible and " << c.hidden
      << " hidden units (" << to_string(c.bm.connectivity) << "), " << to_string(c.method)
      << ", " << c.bm.gibbs_sweeps << " Gibbs sweep(s) per phase";
  return s.str();
}

template <class Step>
RunSummary drive(Trainer<Step>& tr, const RunOptions& o, const RunEvents& ev) {
  using T = typename Step::Scalar;
  const TrainConfig& c = tr.config();
  check_evaluations(c, tr.training_data().dim(), o);
  if (o.test.size() > 0 && o.test.dim() != tr.training_data().dim())
    throw DimensionError(o.test.source + ": has " + std::to_string(o.test.dim()) +
                         " dimensions, the training data " +
                         std::to_string(tr.training_data().dim()));
  if (o.out.empty()) throw InvalidArgument("RunOptions::out: a model file to write is required");
  if (ev.started) {
    std::ostringstream s;
    s << describe(c, tr.training_data(), tr.validation_data()) << ", " << to_string(c.gradient)
      << ", " << (sizeof(T) == 4 ? "float" : "double") << ", seed " << c.seed << ", "
      << threads() << " thread(s)";
    if (tr.epochs_done() > 0 || tr.minibatches_done() > 0)
      s << "; resuming after epoch " << tr.epochs_done() << ", minibatch "
        << tr.minibatches_done() << " of " << tr.minibatches_per_epoch();
    ev.started(s.str());
  }
  TrainingHooks<typename Step::Model> hooks;
  if (ev.progress)
    hooks.progress = [&](std::size_t done, std::size_t total) {
      ev.progress(tr.epochs_done() + 1, done, total);
    };
  hooks.stop = ev.stop;
  hooks.epoch_end = [&](EpochReport& rep, const typename Step::Model& model) {
    add_monitors(rep, model, tr, o);
    if (ev.epoch) ev.epoch(rep);
    if (o.checkpoint_every > 0 && rep.epoch % o.checkpoint_every == 0 && rep.epoch < rep.epochs)
      tr.write(o.out);
  };
  RunSummary s;
  s.completed = tr.run(hooks);
  tr.write(o.out);
  s.epochs_done = tr.epochs_done();
  s.minibatch = tr.minibatches_done();
  s.minibatches = tr.minibatches_per_epoch();
  s.epochs = c.epochs;
  return s;
}

template <class Step>
RunSummary fresh(const TrainConfig& c, const Dataset& data, const RunOptions& o,
                 const RunEvents& ev) {
  Trainer<Step> tr(c, data);
  return drive(tr, o, ev);
}

template <class Step>
RunSummary resumed(const ModelFile& f, const std::string& source, const Dataset& data,
                   std::size_t epochs, const RunOptions& o, const RunEvents& ev) {
  Trainer<Step> tr(f, source, data, epochs);
  set_threads(tr.config().threads);
  return drive(tr, o, ev);
}

}  // namespace

RunSummary train_model(const TrainConfig& c, const Dataset& data, const RunOptions& o,
                       const RunEvents& ev) {
  c.validate();
  set_threads(c.threads);
  const bool single = o.precision == ElementType::float32;
  if (c.machine == MachineKind::rbm)
    return single ? fresh<RbmStep<float>>(c, data, o, ev) : fresh<RbmStep<double>>(c, data, o, ev);
  return single ? fresh<BmStep<float>>(c, data, o, ev) : fresh<BmStep<double>>(c, data, o, ev);
}

RunSummary resume_model(const ModelFile& f, const std::string& source, const Dataset& data,
                        std::size_t epochs, const RunOptions& o, const RunEvents& ev) {
  const bool single = f.element_type == ElementType::float32;
  if (f.kind == MachineKind::rbm)
    return single ? resumed<RbmStep<float>>(f, source, data, epochs, o, ev)
                  : resumed<RbmStep<double>>(f, source, data, epochs, o, ev);
  return single ? resumed<BmStep<float>>(f, source, data, epochs, o, ev)
                : resumed<BmStep<double>>(f, source, data, epochs, o, ev);
}

std::vector<std::string> monitor_names(const TrainConfig& c, const RunOptions& o) {
  std::vector<std::string> names;
  const bool rbm = c.machine == MachineKind::rbm;
  if (rbm && c.rbm.visible == UnitType::bernoulli && o.monitor_examples > 0)
    names.push_back("pseudo_log_likelihood");
  for (const std::string& set : held_out_names(c, o)) {
    if (rbm)
      for (const char* col : rbm_held_out_columns) names.push_back(set + "_" + col);
    else
      for (const char* col : bm_held_out_columns) names.push_back(set + "_" + col);
  }
  return names;
}

}  // namespace rbmkit
