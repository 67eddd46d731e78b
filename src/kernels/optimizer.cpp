#include "kernels/optimizer.hpp"
#include "kernels/simd.hpp"

namespace rbmkit::detail {
namespace {

// Separate simple loops, so that each vectorises.
template <class T>
RBMKIT_INLINE T momentum_column_impl(const MomentumColumn<T>& c, const T* g, T* w, T* vel,
                                     T* d) {
  const std::size_t n = c.n;
  T sum = 0;
  if (c.mu) {
    const T gc = c.gc, lambda = c.lambda;
    const T* mu = c.mu;
    const T* gb = c.gb;
    T* dl = c.dl;
    for (std::size_t i = 0; i < n; ++i) {
      d[i] = g[i] - (mu[i] * gc + gb[i] * lambda);
      dl[i] += d[i] * lambda;
    }
    T part[8] = {};
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8)
      for (int l = 0; l < 8; ++l) part[l] += d[i + l] * mu[i + l];
    for (; i < n; ++i) part[0] += d[i] * mu[i];
    sum = ((part[0] + part[4]) + (part[2] + part[6])) + ((part[1] + part[5]) + (part[3] + part[7]));
  } else {
    for (std::size_t i = 0; i < n; ++i) d[i] = g[i];
  }
  if (c.decay > 0)
    for (std::size_t i = 0; i < n; ++i) d[i] -= c.decay * w[i];
  if (c.v_mean) {
    const T cost = c.cost, excess = c.excess;
    for (std::size_t i = 0; i < n; ++i) d[i] -= cost * (c.v_mean[i] * excess);
  }
  const T m = c.momentum, lr = c.lr;
  for (std::size_t i = 0; i < n; ++i) {
    vel[i] = m * vel[i] + lr * d[i];
    w[i] += vel[i];
  }
  return sum;
}

}  // namespace

RBMKIT_CLONES float momentum_column(const MomentumColumn<float>& c, const float* g, float* w,
                                    float* vel, float* d) {
  return momentum_column_impl(c, g, w, vel, d);
}
RBMKIT_CLONES double momentum_column(const MomentumColumn<double>& c, const double* g, double* w,
                                     double* vel, double* d) {
  return momentum_column_impl(c, g, w, vel, d);
}

RBMKIT_CLONES void divide(float* x, std::size_t n, float divisor) {
  for (std::size_t i = 0; i < n; ++i) x[i] /= divisor;
}
RBMKIT_CLONES void divide(double* x, std::size_t n, double divisor) {
  for (std::size_t i = 0; i < n; ++i) x[i] /= divisor;
}

RBMKIT_CLONES void running_mean(float* a, const float* x, std::size_t n, float w) {
  for (std::size_t i = 0; i < n; ++i) a[i] += w * (x[i] - a[i]);
}
RBMKIT_CLONES void running_mean(double* a, const double* x, std::size_t n, double w) {
  for (std::size_t i = 0; i < n; ++i) a[i] += w * (x[i] - a[i]);
}

}  // namespace rbmkit::detail
