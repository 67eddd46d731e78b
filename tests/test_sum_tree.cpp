// Sum trees (src/kernels/sum_tree.hpp): every column's path owns its ones exactly once, the
// tree sums agree with the dense product within the summation bound, the bits do not depend on
// how the rows are split, and the products and both gradient paths keep their bitwise
// guarantees when they take the trees.
#include <doctest/doctest.h>

#include <algorithm>
#include <armadillo>
#include <cstring>
#include <mutex>
#include <tuple>
#include <utility>
#include <vector>

#include "kernels/products.hpp"
#include "kernels/sum_tree.hpp"
#include "rbmkit/models/rbm.hpp"
#include "rbmkit/sampling/phases.hpp"
#include "sampling/gibbs_steps.hpp"
#include "rbmkit/core/parallel.hpp"
#include "rbmkit/training/rbm_step.hpp"
#include "rbmkit/training/statistics.hpp"
#include "equiv_fixtures.hpp"
#include "binary_fixtures.hpp"
#include "thread_guard.hpp"

using namespace rbmkit;
using detail::Pairing;
using detail::SumTree;

namespace {

using fixtures::random_bits;

/// Columns that are noisy copies of `k` prototypes (density 0.3, each bit flipped with
/// probability `flip`): what a minibatch of images of a few kinds looks like.
template <class T>
arma::Mat<T> prototype_bits(arma::uword rows, arma::uword cols, arma::uword k, double flip,
                            unsigned seed) {
  const arma::Mat<T> protos = random_bits<T>(rows, k, 0.3, seed);
  const arma::Mat<T> flips = random_bits<T>(rows, cols, flip, seed + 1);
  arma::Mat<T> X(rows, cols);
  for (arma::uword c = 0; c < cols; ++c)
    X.col(c) = arma::abs(protos.col(c % k) - flips.col(c));
  return X;
}

/// Rows that are noisy copies of the row before (each bit drawn afresh, on with probability 0.3,
/// with probability `redraw`): neighbouring visible units alike, as neighbouring pixels are.
template <class T>
arma::Mat<T> smooth_rows(arma::uword rows, arma::uword cols, double redraw, unsigned seed) {
  arma::Mat<T> X = random_bits<T>(rows, cols, 0.3, seed);
  const arma::Mat<T> fresh = random_bits<T>(rows, cols, redraw, seed + 1);
  for (arma::uword i = 1; i < rows; ++i)
    for (arma::uword j = 0; j < cols; ++j)
      if (fresh(i, j) == T(0)) X(i, j) = X(i - 1, j);
  return X;
}

template <class T>
detail::OnesPattern pattern(const arma::Mat<T>& X) {
  return fixtures::ones_of(X);
}

/// The greedy pairing as sum_tree.hpp states it, written plainly: level by level, the nodes in
/// order of the most ones they share with another node of the level (largest first, ties the
/// earlier node), each still unmatched one paired with the unmatched node it shares the most ones
/// with (ties the earlier), an odd one out alone; a pair's ones are those its two share, and its
/// first child is the node that chose. Returns the leaves (columns of X, at most 128) in preorder
/// with their depths.
std::vector<std::pair<int, unsigned>> greedy_leaves_reference(const arma::fmat& X) {
  const int n = int(X.n_cols);
  std::vector<std::vector<char>> ones;
  for (int c = 0; c < n; ++c) {
    std::vector<char> col(X.n_rows);
    for (arma::uword i = 0; i < X.n_rows; ++i) col[i] = X(i, c) != 0.0f;
    ones.push_back(col);
  }
  auto shared = [&](int a, int b) {
    int k = 0;
    for (std::size_t i = 0; i < ones[a].size(); ++i) k += ones[a][i] && ones[b][i];
    return k;
  };
  std::vector<std::pair<int, int>> children(n, {-1, -1});
  std::vector<int> level(n);
  for (int c = 0; c < n; ++c) level[c] = c;
  while (level.size() > 1) {
    const int m = int(level.size());
    std::vector<int> best(m, -1), order(m);
    for (int i = 0; i < m; ++i) {
      order[i] = i;
      for (int j = 0; j < m; ++j)
        if (j != i) best[i] = std::max(best[i], shared(level[i], level[j]));
    }
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return best[a] > best[b]; });
    std::vector<char> matched(m, 0);
    std::vector<int> next;
    for (const int i : order) {
      if (matched[i]) continue;
      matched[i] = 1;
      int partner = -1, most = -1;
      for (int j = 0; j < m; ++j)
        if (!matched[j] && shared(level[i], level[j]) > most) {
          most = shared(level[i], level[j]);
          partner = j;
        }
      if (partner < 0) {
        next.push_back(level[i]);
        continue;
      }
      matched[partner] = 1;
      std::vector<char> both(ones[0].size());
      for (std::size_t r = 0; r < both.size(); ++r)
        both[r] = ones[level[i]][r] && ones[level[partner]][r];
      ones.push_back(both);
      children.push_back({level[i], level[partner]});
      next.push_back(int(ones.size()) - 1);
    }
    level = next;
  }
  std::vector<std::pair<int, unsigned>> leaves;
  std::vector<std::pair<int, unsigned>> stack{{level[0], 0u}};
  while (!stack.empty()) {
    const auto [node, depth] = stack.back();
    stack.pop_back();
    if (node < n) {
      leaves.push_back({node, depth});
      continue;
    }
    stack.push_back({children[node].second, depth + 1});
    stack.push_back({children[node].first, depth + 1});
  }
  return leaves;
}

/// True when every column of S is one leaf of t whose path from its root owns exactly the
/// column's ones, each once, and every node's own rows increase.
bool paths_cover(const detail::OnesPattern& S, const SumTree& t) {
  if (t.columns != S.cols() || t.start.size() != t.depth.size() + 1) return false;
  std::vector<std::vector<std::uint32_t>> along(t.height + 1);  // rows of the path per depth
  std::vector<int> seen(S.cols(), 0);
  for (std::size_t n = 0; n < t.depth.size(); ++n) {
    const std::uint32_t d = t.depth[n];
    if (d >= t.height) return false;
    std::vector<std::uint32_t> rows = d ? along[d - 1] : std::vector<std::uint32_t>{};
    for (std::size_t k = t.start[n]; k < t.start[n + 1]; ++k) {
      if (k > t.start[n] && t.idx[k] <= t.idx[k - 1]) return false;
      rows.push_back(t.idx[k]);
    }
    if (t.column[n] < 0) {
      along[d] = rows;
      continue;
    }
    const std::size_t c = std::size_t(t.column[n]);
    if (c >= S.cols() || seen[c]++) return false;
    std::sort(rows.begin(), rows.end());
    const std::vector<std::uint32_t> ones(S.idx.begin() + std::ptrdiff_t(S.start[c]),
                                          S.idx.begin() + std::ptrdiff_t(S.start[c + 1]));
    if (rows != ones) return false;  // a row missing, extra or owned twice
  }
  return std::all_of(seen.begin(), seen.end(), [](int s) { return s == 1; });
}

/// out = init ± M·S by tree_gather over rows [0, rows) (write modes) against the double
/// product, within the summation bound.
template <class T>
void check_tree_sums(arma::uword rows, arma::uword inner, arma::uword cols, Pairing pairing,
                     const arma::Mat<T>& S, unsigned seed) {
  CAPTURE(rows);
  CAPTURE(inner);
  CAPTURE(cols);
  arma::arma_rng::set_seed(seed);
  const arma::Mat<T> M = arma::randn<arma::Mat<T>>(rows, inner);
  const arma::Col<T> init = arma::randn<arma::Col<T>>(rows);
  const detail::OnesPattern p = pattern(S);
  SumTree t;
  detail::build_sum_tree(p, t, pairing);
  REQUIRE(paths_cover(p, t));
  const arma::mat Md = arma::conv_to<arma::mat>::from(M), Sd = arma::conv_to<arma::mat>::from(S);
  const arma::vec id = arma::conv_to<arma::vec>::from(init);
  arma::mat absolute = arma::abs(Md) * Sd;
  absolute.each_col() += arma::abs(id);
  for (const bool subtract : {false, true}) {
    CAPTURE(subtract);
    arma::Mat<T> A(rows, cols);
    detail::tree_gather(M.memptr(), rows, t, 0, rows, init.memptr(), A.memptr(), rows, subtract);
    arma::mat R = subtract ? arma::mat(-Md * Sd) : arma::mat(Md * Sd);
    R.each_col() += id;
    CHECK(fixtures::within_sum_bound(A, R, absolute, inner + 1));
    // Accumulating: out ± Σ onto out's own values (here init·1ᵀ).
    arma::Mat<T> B(rows, cols);
    B.each_col() = init;
    detail::tree_gather(M.memptr(), rows, t, 0, rows, static_cast<const T*>(nullptr), B.memptr(),
                        rows, subtract, true);
    CHECK(fixtures::within_sum_bound(B, R, absolute, inner + 2));
  }
}

template <class T>
void check_all_tree_sums() {
  // Odd sizes (tails of every vector width), one row, one column, all-zero and all-one columns,
  // more columns than one greedy group (129, 300), random and correlated operands.
  const arma::uword shapes[][3] = {{500, 784, 100}, {784, 500, 100}, {13, 7, 5},  {1, 1, 1},
                                   {37, 1, 3},      {1, 37, 9},      {29, 17, 1}, {131, 67, 129},
                                   {9, 40, 300}};
  unsigned seed = 61;
  for (const auto& s : shapes)
    for (const Pairing pairing : {Pairing::greedy, Pairing::neighbours}) {
      for (const double density : {0.0, 0.31, 1.0}) {
        ++seed;
        check_tree_sums<T>(s[0], s[1], s[2], pairing, random_bits<T>(s[1], s[2], density, seed),
                           seed);
      }
      ++seed;
      check_tree_sums<T>(s[0], s[1], s[2], pairing, prototype_bits<T>(s[1], s[2], 4, 0.05, seed),
                         seed);
    }
}

}  // namespace

TEST_SUITE("kernels") {
  TEST_CASE("sum trees own every column's ones exactly once along its path") {
    const arma::uword shapes[][2] = {{1, 1}, {7, 1}, {64, 3}, {65, 8}, {784, 100},
                                     {100, 784}, {500, 129}, {13, 300}};
    unsigned seed = 3;
    for (const auto& s : shapes)
      for (const Pairing pairing : {Pairing::greedy, Pairing::neighbours})
        for (const int kind : {0, 1, 2, 3}) {
          CAPTURE(s[0]);
          CAPTURE(s[1]);
          CAPTURE(kind);
          const arma::mat X = kind == 3   ? prototype_bits<double>(s[0], s[1], 5, 0.05, ++seed)
                              : kind == 0 ? random_bits<double>(s[0], s[1], 0.0, ++seed)
                              : kind == 1 ? random_bits<double>(s[0], s[1], 0.3, ++seed)
                                          : random_bits<double>(s[0], s[1], 1.0, ++seed);
          const detail::OnesPattern p = pattern(X);
          SumTree t, again;
          detail::build_sum_tree(p, t, pairing);
          CHECK(paths_cover(p, t));
          CHECK(t.ones == p.start.back());
          detail::build_sum_tree(p, again, pairing);  // the pattern alone decides the tree
          CHECK(again.idx == t.idx);
          CHECK(again.depth == t.depth);
          CHECK(again.column == t.column);
        }
  }

  TEST_CASE("trees are the same built with AVX-512 (popcount, compressed lists) and portably") {
    // On a CPU without AVX-512's vector popcount both builds take the portable counts; on one
    // with it (the machines this runs on so far) the first takes the vector counts, and the
    // nodes' own ones listed 16 bits at a time by compress. Odd sizes: partial blocks of 8
    // nodes and of 64 rows, a level of one odd node out, a last word of a few rows.
    struct Restore {
      ~Restore() { detail::use_portable_tree_build(false); }
    } restore;
#if defined(__GNUC__) && defined(__x86_64__)
    if (!__builtin_cpu_supports("avx512vpopcntdq"))
      MESSAGE("no AVX-512 vector popcount on this CPU: both builds count portably (their lists "
              "still differ in how they are made where the CPU has AVX-512F)");
#endif
    for (const auto& [rows, cols] : {std::pair<arma::uword, arma::uword>{784, 100}, {70, 9},
                                     {1030, 128}, {64, 17}}) {
      CAPTURE(rows);
      CAPTURE(cols);
      const detail::OnesPattern p = pattern(prototype_bits<float>(rows, cols, 5, 0.08, 17));
      for (const Pairing pairing : {Pairing::greedy, Pairing::neighbours}) {
        SumTree fast, portable;
        detail::use_portable_tree_build(false);
        detail::build_sum_tree(p, fast, pairing);
        detail::use_portable_tree_build(true);
        detail::build_sum_tree(p, portable, pairing);
        CHECK(fast.idx == portable.idx);
        CHECK(fast.depth == portable.depth);
        CHECK(fast.column == portable.column);
        CHECK(fast.start == portable.start);
        CHECK(paths_cover(p, fast));
      }
      SumTree portable;
      detail::build_sum_tree(p, portable, Pairing::greedy);  // still portable
      // The trees depend on the counts: a pattern with one column changed gives another tree.
      arma::fmat X = prototype_bits<float>(rows, cols, 5, 0.08, 17);
      X.col(cols / 2) = random_bits<float>(rows, 1, 0.5, 3);
      SumTree other;
      detail::build_sum_tree(pattern(X), other, Pairing::greedy);
      CHECK_FALSE((other.idx == portable.idx && other.column == portable.column));
    }
  }

  TEST_CASE("greedy pairing pairs as its plain statement does, ties included") {
    // Few prototypes and little noise make many equal overlaps (the tie-breaks decide), up to
    // 128 columns (one group: the pairing's largest level). Preferring the later of equal
    // partners fails it (checked).
    for (const auto& [rows, cols, k, flip] :
         {std::tuple<arma::uword, arma::uword, arma::uword, double>{784, 128, 3, 0.0},
          {784, 100, 5, 0.02}, {70, 37, 2, 0.0}, {300, 128, 8, 0.05}, {64, 9, 9, 0.3}}) {
      CAPTURE(cols);
      CAPTURE(k);
      const arma::fmat X = prototype_bits<float>(rows, cols, k, flip, unsigned(cols + k));
      SumTree t;
      detail::build_sum_tree(pattern(X), t, Pairing::greedy);
      REQUIRE(t.complete);
      std::vector<std::pair<int, unsigned>> leaves;
      for (std::size_t node = 0; node < t.column.size(); ++node)
        if (t.column[node] >= 0) leaves.push_back({t.column[node], t.depth[node]});
      CHECK(leaves == greedy_leaves_reference(X));
    }
  }

  TEST_CASE("a sum tree recognises the pattern it was built from and no other") {
    arma::fmat X = prototype_bits<float>(784, 100, 4, 0.05, 13);
    const detail::OnesPattern p = pattern(X);
    SumTree t;
    detail::build_sum_tree(p, t);
    CHECK(t.built_from(p, Pairing::greedy));
    CHECK(t.built_from(pattern(X), Pairing::greedy));  // an equal pattern scanned again
    CHECK_FALSE(t.built_from(p, Pairing::neighbours));
    X(783, 99) = 1.0f - X(783, 99);  // one bit flipped: the last row of the last column
    CHECK_FALSE(t.built_from(pattern(X), Pairing::greedy));
    detail::OnesPattern listed = p;  // the same ones without bit sets: not recognised
    listed.bits.clear();
    CHECK_FALSE(t.built_from(listed, Pairing::greedy));
  }

  TEST_CASE("the coverage check catches a tree that drops or repeats a one") {
    const detail::OnesPattern p = pattern(prototype_bits<double>(200, 40, 3, 0.05, 17));
    SumTree t;
    detail::build_sum_tree(p, t);
    REQUIRE(paths_cover(p, t));
    // Node 0 (the root) owns the ones its columns all share.
    REQUIRE(t.start[1] > 0);
    SumTree dropped = t;
    dropped.idx.erase(dropped.idx.begin());
    for (std::size_t n = 1; n < dropped.start.size(); ++n) --dropped.start[n];
    CHECK_FALSE(paths_cover(p, dropped));
    SumTree repeated = t;  // the root's first one owned again by the last leaf
    repeated.idx.insert(repeated.idx.begin() + std::ptrdiff_t(t.start.back()), t.idx[0]);
    ++repeated.start.back();
    CHECK_FALSE(paths_cover(p, repeated));
  }

  TEST_CASE("correlated columns share most of their ones in the tree") {
    // 100 noisy copies of 5 prototypes: the nodes own far fewer ones than the columns have (the
    // products take the trees below 60%); independent bits of density 0.3 share few.
    const detail::OnesPattern alike = pattern(prototype_bits<float>(784, 100, 5, 0.05, 5));
    const detail::OnesPattern independent = pattern(random_bits<float>(784, 100, 0.3, 6));
    SumTree t;
    detail::build_sum_tree(alike, t);
    CHECK(double(t.owned()) < 0.4 * double(t.ones));
    detail::build_sum_tree(independent, t);
    CHECK(t.complete);
    CHECK(double(t.owned()) > 0.6 * double(t.ones));
    detail::build_sum_tree(independent, t, Pairing::greedy, 0.6);  // over the share: not kept
    CHECK_FALSE(t.complete);
    CHECK(t.owned() == 0);
    CHECK(t.depth.empty());
    detail::build_sum_tree(alike, t, Pairing::greedy, 0.6);
    CHECK(t.complete);
    CHECK(paths_cover(alike, t));
    const detail::OnesPattern smooth = pattern(arma::fmat(smooth_rows<float>(784, 100, 0.05, 7).t()));
    detail::build_sum_tree(smooth, t, Pairing::neighbours);
    CHECK(double(t.owned()) < 0.4 * double(t.ones));
  }

  TEST_CASE("greedy pairing keeps no tree of 2^24 rows or more (its keys hold smaller overlaps)") {
    // Eight columns sharing the same three ones (a tree worth keeping), given as index lists
    // (no bit sets: the refusal comes before any are made).
    for (const std::size_t rows : {std::size_t(1) << 24, (std::size_t(1) << 24) - 1}) {
      CAPTURE(rows);
      detail::OnesPattern p;
      p.rows = rows;
      p.start = {0};
      for (std::size_t c = 0; c < 8; ++c) {
        for (const std::uint32_t i : {std::uint32_t(5), std::uint32_t(700), std::uint32_t(rows - 1)})
          p.idx.push_back(i);
        p.start.push_back(p.idx.size());
      }
      SumTree t;
      detail::build_sum_tree(p, t, Pairing::greedy);
      CHECK(t.complete == (rows < (std::size_t(1) << 24)));
      if (t.complete) CHECK(paths_cover(p, t));
      detail::build_sum_tree(p, t, Pairing::neighbours);  // no keys: kept
      CHECK(t.complete);
    }
  }

  TEST_CASE("tree sums match the dense product within the summation bound in float") {
    check_all_tree_sums<float>();
  }

  TEST_CASE("tree sums match the dense product within the summation bound in double") {
    check_all_tree_sums<double>();
  }

  TEST_CASE("tree sums have the same bits for any split of the rows") {
    auto check = [](auto zero, arma::uword rows) {
      using T = decltype(zero);
      CAPTURE(rows);
      arma::arma_rng::set_seed(71);
      const arma::Mat<T> M = arma::randn<arma::Mat<T>>(rows, 300);
      const arma::Col<T> init = arma::randn<arma::Col<T>>(rows);
      const detail::OnesPattern p = pattern(prototype_bits<T>(300, 50, 3, 0.05, 72));
      SumTree t;
      detail::build_sum_tree(p, t);
      for (const bool accumulate : {false, true}) {
        CAPTURE(accumulate);
        const T* in = accumulate ? nullptr : init.memptr();
        arma::Mat<T> whole(rows, 50, arma::fill::ones), split(rows, 50, arma::fill::ones);
        detail::tree_gather(M.memptr(), rows, t, 0, rows, in, whole.memptr(), rows, false,
                            accumulate);
        // Splits at every kind of boundary: inside a vector, narrower than one, at slab edges.
        std::vector<arma::uword> cuts{0, 1, 5, 8, 13, 32, 33, rows - 2, rows};
        cuts.erase(std::remove_if(cuts.begin(), cuts.end(), [&](arma::uword c) { return c > rows; }),
                   cuts.end());
        std::sort(cuts.begin(), cuts.end());
        cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
        for (std::size_t k = 0; k + 1 < cuts.size(); ++k)
          detail::tree_gather(M.memptr(), rows, t, cuts[k], cuts[k + 1], in, split.memptr(), rows,
                              false, accumulate);
        CHECK(fixtures::same_bits(whole, split));
        // A changed term is seen.
        arma::Mat<T> M2 = M;
        M2(rows - 1, p.idx[0]) += T(1);
        detail::tree_gather(M2.memptr(), rows, t, 0, rows, in, split.memptr(), rows, false,
                            false);
        if (!accumulate) CHECK_FALSE(fixtures::same_bits(whole, split));
      }
    };
    for (const arma::uword rows : {3u, 40u, 131u}) {
      check(0.0f, rows);
      check(0.0, rows);
    }
  }

  TEST_CASE("tree sums have the same bits in 64-byte and in 32-byte vectors") {
    // On a CPU with AVX-512 (the machines this runs on so far) the first sums take 64-byte
    // vectors; without it both are the 32-byte ones. Every mode, and row ranges that end in
    // each kind of tail: whole 256-byte slabs, a 64-byte and a 32-byte vector, single rows, an
    // overlapping last vector.
    struct Restore {
      ~Restore() { detail::use_narrow_tree_sums(false); }
    } restore;
#if defined(__GNUC__) && defined(__x86_64__)
    if (!__builtin_cpu_supports("avx512f"))
      MESSAGE("no AVX-512 on this CPU: both sums compared are the 32-byte ones");
#endif
    auto check = [](auto zero, arma::uword rows) {
      using T = decltype(zero);
      CAPTURE(rows);
      arma::arma_rng::set_seed(81);
      const arma::Mat<T> M = arma::randn<arma::Mat<T>>(rows, 200);
      const arma::Col<T> init = arma::randn<arma::Col<T>>(rows);
      const detail::OnesPattern p = pattern(prototype_bits<T>(200, 40, 3, 0.05, 82));
      SumTree t;
      detail::build_sum_tree(p, t);
      const std::pair<arma::uword, arma::uword> ranges[] = {
          {0, rows}, {1, rows}, {3, rows - 2}, {rows / 2, rows}, {rows - 1, rows}};
      for (const bool subtract : {false, true})
        for (const bool accumulate : {false, true})
          for (const auto& [first, last] : ranges) {
            CAPTURE(subtract);
            CAPTURE(accumulate);
            CAPTURE(first);
            CAPTURE(last);
            const T* in = accumulate ? nullptr : init.memptr();
            arma::Mat<T> wide(rows, 40, arma::fill::ones), narrow(rows, 40, arma::fill::ones);
            detail::use_narrow_tree_sums(false);
            detail::tree_gather(M.memptr(), rows, t, first, last, in, wide.memptr(), rows,
                                subtract, accumulate);
            detail::use_narrow_tree_sums(true);
            detail::tree_gather(M.memptr(), rows, t, first, last, in, narrow.memptr(), rows,
                                subtract, accumulate);
            CHECK(fixtures::same_bits(wide, narrow));
            // A changed term is seen.
            arma::Mat<T> M2 = M;
            M2(last - 1, p.idx[0]) += T(1);
            narrow.fill(T(1));
            detail::tree_gather(M2.memptr(), rows, t, first, last, in, narrow.memptr(), rows,
                                subtract, accumulate);
            CHECK_FALSE(fixtures::same_bits(wide, narrow));
          }
    };
    // 500: the hidden units of the shape; 285 = 4·64 + 16 + 8 + 5 floats.
    for (const arma::uword rows : {500u, 285u, 61u, 24u, 9u}) {
      check(0.0f, rows);
      check(0.0, rows);
    }
  }

  TEST_CASE("out minus the tree sum of M equals out plus the tree sum of -M bit for bit") {
    arma::arma_rng::set_seed(81);
    const arma::fmat M = arma::randu<arma::fmat>(77, 120);
    const arma::fmat out0 = arma::randn<arma::fmat>(77, 60);
    const detail::OnesPattern p = pattern(prototype_bits<float>(120, 60, 4, 0.05, 82));
    SumTree t;
    detail::build_sum_tree(p, t, Pairing::neighbours);
    arma::fmat minus = out0, plus = out0;
    const arma::fmat negM = -M;
    detail::tree_gather(M.memptr(), 77, t, 0, 77, static_cast<const float*>(nullptr),
                        minus.memptr(), 77, true, true);
    detail::tree_gather(negM.memptr(), 77, t, 0, 77, static_cast<const float*>(nullptr),
                        plus.memptr(), 77, false, true);
    CHECK(fixtures::same_bits(minus, plus));
    CHECK_FALSE(fixtures::same_bits(minus, out0));
  }

  TEST_CASE("products of correlated operands take the trees: BLAS within the bound, the same "
            "bits at one and two threads") {
    fixtures::ThreadGuard guard;
    arma::arma_rng::set_seed(91);
    const arma::fmat W = arma::randn<arma::fmat>(784, 500) * 0.1f;
    const arma::fvec b = arma::randn<arma::fvec>(784), c = arma::randn<arma::fvec>(500);
    const arma::fmat V = prototype_bits<float>(784, 100, 6, 0.05, 92);
    const arma::fmat H = prototype_bits<float>(500, 100, 6, 0.05, 93);
    const arma::fmat Vs = smooth_rows<float>(784, 100, 0.05, 94), Vn = smooth_rows<float>(784, 100, 0.05, 95);
    const arma::fmat Hp = arma::randu<arma::fmat>(500, 100), Hn = arma::randu<arma::fmat>(500, 100);
    // The tests exercise the trees: each operand's tree owns under 60% of its ones.
    for (const arma::fmat* X : {&V, &H}) {
      SumTree t;
      detail::build_sum_tree(pattern(*X), t);
      REQUIRE(double(t.owned()) <= 0.6 * double(t.ones));
    }
    for (const arma::fmat* X : {&Vs, &Vn}) {
      SumTree t;
      detail::build_sum_tree(pattern(arma::fmat(X->t())), t, Pairing::neighbours);
      REQUIRE(double(t.owned()) <= 0.6 * double(t.ones));
    }
    arma::fmat out[2][3];
    for (const int n_threads : {1, 2}) {
      set_threads(n_threads);
      detail::ProductBuffers<float> buf;
      arma::fmat* o = out[n_threads - 1];
      detail::hidden_input(W, c, V, o[0], buf);
      detail::visible_input(W, b, H, o[1], buf);
      REQUIRE(detail::outer_difference_transposed(Vs, Hp, Vn, Hn, o[2], buf));
    }
    for (int k = 0; k < 3; ++k) {
      CAPTURE(k);
      CHECK(fixtures::same_bits(out[0][k], out[1][k]));
    }
    const arma::mat Wd = arma::conv_to<arma::mat>::from(W);
    const arma::mat Vd = arma::conv_to<arma::mat>::from(V), Hd = arma::conv_to<arma::mat>::from(H);
    arma::mat R0 = Wd.t() * Vd, A0 = arma::abs(Wd.t()) * Vd;
    R0.each_col() += arma::conv_to<arma::vec>::from(c);
    A0.each_col() += arma::abs(arma::conv_to<arma::vec>::from(c));
    CHECK(fixtures::within_sum_bound(out[0][0], R0, A0, 785));
    arma::mat R1 = Wd * Hd, A1 = arma::abs(Wd) * Hd;
    R1.each_col() += arma::conv_to<arma::vec>::from(b);
    A1.each_col() += arma::abs(arma::conv_to<arma::vec>::from(b));
    CHECK(fixtures::within_sum_bound(out[0][1], R1, A1, 501));
    const arma::mat Hpd = arma::conv_to<arma::mat>::from(Hp), Hnd = arma::conv_to<arma::mat>::from(Hn);
    const arma::mat Vsd = arma::conv_to<arma::mat>::from(Vs), Vnd = arma::conv_to<arma::mat>::from(Vn);
    const arma::mat R2 = Hpd * Vsd.t() - Hnd * Vnd.t(), A2 = Hpd * Vsd.t() + Hnd * Vnd.t();
    CHECK(fixtures::within_sum_bound(out[0][2], R2, A2, 201));
  }

  TEST_CASE("two hidden inputs in one pass have the bits of the two products in turn") {
    fixtures::ThreadGuard guard;
    arma::arma_rng::set_seed(121);
    const arma::fmat W = arma::randn<arma::fmat>(784, 500) * 0.1f;
    const arma::fvec c = arma::randn<arma::fvec>(500);
    const arma::fmat V1 = prototype_bits<float>(784, 100, 6, 0.05, 122);
    const arma::fmat V2 = prototype_bits<float>(784, 60, 4, 0.08, 123);
    for (const int n_threads : {1, 2, 4}) {  // 2: the chains scanned beside the pairing
      CAPTURE(n_threads);
      set_threads(n_threads);
      detail::ProductBuffers<float> apart, together;
      arma::fmat E1, E2, A1, A2;
      detail::hidden_input(W, c, V1, E1, apart);
      detail::hidden_input(W, c, V2, E2, apart);
      REQUIRE(detail::hidden_inputs_together(W, c, V1, V2, A1, A2, together));
      CHECK(fixtures::same_bits(A1, E1));
      CHECK(fixtures::same_bits(A2, E2));
      // The same operand twice, and the trees already cached (a second call): the same bits.
      REQUIRE(detail::hidden_inputs_together(W, c, V2, V2, A1, A2, together));
      CHECK(fixtures::same_bits(A1, E2));
      CHECK(fixtures::same_bits(A2, E2));
      // A changed entry of the second operand is seen.
      arma::fmat V3 = V2;
      V3(5, 7) = 1 - V3(5, 7);
      REQUIRE(detail::hidden_inputs_together(W, c, V1, V3, A1, A2, together));
      CHECK(fixtures::same_bits(A1, E1));
      CHECK_FALSE(fixtures::same_bits(A2, E2));
    }
    // Where the pass does not apply, it says so: grey values, mostly ones, no tree (few rows).
    detail::ProductBuffers<float> buf;
    arma::fmat A1, A2, grey = V1;
    grey(3, 3) = 0.5f;
    CHECK_FALSE(detail::hidden_inputs_together(W, c, V1, grey, A1, A2, buf));
    CHECK_FALSE(detail::hidden_inputs_together(W, c, arma::fmat(1 - V1), V2, A1, A2, buf));
    CHECK_FALSE(detail::hidden_inputs_together(W, c, V1, arma::fmat(1 - V2), A1, A2, buf));
    const arma::fmat small_W = W.cols(0, 99);  // 100 hidden units: below a tree's 128 rows
    CHECK_FALSE(detail::hidden_inputs_together(small_W, arma::fvec(c.head(100)), V1, V2, A1, A2,
                                               buf));
  }

  TEST_CASE("draw_phases' PCD step has the bits and draws of the products in turn") {
    // The pass of both hidden inputs (hidden_inputs_together) inside draw_phases against the
    // positive phase's hidden_mean and then gibbs_from_states of the chains, the same generator:
    // the same phases, the same chains, the generator left in the same state.
    fixtures::ThreadGuard guard;
    const Rbm<float> rbm = fixtures::random_rbm<float>(784, 500, 0.1, 131);
    const arma::fmat V = prototype_bits<float>(784, 100, 6, 0.05, 132);
    const arma::fmat C = prototype_bits<float>(784, 100, 5, 0.06, 133);
    {  // both operands take their trees: the pass applies
      detail::ProductBuffers<float> buf;
      arma::fmat A1, A2;
      REQUIRE(detail::hidden_inputs_together(rbm.W(), rbm.c(), V, C, A1, A2, buf));
    }
    for (const int n_threads : {1, 2}) {
      CAPTURE(n_threads);
      set_threads(n_threads);
      const PhaseConfig pcd{Method::pcd, 1, 0};
      Rng r1(7), r2(7);
      arma::fmat chains = C;
      PhaseWorkspace<float> ws;
      const Phases<float>& p = draw_phases(rbm, V, pcd, chains, r1, ws);
      detail::ProductBuffers<float> buf;
      arma::fmat P;
      Phase<float> neg;
      detail::hidden_mean(rbm, V, P, buf);
      detail::gibbs_from_states(rbm, C, 1, r2, buf, neg);
      CHECK(fixtures::same_bits(p.positive.h, P));
      CHECK(fixtures::same_bits(p.negative.v, neg.v));
      CHECK(fixtures::same_bits(p.negative.h, neg.h));
      CHECK(fixtures::same_bits(chains, neg.v));
      CHECK(r1.uniform() == r2.uniform());
      // Other chains give other phases: the check can see a difference.
      arma::fmat other = C;
      other(10, 3) = 1 - other(10, 3);
      Rng r3(7);
      PhaseWorkspace<float> w3;
      const Phases<float>& q = draw_phases(rbm, V, pcd, other, r3, w3);
      CHECK_FALSE(fixtures::same_bits(q.negative.h, neg.h));
    }
  }

  TEST_CASE("PCD draws the negative phase into the chains, without a copy that can leak") {
    fixtures::ThreadGuard guard;
    const Rbm<float> rbm = fixtures::random_rbm<float>(784, 300, 0.1, 141);
    const arma::fmat V = prototype_bits<float>(784, 100, 6, 0.05, 142);
    const arma::fmat C = prototype_bits<float>(784, 100, 5, 0.06, 143);
    const PhaseConfig pcd{Method::pcd, 1, 0}, cd{Method::cd, 1, 0};
    for (const int n_threads : {1, 2}) {
      CAPTURE(n_threads);
      set_threads(n_threads);
      // The workspace form: negative.v is the chains' memory, holding the new states.
      arma::fmat chains = C;
      Rng r1(9);
      PhaseWorkspace<float> ws;
      const Phases<float>& p = draw_phases(rbm, V, pcd, chains, r1, ws);
      CHECK(p.negative.v.memptr() == chains.memptr());
      CHECK_FALSE(fixtures::same_bits(chains, C));  // advanced
      // The value form: the same states, in a matrix of its own.
      arma::fmat chains2 = C;
      Rng r2(9);
      const Phases<float> q = draw_phases(rbm, V, pcd, chains2, r2);
      CHECK(q.negative.v.memptr() != chains2.memptr());
      CHECK(fixtures::same_bits(q.negative.v, chains2));
      CHECK(fixtures::same_bits(chains2, chains));
      chains2(0, 0) = 1 - chains2(0, 0);
      CHECK(q.negative.v(0, 0) != chains2(0, 0));  // not a view: unchanged by the chains
      // A CD call on the workspace after a PCD one writes its own matrix, not the chains.
      const arma::fmat before = chains;
      Rng r3(10);
      const Phases<float>& c = draw_phases(rbm, V, cd, chains, r3, ws);
      CHECK(c.negative.v.memptr() != chains.memptr());
      CHECK(fixtures::same_bits(chains, before));
      // And PCD again: the view is taken afresh, of the chains as they are now.
      Rng r4(11);
      const Phases<float>& d = draw_phases(rbm, V, pcd, chains, r4, ws);
      CHECK(d.negative.v.memptr() == chains.memptr());
      CHECK_FALSE(fixtures::same_bits(chains, before));
    }
  }

  TEST_CASE("hidden_input a block of Wt at a time takes the same tree and bits as the whole Wt") {
    // Rbm::hidden_input forms Wᵀ 64 hidden units at a time; the training step forms it whole.
    fixtures::ThreadGuard guard;
    arma::arma_rng::set_seed(111);
    const arma::fmat W = arma::randn<arma::fmat>(784, 500) * 0.1f;
    const arma::fvec c = arma::randn<arma::fvec>(500);
    const arma::fmat V = prototype_bits<float>(784, 100, 6, 0.05, 112);
    SumTree t;
    detail::build_sum_tree(pattern(V), t);
    REQUIRE(double(t.owned()) <= 0.6 * double(t.ones));  // the whole product takes the tree
    for (const int n_threads : {1, 2}) {
      CAPTURE(n_threads);
      set_threads(n_threads);
      detail::ProductBuffers<float> whole;
      arma::fmat expected;
      detail::hidden_input(W, c, V, expected, whole);
      for (const arma::uword block : {1u, 64u, 499u}) {
        CAPTURE(block);
        detail::ProductBuffers<float> buf;
        buf.wt_block = block;
        arma::fmat A;
        detail::hidden_input(W, c, V, A, buf);
        CHECK(fixtures::same_bits(A, expected));
      }
    }
    // The plain gathers sum in another order: the check can see the difference.
    arma::fmat plain;
    detail::ProductBuffers<float> buf;
    buf.Wt = W.t();
    detail::gather_product(buf.Wt, pattern(V), c.memptr(), plain);
    detail::ProductBuffers<float> whole;
    arma::fmat expected;
    detail::hidden_input(W, c, V, expected, whole);
    CHECK_FALSE(fixtures::same_bits(plain, expected));
  }

  TEST_CASE("the deferred weight statistic's rows are handed on once each, when final") {
    // Phases whose statistics take both sum trees (alike neighbours), 300 hidden units: with
    // two threads the rows are split and handed on as they are summed (blocks of 32, the last
    // ending at 300), each copied there and compared with the finished statistic; with one
    // thread the hook is not called. Bias statistics are final when a range is handed on.
    fixtures::ThreadGuard guard;
    Phase<float> pos, neg;
    pos.v = smooth_rows<float>(784, 100, 0.05, 111);
    neg.v = smooth_rows<float>(784, 100, 0.05, 112);
    arma::arma_rng::set_seed(113);
    pos.h = arma::randu<arma::fmat>(300, 100);
    neg.h = arma::randu<arma::fmat>(300, 100);
    for (const int n_threads : {1, 2}) {
      CAPTURE(n_threads);
      set_threads(n_threads);
      GradientWorkspace<float> ws;
      ws.defer_weights = true;
      std::mutex m;
      std::vector<int> times(300, 0);
      arma::fmat seen(300, 784, arma::fill::zeros);
      arma::fvec db_seen, dc_seen;
      bool whole_blocks = true, workers_known = true;
      ws.weight_rows = [&](std::size_t first, std::size_t last, int worker,
                           const Statistics<float>& g) {
        const arma::fmat& Pt = ws.buffers().Wt;
        std::lock_guard<std::mutex> lock(m);
        whole_blocks = whole_blocks && first % 32 == 0 && (last % 32 == 0 || last == 300);
        workers_known = workers_known && worker >= 0 && worker < n_threads;
        for (std::size_t r = first; r < last; ++r) ++times[r];
        seen.rows(first, last - 1) = Pt.rows(first, last - 1);
        db_seen = g.db;
        dc_seen = g.dc;
      };
      const Statistics<float> g = contrastive_gradient(pos, neg, UnitType::bernoulli, &ws);
      CHECK(g.dW.n_elem == 0);
      if (n_threads == 1) {
        CHECK_FALSE(ws.weight_rows_reported);
        CHECK(std::all_of(times.begin(), times.end(), [](int t) { return t == 0; }));
        continue;
      }
      REQUIRE(ws.weight_rows_reported);
      CHECK(std::all_of(times.begin(), times.end(), [](int t) { return t == 1; }));
      CHECK(whole_blocks);
      CHECK(workers_known);
      CHECK(fixtures::same_bits(seen, ws.buffers().Wt));
      CHECK(fixtures::same_bits(db_seen, g.db));
      CHECK(fixtures::same_bits(dc_seen, g.dc));
      // The statistic is the one the plain products give.
      const Statistics<float> plain = contrastive_gradient(pos, neg);
      CHECK(fixtures::same_bits(arma::fmat(seen.t() / 100.0f), plain.dW));
    }
  }

  TEST_CASE("the step's pass over the weights gives the same bits while the statistic is formed") {
    // 784 x 300 with minibatches of 100 whose visible units are alike in neighbours: with two
    // threads and the weight statistic deferred, the step's update passes over each block of
    // hidden units as soon as the statistics have summed it (GradientWorkspace::weight_rows);
    // the model must have the bits of the update that forms the whole statistic first (the
    // statistic returned, or one thread), with centring on and off, float and double. A last
    // minibatch of 60 examples against the 100 chains takes the statistics' other path, which
    // must not reuse the flag of the step before.
    fixtures::ThreadGuard guard;
    auto check = [](auto zero) {
      using T = decltype(zero);
      Rbm<T> start = fixtures::random_rbm<T>(784, 300, 0.05, 121);
      // Strong visible biases of a smooth pattern: the chains' samples are alike in neighbours
      // too, so that the negative phase's statistic also takes its tree.
      start.b() = T(6) * (T(2) * smooth_rows<T>(784, 1, 0.05, 123).col(0) - T(1));
      const arma::Mat<T> V = smooth_rows<T>(784, 100, 0.05, 122);
      const arma::Mat<T> short_batch = V.cols(0, 59);
      for (const bool centering : {true, false}) {
        CAPTURE(centering);
        TrainConfig cfg;
        cfg.hidden = 300;
        cfg.batch = 100;
        cfg.method = Method::pcd;
        cfg.momentum = 0.5;
        cfg.rbm.centering = centering;
        auto run = [&](int n_threads, bool deferred) {
          set_threads(n_threads);
          RbmStep<T> step(cfg, start);
          step.return_weight_statistic(!deferred);
          Rng rng(7);
          for (int k = 0; k < 3; ++k) step.update(V, {}, 0.1, 0.5, rng);
          step.update(short_batch, {}, 0.1, 0.5, rng);
          return step.model();
        };
        const Rbm<T> passed = run(2, true), whole = run(2, false), one = run(1, true);
        CHECK(fixtures::same_bits(passed.W(), whole.W()));
        CHECK(fixtures::same_bits<T>(passed.b(), whole.b()));
        CHECK(fixtures::same_bits<T>(passed.c(), whole.c()));
        CHECK(fixtures::same_bits(passed.W(), one.W()));
        CHECK(fixtures::same_bits<T>(passed.c(), one.c()));
        CHECK_FALSE(fixtures::same_bits(passed.W(), start.W()));  // the steps changed it
      }
    };
    check(0.0f);
    check(0.0);
  }

  TEST_CASE("both gradient paths stay bitwise identical when the statistics take sum trees") {
    // Phases whose visible states have alike neighbours (the statistics' trees are taken), the
    // same for one and two threads; two swapped rewards (counts kept equal) are detected.
    fixtures::ThreadGuard guard;
    for (const int n_threads : {1, 2}) {
      CAPTURE(n_threads);
      set_threads(n_threads);
      Phase<float> pos, neg;
      pos.v = smooth_rows<float>(784, 100, 0.05, 101);
      neg.v = smooth_rows<float>(784, 100, 0.05, 102);
      arma::arma_rng::set_seed(103);
      pos.h = arma::randu<arma::fmat>(300, 100);
      neg.h = arma::randu<arma::fmat>(300, 100);
      SumTree t;
      detail::build_sum_tree(pattern(arma::fmat(pos.v.t())), t, Pairing::neighbours);
      REQUIRE(double(t.owned()) <= 0.6 * double(t.ones));
      const Statistics<float> c = contrastive_gradient(pos, neg);
      RewardStream<float> s = make_reward_stream(pos, neg);
      const Statistics<float> r = reward_correlator_gradient(s);
      CHECK(fixtures::same_bits(c.dW, r.dW));
      CHECK(fixtures::same_bits(c.db, r.db));
      CHECK(fixtures::same_bits(c.dc, r.dc));
      std::swap(s.reward[0], s.reward[s.reward.n_elem - 1]);
      CHECK_FALSE(fixtures::same_bits(c.dW, reward_correlator_gradient(s).dW));
    }
  }
}
