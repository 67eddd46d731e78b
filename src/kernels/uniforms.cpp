#include "kernels/uniforms.hpp"
#include "kernels/simd.hpp"

#include <algorithm>
#include <cstring>

#include "rbmkit/core/parallel.hpp"

namespace rbmkit::detail {
namespace {

/// Four 64-bit lanes: one AVX2 register (two SSE2 registers).
typedef std::uint64_t u4 __attribute__((vector_size(32)));
typedef std::uint32_t u8_t __attribute__((vector_size(32)));

/// Below this many values the stream is drawn on one thread.
constexpr std::size_t parallel_values = std::size_t(1) << 15;

RBMKIT_INLINE u4 rotl(u4 x, int k) { return (x << k) | (x >> (64 - k)); }

/// The four lanes of one block of the stream (uniforms.hpp), word w of lane l in s[w][l].
struct Lanes {
  u4 s[4];
  Lanes(std::uint64_t key, std::uint64_t block) {
    std::uint64_t x = key ^ (0xd1b54a32d192ed03ULL * (block + 1));
    for (int l = 0; l < 4; ++l)
      for (int w = 0; w < 4; ++w) s[w][l] = splitmix64(x);
  }
  /// xoshiro256++ (Rng::next) in every lane.
  RBMKIT_INLINE_MEMBER u4 next() {
    const u4 result = rotl(s[0] + s[3], 23) + s[0];
    const u4 t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
  }
};

/// One step's values: 4 doubles or 8 floats.
RBMKIT_INLINE void convert(u4 r, double* out) {
  // (r >> 12) as the mantissa of a double in [1, 2), minus 1: exactly (r >> 12) · 2⁻⁵².
  const u4 bits = (r >> 12) | 0x3ff0000000000000ULL;
  typedef double d4 __attribute__((vector_size(32)));
  d4 d;
  std::memcpy(&d, &bits, sizeof d);
  d -= 1.0;
  std::memcpy(out, &d, sizeof d);
}
RBMKIT_INLINE void convert(u4 r, float* out) {
  typedef std::int32_t i8 __attribute__((vector_size(32)));
  typedef float f8 __attribute__((vector_size(32)));
  // Lane l's low half, then its high half, each shifted right by 8: 24 bits.
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  i8 v;  // the halves in that order already
  std::memcpy(&v, &r, sizeof v);
  v = i8(__builtin_convertvector(v, u8_t) >> 8);
#else
  const u4 lo = (r & 0xffffffffULL) >> 8, hi = r >> 40;
  const i8 v = {std::int32_t(lo[0]), std::int32_t(hi[0]), std::int32_t(lo[1]),
                std::int32_t(hi[1]), std::int32_t(lo[2]), std::int32_t(hi[2]),
                std::int32_t(lo[3]), std::int32_t(hi[3])};
#endif
  const f8 f = __builtin_convertvector(v, f8) * 0x1.0p-24f;
  std::memcpy(out, &f, sizeof f);
}

/// The first `count` (≤ uniform_block) values of block b of the stream of `key` into out.
template <class T>
RBMKIT_INLINE void fill_block(std::uint64_t key, std::size_t b, T* out, std::size_t count) {
  constexpr std::size_t per_step = 32 / sizeof(T);
  Lanes lanes(key, b);
  std::size_t i = 0;
  for (; i + per_step <= count; i += per_step) convert(lanes.next(), out + i);
  if (i < count) {  // the block's last values: part of one step
    T tail[per_step];
    convert(lanes.next(), tail);
    std::copy(tail, tail + (count - i), out + i);
  }
}
/// The blocks [first, last) of the stream of `key` into u (n values in all).
template <class T>
RBMKIT_INLINE void fill_blocks(std::uint64_t key, T* u, std::size_t n, std::size_t first,
                               std::size_t last) {
  for (std::size_t b = first; b < last; ++b) {
    const std::size_t begin = b * uniform_block;
    fill_block(key, b, u + begin, std::min(n, begin + uniform_block) - begin);
  }
}
RBMKIT_CLONES void fill_blocks_f(std::uint64_t key, float* u, std::size_t n, std::size_t first,
                                 std::size_t last) {
  fill_blocks(key, u, n, first, last);
}
RBMKIT_CLONES void fill_blocks_d(std::uint64_t key, double* u, std::size_t n, std::size_t first,
                                 std::size_t last) {
  fill_blocks(key, u, n, first, last);
}
RBMKIT_CLONES void fill_block_f(std::uint64_t key, std::size_t b, float* out, std::size_t count) {
  fill_block(key, b, out, count);
}
RBMKIT_CLONES void fill_block_d(std::uint64_t key, std::size_t b, double* out,
                                std::size_t count) {
  fill_block(key, b, out, count);
}
template <class T, class Fill>
void fill(Rng& rng, T* u, std::size_t n, const Fill& blocks) {
  const std::uint64_t key = rng.next();
  const std::size_t count = (n + uniform_block - 1) / uniform_block;
  if (n < parallel_values) {
    blocks(key, u, n, 0, count);
    return;
  }
  parallel_for_dynamic(count, [&](std::size_t first, std::size_t last, int) {
    blocks(key, u, n, first, last);
  });
}

}  // namespace

void fill_uniform(Rng& rng, float* u, std::size_t n) { fill(rng, u, n, fill_blocks_f); }
void fill_uniform(Rng& rng, double* u, std::size_t n) { fill(rng, u, n, fill_blocks_d); }

void uniform_block_of(std::uint64_t key, std::size_t block, float* u, std::size_t count) {
  fill_block_f(key, block, u, std::min(count, uniform_block));
}
void uniform_block_of(std::uint64_t key, std::size_t block, double* u, std::size_t count) {
  fill_block_d(key, block, u, std::min(count, uniform_block));
}

}  // namespace rbmkit::detail
