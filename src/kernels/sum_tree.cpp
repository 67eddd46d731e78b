#include "kernels/sum_tree.hpp"

#include <algorithm>
#include <atomic>
#include <stdexcept>

#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__)
#include <immintrin.h>
#endif

#include "rbmkit/core/parallel.hpp"

// Compiled with and without the popcnt instruction (without it, each popcount is a library
// call); the tree's build also for AVX-512 and AVX2 (the pairing's scans of a level's overlaps
// vectorise 16 or 8 wide).
#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__)
#define RBMKIT_POPCNT_CLONES __attribute__((target_clones("popcnt", "default")))
#define RBMKIT_TREE_CLONES \
  __attribute__((target_clones("avx512f", "avx2", "popcnt", "default")))
#else
#define RBMKIT_POPCNT_CLONES
#define RBMKIT_TREE_CLONES
#endif

namespace rbmkit::detail {
namespace {

/// Number of ones two bit sets of W words share (W = 0: of `words` words).
template <std::size_t W>
static inline __attribute__((always_inline)) std::int32_t shared_ones(const std::uint64_t* a,
                                                                      const std::uint64_t* b,
                                                                      std::size_t words) {
  std::uint64_t s = 0;
  if constexpr (W > 0) {
#pragma GCC unroll 16
    for (std::size_t w = 0; w < W; ++w) s += std::uint64_t(__builtin_popcountll(a[w] & b[w]));
  } else {
    for (std::size_t w = 0; w < words; ++w) s += std::uint64_t(__builtin_popcountll(a[w] & b[w]));
  }
  return std::int32_t(s);
}

/// The upper triangle of the overlaps (shared ones) of the nodes level[0 … m−1] (bit sets of
/// `words` words in `bits`) in rows k and m − 1 − k of ov (m × m) for k in [first, last): pairs
/// of rows of about equal work, for a split among threads.
template <std::size_t W>
static inline __attribute__((always_inline)) void overlap_rows_of(
    const std::uint64_t* bits, const std::size_t* level, std::size_t m, std::size_t words,
    std::size_t first, std::size_t last, std::int32_t* ov) {
  auto row_of = [&](std::size_t i) __attribute__((always_inline)) {
    const std::uint64_t* a = bits + level[i] * words;
    std::int32_t* row = ov + i * m;
    for (std::size_t j = i + 1; j < m; ++j)
      row[j] = shared_ones<W>(a, bits + level[j] * words, words);
  };
  for (std::size_t k = first; k < last; ++k) {
    row_of(k);
    if (m - 1 - k != k) row_of(m - 1 - k);
  }
}

/// overlap_rows_of, unrolled for bit sets of up to 16 words (1,024 rows of S).
RBMKIT_POPCNT_CLONES void overlap_rows(const std::uint64_t* bits, const std::size_t* level,
                                       std::size_t m, std::size_t words, std::size_t first,
                                       std::size_t last, std::int32_t* ov) {
  switch (words) {
#define RBMKIT_OVERLAP_CASE(W) \
  case W: overlap_rows_of<W>(bits, level, m, words, first, last, ov); return;
    RBMKIT_OVERLAP_CASE(1) RBMKIT_OVERLAP_CASE(2) RBMKIT_OVERLAP_CASE(3) RBMKIT_OVERLAP_CASE(4)
    RBMKIT_OVERLAP_CASE(5) RBMKIT_OVERLAP_CASE(6) RBMKIT_OVERLAP_CASE(7) RBMKIT_OVERLAP_CASE(8)
    RBMKIT_OVERLAP_CASE(9) RBMKIT_OVERLAP_CASE(10) RBMKIT_OVERLAP_CASE(11)
    RBMKIT_OVERLAP_CASE(12) RBMKIT_OVERLAP_CASE(13) RBMKIT_OVERLAP_CASE(14)
    RBMKIT_OVERLAP_CASE(15) RBMKIT_OVERLAP_CASE(16)
#undef RBMKIT_OVERLAP_CASE
    default: overlap_rows_of<0>(bits, level, m, words, first, last, ov);
  }
}

/// use_portable_tree_build's setting.
std::atomic<bool> portable_tree_build{false};

#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__)
/// Whether the greedy pairing counts overlaps with AVX-512's vector popcount
/// (overlap_rows_wide): the CPU has it, and use_portable_tree_build did not turn it off.
bool wide_popcount() {
  static const bool wide =
      __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vpopcntdq");
  return wide && !portable_tree_build.load(std::memory_order_relaxed);
}

/// The upper triangle of the overlaps in the rows [first, last) by AVX-512's vector popcount:
/// the level's bit sets word-major in T (word w of node j at T[w·m8 + j], m8 = m rounded up to
/// 8, zeros past m), each node's overlaps with 8 others at a time. A row's block of 8 that holds
/// the diagonal is written whole: pair_greedily overwrites the diagonal and the lower triangle.
__attribute__((target("avx512f,avx512vpopcntdq"))) void overlap_rows_wide(
    const std::uint64_t* T, std::size_t m8, const std::uint64_t* bits, const std::size_t* level,
    std::size_t m, std::size_t words, std::size_t first, std::size_t last, std::int32_t* ov) {
  for (std::size_t i = first; i < last; ++i) {
    const std::uint64_t* a = bits + level[i] * words;
    std::int32_t* row = ov + i * m;
    for (std::size_t j0 = (i + 1) & ~std::size_t(7); j0 < m; j0 += 8) {
      __m512i acc = _mm512_setzero_si512();
      for (std::size_t w = 0; w < words; ++w) {
        const __m512i v = _mm512_loadu_si512(T + w * m8 + j0);
        const __m512i x = _mm512_and_si512(v, _mm512_set1_epi64((long long)a[w]));
        acc = _mm512_add_epi64(acc, _mm512_popcnt_epi64(x));
      }
      const std::size_t n = std::min<std::size_t>(8, m - j0);
      _mm512_mask_cvtepi64_storeu_epi32(row + j0, __mmask8((1u << n) - 1u), acc);
    }
  }
}

/// Whether the trees list their nodes' own ones by AVX-512's compress (own_ones_wide): the CPU
/// has AVX-512, and use_portable_tree_build did not turn it off.
bool wide_lists() {
  static const bool wide = __builtin_cpu_supports("avx512f");
  return wide && !portable_tree_build.load(std::memory_order_relaxed);
}

/// Writes to out the positions of the ones of b (`words` words) that q lacks (q null: all of b's
/// ones), in increasing order, and returns the end of what it wrote: each 16 bits' positions
/// compressed into place, 16 values stored each time (out needs room for 16 past the last).
/// The same lists as the portable loop's (emit_preorder), without a branch per one.
__attribute__((target("avx512f,popcnt"))) std::uint32_t* own_ones_wide(
    const std::uint64_t* b, const std::uint64_t* q, std::size_t words, std::uint32_t* out) {
  const __m512i iota = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  for (std::size_t w = 0; w < words; ++w) {
    const std::uint64_t x = q ? b[w] & ~q[w] : b[w];
    if (!x) continue;
    __m512i at = _mm512_add_epi32(iota, _mm512_set1_epi32(int(w * 64)));
    for (unsigned c = 0; c < 64; c += 16) {
      const __mmask16 m = __mmask16(x >> c);
      _mm512_storeu_si512(out, _mm512_maskz_compress_epi32(m, at));
      out += _mm_popcnt_u32(unsigned(m));
      at = _mm512_add_epi32(at, _mm512_set1_epi32(16));
    }
  }
  return out;
}
#else
bool wide_popcount() { return false; }
void overlap_rows_wide(const std::uint64_t*, std::size_t, const std::uint64_t*,
                       const std::size_t*, std::size_t, std::size_t, std::size_t, std::size_t,
                       std::int32_t*) {}
bool wide_lists() { return false; }
std::uint32_t* own_ones_wide(const std::uint64_t*, const std::uint64_t*, std::size_t,
                             std::uint32_t* out) {
  return out;
}
#endif

/// The pairing's workspace: the nodes' bit sets, the overlaps of a level, the children, the
/// preorder walk's stack, the levels and the matching's order and marks.
struct Workspace {
  std::vector<std::uint64_t> bits;
  std::vector<std::uint64_t> by_word;  ///< a level's bit sets word-major (overlap_rows_wide)
  std::vector<std::int32_t> overlap, child, walk;
  std::vector<std::size_t> order, level, next;
  std::vector<std::int32_t> matched;  ///< −1 for a matched node, 0 for one still free
};

/// The bit sets of the columns [c0, c0 + n) of S into bits (n × words): S's own, or set from its
/// index lists when it has none.
void leaf_bits(const OnesPattern& S, std::size_t c0, std::size_t n, std::size_t words,
               std::uint64_t* bits) {
  if (S.has_bits()) {
    std::copy(S.bits.begin() + std::ptrdiff_t(c0 * words),
              S.bits.begin() + std::ptrdiff_t((c0 + n) * words), bits);
    return;
  }
  std::fill(bits, bits + n * words, std::uint64_t(0));
  for (std::size_t e = 0; e < n; ++e) {
    // Each word gathered in a register (the indices increase), then stored.
    std::uint64_t* b = bits + e * words;
    std::size_t w = 0;
    std::uint64_t x = 0;
    for (std::size_t k = S.start[c0 + e]; k < S.start[c0 + e + 1]; ++k) {
      const std::size_t i = S.idx[k];
      if ((i >> 6) != w) {
        b[w] = x;
        w = i >> 6;
        x = 0;
      }
      x |= std::uint64_t(1) << (i & 63);
    }
    if (words) b[w] = x;
  }
}

/// Pairs the nodes of ws.level greedily, level by level, until one is left: the node whose best
/// partner shares the most ones first (ties: the earlier node), with its best unmatched partner
/// (ties: the earlier one); an odd one out goes on to the next level alone. join(a, b) forms
/// the pair of a and b and appends it to ws.next.
template <class Join>
inline __attribute__((always_inline)) void pair_greedily(Workspace& ws, std::size_t words,
                                                         const Join& join) {
  const std::uint64_t* bits = ws.bits.data();
  while (ws.level.size() > 1) {
    const std::size_t m = ws.level.size();
    if (m > 128) throw std::logic_error("pair_greedily: more than 128 nodes (the keys' limit)");
    ws.overlap.resize(m * m);
    std::int32_t* ov = ws.overlap.data();
    const bool wide = wide_popcount();
    if (wide) {  // on one thread (a few microseconds for 100 columns)
      const std::size_t m8 = (m + 7) & ~std::size_t(7);
      ws.by_word.assign(words * m8, 0);
      for (std::size_t j = 0; j < m; ++j)
        for (std::size_t w = 0; w < words; ++w)
          ws.by_word[w * m8 + j] = bits[ws.level[j] * words + w];
      overlap_rows_wide(ws.by_word.data(), m8, bits, ws.level.data(), m, words, 0, m, ov);
    } else {  // the upper triangle, split among threads
      auto rows = [&](std::size_t first, std::size_t last, int) {
        overlap_rows(bits, ws.level.data(), m, words, first, last, ov);
      };
      if (m * m * words < (std::size_t(1) << 16))
        rows(0, (m + 1) / 2, 0);
      else
        parallel_for((m + 1) / 2, rows);
    }
    // The lower triangle, and the order: the largest best overlap first (keys sort by it, then
    // by node).
    ws.order.resize(m);
    for (std::size_t i = 0; i < m; ++i) {
      std::int32_t* row = ov + i * m;
      row[i] = -1;
      for (std::size_t j = 0; j < i; ++j) row[j] = ov[j * m + i];
      std::int32_t best = -1;
      for (std::size_t j = 0; j < m; ++j) best = std::max(best, row[j]);
      ws.order[i] = (std::size_t(0x7fffffff - std::int64_t(best)) << 32) | i;
    }
    std::sort(ws.order.begin(), ws.order.end());
    ws.matched.assign(m, 0);
    std::int32_t* matched = ws.matched.data();
    ws.next.clear();
    for (const std::size_t key : ws.order) {
      const std::size_t i = key & 0xffffffffu;
      if (matched[i]) continue;
      matched[i] = -1;
      // The best free partner: the most shared ones (overlaps are ≥ 0; a matched node's, or i's
      // own, read −1), the first of equals: the largest key 128·overlap + (127 − j) names both
      // (a greedy group has at most 128 nodes, and overlaps stay below 2²⁴: build_sum_tree), in
      // one branch-free pass that vectorises.
      const std::int32_t* row = ov + i * m;
      std::int32_t best = -1;
      for (std::size_t j = 0; j < m; ++j)
        best = std::max(best, (row[j] | matched[j]) * 128 + (127 - std::int32_t(j)));
      if (best < 0) {
        ws.next.push_back(ws.level[i]);
        continue;
      }
      const std::size_t partner = std::size_t(127 - best % 128);
      matched[partner] = -1;
      join(ws.level[i], ws.level[partner]);
    }
    std::swap(ws.level, ws.next);
  }
}

/// The number of ones a bit set of `words` words has, with `without`'s ones taken out (null:
/// none). Inlined, as build_group is, into build_sum_tree's clones.
inline __attribute__((always_inline)) std::size_t ones_of(const std::uint64_t* b,
                                                         const std::uint64_t* without,
                                                         std::size_t words) {
  std::size_t n = 0;
  for (std::size_t w = 0; w < words; ++w)
    n += std::size_t(__builtin_popcountll(without ? b[w] & ~without[w] : b[w]));
  return n;
}

/// Appends to t, in preorder, the tree of ws's nodes under `root` (nodes below n are the leaves,
/// columns c0 + node of S; 2n − 1 nodes in all): each node's depth, column and own ones (those
/// its parent lacks), `owned` of them in all. Written through pointers into t's vectors, sized
/// first.
inline __attribute__((always_inline)) void emit_preorder(std::size_t root, std::size_t n,
                                                         std::size_t c0, std::size_t words,
                                                         std::size_t owned, Workspace& ws,
                                                         SumTree& t) {
  const std::uint64_t* bits = ws.bits.data();
  const std::size_t nodes = 2 * n - 1, node0 = t.depth.size(), one0 = t.idx.size();
  t.depth.resize(node0 + nodes);
  t.column.resize(node0 + nodes);
  t.start.resize(node0 + 1 + nodes);
  // Room for 16 values stored past the last one (own_ones_wide), given back at the end.
  constexpr std::size_t slack = 16;
  t.idx.resize(one0 + owned + slack);
  const bool wide = wide_lists();
  std::uint32_t* depth_of = t.depth.data() + node0;
  std::int32_t* column_of = t.column.data() + node0;
  std::uint32_t* end_of = t.start.data() + node0 + 1;
  std::uint32_t* const first = t.idx.data();
  std::uint32_t* out = first + one0;
  // The walk's stack of (node, parent + 1, depth) triples: at most one node per level of the
  // tree and its sibling.
  ws.walk.resize(3 * (nodes + 1));
  std::int32_t* stack = ws.walk.data();
  std::size_t top = 0, height = t.height;
  stack[top++] = std::int32_t(root);
  stack[top++] = 0;
  stack[top++] = 0;
  for (std::size_t k = 0; top > 0; ++k) {
    top -= 3;
    const std::size_t node = std::size_t(stack[top]);
    const std::int32_t parent = stack[top + 1] - 1;
    const std::uint32_t depth = std::uint32_t(stack[top + 2]);
    depth_of[k] = depth;
    height = std::max<std::size_t>(height, depth + 1);
    column_of[k] = node < n ? std::int32_t(c0 + node) : -1;
    const std::uint64_t* b = bits + node * words;
    const std::uint64_t* q = parent < 0 ? nullptr : bits + std::size_t(parent) * words;
    if (wide) {
      out = own_ones_wide(b, q, words, out);
    } else {
      for (std::size_t w = 0; w < words; ++w) {
        std::uint64_t x = q ? b[w] & ~q[w] : b[w];
        const std::uint32_t base = std::uint32_t(w * 64);
        while (x) {
          *out++ = base + std::uint32_t(__builtin_ctzll(x));
          x &= x - 1;
        }
      }
    }
    end_of[k] = std::uint32_t(out - first);
    if (node >= n) {  // first child on top, so it comes next in preorder
      const std::int32_t d = std::int32_t(depth + 1), self = std::int32_t(node) + 1;
      stack[top++] = ws.child[2 * node + 1];
      stack[top++] = self;
      stack[top++] = d;
      stack[top++] = ws.child[2 * node];
      stack[top++] = self;
      stack[top++] = d;
    }
  }
  t.height = height;
  t.idx.resize(one0 + owned);
}

/// The tree of the columns [c0, c1) of S, appended to t in preorder, paired in ws; false, with t
/// unfinished, when t would then own more than `limit` ones.
inline __attribute__((always_inline)) bool build_group(const OnesPattern& S, std::size_t c0,
                                                      std::size_t c1, Pairing pairing,
                                                      std::size_t limit, SumTree& t,
                                                      Workspace& ws) {
  const std::size_t n = c1 - c0, words = (S.rows + 63) / 64;
  // Nodes 0 … n−1 are the columns, n … 2n−2 the pairs; each node's bit set of shared ones.
  ws.bits.resize(2 * n * words);
  ws.child.resize(4 * n);
  std::uint64_t* bits = ws.bits.data();
  leaf_bits(S, c0, n, words, bits);
  ws.level.resize(n);
  for (std::size_t e = 0; e < n; ++e) ws.level[e] = e;
  std::size_t nodes = n;
  auto join = [&](std::size_t a, std::size_t b) {  // the pair of a and b: the ones they share
    const std::size_t p = nodes++;
    for (std::size_t w = 0; w < words; ++w)
      bits[p * words + w] = bits[a * words + w] & bits[b * words + w];
    ws.child[2 * p] = std::int32_t(a);
    ws.child[2 * p + 1] = std::int32_t(b);
    ws.next.push_back(p);
  };
  if (pairing == Pairing::neighbours) {
    while (ws.level.size() > 1) {  // 0 and 1, 2 and 3, …; the last of an odd level alone
      ws.next.clear();
      const std::size_t m = ws.level.size();
      for (std::size_t i = 0; i + 1 < m; i += 2) join(ws.level[i], ws.level[i + 1]);
      if (m % 2) ws.next.push_back(ws.level[m - 1]);
      std::swap(ws.level, ws.next);
    }
  } else {
    pair_greedily(ws, words, join);
  }
  // Count the ones the nodes own first, and stop when the tree would own more than `limit`.
  const std::size_t root = ws.level[0];
  std::size_t owned = ones_of(bits + root * words, nullptr, words);
  for (std::size_t p = n; p < nodes; ++p)
    for (const std::int32_t c : {ws.child[2 * p], ws.child[2 * p + 1]})
      owned += ones_of(bits + std::size_t(c) * words, bits + p * words, words);
  if (t.idx.size() + owned > limit) return false;
  t.idx.reserve(t.idx.size() + owned + std::max<std::size_t>(SumTree::padding, 16));
  emit_preorder(root, n, c0, words, owned, ws, t);
  return true;
}

/// t without nodes (start {0}, no padding yet).
void clear_nodes(SumTree& t) {
  t.depth.clear();
  t.column.clear();
  t.idx.clear();
  t.start.assign(1, 0);
  t.height = 0;
}

}  // namespace

RBMKIT_TREE_CLONES void build_sum_tree(const OnesPattern& S, SumTree& t, Pairing pairing,
                                       double max_share, bool recognisable) {
  const std::size_t cols = S.cols();
  t.source.clear();  // not recognised as any pattern until it is complete again
  t.complete = false;
  clear_nodes(t);
  t.columns = cols;
  t.ones = cols ? S.start[cols] : 0;
  t.pairing = pairing;
  thread_local Workspace workspace;
  const std::size_t group = pairing == Pairing::greedy ? SumTree::group_of(cols) : cols;
  const std::size_t limit =
      max_share >= 1.0 ? t.ones : std::size_t(std::max(0.0, max_share) * double(t.ones));
  // Node ids (up to 2·cols − 2) are 32-bit signed, node offsets and ones 32-bit unsigned; the
  // greedy pairing's keys hold overlaps below 2²⁴.
  t.complete = t.ones < (std::size_t(1) << 32) && cols < (std::size_t(1) << 30) &&
               (pairing != Pairing::greedy || S.rows < (std::size_t(1) << 24));
  for (std::size_t c0 = 0; c0 < cols && t.complete; c0 += group)
    t.complete = build_group(S, c0, std::min(cols, c0 + group), pairing, limit, t, workspace);
  if (!t.complete) clear_nodes(t);  // a tree that would own too many ones is not kept
  t.idx.insert(t.idx.end(), SumTree::padding, 0u);
  t.source_rows = S.rows;
  if (recognisable && S.has_bits())
    t.source.assign(S.bits.begin(), S.bits.end());
  else
    t.source.clear();  // never recognised again
}

void use_portable_tree_build(bool portable) { portable_tree_build = portable; }

bool greedy_pairing_on_one_thread() { return wide_popcount(); }

bool SumTree::built_from(const OnesPattern& S, Pairing p) const {
  return p == pairing && S.has_bits() && S.cols() == columns && S.rows == source_rows &&
         source.size() == S.bits.size() &&
         std::equal(source.begin(), source.end(), S.bits.begin());
}

}  // namespace rbmkit::detail
