#pragma once
// How the evaluation functions read a data set (private to src/evaluation): checks, and batches
// of at most 1000 examples converted one at a time (never a whole float64 copy).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "rbmkit/core/random.hpp"
#include "rbmkit/io/dataset.hpp"

namespace rbmkit::detail {

/// The first `max_examples` examples of `data` (all when 0): how many that is.
inline std::size_t examples_used(const Dataset& data, std::size_t max_examples) {
  return max_examples ? std::min(max_examples, data.size()) : data.size();
}

/// Throws DimensionError naming `who` unless `data` has `n_visible` dimensions.
void check_data_dim(std::size_t n_visible, const Dataset& data, const char* who);

/// With Binarize::none, throws DataError naming `who` unless the first `n` examples are binary.
void require_binary_data(const Dataset& data, Binarize mode, std::size_t n, const char* who);

/// Calls f(V) for the first `n` examples of `data` in order, V a dim() × (≤ 1000) batch of
/// make_batch<T>, binarised by `mode` from one generator seeded by `seed`.
template <class T, class F>
void for_each_batch(const Dataset& data, std::size_t n, Binarize mode, double threshold,
                    std::uint64_t seed, F&& f) {
  Rng rng(seed);
  for (std::size_t first = 0; first < n; first += 1000) {
    const std::size_t count = std::min<std::size_t>(1000, n - first);
    f(make_batch<T>(data, first, count, mode, threshold, rng));
  }
}

}  // namespace rbmkit::detail
