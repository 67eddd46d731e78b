#pragma once
/// Kinds of units of a layer (stored in the model file's header, io/model_file.hpp) and the
/// per-dimension standardisation a model with Gaussian visible units applies to its data.
#include <armadillo>
#include <cstdint>

#include "rbmkit/core/enum_names.hpp"

namespace rbmkit {

/// Kind of unit of a layer.
enum class UnitType : std::uint8_t {
  bernoulli = 1,  ///< binary units, P(x = 1) = sigm(input)
  gaussian = 2    ///< real-valued visible units, v ~ N(mean, σ²) (Cho, Ilin & Raiko 2011)
};
/// Names "bernoulli" and "gaussian".
template <>
struct EnumNames<UnitType> {
  static constexpr const char* type = "UnitType";
  static constexpr std::pair<UnitType, const char*> names[] = {{UnitType::bernoulli, "bernoulli"},
                                                               {UnitType::gaussian, "gaussian"}};
};

/// The per-dimension standardisation x' = (x − mean_i) / sd_i of real-valued data, computed on a
/// training set and kept with the model, so that evaluation and features see data as training did.
struct Standardization {
  arma::vec mean;  ///< per dimension, in the data's own units (after the CSV scale's divisor)
  arma::vec sd;    ///< per dimension, > 0 (a constant dimension gets 1)
  bool empty() const { return mean.n_elem == 0; }
  /// Σ_i log sd_i, in nats: a log-density of standardised data minus this is the log-density
  /// of the same example in the data's own units (the change of variables x' = (x − m) / s).
  double log_scale() const { return empty() ? 0.0 : arma::accu(arma::log(sd)); }
};

}  // namespace rbmkit
