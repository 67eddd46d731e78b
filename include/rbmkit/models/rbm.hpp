#pragma once
/// The Bernoulli–Bernoulli restricted Boltzmann machine: parameters and energy only.
///
/// E(v, h) = −bᵀv − cᵀh − vᵀW h, P(v, h) = exp(−E(v, h)) / Z.
/// Matrices of states hold one example per column (visible: n_visible × B, hidden: n_hidden × B).
#include <armadillo>
#include <cstddef>

#include "rbmkit/core/math.hpp"
#include "rbmkit/core/random.hpp"

namespace rbmkit {

/// A restricted Boltzmann machine with binary visible and hidden units.
template <class T>
class Rbm {
public:
  using Mat = arma::Mat<T>;
  using Col = arma::Col<T>;

  Rbm() = default;
  /// A machine with all parameters zero.
  Rbm(std::size_t n_visible, std::size_t n_hidden);

  std::size_t n_visible() const { return W_.n_rows; }
  std::size_t n_hidden() const { return W_.n_cols; }

  /// Weights, n_visible × n_hidden.
  Mat& W() { return W_; }
  const Mat& W() const { return W_; }
  /// Visible biases.
  Col& b() { return b_; }
  const Col& b() const { return b_; }
  /// Hidden biases.
  Col& c() { return c_; }
  const Col& c() const { return c_; }

  /// Initialisation of Hinton's practical guide (§8): W ~ N(0, weight_std²),
  /// b_i = log(p_i / (1 − p_i)) with p_i the data marginal clipped to [clip, 1 − clip], c = 0.
  void initialize(const arma::vec& visible_marginals, Rng& rng, double weight_std = 0.01,
                  double clip = 1e-3);

  /// Hidden pre-activations Wᵀ V + c.
  Mat hidden_input(const Mat& V) const;
  /// P(h = 1 | v) = sigm(Wᵀ v + c) for each column of V.
  Mat hidden_mean(const Mat& V) const;
  /// Visible pre-activations W H + b.
  Mat visible_input(const Mat& H) const;
  /// P(v = 1 | h) = sigm(W h + b) for each column of H.
  Mat visible_mean(const Mat& H) const;

  /// Energy E(v, h) of each column pair.
  arma::vec energy(const Mat& V, const Mat& H) const;
  /// Free energy F(v) = −bᵀv − Σ_j softplus(c_j + W_{·j}ᵀ v), so P(v) = exp(−F(v)) / Z,
  /// one value per column, accumulated in double.
  arma::vec free_energy(const Mat& V) const;

  /// Parameters converted to another element type.
  template <class U>
  Rbm<U> cast() const {
    Rbm<U> r(n_visible(), n_hidden());
    r.W() = arma::conv_to<arma::Mat<U>>::from(W_);
    r.b() = arma::conv_to<arma::Col<U>>::from(b_);
    r.c() = arma::conv_to<arma::Col<U>>::from(c_);
    return r;
  }

private:
  Mat W_;
  Col b_;
  Col c_;
};

extern template class Rbm<float>;
extern template class Rbm<double>;

}  // namespace rbmkit
