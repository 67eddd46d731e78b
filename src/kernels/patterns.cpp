#include "kernels/patterns.hpp"
#include "kernels/simd.hpp"
#include "rbmkit/core/parallel.hpp"

#include <algorithm>
#include <atomic>
#include <stdexcept>
#include <type_traits>

#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__)
#include <immintrin.h>
#define RBMKIT_AVX512_SCAN 1
#endif

namespace rbmkit::detail {
namespace {

/// Bit l set for each of the 8 values x[0 … 7] that is 1; `grey` gets a bit for each value that is
/// neither 1 nor +0. Values are compared by their bits, so −0 and NaN count as grey.
RBMKIT_INLINE std::uint32_t lane_bits(const float* x, unsigned& grey) {
  typedef std::uint32_t u8v __attribute__((vector_size(32)));
  u8v b;
  std::memcpy(&b, x, sizeof b);
  const u8v one = (b == 0x3f800000u) & 1u, zero = (b == 0u) & 1u;
  // Lane l's flag to bit l: sums of disjoint bits.
  const u8v weights = {1, 2, 4, 8, 16, 32, 64, 128};
  u8v m = one * weights, z = (one | zero) * weights;
  m += __builtin_shuffle(m, u8v{4, 5, 6, 7, 0, 1, 2, 3});
  z += __builtin_shuffle(z, u8v{4, 5, 6, 7, 0, 1, 2, 3});
  m += __builtin_shuffle(m, u8v{2, 3, 0, 1, 6, 7, 4, 5});
  z += __builtin_shuffle(z, u8v{2, 3, 0, 1, 6, 7, 4, 5});
  grey |= 0xffu ^ (z[0] + z[1]);
  return m[0] + m[1];
}

/// The same for 8 doubles.
RBMKIT_INLINE std::uint32_t lane_bits(const double* x, unsigned& grey) {
  typedef std::uint64_t u4v __attribute__((vector_size(32)));
  u4v a, b;
  std::memcpy(&a, x, sizeof a);
  std::memcpy(&b, x + 4, sizeof b);
  const std::uint64_t one_bits = 0x3ff0000000000000ULL;
  const u4v oa = (a == one_bits) & 1u, ob = (b == one_bits) & 1u;
  const u4v za = (oa | ((a == 0u) & 1u)), zb = (ob | ((b == 0u) & 1u));
  const u4v wa = {1, 2, 4, 8}, wb = {16, 32, 64, 128};
  u4v m = oa * wa + ob * wb, z = za * wa + zb * wb;
  m += __builtin_shuffle(m, u4v{2, 3, 0, 1});
  z += __builtin_shuffle(z, u4v{2, 3, 0, 1});
  grey |= unsigned(0xffu ^ (z[0] + z[1]));
  return std::uint32_t(m[0] + m[1]);
}

/// True when the 8 values x[0 … 7] are all +0 (their bits zero): most runs of background pixels.
template <class T>
RBMKIT_INLINE bool all_zero8(const T* x) {
  std::uint64_t w[sizeof(T)];  // 8 values of sizeof(T) bytes
  std::memcpy(w, x, sizeof w);
  std::uint64_t any = 0;
  for (const std::uint64_t v : w) any |= v;
  return any == 0;
}

/// For each mask of 8 bits, the positions of its set bits in increasing order (entries past
/// the count are 0): 8 KiB, so that a mask's positions are one vector load.
struct SetBitTable {
  std::uint32_t positions[256][8];
  constexpr SetBitTable() : positions() {
    for (unsigned m = 0; m < 256; ++m) {
      unsigned n = 0;
      for (unsigned l = 0; l < 8; ++l)
        if (m >> l & 1u) positions[m][n++] = l;
    }
  }
};
constexpr SetBitTable set_bits{};

/// Writes base + the positions of the set bits of `mask` to out[0 … popcount − 1] and returns the
/// count. Always stores 8 values: out must have room for 8.
RBMKIT_INLINE unsigned emit_ones(std::uint32_t mask, std::uint32_t base, std::uint32_t* out) {
  typedef std::uint32_t u8v __attribute__((vector_size(32)));
  u8v v;
  std::memcpy(&v, set_bits.positions[mask], sizeof v);
  v += base;
  std::memcpy(out, &v, sizeof v);
  return unsigned(__builtin_popcount(mask));
}

/// Sizes p for a scan of a rows × cols matrix, with room for `slack` values stored past the
/// last one, and returns where its lists start.
std::uint32_t* begin_scan(OnesPattern& p, std::size_t rows, std::size_t cols, std::size_t slack) {
  p.rows = rows;
  p.lists = true;  // the scan writes them
  p.start.resize(cols + 1);
  p.make_room(rows * cols + slack);
  p.bits.resize(cols * p.words());
  return p.idx.data();
}

/// find_ones, or with `Zeros` the same scan listing the zeros.
template <bool Zeros, class T>
RBMKIT_INLINE bool find_ones_impl(const T* X, std::size_t rows, std::size_t cols,
                                  std::size_t ld, OnesPattern& p) {
  std::uint32_t* out = begin_scan(p, rows, cols, 8);  // emit_ones stores 8 values
  const std::size_t words = p.words();
  std::size_t count = 0;
  unsigned grey = 0;
  for (std::size_t j = 0; j < cols; ++j) {
    p.start[j] = count;
    const T* x = X + j * ld;
    // The column's bit set, a byte per 8 rows (x86-64 is little-endian: byte b of the words is
    // rows 8b … 8b + 7).
    unsigned char* bytes = reinterpret_cast<unsigned char*>(p.bits.data() + j * words);
    std::memset(bytes, 0, words * sizeof(std::uint64_t));
    std::size_t i = 0;
    // Eight values at a time: a bit mask of the ones, then its set bits.
    for (; i + 8 <= rows; i += 8) {
      std::uint32_t mask;
      if constexpr (Zeros) {
        mask = 0xffu ^ lane_bits(x + i, grey);
      } else {
        if (all_zero8(x + i)) continue;
        mask = lane_bits(x + i, grey);
      }
      bytes[i / 8] = static_cast<unsigned char>(mask);
      count += emit_ones(mask, std::uint32_t(i), out + count);
    }
    if (i < rows) {  // the last rows % 8 values, padded with zeros
      T tail[8] = {};
      std::copy(x + i, x + rows, tail);
      std::uint32_t mask = lane_bits(tail, grey);
      if constexpr (Zeros) mask = ~mask & ((1u << (rows - i)) - 1u);
      bytes[i / 8] = static_cast<unsigned char>(mask);
      count += emit_ones(mask, std::uint32_t(i), out + count);
    }
    if (grey) return false;
  }
  p.start[cols] = count;
  return true;
}

/// Rows i … i + 7 of X at its columns j … j + n − 1 (n ≤ 8; column k at x + k·ld): lane l of
/// the result has bit k set when X(i + l, j + k) is 1. `grey` gets a bit for each of those
/// entries that is neither 1 nor +0 (compared by their bits, as lane_bits does).
struct RowBytes {
  std::uint8_t byte[8];
};
RBMKIT_INLINE RowBytes row_bytes(const float* x, std::size_t ld, std::size_t n, unsigned& grey) {
  typedef std::uint32_t u8v __attribute__((vector_size(32)));
  u8v one = {}, valid = {};
#pragma GCC unroll 8
  for (std::size_t k = 0; k < n; ++k) {
    u8v b;
    std::memcpy(&b, x + k * ld, sizeof b);
    const u8v bit = u8v{} + (1u << k);
    const u8v is_one = b == 0x3f800000u;
    one |= is_one & bit;
    valid |= (is_one | (b == 0u)) & bit;
  }
  const unsigned full = (1u << n) - 1u;
  RowBytes r;
#pragma GCC unroll 8
  for (unsigned l = 0; l < 8; ++l) {
    grey |= valid[l] ^ full;
    r.byte[l] = static_cast<std::uint8_t>(one[l]);
  }
  return r;
}
RBMKIT_INLINE RowBytes row_bytes(const double* x, std::size_t ld, std::size_t n, unsigned& grey) {
  typedef std::uint64_t u4v __attribute__((vector_size(32)));
  const std::uint64_t one_bits = 0x3ff0000000000000ULL;
  u4v one_a = {}, one_b = {}, valid_a = {}, valid_b = {};
#pragma GCC unroll 8
  for (std::size_t k = 0; k < n; ++k) {
    u4v a, b;
    std::memcpy(&a, x + k * ld, sizeof a);
    std::memcpy(&b, x + k * ld + 4, sizeof b);
    const u4v bit = u4v{} + (std::uint64_t(1) << k);
    const u4v ia = a == one_bits, ib = b == one_bits;
    one_a |= ia & bit;
    one_b |= ib & bit;
    valid_a |= (ia | (a == 0u)) & bit;
    valid_b |= (ib | (b == 0u)) & bit;
  }
  const std::uint64_t full = (std::uint64_t(1) << n) - 1u;
  RowBytes r;
#pragma GCC unroll 4
  for (unsigned l = 0; l < 4; ++l) {
    grey |= unsigned((valid_a[l] ^ full) | (valid_b[l] ^ full));
    r.byte[l] = static_cast<std::uint8_t>(one_a[l]);
    r.byte[l + 4] = static_cast<std::uint8_t>(one_b[l]);
  }
  return r;
}

/// Sizes p's lists for its bit sets (`cols` columns): start[j] where column j's list begins
/// (the counts of the columns before it), with room for emit_ones's 8 stores past the last.
RBMKIT_INLINE void size_lists(OnesPattern& p, std::size_t cols) {
  const std::size_t words = p.words();
  p.start.resize(cols + 1);
  std::size_t total = 0;
  for (std::size_t j = 0; j < cols; ++j) {
    p.start[j] = total;
    for (std::size_t w = 0; w < words; ++w)
      total += std::size_t(__builtin_popcountll(p.bits[j * words + w]));
  }
  p.start[cols] = total;
  p.make_room(total + 8);
}

/// The lists of the columns [first, last) of p (sized by size_lists) from their bit sets,
/// storing nothing at or past idx[end]: near `end` the set bits are written one by one
/// (emit_ones stores 8 values).
RBMKIT_INLINE void emit_lists(OnesPattern& p, std::size_t first, std::size_t last,
                              std::size_t end) {
  const std::size_t words = p.words(), bytes_per_column = (p.rows + 7) / 8;
  std::uint32_t* const out = p.idx.data();
  for (std::size_t j = first; j < last; ++j) {
    std::size_t count = p.start[j];
    const unsigned char* bytes = reinterpret_cast<const unsigned char*>(p.bits.data() + j * words);
    for (std::size_t b = 0; b < bytes_per_column; ++b) {
      if (!bytes[b]) continue;
      if (count + 8 <= end) {
        count += emit_ones(bytes[b], std::uint32_t(8 * b), out + count);
      } else {
        for (unsigned m = bytes[b]; m; m &= m - 1)
          out[count++] = std::uint32_t(8 * b) + std::uint32_t(__builtin_ctz(m));
      }
    }
  }
}

/// The lists of p (idx and start) from its bit sets, for p.rows rows and `cols` columns.
RBMKIT_INLINE void lists_from_bits(OnesPattern& p, std::size_t cols) {
  size_lists(p, cols);
  emit_lists(p, 0, cols, p.start[cols] + 8);
  p.lists = true;
}

/// lists_from_bits with the columns split among threads: each thread writes its own columns'
/// lists, where the counts before them end, and stores nothing in the next thread's share.
void lists_from_bits_parallel(OnesPattern& p, std::size_t cols) {
  size_lists(p, cols);
  parallel_for(cols, [&](std::size_t first, std::size_t last, int) {
    emit_lists(p, first, last, last == cols ? p.start[cols] + 8 : p.start[last]);
  });
  p.lists = true;
}

template <class T>
RBMKIT_INLINE bool find_ones_transposed_impl(const T* X, std::size_t rows, std::size_t cols,
                                             std::size_t ld, OnesPattern& p) {
  // p is Xᵀ: X's columns are its rows, X's rows its columns.
  p.rows = cols;
  const std::size_t words = p.words(), stride = words * sizeof(std::uint64_t);
  p.bits.assign(rows * words, 0);
  unsigned char* bytes = reinterpret_cast<unsigned char*>(p.bits.data());
  unsigned grey = 0;
  for (std::size_t j = 0; j < cols; j += 8) {
    const std::size_t n = std::min<std::size_t>(8, cols - j);
    const T* x = X + j * ld;
    unsigned char* to = bytes + j / 8;  // byte j / 8 of each row's bit set
    std::size_t i = 0;
    auto whole_groups = [&](auto width) {  // rows in groups of 8; width a constant when 8
      for (; i + 8 <= rows; i += 8) {
        const RowBytes r = row_bytes(x + i, ld, width, grey);
        for (unsigned l = 0; l < 8; ++l) to[(i + l) * stride] = r.byte[l];
      }
    };
    if (n == 8)
      whole_groups(std::integral_constant<std::size_t, 8>{});
    else
      whole_groups(n);
    if (i < rows) {  // the last rows % 8 rows, padded with zeros
      T tail[8 * 8] = {};
      for (std::size_t k = 0; k < n; ++k)
        std::copy(x + k * ld + i, x + k * ld + rows, tail + 8 * k);
      const RowBytes r = row_bytes(tail, 8, n, grey);
      for (std::size_t l = 0; i + l < rows; ++l) to[(i + l) * stride] = r.byte[l];
    }
    if (grey) return false;
  }
  lists_from_bits(p, rows);
  return true;
}

/// use_portable_scan's setting.
std::atomic<bool> portable_scan{false};

#ifdef RBMKIT_AVX512_SCAN
/// Whether the scans take find_ones_avx512: the CPU has AVX-512 and use_portable_scan did not
/// turn it off.
bool avx512_scan() {
  static const bool has = __builtin_cpu_supports("avx512f");
  return has && !portable_scan.load(std::memory_order_relaxed);
}

/// The bits of 16 values x[0 … 15] (fewer at the end of a column: `valid` lanes) that are 1
/// (`one`) and that are +0 or 1 (the rest is grey), compared by their bits as lane_bits does.
__attribute__((target("avx512f"))) inline void masks16(const float* x, __mmask16 valid,
                                                       __mmask16& one, __mmask16& state) {
  const __m512i v = _mm512_maskz_loadu_epi32(valid, x);
  one = _mm512_mask_cmpeq_epi32_mask(valid, v, _mm512_set1_epi32(0x3f800000));
  state = one | _mm512_mask_cmpeq_epi32_mask(valid, v, _mm512_setzero_si512());
}
__attribute__((target("avx512f"))) inline void masks16(const double* x, __mmask16 valid,
                                                       __mmask16& one, __mmask16& state) {
  const __mmask8 lo = __mmask8(valid & 0xffu), hi = __mmask8(valid >> 8);
  const __m512i a = _mm512_maskz_loadu_epi64(lo, x), b = _mm512_maskz_loadu_epi64(hi, x + 8);
  const __m512i one_bits = _mm512_set1_epi64(0x3ff0000000000000LL), zero = _mm512_setzero_si512();
  const __mmask8 oa = _mm512_mask_cmpeq_epi64_mask(lo, a, one_bits);
  const __mmask8 ob = _mm512_mask_cmpeq_epi64_mask(hi, b, one_bits);
  const __mmask8 za = _mm512_mask_cmpeq_epi64_mask(lo, a, zero);
  const __mmask8 zb = _mm512_mask_cmpeq_epi64_mask(hi, b, zero);
  one = __mmask16(oa | (unsigned(ob) << 8));
  state = __mmask16(one | za | (unsigned(zb) << 8));
}

/// find_ones (or with `Zeros` find_zeros) 16 values at a time: compares into mask registers,
/// whose bits are the column's bit set, and the indices of the mask's set bits compressed into
/// place (16 stored each time: room for 16 past the last). The same pattern as
/// find_ones_impl's.
template <bool Zeros, class T>
__attribute__((target("avx512f"))) bool find_ones_avx512(const T* X, std::size_t rows,
                                                        std::size_t cols, std::size_t ld,
                                                        OnesPattern& p) {
  std::uint32_t* out = begin_scan(p, rows, cols, 16);
  const std::size_t words = p.words();
  std::size_t count = 0;
  const __m512i iota = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  for (std::size_t j = 0; j < cols; ++j) {
    p.start[j] = count;
    const T* x = X + j * ld;
    std::uint64_t* column = p.bits.data() + j * words;
    std::memset(column, 0, words * sizeof(std::uint64_t));
    unsigned char* bytes = reinterpret_cast<unsigned char*>(column);
    for (std::size_t i = 0; i < rows; i += 16) {
      const std::size_t n = std::min<std::size_t>(16, rows - i);
      const __mmask16 valid = __mmask16(n == 16 ? 0xffffu : (1u << n) - 1u);
      __mmask16 one, state;
      masks16(x + i, valid, one, state);
      if (state != valid) return false;  // a grey value
      const __mmask16 mask = Zeros ? __mmask16(valid & ~one) : one;
      std::memcpy(bytes + i / 8, &mask, sizeof mask);  // i is a multiple of 16: within the column
      const __m512i at = _mm512_add_epi32(iota, _mm512_set1_epi32(int(i)));
      _mm512_storeu_si512(out + count, _mm512_maskz_compress_epi32(mask, at));
      count += std::size_t(__builtin_popcount(unsigned(mask)));
    }
  }
  p.start[cols] = count;
  return true;
}
#else
bool avx512_scan() { return false; }
template <bool Zeros, class T>
bool find_ones_avx512(const T*, std::size_t, std::size_t, std::size_t, OnesPattern&) {
  return false;
}
#endif

}  // namespace

double OnesPattern::density() const {
  const std::size_t n = rows * cols();
  return n ? double(start.back()) / double(n) : 0.0;
}

RBMKIT_CLONES bool find_ones(const float* X, std::size_t rows, std::size_t cols, std::size_t ld,
                             OnesPattern& p) {
  if (avx512_scan()) return find_ones_avx512<false>(X, rows, cols, ld, p);
  return find_ones_impl<false>(X, rows, cols, ld, p);
}
RBMKIT_CLONES bool find_ones(const double* X, std::size_t rows, std::size_t cols, std::size_t ld,
                             OnesPattern& p) {
  if (avx512_scan()) return find_ones_avx512<false>(X, rows, cols, ld, p);
  return find_ones_impl<false>(X, rows, cols, ld, p);
}
RBMKIT_CLONES bool find_zeros(const float* X, std::size_t rows, std::size_t cols,
                              std::size_t ld, OnesPattern& p) {
  if (avx512_scan()) return find_ones_avx512<true>(X, rows, cols, ld, p);
  return find_ones_impl<true>(X, rows, cols, ld, p);
}
RBMKIT_CLONES bool find_zeros(const double* X, std::size_t rows, std::size_t cols,
                              std::size_t ld, OnesPattern& p) {
  if (avx512_scan()) return find_ones_avx512<true>(X, rows, cols, ld, p);
  return find_ones_impl<true>(X, rows, cols, ld, p);
}

void use_portable_scan(bool portable) { portable_scan = portable; }

RBMKIT_CLONES bool find_ones_transposed(const float* X, std::size_t rows, std::size_t cols,
                                        std::size_t ld, OnesPattern& p) {
  return find_ones_transposed_impl(X, rows, cols, ld, p);
}
RBMKIT_CLONES bool find_ones_transposed(const double* X, std::size_t rows, std::size_t cols,
                                        std::size_t ld, OnesPattern& p) {
  return find_ones_transposed_impl(X, rows, cols, ld, p);
}

namespace {
/// make_lists for `cols` columns.
void lists_of(OnesPattern& p, std::size_t cols) {
  // The sampled hidden states of a minibatch are mostly ones: their zeros' lists (about 25,000
  // entries for 500 × 100) on all threads.
  if (cols * p.rows >= (std::size_t(1) << 15) && threads() > 1)
    lists_from_bits_parallel(p, cols);
  else
    lists_from_bits(p, cols);
}
}  // namespace

void make_lists(OnesPattern& p) { lists_of(p, p.cols()); }

void complement(const OnesPattern& ones, OnesPattern& zeros, bool lists) {
  if (!ones.has_bits()) throw std::logic_error("complement: the pattern has no bit sets");
  const std::size_t cols = ones.cols(), words = ones.words();
  zeros.rows = ones.rows;
  zeros.bits.resize(cols * words);
  // The last word of each column keeps only the bits of real rows.
  const std::uint64_t last =
      ones.rows % 64 ? (std::uint64_t(1) << (ones.rows % 64)) - 1u : ~std::uint64_t(0);
  for (std::size_t j = 0; j < cols; ++j)
    for (std::size_t w = 0; w < words; ++w)
      zeros.bits[j * words + w] = ~ones.bits[j * words + w] & (w + 1 == words ? last : ~0ull);
  if (lists) {
    lists_of(zeros, cols);
  } else {
    size_lists(zeros, cols);  // the counts only
    zeros.lists = false;
  }
}

}  // namespace rbmkit::detail
