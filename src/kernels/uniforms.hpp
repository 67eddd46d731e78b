#pragma once
/// The Gibbs samplers' uniforms: a stream that vectorises, splits among threads and gives the
/// same values on every CPU and at every thread count.
#include <cstddef>
#include <cstdint>

#include "rbmkit/core/random.hpp"

namespace rbmkit::detail {

/// Values per block of the stream: each block has generators of its own (below), so blocks are
/// drawn in any order and on any thread.
constexpr std::size_t uniform_block = 4096;

/// u[0 … n−1] = n uniforms in [0, 1). `rng` advances by exactly one draw, its key k = rng.next(),
/// whatever n (also n = 0). Block b (the values [b·4096, (b+1)·4096)) runs four xoshiro256++
/// generators ("lanes", Blackman & Vigna 2021), seeded by splitmix64 (Steele, Lea & Flood 2014)
/// from x = k ⊕ (b + 1)·0xd1b54a32d192ed03 (the odd multiplier Rng::split uses): lane l's words
/// s[0..3] are the draws 4l … 4l+3 of splitmix64 from x. Each step of the four lanes gives four
/// 64-bit words r₀ … r₃, which become, in order,
///   - double: 4 values, r_l → ((r_l >> 12) · 2⁻⁵²), 52 random bits each;
///   - float: 8 values, r_l → (low 32 bits >> 8) · 2⁻²⁴, then (high 32 bits >> 8) · 2⁻²⁴,
///     24 random bits each.
/// The conversions are exact, so every instruction set gives the same bits. Blocks are split
/// among rbmkit's threads (parallel_for) when n ≥ 2¹⁵, which changes no value. Throws nothing.
void fill_uniform(Rng& rng, float* u, std::size_t n);
void fill_uniform(Rng& rng, double* u, std::size_t n);

/// The stream fill_uniform draws, a block at a time, for a caller that consumes each block as
/// it is drawn: fill_uniform(rng, u, n) gives the values that uniform_block_of(k, b, u + b·4096,
/// min(4096, n − b·4096)) gives for every block b, where k = rng.next() (the one draw
/// fill_uniform takes). Writes the first `count` values of block b of key k to u (`count` at
/// most uniform_block; a larger count is cut to it).
void uniform_block_of(std::uint64_t key, std::size_t block, float* u, std::size_t count);
void uniform_block_of(std::uint64_t key, std::size_t block, double* u, std::size_t count);

}  // namespace rbmkit::detail
