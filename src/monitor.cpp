#include "rbmkit/monitor.hpp"

#include <cmath>

#include "rbmkit/error.hpp"
#include "rbmkit/parallel.hpp"

namespace rbmkit {

template <class T>
double reconstruction_error(const Rbm<T>& rbm, const arma::Mat<T>& V) {
  if (V.n_rows != rbm.n_visible())
    throw DimensionError("reconstruction_error: data has " + std::to_string(V.n_rows) +
                         " dimensions, model has " + std::to_string(rbm.n_visible()) +
                         " visible units");
  if (V.n_cols == 0) return 0.0;
  return mean_squared_error(V, rbm.visible_mean(rbm.hidden_mean(V)));
}

template <class T>
double mean_squared_error(const arma::Mat<T>& A, const arma::Mat<T>& B) {
  if (arma::size(A) != arma::size(B)) throw DimensionError("mean_squared_error: shapes differ");
  if (A.n_elem == 0) return 0.0;
  double s = 0;
  for (arma::uword i = 0; i < A.n_elem; ++i) {
    const double d = double(A[i]) - double(B[i]);
    s += d * d;
  }
  return s / double(A.n_elem);
}

template <class T>
arma::vec pseudo_log_likelihood(const Rbm<T>& rbm, const arma::Mat<T>& V) {
  if (V.n_rows != rbm.n_visible())
    throw DimensionError("pseudo_log_likelihood: data has " + std::to_string(V.n_rows) +
                         " dimensions, model has " + std::to_string(rbm.n_visible()) +
                         " visible units");
  const std::size_t nv = rbm.n_visible(), nh = rbm.n_hidden();
  const arma::Mat<T> A = rbm.hidden_input(V);  // nh × B
  arma::vec out(V.n_cols);
  const arma::Mat<T>& W = rbm.W();
  const arma::Col<T>& b = rbm.b();
  parallel_for(V.n_cols, [&](std::size_t begin, std::size_t end, int) {
    std::vector<double> sp0(nh);
    for (std::size_t n = begin; n < end; ++n) {
      const T* a = A.colptr(n);
      for (std::size_t j = 0; j < nh; ++j) sp0[j] = softplus(double(a[j]));
      double pll = 0;
      for (std::size_t i = 0; i < nv; ++i) {
        const double d = 1.0 - 2.0 * double(V(i, n));  // +1 when v_i = 0, −1 when v_i = 1
        // F(v_flip) − F(v) = −b_i d − Σ_j [softplus(a_j + d W_ij) − softplus(a_j)]
        double delta = -double(b[i]) * d;
        for (std::size_t j = 0; j < nh; ++j)
          delta -= softplus(double(a[j]) + d * double(W(i, j))) - sp0[j];
        // log P(v_i | v_−i) = log sigm(F(v_flip) − F(v)) = −softplus(−delta)
        pll -= softplus(-delta);
      }
      out[n] = pll;
    }
  });
  return out;
}

template <class T>
DataMonitors evaluate_monitors(const Rbm<T>& rbm, const Dataset& data, Binarize mode,
                               double threshold, std::size_t max_examples, std::uint64_t seed) {
  if (data.dim() != rbm.n_visible())
    throw DimensionError(data.source + ": data has " + std::to_string(data.dim()) +
                         " dimensions, model has " + std::to_string(rbm.n_visible()) +
                         " visible units");
  const std::size_t n = max_examples ? std::min(max_examples, data.size()) : data.size();
  Rng rng(seed);
  DataMonitors m;
  const std::size_t chunk = 1000;
  for (std::size_t first = 0; first < n; first += chunk) {
    const std::size_t count = std::min(chunk, n - first);
    const arma::Mat<T> V = make_batch<T>(data, first, count, mode, threshold, rng);
    m.reconstruction_error += reconstruction_error(rbm, V) * double(count);
    m.pseudo_log_likelihood += arma::accu(pseudo_log_likelihood(rbm, V));
    m.free_energy += arma::accu(rbm.free_energy(V));
  }
  if (n > 0) {
    m.reconstruction_error /= double(n);
    m.pseudo_log_likelihood /= double(n);
    m.free_energy /= double(n);
  }
  return m;
}

template double mean_squared_error(const arma::Mat<float>&, const arma::Mat<float>&);
template double mean_squared_error(const arma::Mat<double>&, const arma::Mat<double>&);
template double reconstruction_error(const Rbm<float>&, const arma::Mat<float>&);
template double reconstruction_error(const Rbm<double>&, const arma::Mat<double>&);
template arma::vec pseudo_log_likelihood(const Rbm<float>&, const arma::Mat<float>&);
template arma::vec pseudo_log_likelihood(const Rbm<double>&, const arma::Mat<double>&);
template DataMonitors evaluate_monitors(const Rbm<float>&, const Dataset&, Binarize, double,
                                        std::size_t, std::uint64_t);
template DataMonitors evaluate_monitors(const Rbm<double>&, const Dataset&, Binarize, double,
                                        std::size_t, std::uint64_t);

}  // namespace rbmkit
