#pragma once
/// log Σ_i exp(x_i), shifted by the largest term and summed in long double; the largest term
/// itself when it is not finite (−inf for no mass).
#include <algorithm>
#include <cmath>
#include <vector>

namespace rbmkit::detail {

inline double log_sum_exp(const std::vector<double>& x) {
  const double m = *std::max_element(x.begin(), x.end());
  if (!std::isfinite(m)) return m;
  long double s = 0;
  for (double v : x) s += std::exp((long double)(v - m));
  return m + double(std::log(s));
}

}  // namespace rbmkit::detail
