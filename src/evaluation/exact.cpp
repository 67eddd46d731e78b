// The enumeration loop shared by every exact quantity, and the data side of tiny-machine checks.
#include "rbmkit/evaluation/exact.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "evaluation/exact_detail.hpp"
#include "rbmkit/core/error.hpp"
#include "rbmkit/core/parallel.hpp"

namespace rbmkit {

double log_sum_exp_enumerated(
    std::size_t n_units,
    const std::function<void(std::uint64_t, std::size_t, double*)>& block) {
  if (n_units > 62)
    throw InvalidArgument("log_sum_exp_enumerated: " + std::to_string(n_units) +
                          " units cannot be enumerated");
  const std::uint64_t total = std::uint64_t(1) << n_units;
  const std::size_t block_size = std::size_t(std::min<std::uint64_t>(total, 4096));
  const std::uint64_t n_blocks = total / block_size;
  // Each block's log-sum-exp as (max, Σ exp(ℓ − max)), combined in block order afterwards.
  std::vector<double> block_max(n_blocks), block_sum(n_blocks);
  parallel_for(std::size_t(n_blocks), [&](std::size_t begin, std::size_t end, int) {
    std::vector<double> lw(block_size);
    for (std::size_t k = begin; k < end; ++k) {
      block(std::uint64_t(k) * block_size, block_size, lw.data());
      const double m = *std::max_element(lw.begin(), lw.end());
      double s = 0;
      if (std::isfinite(m))
        for (double x : lw) s += std::exp(x - m);
      block_max[k] = m;
      block_sum[k] = s;
    }
  });
  const double m = *std::max_element(block_max.begin(), block_max.end());
  if (!std::isfinite(m)) return m;
  double s = 0;
  for (std::uint64_t k = 0; k < n_blocks; ++k)
    if (block_sum[k] > 0) s += block_sum[k] * std::exp(block_max[k] - m);
  return m + std::log(s);
}

double enumeration_cost(std::size_t n_visible, std::size_t n_hidden) {
  const std::size_t m = std::min(n_visible, n_hidden), n = std::max(n_visible, n_hidden);
  if (m > 62) return std::numeric_limits<double>::infinity();
  return std::ldexp(double(n + 8), int(m));
}

arma::mat binary_states(std::size_t n_units) {
  if (n_units > 26)
    throw InvalidArgument("binary_states: " + std::to_string(n_units) +
                          " units are too many to list every state (at most 26)");
  const std::size_t N = std::size_t(1) << n_units;
  arma::mat S(n_units, N);
  for (std::size_t x = 0; x < N; ++x)
    for (std::size_t i = 0; i < n_units; ++i) S(i, x) = double(x >> i & 1);
  return S;
}

std::size_t visible_index(const double* v, std::size_t nv) {
  std::size_t x = 0;
  for (std::size_t i = 0; i < nv; ++i)
    if (v[i] != 0.0) x |= std::size_t(1) << i;
  return x;
}

arma::vec data_distribution(const arma::mat& data) {
  const std::size_t nv = data.n_rows;
  if (nv == 0 || nv > 16)
    throw InvalidArgument("data_distribution: needs 1 to 16 visible units, got " +
                          std::to_string(nv));
  if (data.n_cols == 0) throw DataError("data_distribution: no examples");
  arma::vec p(std::size_t(1) << nv, arma::fill::zeros);
  for (arma::uword t = 0; t < data.n_cols; ++t) {
    for (arma::uword i = 0; i < nv; ++i)
      if (data(i, t) != 0.0 && data(i, t) != 1.0)
        throw DataError("data_distribution: example " + std::to_string(t) +
                        " is not binary (0/1)");
    p[visible_index(data.colptr(t), nv)] += 1.0;
  }
  return p / double(data.n_cols);
}

namespace detail {

arma::vec checked_data_distribution(const arma::mat& data, std::size_t nv, const char* who) {
  if (data.n_rows != nv)
    throw DimensionError(std::string(who) + ": data has " + std::to_string(data.n_rows) +
                         " rows, model has " + std::to_string(nv) + " visible units");
  return data_distribution(data);
}

double mean_log_likelihood(const arma::vec& p_data, const arma::vec& p_visible) {
  double ll = 0;
  for (arma::uword x = 0; x < p_data.n_elem; ++x)
    if (p_data[x] > 0) ll += p_data[x] * std::log(p_visible[x]);
  return ll;
}

}  // namespace detail

}  // namespace rbmkit
