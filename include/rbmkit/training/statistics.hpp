#pragma once
/// Gradient statistics of an RBM, computed two ways (SEED-NOTES §2, paper §4.2):
///
///  * contrastive:        Δb = ⟨v⟩₊ − ⟨v⟩₋,  Δc = ⟨h⟩₊ − ⟨h⟩₋,  ΔW = ⟨v hᵀ⟩₊ − ⟨v hᵀ⟩₋;
///  * reward correlator:  one stream of samples s_t with reward R_t = +1 (positive phase) or
///                        −1 (negative phase); Δb = Σ_t R_t v_t / n₊, Δc = Σ_t R_t h_t / n₊,
///                        ΔW = Σ_t R_t v_t h_tᵀ / n₊ — the unnormalized reward correlator.
///
/// Both are the raw statistics: no learning rate, momentum, weight decay or sparsity.
/// Visible states are sampled binary states; hidden values are the conditional means
/// P(h = 1 | v) (Rao-Blackwellised), in both phases and both paths.
///
/// Bitwise equality. The correlator processes the stream in runs of equal reward: the first
/// run's reward-weighted sums are one product, and every later run's terms R_t v_t h_tᵀ are
/// added to those sums one by one (R = ±1 scales exactly). The contrastive path forms the
/// positive phase's sums the same way and subtracts the negative phase's terms one by one; as
/// x − y equals x + (−y) in IEEE arithmetic, for the trainer's stream — all positives, then all
/// negatives — both paths do the same floating-point operations in the same order and give
/// bit-identical updates. (Dense or mostly-one states form a run's product apart and add it:
/// the same in both paths, by the sign symmetry of rounding.)
#include <armadillo>
#include <functional>
#include <memory>
#include <string>

#include "rbmkit/core/enum_names.hpp"
#include "rbmkit/models/units.hpp"
#include "rbmkit/sampling/gibbs.hpp"
#include "rbmkit/sampling/phases.hpp"

namespace rbmkit {

/// Which estimator of the log-likelihood gradient the trainer uses.
enum class GradientPath {
  contrastive,       ///< positive minus negative phase statistics
  reward_correlator  ///< Σ R·s over one ±1-rewarded stream
};

/// Names of GradientPath for to_string / from_string.
template <>
struct EnumNames<GradientPath> {
  static constexpr const char* type = "GradientPath";
  static constexpr std::pair<GradientPath, const char*> names[] = {
      {GradientPath::contrastive, "contrastive"},
      {GradientPath::reward_correlator, "reward-correlator"}};
};

/// Raw gradient statistics {ΔW, Δb, Δc} of a machine, before learning rate, momentum and
/// penalties. RBM: dW is n_visible × n_hidden. Boltzmann machine: dW is n × n over all units
/// (visible first), symmetric, zero on the diagonal and outside the connectivity mask.
/// db holds the visible biases' statistics, dc the hidden biases'.
template <class T>
struct Statistics {
  arma::Mat<T> dW;
  arma::Col<T> db;
  arma::Col<T> dc;
  /// The same statistics in another element type (float to double is exact).
  template <class U>
  Statistics<U> cast() const {
    return {arma::conv_to<arma::Mat<U>>::from(dW), arma::conv_to<arma::Col<U>>::from(db),
            arma::conv_to<arma::Col<U>>::from(dc)};
  }
};

/// A single stream of samples, each with reward +1 or −1. Columns are samples.
template <class T>
struct RewardStream {
  arma::Mat<T> v;        ///< visible states
  arma::Mat<T> h;        ///< hidden values (conditional means)
  arma::Row<T> reward;   ///< +1 or −1 per sample
  /// Number of samples with reward +1.
  std::size_t n_positive() const;
};

/// The stream of the trainer: the positive phase's samples (R = +1), then the negative
/// phase's (R = −1).
template <class T>
RewardStream<T> make_reward_stream(const Phase<T>& positive, const Phase<T>& negative);

/// Buffers of the statistics, kept by a caller that computes them every minibatch (the
/// trainer's step) so that they allocate nothing. A copy starts with fresh buffers.
template <class T>
class GradientWorkspace {
public:
  GradientWorkspace();
  ~GradientWorkspace();
  GradientWorkspace(const GradientWorkspace&);
  GradientWorkspace& operator=(const GradientWorkspace&);
  GradientWorkspace(GradientWorkspace&&) noexcept;
  GradientWorkspace& operator=(GradientWorkspace&&) noexcept;

  /// The kernels' buffers (private to the library): `shared` when set, else its own. The
  /// weight statistic, as the products give it transposed (n_hidden × n_visible), is formed in
  /// their Wt (the transpose of W that hidden_input keeps; it is then marked stale).
  detail::ProductBuffers<T>& buffers();
  /// Makes the statistics use `shared` (e.g. a PhaseWorkspace's buffers, which the phases no
  /// longer need once drawn) instead of this workspace's own buffers: one set of index lists
  /// and one W-sized matrix for both. Null: its own again. `shared` must outlive their use;
  /// a copy of the workspace does not share. Results do not depend on it.
  void share(detail::ProductBuffers<T>* shared) { shared_ = shared; }
  /// When true, the statistics leave dW empty: the weight statistic is buffers().Wt (transposed,
  /// n_hidden × n_visible) divided by `divisor`, for a caller that reads it in that layout
  /// (RbmStep's update) without a second W-sized matrix. The gradient functions set `divisor`.
  bool defer_weights = false;
  double divisor = 1;
  /// With defer_weights, for a caller that passes over the weight statistic row by row of
  /// buffers().Wt (RbmStep's update): when set, contrastive_gradient may call it with ranges
  /// [first, last) of those rows (hidden units) as soon as they are final, while other rows are
  /// still being summed: disjoint ranges of whole blocks of 32 rows (the last may end at
  /// n_hidden), on several threads at once (`worker` < threads(), as parallel_for_dynamic's),
  /// with `g`'s bias statistics and `divisor` already final. It then sets
  /// weight_rows_reported, and every row has been passed exactly once; otherwise (no split
  /// among threads, another path) it is not called and the flag is false.
  std::function<void(std::size_t first, std::size_t last, int worker, const Statistics<T>& g)>
      weight_rows;
  bool weight_rows_reported = false;
  /// Row sums of one matrix (detail::sum_rows's, arma::sum(·, 1)'s bits), named by the
  /// matrix's address and shape.
  struct NamedSums {
    const void* of = nullptr;  ///< the matrix summed; null: none
    arma::uword cols = 0;      ///< its columns
    arma::Col<T> sums;         ///< its row sums
    /// Whether these are M's sums: M's address, rows and columns.
    bool are_of(const arma::Mat<T>& M) const {
      return of != nullptr && of == M.memptr() && cols == M.n_cols && sums.n_elem == M.n_rows;
    }
  };
  /// Row sums of the positive phase's v and h that the caller has formed already (RbmStep's
  /// centring). contrastive_gradient takes them for a positive phase whose v and h are those
  /// matrices, unchanged since, instead of summing again, and clears both names; unnamed: it
  /// sums.
  struct PositiveSums {
    NamedSums v, h;
  } positive_sums;

private:
  std::unique_ptr<detail::ProductBuffers<T>> buffers_;
  detail::ProductBuffers<T>* shared_ = nullptr;
};

/// Contrastive statistics: positive-phase means minus negative-phase means. `visible` is the
/// kind of the visible units: Gaussian (real-valued) states always take the BLAS products,
/// Bernoulli states the binary kernels when they are 0/1 and sparse (src/kernels/products.hpp).
/// `workspace`, when given, holds the buffers between calls.
template <class T>
Statistics<T> contrastive_gradient(const Phase<T>& positive, const Phase<T>& negative,
                                   UnitType visible = UnitType::bernoulli,
                                   GradientWorkspace<T>* workspace = nullptr);

/// The unnormalized reward correlator Σ_t R_t s_t (and Σ_t R_t v_t h_tᵀ) divided by the number
/// of positive samples. Requires as many negative as positive samples and rewards of ±1.
/// `visible` and `workspace` as for contrastive_gradient.
template <class T>
Statistics<T> reward_correlator_gradient(const RewardStream<T>& stream,
                                         UnitType visible = UnitType::bernoulli,
                                         GradientWorkspace<T>* workspace = nullptr);

/// The same correlator accumulated sample by sample in long double — slow, order-independent
/// up to rounding; a reference for tests and for streams in any order.
template <class T>
Statistics<double> reward_correlator_reference(const RewardStream<T>& stream);

/// Receives every reward stream the correlator path correlates (inspection, dumps, tests).
template <class T>
using StreamObserver = std::function<void(const RewardStream<T>&)>;

/// The statistics by the chosen path, from the two phases. The reward-correlator path hands its
/// stream to `observer` (when set) before correlating it. `visible` as for contrastive_gradient
/// (both paths choose the same products, so they stay bit-identical).
template <class T>
Statistics<T> rbm_gradient(GradientPath path, const Phase<T>& positive, const Phase<T>& negative,
                            const StreamObserver<T>& observer = {},
                            UnitType visible = UnitType::bernoulli,
                            GradientWorkspace<T>* workspace = nullptr);

#define RBMKIT_GRADIENT_EXTERN(T)                                                          \
  extern template struct RewardStream<T>;                                                  \
  extern template RewardStream<T> make_reward_stream(const Phase<T>&, const Phase<T>&);    \
  extern template class GradientWorkspace<T>;                                              \
  extern template Statistics<T> contrastive_gradient(const Phase<T>&, const Phase<T>&,    \
                                                     UnitType, GradientWorkspace<T>*);     \
  extern template Statistics<T> reward_correlator_gradient(const RewardStream<T>&, UnitType, \
                                                           GradientWorkspace<T>*);         \
  extern template Statistics<double> reward_correlator_reference(const RewardStream<T>&); \
  extern template Statistics<T> rbm_gradient(GradientPath, const Phase<T>&, const Phase<T>&, \
                                              const StreamObserver<T>&, UnitType,          \
                                              GradientWorkspace<T>*);
RBMKIT_GRADIENT_EXTERN(float)
RBMKIT_GRADIENT_EXTERN(double)
#undef RBMKIT_GRADIENT_EXTERN

}  // namespace rbmkit
