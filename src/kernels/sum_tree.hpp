#pragma once
/// Shared partial sums for the products with a binary operand.
///
/// A product M·S with S ∈ {0, 1} sums, for each column of S, the columns of M at its ones
/// (binary.hpp). Columns of S that share ones share those terms: binarised images overlap in
/// the pixels that most images have on, and a minibatch's sampled states overlap likewise. A sum
/// tree pairs the columns of S greedily by the number of ones they share, then pairs the pairs,
/// and so on (or, for columns whose neighbours are alike, pairs neighbours); each node of the
/// tree stands for the ones that all the columns below it share.
/// A node's partial sum is its parent's plus the columns of M at its own ones (those its
/// parent does not have), and a leaf's partial sum is its column's whole sum. Every term is then
/// added once per node that owns it instead of once per column of S. On 100 binarised
/// Fashion-MNIST images, 784 pixels, the nodes own 38% as many ones as the images have.
///
/// Every column's sum still adds exactly the terms of its ones, each once, from its start
/// value: in the order of its path from the root (each node's own ones in increasing row
/// index), which depends on S alone. The tree is built from S alone (the overlap counts of the
/// greedy pairing on one thread with AVX-512's vector popcount, otherwise split among threads,
/// each count whole), and the sums split among threads by rows of M, so the bits do not depend
/// on the thread count.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "kernels/patterns.hpp"

namespace rbmkit::detail {

/// How a sum tree pairs its nodes, level by level.
enum class Pairing {
  greedy,      ///< each node with the unpaired node it shares the most ones with (the node
               ///< whose best partner shares the most first): for columns in no useful order,
               ///< such as a minibatch's examples
  neighbours,  ///< nodes 0 and 1, 2 and 3, …: for columns whose neighbours are alike, such as
               ///< the pixels of Vᵀ in the statistics; almost free to build
};

/// The sum trees of a binary matrix's columns: paired by neighbours, one tree of all of them;
/// paired greedily, one tree of all of them when there are at most 128, otherwise one per group
/// of 32 consecutive columns (the greedy pairing compares group² bit sets). Nodes in preorder,
/// each tree's root at depth 0.
struct SumTree {
  static constexpr std::size_t group_of(std::size_t cols) { return cols <= 128 ? cols : 32; }
  std::vector<std::uint32_t> depth;   ///< node's depth (root 0)
  std::vector<std::int32_t> column;   ///< a leaf's column of S, −1 for an inner node
  static constexpr std::size_t padding = 8;
  std::vector<std::uint32_t> start{0};  ///< node n owns the rows idx[start[n]] … idx[start[n+1] − 1]
  std::vector<std::uint32_t> idx = std::vector<std::uint32_t>(padding, 0u);
                                        ///< the nodes' own ones, increasing within each node,
                                        ///< then `padding` zeros (read ahead by the sums)
  std::size_t height = 0;             ///< 1 + the largest depth (0: no nodes)
  std::size_t columns = 0;            ///< columns of S (leaves)
  std::size_t ones = 0;               ///< ones of S (what plain gathers add per row of M)
  Pairing pairing = Pairing::greedy;  ///< how the tree was paired
  bool complete = true;               ///< false: it would have owned more than max_share of
                                      ///< the ones, and was not kept (no nodes)
  std::size_t source_rows = 0;        ///< rows of S
  std::vector<std::uint64_t> source;  ///< S's bit sets (OnesPattern::bits), to recognise S again
  /// True when this tree was built from a pattern equal to S (compared by their bit sets) and
  /// paired as `p` says; false also when S has no bit sets (OnesPattern::has_bits).
  bool built_from(const OnesPattern& S, Pairing p) const;
  /// Ones owned by the nodes: the additions per row of M that the tree's sums take.
  std::size_t owned() const { return start.back(); }
};

/// Builds into `t` the sum trees of the binary matrix whose ones `S` lists (S.rows rows,
/// S.cols() columns), paired as `pairing` says (greedy: in groups, see group_of; neighbours: one
/// tree of all columns). Deterministic: S and the pairing alone decide the tree. A tree is not
/// kept (`t.complete` false, no nodes: callers take plain gathers) when its nodes would own more
/// than max_share of S's ones, or S has 2³⁰ columns or 2³² ones or more, or (paired greedily)
/// 2²⁴ rows or more. Unless `recognisable`, t keeps no copy of S's bit sets and built_from is
/// false. The pairing's workspace is one per thread, kept between calls, so that rebuilding
/// allocates nothing and trees built on one thread share it.
void build_sum_tree(const OnesPattern& S, SumTree& t, Pairing pairing = Pairing::greedy,
                    double max_share = 1.0, bool recognisable = true);

/// Whether build_sum_tree's greedy pairing counts its nodes' shared ones on the calling thread
/// alone (AVX-512's vector popcount) rather than splitting the counts among threads: a caller
/// with other work may then run it beside the pairing on another thread.
bool greedy_pairing_on_one_thread();

/// For tests: the greedy pairing counts the shared ones of its bit sets with AVX-512's vector
/// popcount where the CPU has it (avx512vpopcntdq), otherwise one word at a time, and every
/// tree lists its nodes' own ones by AVX-512's compress where the CPU has AVX-512, otherwise
/// one at a time; `true` forces the second ways everywhere (`false` restores the default). Both
/// give the same counts and lists, so the same trees.
void use_portable_tree_build(bool portable);

/// For tests: tree_gather keeps its sums in 64-byte vectors (AVX-512 registers) where the CPU
/// has AVX-512, otherwise in 32-byte ones; `true` forces the second everywhere (`false`
/// restores the default). Each row takes the same operations in either, so the same bits.
void use_narrow_tree_sums(bool narrow);

/// For the rows [first, last) of M (M has S.rows columns, column-major, leading dimension ldm),
/// with `t` built from S: out[first … last−1, r] = init + Σ_{k: S(k, r) = 1} M[·, k] for every
/// column r of S, each sum adding its terms in the order of its tree path (with `subtract`,
/// init − …, each term subtracted in turn, so an exact cancellation is +0). A null `init` is
/// zero; `out` has leading dimension ldo. With `accumulate` (init must be null) the tree sum,
/// from +0, is added to out's own value, or with `subtract` subtracted from it: out + Σ or
/// out − Σ, one rounding each; negating M negates Σ exactly, so out − Σ(M) equals out + Σ(−M)
/// bit for bit. Each row's sums take the same operations in the same order whatever
/// [first, last) is, so callers may split [0, rows) among threads in any way.
void tree_gather(const float* M, std::size_t ldm, const SumTree& t, std::size_t first,
                 std::size_t last, const float* init, float* out, std::size_t ldo, bool subtract,
                 bool accumulate = false);
void tree_gather(const double* M, std::size_t ldm, const SumTree& t, std::size_t first,
                 std::size_t last, const double* init, double* out, std::size_t ldo,
                 bool subtract, bool accumulate = false);

}  // namespace rbmkit::detail
