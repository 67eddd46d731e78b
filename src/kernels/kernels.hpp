#pragma once
/// Vectorised numerical kernels behind rbmkit's likelihood estimators and monitors.
///
/// Each kernel is compiled for AVX-512, AVX2 and baseline x86-64 and the best one is chosen
/// when the program starts. None uses fused multiply-add, so every variant gives bitwise the same
/// result. Arrays are padded: lengths are multiples of `lanes`; callers fill padding so that it
/// contributes nothing (see each kernel). Products with binary operands are in binary.hpp.
#include <cstddef>
#include <cstdint>

namespace rbmkit::detail {

/// Array lengths given to the kernels are multiples of this.
constexpr std::size_t lanes = 16;
/// `n` rounded up to a multiple of `m`.
constexpr std::size_t round_up(std::size_t n, std::size_t m) { return (n + m - 1) / m * m; }
/// A padding value whose softplus is exactly 0 in these kernels.
constexpr double softplus_zero_pad = -1000.0;

/// Σ_i softplus(x_i) in double, softplus(x) = max(x, 0) + log(1 + exp(−|x|)); absolute error of
/// each term below 3e−16 + 2 ulp(x). `n` a multiple of `lanes`.
double sum_softplus(const double* x, std::size_t n);

/// Σ_i softplus(a_i + d·w_i) in double. `n` a multiple of `lanes`.
double sum_softplus_affine(const double* a, const double* w, double d, std::size_t n);

/// Σ_i log(1 + E_i), then E_i ← E_i·R_i. The sum is the log of a product of the factors, kept
/// as 8 lanes of mantissa and exponent, renormalised after every `renorm_every` groups of 8
/// factors: renorm_every · max log(1 + E_i) must stay below 700. With E_i = exp(x_i) this
/// is Σ softplus(x_i) for the cost of one multiplication per term: the inner loop of exact
/// enumeration, where consecutive states differ by one unit and x by one weight column.
/// `n` a multiple of `lanes`; zero padding contributes exactly 0.
double log_prod_1p_scale(double* E, const double* R, std::size_t n, std::size_t renorm_every);

/// Σ_i log(u_i + s_i·R_i) for positive factors, as a renormalised product (renorm_every ·
/// max |log factor| must stay below 700).
/// With u = sigm(−a), s = sigm(a), R = exp(δ) it is Σ softplus(a + δ) − softplus(a), the
/// pseudo-likelihood's free-energy difference. Padding with u = 1, s = 0 contributes 0.
double sum_log_mix(const double* u, const double* s, const double* R, std::size_t n,
                   std::size_t renorm_every);

/// out[e] = sum_log_mix(u[e], s[e], R[e], n, renorm_every) for four examples e at once, bit for
/// bit (their products side by side: one example's waits on its own multiplications alone).
void sum_log_mix4(const double* const u[4], const double* const s[4], const double* const R[4],
                  std::size_t n, std::size_t renorm_every, double out[4]);

/// ep_i = exp(x_i) and em_i = exp(−x_i) for |x_i| ≤ 700, in double: e = exp(−|x_i|), and the
/// other of the two 1 / e (relative error below 1e−15). The pseudo-likelihood's exp(±W) tables
/// (|W| < 600 there). `n` a multiple of `lanes`.
void exp_pair(const double* x, std::size_t n, double* ep, double* em);

/// s_i = sigm(x_i) and u_i = sigm(−x_i) in double, from e = exp(−|x_i|): 1 / (1 + e) and
/// e / (1 + e), relative error below 1e−15 for |x_i| ≤ 708; beyond, the smaller of the two is
/// that of |x_i| = 708 (about 3e−308, where the true value is smaller still). `n` a multiple of
/// `lanes`.
void sigmoid_pair(const double* x, std::size_t n, double* s, double* u);

/// One AIS step on the hidden layer of a chain with hidden inputs a (float):
/// returns Σ_i [softplus(β₁·a_i) − softplus(β₀·a_i)], computed in double, and writes
/// p_i = sigm(β₁·a_i) in float. `n` a multiple of `lanes` and at most 8000; zero padding
/// contributes 0 to the sum.
double ais_hidden_step(const float* a, std::size_t n, double beta1, double beta0, float* p);

/// p_i = sigm(s·x_i + o_i) in float (o_i = 0 when `o` is null), relative error below 1e−6.
/// `n` a multiple of `lanes`.
void sigmoid_affine(const float* x, float s, const float* o, float* p, std::size_t n);

/// out[i + e·ldo] = init[i] + Σ_j M[i + j·ldm]·X[j + e·ldx] for i < rows, e < cols (init null:
/// 0): a dense product with few columns, such as the logged reconstruction error's W P(h|v) on
/// a tenth of a minibatch (shapes: M rows × inner, X inner × cols, out rows × cols, all
/// column-major), where BLAS spends longer packing W than multiplying. M's rows in slabs of two
/// 32-byte vectors (16 floats, 8 doubles) held in registers against each X value broadcast, then
/// one vector, then single rows; X's columns four at a time; each sum adds
/// its terms in increasing j after init, without fused multiply-add, so every instruction set
/// gives the same bits.
void narrow_product(const float* M, std::size_t ldm, std::size_t rows, std::size_t inner,
                    const float* X, std::size_t ldx, std::size_t cols, const float* init,
                    float* out, std::size_t ldo);
void narrow_product(const double* M, std::size_t ldm, std::size_t rows, std::size_t inner,
                    const double* X, std::size_t ldx, std::size_t cols, const double* init,
                    double* out, std::size_t ldo);

}  // namespace rbmkit::detail
