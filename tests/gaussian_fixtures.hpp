#pragma once
// Small Gaussian–Bernoulli RBMs and real-valued data sets shared by the Gaussian tests.
#include <armadillo>
#include <string>

#include "rbmkit/core/random.hpp"
#include "rbmkit/io/dataset.hpp"
#include "rbmkit/models/rbm.hpp"
#include "rbmkit/training/config.hpp"

namespace fixtures {

/// A Gaussian–Bernoulli RBM with parameters drawn from `seed`: W, b, c ~ N(0, scale²), log-variances
/// z_i uniform in [−0.5, 0.5] (or 0 when `unit_variance`).
inline rbmkit::Rbm<double> random_gaussian_rbm(std::size_t nv, std::size_t nh, std::uint64_t seed,
                                               double scale = 0.8, bool unit_variance = false) {
  rbmkit::Rng rng(seed);
  rbmkit::Rbm<double> r(nv, nh);
  r.set_visible_units(rbmkit::UnitType::gaussian);
  for (auto& w : r.W()) w = scale * rng.normal();
  for (auto& x : r.b()) x = scale * rng.normal();
  for (auto& x : r.c()) x = scale * rng.normal();
  if (!unit_variance)
    for (auto& x : r.z()) x = rng.uniform() - 0.5;
  return r;
}

/// `n` real-valued examples of `dim` dimensions from an equal mixture of two Gaussians (means
/// ±2 in every dimension plus an offset of 10·i, standard deviation 3 + i), held as floats in
/// the data's own units (not standardised).
inline rbmkit::Dataset gaussian_mixture_dataset(std::size_t dim, std::size_t n, std::uint64_t seed) {
  rbmkit::Rng rng(seed);
  rbmkit::Dataset d;
  d.source = "mixture";
  d.float_values = true;
  d.scale = rbmkit::DataScale::standardize;
  d.divisor = 1;
  d.values.set_size(dim, n);
  for (std::size_t t = 0; t < n; ++t) {
    const double side = rng.uniform() < 0.5 ? -2.0 : 2.0;
    for (std::size_t i = 0; i < dim; ++i)
      d.values(i, t) = float(10.0 * double(i) + (3.0 + double(i)) * (side + 0.5 * rng.normal()));
  }
  return d;
}

/// A small Gaussian run: `hidden` units, CD or PCD, unit or learned variances, either path.
inline rbmkit::TrainConfig gaussian_config(rbmkit::Method method, rbmkit::GradientPath path,
                                           rbmkit::Variance variance) {
  rbmkit::TrainConfig c;
  c.hidden = 5;
  c.epochs = 3;
  c.batch = 10;
  c.lr = 0.01;
  c.method = method;
  c.gradient = path;
  c.momentum = 0.5;
  c.momentum_epochs = 1;
  c.average_from = 0.3;
  c.binarize = rbmkit::Binarize::none;
  c.rbm.centering = false;
  c.rbm.visible = rbmkit::UnitType::gaussian;
  c.rbm.variance = variance;
  c.seed = 23;
  return c;
}

}  // namespace fixtures
