#include "rbmkit/training/config.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <vector>

#include "rbmkit/core/error.hpp"

namespace rbmkit {

namespace {

std::string number(double x) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", x);
  return buf;
}

void require(bool ok, const char* field, const std::string& what, const std::string& got) {
  if (!ok) throw InvalidArgument(std::string(field) + ": " + what + ", got " + got);
}
void require_count(std::size_t v, std::size_t min, const char* field) {
  require(v >= min, field, "must be at least " + std::to_string(min), std::to_string(v));
}
void require_in(double v, double lo, double hi, bool hi_open, const char* field) {
  const bool ok = std::isfinite(v) && v >= lo && (hi_open ? v < hi : v <= hi);
  require(ok, field,
          "must be in [" + number(lo) + ", " + number(hi) + (hi_open ? ")" : "]"), number(v));
}
void require_nonnegative(double v, const char* field) {
  require(std::isfinite(v) && v >= 0, field, "must be a finite number >= 0", number(v));
}

const char* machine_name(MachineKind m) { return m == MachineKind::bm ? "bm" : "rbm"; }

}  // namespace

void TrainConfig::validate() const {
  require(machine == MachineKind::rbm || machine == MachineKind::bm, "TrainConfig::machine",
          "must be rbm or bm", std::to_string(int(machine)));
  require_count(hidden, 1, "TrainConfig::hidden");
  require_count(epochs, 1, "TrainConfig::epochs");
  require_count(batch, 1, "TrainConfig::batch");
  require(std::isfinite(lr) && lr > 0, "TrainConfig::lr", "must be a positive finite number",
          number(lr));
  require_nonnegative(lr_decay, "TrainConfig::lr_decay");
  require_in(momentum, 0, 1, true, "TrainConfig::momentum");
  require_in(initial_momentum, 0, 1, true, "TrainConfig::initial_momentum");
  require_nonnegative(weight_decay, "TrainConfig::weight_decay");
  require_in(average_from, 0, 1, false, "TrainConfig::average_from");
  if (binarize == Binarize::threshold) require_in(threshold, 0, 1, true, "TrainConfig::threshold");
  require(threads >= 0 && threads <= 1024, "TrainConfig::threads",
          "must be in [0, 1024] (0 = all cores)", std::to_string(threads));
  if (method == Method::pt) {
    require(machine == MachineKind::rbm, "TrainConfig::method",
            "pt (parallel tempering) is implemented for RBMs only", "pt with machine bm");
    require_count(temperatures, 2, "TrainConfig::temperatures");
    require(temperatures <= max_temperatures, "TrainConfig::temperatures",
            "must be at most " + std::to_string(max_temperatures), std::to_string(temperatures));
    require(machine != MachineKind::rbm || rbm.visible == UnitType::bernoulli, "TrainConfig::method",
            "pt (parallel tempering) is implemented for Bernoulli visible units only",
            "pt with visible gaussian");
  }
  if (method != Method::cd && gradient == GradientPath::reward_correlator)
    require(chains == 0 || chains == batch, "TrainConfig::chains",
            "the reward correlator pairs each positive with one negative sample, so it needs as "
            "many chains as the minibatch size (" + std::to_string(batch) + ") or 0",
            std::to_string(chains));
  if (machine == MachineKind::rbm) {
    require_count(rbm.k, 1, "RbmConfig::k");
    require_in(rbm.sparsity_target, 0, 1, true, "RbmConfig::sparsity_target");
    require_nonnegative(rbm.sparsity_cost, "RbmConfig::sparsity_cost");
    require_in(rbm.sparsity_decay, 0, 1, true, "RbmConfig::sparsity_decay");
    require_in(rbm.centering_rate, 0, 1, false, "RbmConfig::centering_rate");
    require(rbm.visible == UnitType::bernoulli || rbm.visible == UnitType::gaussian,
            "RbmConfig::visible", "must be bernoulli or gaussian", std::to_string(int(rbm.visible)));
    if (rbm.visible == UnitType::gaussian) {
      require(binarize == Binarize::none, "TrainConfig::binarize",
              "must be none for Gaussian visible units (they model real values)",
              to_string(binarize));
      require(!rbm.centering, "RbmConfig::centering",
              "is not available for Gaussian visible units (must be false)", "true");
    }
  } else {
    require_count(bm.gibbs_sweeps, 1, "BmConfig::gibbs_sweeps");
  }
}

// The gradient path is deliberately not stored: both paths give bit-identical models
// (statistics.hpp), so the same seed trained either way gives byte-identical model files.
std::map<std::string, std::string> TrainConfig::to_map() const {
  std::map<std::string, std::string> m = {
      {"machine", machine_name(machine)},
      {"hidden", std::to_string(hidden)},
      {"epochs", std::to_string(epochs)},
      {"batch", std::to_string(batch)},
      {"lr", number(lr)},
      {"lr_decay", number(lr_decay)},
      {"momentum", number(momentum)},
      {"initial_momentum", number(initial_momentum)},
      {"momentum_epochs", std::to_string(momentum_epochs)},
      {"weight_decay", number(weight_decay)},
      {"average_from", number(average_from)},
      {"method", to_string(method)},
      {"binarize", to_string(binarize)},
      {"seed", std::to_string(seed)},
      {"threads", std::to_string(threads)}};
  if (method != Method::cd) m["chains"] = std::to_string(chains);
  if (method == Method::pt) m["temperatures"] = std::to_string(temperatures);
  if (binarize == Binarize::threshold) m["threshold"] = number(threshold);
  if (valid > 0) m["valid"] = std::to_string(valid);
  if (machine == MachineKind::rbm) {
    m["k"] = std::to_string(rbm.k);
    m["sparsity_cost"] = number(rbm.sparsity_cost);
    if (rbm.sparsity_cost > 0) {
      m["sparsity_target"] = number(rbm.sparsity_target);
      m["sparsity_decay"] = number(rbm.sparsity_decay);
    }
    m["centering"] = rbm.centering ? "1" : "0";
    if (rbm.centering) m["centering_rate"] = number(rbm.centering_rate);
    if (rbm.visible != UnitType::bernoulli) {  // absent in files of Bernoulli RBMs
      m["visible"] = to_string(rbm.visible);
      m["variance"] = to_string(rbm.variance);
    }
  } else {
    m["gibbs_sweeps"] = std::to_string(bm.gibbs_sweeps);
    m["connectivity"] = to_string(bm.connectivity);
  }
  return m;
}

TrainConfig TrainConfig::from_map(const std::map<std::string, std::string>& map,
                                  const std::string& source) {
  TrainConfig c;
  auto bad = [&](const std::string& key, const std::string& value) {
    return ModelError(source + ": training configuration entry " + key + " = '" + value +
                      "' is not valid");
  };
  auto count = [&](const std::string& key, const std::string& v) {
    char* end = nullptr;
    const unsigned long long x = std::strtoull(v.c_str(), &end, 10);
    if (v.empty() || *end != '\0' || v[0] == '-') throw bad(key, v);
    return std::size_t(x);
  };
  auto real = [&](const std::string& key, const std::string& v) {
    char* end = nullptr;
    const double x = std::strtod(v.c_str(), &end);
    if (v.empty() || *end != '\0') throw bad(key, v);
    return x;
  };
  auto named = [&](const std::string& key, const std::string& v, auto parse) {
    try {
      return parse(v);
    } catch (const InvalidArgument&) {
      throw bad(key, v);
    }
  };
  using Setter = std::function<void(const std::string&, const std::string&)>;
  const std::map<std::string, Setter> setters = {
      {"machine",
       [&](auto& k, auto& v) {
         if (v != "rbm" && v != "bm") throw bad(k, v);
         c.machine = v == "bm" ? MachineKind::bm : MachineKind::rbm;
       }},
      {"hidden", [&](auto& k, auto& v) { c.hidden = count(k, v); }},
      {"epochs", [&](auto& k, auto& v) { c.epochs = count(k, v); }},
      {"batch", [&](auto& k, auto& v) { c.batch = count(k, v); }},
      {"lr", [&](auto& k, auto& v) { c.lr = real(k, v); }},
      {"lr_decay", [&](auto& k, auto& v) { c.lr_decay = real(k, v); }},
      {"momentum", [&](auto& k, auto& v) { c.momentum = real(k, v); }},
      {"initial_momentum", [&](auto& k, auto& v) { c.initial_momentum = real(k, v); }},
      {"momentum_epochs", [&](auto& k, auto& v) { c.momentum_epochs = count(k, v); }},
      {"weight_decay", [&](auto& k, auto& v) { c.weight_decay = real(k, v); }},
      {"average_from", [&](auto& k, auto& v) { c.average_from = real(k, v); }},
      {"method", [&](auto& k, auto& v) { c.method = named(k, v, from_string<Method>); }},
      {"chains", [&](auto& k, auto& v) { c.chains = count(k, v); }},
      {"temperatures", [&](auto& k, auto& v) { c.temperatures = count(k, v); }},
      {"binarize", [&](auto& k, auto& v) {
         c.binarize = named(k, v, from_string<Binarize>);
       }},
      {"threshold", [&](auto& k, auto& v) { c.threshold = real(k, v); }},
      {"valid", [&](auto& k, auto& v) { c.valid = count(k, v); }},
      {"seed", [&](auto& k, auto& v) { c.seed = count(k, v); }},
      {"threads", [&](auto& k, auto& v) { c.threads = int(count(k, v)); }},
      {"k", [&](auto& k, auto& v) { c.rbm.k = count(k, v); }},
      {"sparsity_target", [&](auto& k, auto& v) { c.rbm.sparsity_target = real(k, v); }},
      {"sparsity_cost", [&](auto& k, auto& v) { c.rbm.sparsity_cost = real(k, v); }},
      {"sparsity_decay", [&](auto& k, auto& v) { c.rbm.sparsity_decay = real(k, v); }},
      {"centering", [&](auto& k, auto& v) {
         if (v != "0" && v != "1") throw bad(k, v);
         c.rbm.centering = v == "1";
       }},
      {"centering_rate", [&](auto& k, auto& v) { c.rbm.centering_rate = real(k, v); }},
      {"visible", [&](auto& k, auto& v) { c.rbm.visible = named(k, v, from_string<UnitType>); }},
      {"variance", [&](auto& k, auto& v) { c.rbm.variance = named(k, v, from_string<Variance>); }},
      {"gibbs_sweeps", [&](auto& k, auto& v) { c.bm.gibbs_sweeps = count(k, v); }},
      {"connectivity",
       [&](auto& k, auto& v) { c.bm.connectivity = named(k, v, from_string<Connectivity>); }},
  };
  for (const auto& [key, value] : map) {
    const auto it = setters.find(key);
    if (it == setters.end())
      throw ModelError(source + ": unknown training configuration entry '" + key + "'");
    it->second(key, value);
  }
  try {
    c.validate();
  } catch (const InvalidArgument& e) {
    throw ModelError(source + ": stored training configuration is not valid: " + e.what());
  }
  return c;
}

TrainConfig TrainConfig::from_file(const ModelFile& file, const std::string& source) {
  std::map<std::string, std::string> m;
  for (const auto& [key, value] : file.config)
    if (key.find('.') == std::string::npos) m[key] = value;
  return from_map(m, source);
}

}  // namespace rbmkit
