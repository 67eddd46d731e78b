#pragma once
// Small models and data sets shared by the Boltzmann machine, gradient and equivalence tests.
#include <armadillo>
#include <cstring>
#include <string>

#include "rbmkit/evaluation/exact.hpp"
#include "rbmkit/models/boltzmann.hpp"
#include "rbmkit/io/dataset.hpp"
#include "rbmkit/core/random.hpp"
#include "rbmkit/models/rbm.hpp"

namespace fixtures {

/// A binary data set of `n` examples of `dim` bits; bit i is on with probability p_i drawn once
/// per data set in [0.1, 0.9], so the data distribution is far from uniform.
inline rbmkit::Dataset random_binary_dataset(std::size_t dim, std::size_t n, std::uint64_t seed) {
  rbmkit::Rng rng(seed);
  arma::vec p(dim);
  for (auto& x : p) x = 0.1 + 0.8 * rng.uniform();
  rbmkit::Dataset d;
  d.source = "fixture";
  d.pixels.set_size(dim, n);
  for (std::size_t t = 0; t < n; ++t)
    for (std::size_t i = 0; i < dim; ++i) d.pixels(i, t) = rng.uniform() < p[i] ? 255 : 0;
  return d;
}

/// Bars and stripes on a 3 × 3 grid: the 14 distinct patterns, each `copies` times.
inline rbmkit::Dataset bars_and_stripes(std::size_t copies = 1) {
  arma::Mat<std::uint8_t> unique(9, 14);
  std::size_t k = 0;
  for (int horizontal = 0; horizontal < 2; ++horizontal)
    for (unsigned bits = 0; bits < 8; ++bits) {
      if (horizontal && (bits == 0 || bits == 7)) continue;  // all-off / all-on seen already
      for (int r = 0; r < 3; ++r)
        for (int c = 0; c < 3; ++c)
          unique(r * 3 + c, k) = ((bits >> (horizontal ? r : c)) & 1) ? 255 : 0;
      ++k;
    }
  rbmkit::Dataset d;
  d.source = "bars-and-stripes";
  d.pixels.set_size(9, 14 * copies);
  for (std::size_t c = 0; c < copies; ++c) d.pixels.cols(14 * c, 14 * c + 13) = unique;
  return d;
}

/// The data set as a 0/1 matrix, one example per column.
inline arma::mat binary_matrix(const rbmkit::Dataset& d) {
  return arma::conv_to<arma::mat>::from(d.pixels) / 255.0;
}

/// An RBM with N(0, std²) weights and biases.
template <class T>
rbmkit::Rbm<T> random_rbm(std::size_t nv, std::size_t nh, double std, std::uint64_t seed) {
  rbmkit::Rng rng(seed);
  rbmkit::Rbm<T> r(nv, nh);
  for (auto& x : r.W()) x = T(std * rng.normal());
  for (auto& x : r.b()) x = T(std * rng.normal());
  for (auto& x : r.c()) x = T(std * rng.normal());
  return r;
}

/// A Boltzmann machine with symmetric N(0, std²) weights inside the mask of `c`, N(0, std²) biases.
template <class T>
rbmkit::BoltzmannMachine<T> random_bm(std::size_t nv, std::size_t nh, double std,
                                      std::uint64_t seed,
                                      rbmkit::Connectivity c = rbmkit::Connectivity::full) {
  rbmkit::Rng rng(seed);
  rbmkit::BoltzmannMachine<T> m(nv, nh, c);
  const std::size_t n = nv + nh;
  for (std::size_t j = 0; j < n; ++j)
    for (std::size_t i = 0; i < j; ++i) {
      const T w = T(std * rng.normal());
      if (m.mask()(i, j) != T(0)) m.W()(i, j) = m.W()(j, i) = w;
    }
  for (auto& x : m.bias()) x = T(std * rng.normal());
  return m;
}

/// Exact P(s) of a small Boltzmann machine over all 2^n joint states, n = n_units (the columns
/// of binary_states: bit i of the index = unit i).
inline arma::vec exact_state_probabilities(const rbmkit::BoltzmannMachine<double>& bm) {
  arma::vec log_p = -bm.energy(rbmkit::binary_states(bm.n_units()));
  log_p -= log_p.max();
  const arma::vec p = arma::exp(log_p);
  return p / arma::accu(p);
}

/// Bitwise equality of two matrices of the same element type (distinguishes −0 from +0).
template <class T>
bool same_bits(const arma::Mat<T>& a, const arma::Mat<T>& b) {
  return a.n_rows == b.n_rows && a.n_cols == b.n_cols &&
         (a.n_elem == 0 || std::memcmp(a.memptr(), b.memptr(), a.n_elem * sizeof(T)) == 0);
}

}  // namespace fixtures
