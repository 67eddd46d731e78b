#pragma once
/// Products with a binary operand and the fused sampling of a Gibbs step.
///
/// A product M·S with S ∈ {0, 1} is, column by column of S, the sum of the columns of M where S
/// has ones: no multiplications, and its work is the density of S times the dense product's.
/// Binarised images (31% of Fashion-MNIST's pixels are on, 13% of MNIST's) and sampled hidden
/// states are such operands in every phase of an RBM's training (Bengio 2013, §4.2).
/// Like kernels.hpp, every kernel is compiled for AVX-512, AVX2 and baseline x86-64 without fused
/// multiply-add, so every variant gives bitwise the same result.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "kernels/patterns.hpp"

namespace rbmkit::detail {

/// For the columns r in [first, last) of a binary S (cols × n, given by the row indices of its
/// ones: column r's, increasing, are idx[start[r]] … idx[start[r + 1] − 1]):
/// out[0 … rows−1, r] = init + Σ_{k: S(k, r) = 1} M[0 … rows−1, k], the product M·S (with
/// `subtract`, init − Σ …: each term subtracted in turn, so an exact cancellation is +0).
/// M is column-major, rows × cols with leading dimension ldm, `out` has leading dimension ldo;
/// a null `init` is zero. Every sum adds its terms in increasing k, so a caller may split the
/// columns among threads in any way and get the same bits. Blocked so that a slab of M stays in
/// the L1 cache while every column of S takes its ones from it.
void gather_add(const float* M, std::size_t ldm, std::size_t rows, std::size_t cols,
                const std::uint32_t* idx, const std::size_t* start, std::size_t first,
                std::size_t last, const float* init, float* out, std::size_t ldo,
                bool subtract = false);
void gather_add(const double* M, std::size_t ldm, std::size_t rows, std::size_t cols,
                const std::uint32_t* idx, const std::size_t* start, std::size_t first,
                std::size_t last, const double* init, double* out, std::size_t ldo,
                bool subtract = false);

/// As gather_add, but each sum continues from out's own values: out[·, r] += Σ … (with
/// `subtract`, −= each term in turn).
void gather_accumulate(const float* M, std::size_t ldm, std::size_t rows, std::size_t cols,
                       const std::uint32_t* idx, const std::size_t* start, std::size_t first,
                       std::size_t last, float* out, std::size_t ldo, bool subtract);
void gather_accumulate(const double* M, std::size_t ldm, std::size_t rows, std::size_t cols,
                       const std::uint32_t* idx, const std::size_t* start, std::size_t first,
                       std::size_t last, double* out, std::size_t ldo, bool subtract);

/// out[·, r] = Σ_k M1[·, idx1[k]] − Σ_k M2[·, idx2[k]] (rows values each; M1 and M2 with
/// leading dimension ldm, out with ldo) for the columns r in [first, last) of two patterns: the
/// first sum from +0 in increasing k, then each term of the second subtracted in increasing k.
/// These are the bits of gather_add (no init) followed by gather_accumulate with `subtract`
/// whenever M1 and M2 have at most 128 columns (one block of those gathers), in one pass over out.
void gather_difference(const float* M1, const float* M2, std::size_t ldm, std::size_t rows,
                       const std::uint32_t* idx1, const std::size_t* start1,
                       const std::uint32_t* idx2, const std::size_t* start2, std::size_t first,
                       std::size_t last, float* out, std::size_t ldo);
void gather_difference(const double* M1, const double* M2, std::size_t ldm, std::size_t rows,
                       const std::uint32_t* idx1, const std::size_t* start1,
                       const std::uint32_t* idx2, const std::size_t* start2, std::size_t first,
                       std::size_t last, double* out, std::size_t ldo);

/// b[j + i·ldb] = a[i + j·lda] for i < rows, j < cols: the transpose of a block of a
/// column-major matrix, in vectors of 8 floats or 4 doubles turned by shuffles (a copy: exact).
void transpose_block(const float* a, std::size_t lda, std::size_t rows, std::size_t cols,
                     float* b, std::size_t ldb);
void transpose_block(const double* a, std::size_t lda, std::size_t rows, std::size_t cols,
                     double* b, std::size_t ldb);

/// out[i] = 1 if bytes[i] > below, else 0, for i < n: a byte image binarised at a threshold
/// (make_batch), vectorised.
void binarize_bytes(const std::uint8_t* bytes, std::size_t n, int below, float* out);
void binarize_bytes(const std::uint8_t* bytes, std::size_t n, int below, double* out);

/// out[i] = M[i] + M[i + ld] + … + M[i + (cols − 1)·ld] for i < rows (cols ≥ 1), added column by
/// column from the first, in the order of Armadillo's sum(M, 1), so the same bits.
void row_sums(const float* M, std::size_t ld, std::size_t rows, std::size_t cols, float* out);
void row_sums(const double* M, std::size_t ld, std::size_t rows, std::size_t cols, double* out);

/// One Gibbs half-step in a single pass over the pre-activations A (rows × cols, packed):
/// P = sigm(A) and, when S is not null, S = 1[U < P] (Eq. 2 of Bengio 2013) for the uniforms U in
/// [0, 1) (rows × cols, packed; U may be S itself, e.g. filled by fill_uniform). A null P keeps
/// only the states. sigm has a relative error below 1e−6 (float) and 1e−15 (double).
void sigmoid_sample(const float* A, std::size_t rows, std::size_t cols, float* P, float* S,
                    const float* U);
void sigmoid_sample(const double* A, std::size_t rows, std::size_t cols, double* P, double* S,
                    const double* U);

/// S = 1[U < P] for n values (U may be S itself).
void bernoulli(const float* P, std::size_t n, float* S, const float* U);
void bernoulli(const double* P, std::size_t n, double* S, const double* U);

}  // namespace rbmkit::detail
