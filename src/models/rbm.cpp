#include "rbmkit/models/rbm.hpp"

#include <algorithm>
#include <cmath>

#include "rbmkit/core/error.hpp"
#include "kernels/products.hpp"

namespace rbmkit {

template <class T>
Rbm<T>::Rbm(std::size_t n_visible, std::size_t n_hidden)
    : W_(n_visible, n_hidden, arma::fill::zeros),
      b_(n_visible, arma::fill::zeros),
      c_(n_hidden, arma::fill::zeros) {}

namespace {
/// Rbm's members, in order: a member added to Rbm changes its size, which the assertion after
/// with_weights catches, so that with_weights is made to copy it too.
template <class T>
struct RbmMembers {
  arma::Mat<T> W;
  arma::Col<T> b, c;
  UnitType visible;
  arma::Col<T> z;
  Standardization standardization;
};
}  // namespace

template <class T>
Rbm<T> Rbm<T>::with_weights(Mat&& W) const {
  Rbm<T> r;
  r.W_ = std::move(W);
  r.b_ = b_;
  r.c_ = c_;
  r.visible_ = visible_;
  r.z_ = z_;
  r.standardization_ = standardization_;
  return r;
}
static_assert(sizeof(Rbm<float>) == sizeof(RbmMembers<float>) &&
                  sizeof(Rbm<double>) == sizeof(RbmMembers<double>),
              "Rbm has a member that Rbm::with_weights does not copy");

template <class T>
void Rbm<T>::set_visible_units(UnitType type) {
  if (type != UnitType::bernoulli && type != UnitType::gaussian)
    throw InvalidArgument("Rbm::set_visible_units: unknown unit type " + std::to_string(int(type)));
  visible_ = type;
  if (type == UnitType::gaussian)
    z_.zeros(n_visible());
  else
    z_.reset();
}

template <class T>
typename Rbm<T>::Mat Rbm<T>::precision_weighted(const Mat& V) const {
  Mat S = V;
  S.each_col() %= Col(arma::exp(-z_));
  return S;
}

template <class T>
void Rbm<T>::initialize(const arma::vec& p, Rng& rng, double weight_std, double clip) {
  if (p.n_elem != n_visible())
    throw DimensionError("Rbm::initialize: " + std::to_string(p.n_elem) +
                         " marginals for " + std::to_string(n_visible()) + " visible units");
  // Column-major fill order, so the result depends only on the seed and the shape.
  for (arma::uword i = 0; i < W_.n_elem; ++i) W_[i] = T(weight_std * rng.normal());
  for (arma::uword i = 0; i < b_.n_elem; ++i) {
    if (visible_ == UnitType::gaussian) {
      b_[i] = T(p[i]);
      continue;
    }
    const double q = std::clamp(p[i], clip, 1.0 - clip);
    b_[i] = T(std::log(q / (1.0 - q)));
  }
  c_.zeros();
}

template <class T>
typename Rbm<T>::Mat Rbm<T>::hidden_input(const Mat& V) const {
  Mat A;
  if (visible_ == UnitType::gaussian) {  // real-valued states: BLAS, never the binary gathers
    A = W_.t() * precision_weighted(V);
    A.each_col() += c_;
    return A;
  }
  detail::ProductBuffers<T> buffers;
  buffers.wt_block = 64;  // one product: Wᵀ a block at a time (64 × n_visible values), not whole
  detail::hidden_input(W_, c_, V, A, buffers);
  return A;
}

template <class T>
typename Rbm<T>::Mat Rbm<T>::hidden_mean(const Mat& V) const {
  const Mat A = hidden_input(V);
  Mat P(arma::size(A));
  detail::sigmoid_sample(A.memptr(), A.n_rows, A.n_cols, P.memptr(), static_cast<T*>(nullptr),
                         static_cast<const T*>(nullptr));
  return P;
}

template <class T>
typename Rbm<T>::Mat Rbm<T>::visible_input(const Mat& H) const {
  Mat A;
  detail::ProductBuffers<T> buffers;
  detail::visible_input(W_, b_, H, A, buffers);
  return A;
}

template <class T>
typename Rbm<T>::Mat Rbm<T>::visible_mean(const Mat& H) const {
  if (visible_ == UnitType::gaussian) return visible_input(H);
  const Mat A = visible_input(H);
  Mat P(arma::size(A));
  detail::sigmoid_sample(A.memptr(), A.n_rows, A.n_cols, P.memptr(), static_cast<T*>(nullptr),
                         static_cast<const T*>(nullptr));
  return P;
}

template <class T>
typename Rbm<T>::Mat Rbm<T>::sample_visible(const Mat& H, Rng& rng) const {
  if (visible_ != UnitType::gaussian) return sample_bernoulli<T>(visible_mean(H), rng);
  Mat V = visible_input(H);
  const Col sd = arma::exp(z_ / T(2));
  for (arma::uword j = 0; j < V.n_cols; ++j) {
    T* col = V.colptr(j);
    for (arma::uword i = 0; i < V.n_rows; ++i) col[i] += sd[i] * T(rng.normal());
  }
  return V;
}

template <class T>
arma::vec Rbm<T>::energy(const Mat& V, const Mat& H) const {
  const Mat WH = W_ * H;
  arma::vec e(V.n_cols);
  if (visible_ == UnitType::gaussian) {
    const arma::vec p = arma::exp(-arma::conv_to<arma::vec>::from(z_));  // 1 / σ²
    const arma::vec b = arma::conv_to<arma::vec>::from(b_);
    for (arma::uword j = 0; j < V.n_cols; ++j) {
      const arma::vec v = arma::conv_to<arma::vec>::from(V.col(j));
      const arma::vec wh = arma::conv_to<arma::vec>::from(WH.col(j));
      e[j] = 0.5 * arma::dot(arma::square(v - b), p) - arma::dot(v % wh, p) -
             double(arma::dot(c_, H.col(j)));
    }
    return e;
  }
  for (arma::uword j = 0; j < V.n_cols; ++j)
    e[j] = -double(arma::dot(b_, V.col(j))) - double(arma::dot(c_, H.col(j))) -
           double(arma::dot(V.col(j), WH.col(j)));
  return e;
}

template <class T>
arma::vec Rbm<T>::free_energy(const Mat& V) const {
  const Mat sp = softplus<T>(hidden_input(V));
  arma::vec f(V.n_cols);
  for (arma::uword j = 0; j < V.n_cols; ++j) {
    double s = 0;
    const T* col = sp.colptr(j);
    for (arma::uword i = 0; i < sp.n_rows; ++i) s += double(col[i]);
    if (visible_ == UnitType::gaussian) {
      double q = 0;  // Σ_i (v_i − b_i)² / (2σ_i²)
      const T* v = V.colptr(j);
      for (arma::uword i = 0; i < V.n_rows; ++i) {
        const double d = double(v[i]) - double(b_[i]);
        q += 0.5 * d * d * std::exp(-double(z_[i]));
      }
      f[j] = q - s;
    } else {
      f[j] = -double(arma::dot(b_, V.col(j))) - s;
    }
  }
  return f;
}

template class Rbm<float>;
template class Rbm<double>;

}  // namespace rbmkit
