#include "rbmkit/core/math.hpp"

#include <algorithm>
#include <limits>

#include "kernels/uniforms.hpp"

namespace rbmkit {

template <class T>
arma::Mat<T> sigmoid(const arma::Mat<T>& x) {
  arma::Mat<T> y(arma::size(x));
  const T* in = x.memptr();
  T* out = y.memptr();
  for (arma::uword i = 0; i < x.n_elem; ++i) out[i] = T(1) / (T(1) + std::exp(-in[i]));
  return y;
}

template <class T>
arma::Mat<T> softplus(const arma::Mat<T>& x) {
  arma::Mat<T> y(arma::size(x));
  const T* in = x.memptr();
  T* out = y.memptr();
  for (arma::uword i = 0; i < x.n_elem; ++i) {
    const T v = in[i];
    out[i] = std::max(v, T(0)) + std::log1p(std::exp(-std::abs(v)));
  }
  return y;
}

namespace {
double log_sum_exp(const double* x, std::size_t n) {
  if (n == 0) return -std::numeric_limits<double>::infinity();
  const double m = *std::max_element(x, x + n);
  if (!std::isfinite(m)) return m;
  long double s = 0;
  for (std::size_t i = 0; i < n; ++i) s += std::exp((long double)(x[i] - m));
  return m + double(std::log(s));
}
}  // namespace

double log_sum_exp(const std::vector<double>& x) { return log_sum_exp(x.data(), x.size()); }
double log_sum_exp(const arma::vec& x) { return log_sum_exp(x.memptr(), x.n_elem); }

template <class T>
arma::Mat<T> sample_bernoulli(const arma::Mat<T>& P, Rng& rng) {
  arma::Mat<T> S(arma::size(P));
  detail::fill_uniform(rng, S.memptr(), S.n_elem);
  const T* p = P.memptr();
  T* s = S.memptr();
  for (arma::uword i = 0; i < P.n_elem; ++i) s[i] = s[i] < p[i] ? T(1) : T(0);
  return S;
}

template arma::Mat<float> sigmoid(const arma::Mat<float>&);
template arma::Mat<double> sigmoid(const arma::Mat<double>&);
template arma::Mat<float> softplus(const arma::Mat<float>&);
template arma::Mat<double> softplus(const arma::Mat<double>&);
template arma::Mat<float> sample_bernoulli(const arma::Mat<float>&, Rng&);
template arma::Mat<double> sample_bernoulli(const arma::Mat<double>&, Rng&);

}  // namespace rbmkit
