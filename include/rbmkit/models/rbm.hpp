#pragma once
/// The restricted Boltzmann machine with binary hidden units: parameters and energy only.
///
/// Bernoulli visible units (the default): E(v, h) = −bᵀv − cᵀh − vᵀW h.
/// Gaussian visible units (Cho, Ilin & Raiko 2011, "Improved learning of Gaussian-Bernoulli
/// restricted Boltzmann machines", ICANN, eq. 1), σ_i² = exp(z_i):
///   E(v, h) = Σ_i (v_i − b_i)² / (2σ_i²) − Σ_ij W_ij h_j v_i / σ_i² − cᵀh,
///   P(h_j = 1 | v) = sigm(c_j + Σ_i W_ij v_i / σ_i²),  P(v_i | h) = N(b_i + Σ_j W_ij h_j, σ_i²).
/// P(v, h) = exp(−E(v, h)) / Z (a density in v for Gaussian units). Matrices of states hold one
/// example per column (visible: n_visible × B, hidden: n_hidden × B).
#include <armadillo>
#include <cstddef>

#include "rbmkit/core/math.hpp"
#include "rbmkit/core/random.hpp"
#include "rbmkit/models/units.hpp"

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

  /// Kind of the visible units: UnitType::bernoulli (the default) or UnitType::gaussian.
  UnitType visible_units() const { return visible_; }
  /// Makes the visible units `type`; Gaussian units start with unit variances (z = 0), Bernoulli
  /// units have no z. Throws InvalidArgument for a type other than bernoulli or gaussian.
  void set_visible_units(UnitType type);
  /// Log-variances z_i = log σ_i² of Gaussian visible units (n_visible); empty for Bernoulli.
  Col& z() { return z_; }
  const Col& z() const { return z_; }
  /// The standardisation x' = (x − mean) / sd of the data the model was trained on (Gaussian
  /// visible units; empty otherwise): its states are standardised values.
  Standardization& standardization() { return standardization_; }
  const Standardization& standardization() const { return standardization_; }

  /// Initialisation of Hinton's practical guide (§8): W ~ N(0, weight_std²),
  /// b_i = log(p_i / (1 − p_i)) with p_i the data marginal clipped to [clip, 1 − clip], c = 0.
  /// Gaussian visible units: b_i = p_i (the data mean), z unchanged.
  void initialize(const arma::vec& visible_marginals, Rng& rng, double weight_std = 0.01,
                  double clip = 1e-3);

  /// Hidden pre-activations Wᵀ V + c (Gaussian units: Wᵀ (V / σ²) + c).
  Mat hidden_input(const Mat& V) const;
  /// P(h = 1 | v) = sigm(Wᵀ v + c) for each column of V.
  Mat hidden_mean(const Mat& V) const;
  /// Visible pre-activations W H + b.
  Mat visible_input(const Mat& H) const;
  /// P(v = 1 | h) = sigm(W h + b) for each column of H (Gaussian units: E[v | h] = W h + b).
  Mat visible_mean(const Mat& H) const;
  /// Visible states drawn given hidden states H from `rng`: Bernoulli units 1 with probability
  /// P(v = 1 | h) (sample_bernoulli: one key from `rng` per call); Gaussian units
  /// v_i = (W h + b)_i + σ_i ε, ε ~ N(0, 1) (Rng::normal, entry by entry in column-major order).
  Mat sample_visible(const Mat& H, Rng& rng) const;

  /// Energy E(v, h) of each column pair.
  arma::vec energy(const Mat& V, const Mat& H) const;
  /// Free energy F(v) = −bᵀv − Σ_j softplus(c_j + W_{·j}ᵀ v), so P(v) = exp(−F(v)) / Z,
  /// one value per column, accumulated in double. Gaussian units (Cho et al. 2011):
  /// F(v) = Σ_i (v_i − b_i)² / (2σ_i²) − Σ_j softplus(c_j + Σ_i W_ij v_i / σ_i²), nats.
  arma::vec free_energy(const Mat& V) const;

  /// This machine with the weights `W` moved in (the caller's n_visible × n_hidden array) and
  /// every other member copied: W itself is never copied, and a view of other memory (arma's
  /// auxiliary memory) stays a view, valid only while that memory is.
  Rbm with_weights(Mat&& W) const;

  /// Parameters converted to another element type.
  template <class U>
  Rbm<U> cast() const {
    Rbm<U> r(n_visible(), n_hidden());
    r.W() = arma::conv_to<arma::Mat<U>>::from(W_);
    r.b() = arma::conv_to<arma::Col<U>>::from(b_);
    r.c() = arma::conv_to<arma::Col<U>>::from(c_);
    r.set_visible_units(visible_);
    r.z() = arma::conv_to<arma::Col<U>>::from(z_);
    r.standardization() = standardization_;
    return r;
  }

private:
  Mat W_;
  Col b_;
  Col c_;
  UnitType visible_ = UnitType::bernoulli;
  Col z_;
  Standardization standardization_;
  /// V / σ² for Gaussian units (V itself for Bernoulli units).
  Mat precision_weighted(const Mat& V) const;
};

extern template class Rbm<float>;
extern template class Rbm<double>;

}  // namespace rbmkit
