#pragma once
/// The optimiser's passes over W-sized arrays: the RBM weight update's inner loop (RbmStep::update,
/// one column of W at a time), the statistic's division and the parameter average. Compiled
/// like every kernel for AVX-512, AVX2 and baseline x86-64, without fused multiply-add, so
/// every variant gives the same bits as the element-wise loops they replace. The centring is
/// Melchior, Wang and Wiskott's (2016), the momentum step that of Hinton's guide (2010) §9;
/// rbm_step.hpp and update.hpp state them.
#include <cstddef>

namespace rbmkit::detail {

/// What one column j of the update needs besides its own arrays. Null pointers switch a term off.
template <class T>
struct MomentumColumn {
  std::size_t n = 0;          ///< the column's length (visible units)
  T momentum = 0, lr = 0;     ///< the step: vel ← momentum·vel + lr·ΔW, W ← W + vel
  T decay = 0;                ///< weight decay (0: none): ΔW ← ΔW − decay·W
  const T* mu = nullptr;      ///< visible offsets μ (centring), n values
  const T* gb = nullptr;      ///< the visible-bias statistic (centring), n values
  T gc = 0, lambda = 0;       ///< hidden unit j's bias statistic and offset λ_j (centring)
  T* dl = nullptr;            ///< running Σ_j ΔW_ij λ_j (centring), n values, updated
  const T* v_mean = nullptr;  ///< the minibatch's visible means (sparsity), n values
  T cost = 0, excess = 0;     ///< sparsity: ΔW ← ΔW − cost·(v_mean·excess)
};

/// One column of the update from its statistic g (n values): ΔW = g − (μ·gc + gb·λ) when
/// centred (else g), then decay and sparsity, then the momentum step on vel and w (n values
/// each, updated), ΔW kept in d (n values). Returns Σ_i ΔW_i μ_i (0 without centring), summed in
/// 8 interleaved partial sums added in a fixed order.
float momentum_column(const MomentumColumn<float>& c, const float* g, float* w, float* vel,
                      float* d);
double momentum_column(const MomentumColumn<double>& c, const double* g, double* w,
                       double* vel, double* d);

/// x_i ← x_i / divisor for i < n (a division, as `x / divisor` in Armadillo rounds).
void divide(float* x, std::size_t n, float divisor);
void divide(double* x, std::size_t n, double divisor);

/// a_i ← a_i + w·(x_i − a_i) for i < n: one more iterate x in a running mean (ParameterAverage).
void running_mean(float* a, const float* x, std::size_t n, float w);
void running_mean(double* a, const double* x, std::size_t n, double w);

}  // namespace rbmkit::detail
