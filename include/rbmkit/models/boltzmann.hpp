#pragma once
/// The general Boltzmann machine over binary units (SEED-NOTES §2, paper §4.2).
///
/// Units are numbered visible first, then hidden: s = (v, h), n = n_visible + n_hidden.
///   P(s) ∝ exp(Σ_i bias_i s_i + Σ_{i<j} W_ij s_i s_j) = exp(biasᵀs + ½ sᵀ W s),
///   E(s) = −biasᵀs − ½ sᵀ W s,
///   P(s_i = 1 | s_−i) = sigm(a_i),  a_i = bias_i + Σ_{j≠i} W_ij s_j.
/// W is one n × n symmetric matrix with zero diagonal; its visible–visible, visible–hidden and
/// hidden–hidden blocks are all free parameters, restricted by an optional connectivity mask
/// (1 = connection present). An RBM is the mask with only the visible–hidden blocks.
/// Matrices of states hold one configuration per column (n × B).
#include <armadillo>
#include <cstddef>
#include <string>

#include "rbmkit/core/enum_names.hpp"
#include "rbmkit/core/random.hpp"
#include "rbmkit/models/rbm.hpp"

namespace rbmkit {

/// Which pairs of units may be connected.
enum class Connectivity {
  full,             ///< every pair (visible–visible, visible–hidden, hidden–hidden)
  semi_restricted,  ///< no hidden–hidden connections
  restricted        ///< visible–hidden only: an RBM
};
/// Names of Connectivity for to_string / from_string (core/enum_names.hpp).
template <>
struct EnumNames<Connectivity> {
  static constexpr const char* type = "Connectivity";
  static constexpr std::pair<Connectivity, const char*> names[] = {
      {Connectivity::full, "full"},
      {Connectivity::semi_restricted, "semi-restricted"},
      {Connectivity::restricted, "restricted"}};
};

/// The n × n 0/1 mask of `c` for n_visible + n_hidden units (symmetric, zero diagonal).
arma::mat connectivity_mask(std::size_t n_visible, std::size_t n_hidden, Connectivity c);

/// A Boltzmann machine with binary visible and hidden units.
template <class T>
class BoltzmannMachine {
public:
  using Mat = arma::Mat<T>;
  using Col = arma::Col<T>;

  BoltzmannMachine() = default;
  /// A machine with all parameters zero and the mask of `c`.
  BoltzmannMachine(std::size_t n_visible, std::size_t n_hidden,
                   Connectivity c = Connectivity::full);

  std::size_t n_visible() const { return n_visible_; }
  std::size_t n_hidden() const { return bias_.n_elem - n_visible_; }
  std::size_t n_units() const { return bias_.n_elem; }

  /// Symmetric weights, n × n, zero on the diagonal and wherever the mask is 0. Writing through
  /// this reference must keep that structure (`check()` verifies it).
  Mat& W() { return W_; }
  const Mat& W() const { return W_; }
  /// Biases of all units, visible first.
  Col& bias() { return bias_; }
  const Col& bias() const { return bias_; }
  /// The connectivity mask, n × n, entries 0 or 1, symmetric, zero diagonal.
  const Mat& mask() const { return mask_; }
  /// Replaces the mask after checking it; weights outside the new mask become 0.
  void set_mask(const Mat& mask);

  /// Visible biases (a copy of the first n_visible entries of bias()).
  Col visible_bias() const { return bias_.head(n_visible_); }
  /// Hidden biases (a copy of the last n_hidden entries of bias()).
  Col hidden_bias() const { return bias_.tail(n_hidden()); }

  /// Throws InvalidArgument (naming `who`) unless W is symmetric with zero diagonal, zero outside
  /// the mask, and every parameter finite.
  void check(const std::string& who = "BoltzmannMachine") const;

  /// Initialisation as Hinton's practical guide (§8) does for RBMs: W_ij ~ N(0, weight_std²)
  /// for masked-in pairs (symmetric), visible biases log(p_i / (1 − p_i)) from the clipped data
  /// marginals, hidden biases 0.
  void initialize(const arma::vec& visible_marginals, Rng& rng, double weight_std = 0.01,
                  double clip = 1e-3);

  /// Activations a = W S + bias for every unit of every column of S (n × B). Since the diagonal
  /// is zero, sigm(a_i) = P(s_i = 1 | s_−i).
  Mat input(const Mat& S) const;
  /// Energy E(s) = −biasᵀs − ½ sᵀ W s of each column, accumulated in double.
  arma::vec energy(const Mat& S) const;

  /// Parameters converted to another element type.
  template <class U>
  BoltzmannMachine<U> cast() const {
    BoltzmannMachine<U> m(n_visible_, n_hidden());
    m.set_mask(arma::conv_to<arma::Mat<U>>::from(mask_));
    m.W() = arma::conv_to<arma::Mat<U>>::from(W_);
    m.bias() = arma::conv_to<arma::Col<U>>::from(bias_);
    return m;
  }

private:
  std::size_t n_visible_ = 0;
  Mat W_;
  Col bias_;
  Mat mask_;
};

/// The RBM as a Boltzmann machine with restricted connectivity: W = [[0, W_rbm], [W_rbmᵀ, 0]],
/// bias = (b, c). Both define the same distribution over (v, h).
template <class T>
BoltzmannMachine<T> to_boltzmann(const Rbm<T>& rbm);

extern template class BoltzmannMachine<float>;
extern template class BoltzmannMachine<double>;
extern template BoltzmannMachine<float> to_boltzmann(const Rbm<float>&);
extern template BoltzmannMachine<double> to_boltzmann(const Rbm<double>&);

}  // namespace rbmkit
