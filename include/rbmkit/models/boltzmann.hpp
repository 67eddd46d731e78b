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

#include "rbmkit/core/random.hpp"
#include "rbmkit/models/rbm.hpp"

namespace rbmkit {

/// Which pairs of units may be connected.
enum class Connectivity {
  full,             ///< every pair (visible–visible, visible–hidden, hidden–hidden)
  semi_restricted,  ///< no hidden–hidden connections
  restricted        ///< visible–hidden only: an RBM
};
/// Parses "full" | "semi-restricted" | "restricted"; throws InvalidArgument naming `option`.
Connectivity parse_connectivity(const std::string& text,
                                const std::string& option = "--connectivity");
/// The name `parse_connectivity` accepts.
std::string to_string(Connectivity c);

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

/// One sequential Gibbs sweep over units first, first+1, …, last−1 of every column of S:
/// for each unit i in that order, then each column t, s_it ← 1[u < sigm(a_it)] with
/// a_it = bias_i + Σ_j W_ij s_jt computed from the current states, u ~ U(0,1) from `rng`
/// (Eq. 2 of the paper). Units outside [first, last) are held fixed (clamped).
template <class T>
void gibbs_sweep(const BoltzmannMachine<T>& bm, arma::Mat<T>& S, std::size_t first,
                 std::size_t last, Rng& rng);
/// `sweeps` free-running sweeps over all units (negative phase).
template <class T>
void gibbs_sweeps_free(const BoltzmannMachine<T>& bm, arma::Mat<T>& S, std::size_t sweeps,
                       Rng& rng);
/// `sweeps` sweeps over the hidden units only, the visible rows of S clamped (positive phase).
template <class T>
void gibbs_sweeps_clamped(const BoltzmannMachine<T>& bm, arma::Mat<T>& S, std::size_t sweeps,
                          Rng& rng);

extern template class BoltzmannMachine<float>;
extern template class BoltzmannMachine<double>;
#define RBMKIT_BOLTZMANN_EXTERN(T)                                                           \
  extern template BoltzmannMachine<T> to_boltzmann(const Rbm<T>&);                           \
  extern template void gibbs_sweep(const BoltzmannMachine<T>&, arma::Mat<T>&, std::size_t,  \
                                   std::size_t, Rng&);                                       \
  extern template void gibbs_sweeps_free(const BoltzmannMachine<T>&, arma::Mat<T>&,          \
                                         std::size_t, Rng&);                                 \
  extern template void gibbs_sweeps_clamped(const BoltzmannMachine<T>&, arma::Mat<T>&,       \
                                            std::size_t, Rng&);
RBMKIT_BOLTZMANN_EXTERN(float)
RBMKIT_BOLTZMANN_EXTERN(double)
#undef RBMKIT_BOLTZMANN_EXTERN

}  // namespace rbmkit
