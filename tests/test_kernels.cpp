// The binary products and the fused sampling (src/kernels/binary.hpp, products.hpp) against
// dense references.
#include <doctest/doctest.h>

#include <algorithm>
#include <armadillo>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <utility>
#include <cstdint>
#include <vector>

#include "kernels/binary.hpp"
#include "kernels/kernels.hpp"
#include "kernels/uniforms.hpp"
#include "kernels/products.hpp"
#include "rbmkit/core/math.hpp"
#include "rbmkit/core/random.hpp"
#include "rbmkit/models/rbm.hpp"
#include "rbmkit/training/statistics.hpp"
#include "binary_fixtures.hpp"
#include "thread_guard.hpp"

using namespace rbmkit;

namespace {

template <class T>
arma::Mat<T> binary(arma::uword rows, arma::uword cols, double density, unsigned seed) {
  return fixtures::random_bits<T>(rows, cols, density, seed);
}

template <class T>
detail::OnesPattern ones(const arma::Mat<T>& X) {
  return fixtures::ones_of(X);
}

using fixtures::within_sum_bound;

/// One shape and density: M·S by the gathers against the double product.
template <class T>
void check_gather(arma::uword rows, arma::uword inner, arma::uword cols, double density,
                  unsigned seed) {
  CAPTURE(rows);
  CAPTURE(inner);
  CAPTURE(cols);
  CAPTURE(density);
  arma::arma_rng::set_seed(seed);
  const arma::Mat<T> M = arma::randn<arma::Mat<T>>(rows, inner);
  const arma::Col<T> init = arma::randn<arma::Col<T>>(rows);
  const arma::Mat<T> S = binary<T>(inner, cols, density, seed + 1);
  arma::Mat<T> A;
  detail::gather_product(M, ones(S), init.memptr(), A);
  const arma::mat Md = arma::conv_to<arma::mat>::from(M), Sd = arma::conv_to<arma::mat>::from(S);
  arma::mat R = Md * Sd;
  R.each_col() += arma::conv_to<arma::vec>::from(init);
  arma::mat absolute = arma::abs(Md) * Sd;
  absolute.each_col() += arma::abs(arma::conv_to<arma::vec>::from(init));
  REQUIRE(arma::size(A) == arma::size(R));
  CHECK(within_sum_bound(A, R, absolute, inner + 1));
}

template <class T>
void check_gathers() {
  // Odd sizes (tails of every width), one example, one hidden unit, all-zero and all-one states.
  const arma::uword shapes[][3] = {{784, 500, 100}, {500, 784, 100}, {13, 7, 5}, {1, 1, 1},
                                   {37, 1, 3},      {1, 37, 3},      {29, 17, 1}, {131, 67, 9}};
  unsigned seed = 11;
  for (const auto& s : shapes)
    for (double density : {0.0, 0.13, 0.31, 1.0}) check_gather<T>(s[0], s[1], s[2], density, ++seed);
}

}  // namespace

TEST_SUITE("kernels") {
  TEST_CASE("binarize_bytes sets a value to 1 exactly when its byte is above the cut") {
    // Every byte value (the 300 bytes take all 256) at eight cuts from -1 (all on) to 255 (all
    // off), at lengths around the vector widths and past them; a wrong comparison (>= for >)
    // fails at the cut.
    std::vector<std::uint8_t> bytes(300);
    for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = std::uint8_t((i * 7 + 3) % 256);
    for (const int below : {-1, 0, 1, 76, 127, 128, 254, 255})
      for (const std::size_t n : {0u, 1u, 15u, 16u, 17u, 63u, 64u, 65u, 300u}) {
        CAPTURE(below);
        CAPTURE(n);
        std::vector<float> f(n + 1, -7.0f);
        std::vector<double> d(n + 1, -7.0);
        detail::binarize_bytes(bytes.data(), n, below, f.data());
        detail::binarize_bytes(bytes.data(), n, below, d.data());
        bool ok = f[n] == -7.0f && d[n] == -7.0;  // nothing written past n
        for (std::size_t i = 0; i < n; ++i) {
          const double want = int(bytes[i]) > below ? 1.0 : 0.0;
          ok = ok && double(f[i]) == want && d[i] == want;
        }
        CHECK(ok);
      }
  }

  TEST_CASE("binary gathers match the dense product within the summation bound in float") {
    check_gathers<float>();
  }

  TEST_CASE("binary gathers match the dense product within the summation bound in double") {
    check_gathers<double>();
  }

  TEST_CASE("the bound catches a gather that drops one term") {
    const arma::mat M = arma::randn<arma::mat>(9, 6);
    const arma::mat S = binary<double>(6, 4, 0.5, 5);
    detail::OnesPattern p = ones(S);
    REQUIRE(p.start.back() > 0);
    arma::mat A;
    detail::gather_product(M, p, static_cast<const double*>(nullptr), A);
    CHECK(within_sum_bound(A, M * S, arma::abs(M) * S, 7));
    --p.start.back();  // the last column loses its last one
    detail::gather_product(M, p, static_cast<const double*>(nullptr), A);
    CHECK_FALSE(within_sum_bound(A, M * S, arma::abs(M) * S, 7));
  }

  TEST_CASE("find_ones lists the ones column by column and refuses grey values") {
    const arma::fmat X = {{1, 0, 0}, {0, 0, 1}, {1, 0, 1}};
    const detail::OnesPattern p = ones(X);
    CHECK(p.start == std::vector<std::size_t>{0, 2, 2, 4});
    CHECK(std::vector<std::uint32_t>(p.idx.begin(), p.idx.begin() + 4) ==
          std::vector<std::uint32_t>{0, 2, 1, 2});
    CHECK(p.density() == doctest::Approx(4.0 / 9.0));
    arma::fmat G = X;
    G(1, 2) = 0.5f;
    detail::OnesPattern q;
    CHECK_FALSE(detail::find_ones(G.memptr(), 3, 3, 3, q));
  }

  TEST_CASE("mostly-one operands take M times 1 minus the gathers of the zeros") {
    // Densities above one half go through find_zeros; the products must still equal
    // the dense ones within the summation bound (M·1 has `inner` terms, then `zeros` more).
    for (const double density : {0.6, 0.9, 1.0}) {
      CAPTURE(density);
      arma::arma_rng::set_seed(31);
      const arma::mat W = arma::randn<arma::mat>(131, 67);
      const arma::vec b = arma::randn<arma::vec>(131), c = arma::randn<arma::vec>(67);
      const arma::mat H = binary<double>(67, 9, density, 32), V = binary<double>(131, 9, density, 33);
      detail::ProductBuffers<double> buf;
      arma::mat A;
      detail::visible_input(W, b, H, A, buf);
      arma::mat R = W * H, absolute = arma::abs(W) * arma::ones<arma::mat>(67, 9);
      R.each_col() += b;
      absolute.each_col() += arma::abs(b);
      CHECK(within_sum_bound(A, R, absolute, 2 * 67 + 2));
      detail::hidden_input(W, c, V, A, buf);
      R = W.t() * V;
      R.each_col() += c;
      absolute = arma::abs(W).t() * arma::ones<arma::mat>(131, 9);
      absolute.each_col() += arma::abs(c);
      CHECK(within_sum_bound(A, R, absolute, 2 * 131 + 2));
      const arma::mat G = arma::randu<arma::mat>(67, 9);
      detail::outer_transposed(V, G, A, buf);
      CHECK(within_sum_bound(A, G * V.t(), G * arma::ones<arma::mat>(9, 131), 2 * 9 + 2));
      // A wrong zero list is caught: drop one zero of the last column.
      detail::OnesPattern zeros;
      REQUIRE(detail::find_zeros(H.memptr(), H.n_rows, H.n_cols, H.n_rows, zeros));
      if (density < 1.0) {
        REQUIRE(zeros.start.back() > 0);
        --zeros.start.back();
        arma::vec sums = arma::sum(W, 1) + b;
        detail::gather_product(W, zeros, sums.memptr(), A, true);
        CHECK_FALSE(within_sum_bound(A, R = W * H + b * arma::ones<arma::rowvec>(9),
                                     absolute = arma::abs(W) * arma::ones<arma::mat>(67, 9) +
                                                arma::abs(b) * arma::ones<arma::rowvec>(9),
                                     2 * 67 + 2));
      }
    }
  }

  TEST_CASE("row_sums and sum_rows give arma::sum(M 1) bit for bit and see a one-ulp change") {
    arma::arma_rng::set_seed(43);
    const arma::fmat M = arma::randn<arma::fmat>(300, 67) * 1e3f;  // rows beyond one chunk
    arma::fvec out(131);
    // A block of 131 rows starting at row 7 of M (leading dimension 300).
    detail::row_sums(M.memptr() + 7, 300, 131, 67, out.memptr());
    const arma::fvec expected = arma::sum(M.rows(7, 137), 1);
    CHECK(std::memcmp(out.memptr(), expected.memptr(), sizeof(float) * 131) == 0);
    const arma::mat D = arma::randn<arma::mat>(300, 5);
    arma::vec d(300);
    detail::row_sums(D.memptr(), 300, 300, 5, d.memptr());
    const arma::vec de = arma::sum(D, 1);
    CHECK(std::memcmp(d.memptr(), de.memptr(), sizeof(double) * 300) == 0);
    // sum_rows: the same bits at one and two threads, blocks of 256 rows (700 x 60: split).
    fixtures::ThreadGuard guard;
    const arma::fmat G = arma::randu<arma::fmat>(700, 60);
    const arma::fvec g_expected = arma::sum(G, 1);
    for (const int n_threads : {1, 2}) {
      set_threads(n_threads);
      arma::fvec g;
      detail::sum_rows(G, g);
      CHECK(std::memcmp(g.memptr(), g_expected.memptr(), sizeof(float) * 700) == 0);
    }
    arma::mat E = D;
    E(299, 4) = std::nextafter(E(299, 4), 10.0);
    detail::row_sums(E.memptr(), 300, 300, 5, d.memptr());
    CHECK(std::memcmp(d.memptr(), de.memptr(), sizeof(double) * 300) != 0);
  }

  TEST_CASE("the one-pass statistic difference has the bits of the two products") {
    // Hp Vpᵀ − Hn Vnᵀ by outer_difference_transposed against outer_transposed then
    // accumulate_outer_transposed with `subtract`: float and double, hidden sizes below one
    // vector, odd and over 128 values, one, two and four threads (two: the phases' scans side by
    // side; four: each scan split); a phase over 128 examples is refused.
    fixtures::ThreadGuard guard;
    auto check = [](auto zero, arma::uword nh, arma::uword nv, arma::uword B) {
      using T = decltype(zero);
      arma::arma_rng::set_seed(47);
      const arma::Mat<T> Vp = binary<T>(nv, B, 0.3, 48), Vn = binary<T>(nv, B, 0.25, 49);
      const arma::Mat<T> Hp = arma::randu<arma::Mat<T>>(nh, B), Hn = arma::randu<arma::Mat<T>>(nh, B);
      for (const int n_threads : {1, 2, 4}) {
        CAPTURE(n_threads);
        set_threads(n_threads);
        detail::ProductBuffers<T> buf;
        arma::Mat<T> one_pass, two;
        const bool applied = detail::outer_difference_transposed(Vp, Hp, Vn, Hn, one_pass, buf);
        detail::outer_transposed(Vp, Hp, two, buf);
        detail::accumulate_outer_transposed(Vn, Hn, two, true, buf);
        CHECK(applied == (B <= 128));
        if (!applied) continue;
        REQUIRE(arma::size(one_pass) == arma::size(two));
        CHECK(std::memcmp(one_pass.memptr(), two.memptr(), sizeof(T) * two.n_elem) == 0);
        // A negative term dropped is seen.
        arma::Mat<T> Hn2 = Hn;
        Hn2(nh - 1, B - 1) += T(0.5);
        detail::outer_difference_transposed(Vp, Hp, Vn, Hn2, one_pass, buf);
        if (arma::accu(Vn.col(B - 1)) > 0)
          CHECK(std::memcmp(one_pass.memptr(), two.memptr(), sizeof(T) * two.n_elem) != 0);
      }
    };
    for (const arma::uword nh : {5u, 131u, 500u}) {
      CAPTURE(nh);
      check(0.0f, nh, 97, 100);
      check(0.0, nh, 97, 100);
    }
    check(0.0f, 40, 30, 129);  // over one block of examples: the caller takes two products
  }

  TEST_CASE("find_ones and find_zeros list every 8-bit pattern of a group") {
    // Column m of an 8 x 256 (and a 13 x 256) matrix holds the bits of m: every row of the scan's
    // table, and the tail of a column shorter than 8 values.
    for (const arma::uword rows : {8u, 13u}) {
      CAPTURE(rows);
      arma::mat X(rows, 256, arma::fill::zeros);
      for (arma::uword m = 0; m < 256; ++m)
        for (arma::uword l = 0; l < rows; ++l) X(l, m) = double((m >> (l % 8)) & 1u);
      const arma::fmat Xf = arma::conv_to<arma::fmat>::from(X);
      detail::OnesPattern o, z, of;
      REQUIRE(detail::find_ones(X.memptr(), rows, 256, rows, o));
      REQUIRE(detail::find_zeros(X.memptr(), rows, 256, rows, z));
      REQUIRE(detail::find_ones(Xf.memptr(), rows, 256, rows, of));
      CHECK(of.start == o.start);
      CHECK(std::equal(o.idx.begin(), o.idx.begin() + std::ptrdiff_t(o.start.back()), of.idx.begin()));
      for (arma::uword m = 0; m < 256; ++m) {
        std::vector<std::uint32_t> on, off;
        for (arma::uword l = 0; l < rows; ++l) (X(l, m) != 0 ? on : off).push_back(std::uint32_t(l));
        CHECK(std::vector<std::uint32_t>(o.idx.begin() + std::ptrdiff_t(o.start[m]),
                                         o.idx.begin() + std::ptrdiff_t(o.start[m + 1])) == on);
        CHECK(std::vector<std::uint32_t>(z.idx.begin() + std::ptrdiff_t(z.start[m]),
                                         z.idx.begin() + std::ptrdiff_t(z.start[m + 1])) == off);
      }
    }
  }

  TEST_CASE("the AVX-512 scan and the portable scan find the same patterns") {
    // Where the CPU has AVX-512 (the machines this runs on so far) the first scan of each pair
    // takes the mask-register scan; elsewhere both are the portable one. Odd row counts (partial
    // groups of 8 and 16), a leading dimension larger than the rows, every density regime.
    struct Restore {
      ~Restore() { detail::use_portable_scan(false); }
    } restore;
#if defined(__GNUC__) && defined(__x86_64__)
    if (!__builtin_cpu_supports("avx512f"))
      MESSAGE("no AVX-512 on this CPU: both scans compared here are the portable one");
#endif
    auto same = [](const detail::OnesPattern& a, const detail::OnesPattern& b) {
      return a.rows == b.rows && a.start == b.start && a.bits == b.bits &&
             std::equal(a.idx.begin(), a.idx.begin() + std::ptrdiff_t(a.start.back()),
                        b.idx.begin());
    };
    auto check = [&](auto zero, arma::uword rows, arma::uword cols, double density) {
      using T = decltype(zero);
      CAPTURE(rows);
      CAPTURE(cols);
      CAPTURE(density);
      arma::Mat<T> X = binary<T>(rows + 3, cols, density, unsigned(rows + cols));
      X.rows(rows, rows + 2).fill(T(0.5));  // grey past the rows: a scan reading them refuses
      detail::OnesPattern fast, portable, fast_zeros, portable_zeros;
      detail::use_portable_scan(false);
      REQUIRE(detail::find_ones(X.memptr(), rows, cols, X.n_rows, fast));
      REQUIRE(detail::find_zeros(X.memptr(), rows, cols, X.n_rows, fast_zeros));
      detail::use_portable_scan(true);
      REQUIRE(detail::find_ones(X.memptr(), rows, cols, X.n_rows, portable));
      REQUIRE(detail::find_zeros(X.memptr(), rows, cols, X.n_rows, portable_zeros));
      CHECK(same(fast, portable));
      CHECK(same(fast_zeros, portable_zeros));
      // Each list is the column's ones (zeros) in increasing order.
      for (arma::uword j = 0; j < cols; ++j) {
        std::vector<std::uint32_t> on, off;
        for (arma::uword i = 0; i < rows; ++i) (X(i, j) != 0 ? on : off).push_back(i);
        CHECK(std::vector<std::uint32_t>(fast.idx.begin() + std::ptrdiff_t(fast.start[j]),
                                         fast.idx.begin() + std::ptrdiff_t(fast.start[j + 1])) ==
              on);
        CHECK(std::vector<std::uint32_t>(
                  fast_zeros.idx.begin() + std::ptrdiff_t(fast_zeros.start[j]),
                  fast_zeros.idx.begin() + std::ptrdiff_t(fast_zeros.start[j + 1])) == off);
      }
      // Grey values and a negative zero, in a full group and in the last partial one, are
      // refused by both scans.
      for (const bool portable_scan : {false, true}) {
        detail::use_portable_scan(portable_scan);
        for (const T bad : {T(0.5), T(-0.0)})
          for (const arma::uword i : {arma::uword(0), rows - 1}) {
            arma::Mat<T> Y = X;
            Y(i, cols - 1) = bad;
            detail::OnesPattern q;
            CHECK_FALSE(detail::find_ones(Y.memptr(), rows, cols, Y.n_rows, q));
            CHECK_FALSE(detail::find_zeros(Y.memptr(), rows, cols, Y.n_rows, q));
          }
      }
    };
    for (const double density : {0.0, 0.13, 0.31, 0.7, 1.0}) {
      check(0.0f, 784, 20, density);
      check(0.0, 784, 20, density);
      check(0.0f, 13, 9, density);
      check(0.0, 21, 7, density);
      check(0.0f, 1, 3, density);
      check(0.0, 500, 11, density);
      check(0.0f, 65, 5, density);
    }
  }

  TEST_CASE("find_zeros lists the zeros and refuses grey values") {
    const arma::fmat X = {{1, 0, 0}, {0, 0, 1}, {1, 0, 1}};
    detail::OnesPattern z;
    REQUIRE(detail::find_zeros(X.memptr(), 3, 3, 3, z));
    CHECK(z.start == std::vector<std::size_t>{0, 1, 4, 5});
    CHECK(std::vector<std::uint32_t>(z.idx.begin(), z.idx.begin() + 5) ==
          std::vector<std::uint32_t>{1, 0, 1, 2, 0});
    // Columns longer than one block of 8, with a partial last block: every index, in order.
    arma::arma_rng::set_seed(41);
    const arma::mat Y = arma::conv_to<arma::mat>::from(arma::randu<arma::mat>(21, 5) < 0.4);
    REQUIRE(detail::find_zeros(Y.memptr(), 21, 5, 21, z));
    for (arma::uword j = 0; j < 5; ++j) {
      std::vector<std::uint32_t> expected;
      for (arma::uword i = 0; i < 21; ++i)
        if (Y(i, j) == 0) expected.push_back(std::uint32_t(i));
      CHECK(std::vector<std::uint32_t>(z.idx.begin() + std::ptrdiff_t(z.start[j]),
                                       z.idx.begin() + std::ptrdiff_t(z.start[j + 1])) ==
            expected);
    }
    arma::fmat G = X;
    G(2, 0) = -0.0f;  // a negative zero is not a state
    CHECK_FALSE(detail::find_zeros(G.memptr(), 3, 3, 3, z));
  }

  TEST_CASE("the pattern of X transposed, scanned from X, is find_ones of the transpose") {
    // Odd shapes (partial blocks of 8 rows and of 8 columns, a submatrix's leading dimension),
    // empty rows and columns, every density regime; float and double.
    auto same = [](const detail::OnesPattern& a, const detail::OnesPattern& b) {
      return a.rows == b.rows && a.start == b.start && a.bits == b.bits &&
             std::equal(a.idx.begin(), a.idx.begin() + std::ptrdiff_t(a.start.back()),
                        b.idx.begin());
    };
    auto check = [&](auto zero, arma::uword rows, arma::uword cols, double density,
                     unsigned seed) {
      using T = decltype(zero);
      CAPTURE(rows);
      CAPTURE(cols);
      CAPTURE(density);
      arma::Mat<T> X = binary<T>(rows + 3, cols, density, seed);  // rows + 3: ld ≠ rows
      X.rows(rows, rows + 2).fill(T(0.5));  // grey past the rows: a scan reading them refuses
      if (rows > 2) X.row(1).zeros();
      if (cols > 2) X.col(cols - 1).zeros();
      const arma::Mat<T> Xt = X.rows(0, rows - 1).t();
      detail::OnesPattern expected, got, zeros, expected_zeros;
      REQUIRE(detail::find_ones(Xt.memptr(), Xt.n_rows, Xt.n_cols, Xt.n_rows, expected));
      REQUIRE(detail::find_ones_transposed(X.memptr(), rows, cols, X.n_rows, got));
      CHECK(same(got, expected));
      REQUIRE(detail::find_zeros(Xt.memptr(), Xt.n_rows, Xt.n_cols, Xt.n_rows, expected_zeros));
      detail::complement(got, zeros);
      CHECK(same(zeros, expected_zeros));
      // Without the lists: the same bit sets and counts; make_lists then gives the lists.
      detail::OnesPattern later;
      detail::complement(got, later, false);
      CHECK(later.bits == expected_zeros.bits);
      CHECK(later.start == expected_zeros.start);
      // The plain gathers refuse the pattern until its lists are made.
      CHECK_FALSE(later.lists);
      const arma::Mat<T> M = arma::ones<arma::Mat<T>>(3, Xt.n_rows);
      arma::Mat<T> product;
      CHECK_THROWS_AS(detail::gather_product(M, later, static_cast<const T*>(nullptr), product),
                      std::logic_error);
      detail::make_lists(later);
      CHECK(later.lists);
      CHECK(same(later, expected_zeros));
      detail::gather_product(M, later, static_cast<const T*>(nullptr), product);
      CHECK(arma::approx_equal(product, M * arma::Mat<T>(1 - Xt), "absdiff", 0));
      // One entry changed is seen.
      arma::Mat<T> Y = X;
      Y(rows / 2, cols / 2) = T(1) - Y(rows / 2, cols / 2);
      REQUIRE(detail::find_ones_transposed(Y.memptr(), rows, cols, Y.n_rows, got));
      CHECK_FALSE(same(got, expected));
      // Grey values and a negative zero, in a full block and in a partial one, are refused.
      for (const T bad : {T(0.5), T(-0.0)})
        for (const arma::uword i : {arma::uword(0), rows - 1})
          for (const arma::uword j : {arma::uword(0), cols - 1}) {  // a full block of 8 columns
            Y = X;                                                  // (when cols ≥ 8), the last
            Y(i, j) = bad;
            CHECK_FALSE(detail::find_ones_transposed(Y.memptr(), rows, cols, Y.n_rows, got));
          }
    };
    // complement lists large patterns' zeros on all threads: one and two.
    fixtures::ThreadGuard guard;
    for (const int n_threads : {1, 2}) {
      CAPTURE(n_threads);
      set_threads(n_threads);
      for (const double density : {0.0, 0.13, 0.31, 0.7, 1.0}) {
        check(0.0f, 784, 100, density, 3);
        check(0.0, 784, 100, density, 4);
        check(0.0f, 13, 9, density, 5);
        check(0.0, 21, 7, density, 6);
        check(0.0f, 1, 1, density, 7);
        check(0.0, 8, 129, density, 8);
        check(0.0f, 500, 100, density, 9);  // the shape of a minibatch's sampled hidden states
      }
    }
  }

  TEST_CASE("the products choose BLAS for grey operands and agree with the dense products") {
    arma::arma_rng::set_seed(21);
    const arma::mat W = arma::randn<arma::mat>(31, 17);
    const arma::vec b = arma::randn<arma::vec>(31), c = arma::randn<arma::vec>(17);
    detail::ProductBuffers<double> buf;
    for (const bool grey : {false, true}) {
      CAPTURE(grey);
      const arma::mat V = grey ? arma::mat(arma::randu<arma::mat>(31, 6)) : binary<double>(31, 6, 0.3, 3);
      const arma::mat H = grey ? arma::mat(arma::randu<arma::mat>(17, 6)) : binary<double>(17, 6, 0.4, 4);
      arma::mat A;
      buf.wt_ready = false;
      detail::hidden_input(W, c, V, A, buf);
      arma::mat R = W.t() * V;
      R.each_col() += c;
      CHECK(arma::approx_equal(A, R, "absdiff", 1e-12));
      detail::visible_input(W, b, H, A, buf);
      R = W * H;
      R.each_col() += b;
      CHECK(arma::approx_equal(A, R, "absdiff", 1e-12));
      detail::outer_transposed(V, H, A, buf);
      CHECK(arma::approx_equal(A, arma::mat(H * V.t()), "absdiff", 1e-12));
    }
  }

  TEST_CASE("negating the hidden values negates the statistic bit for bit") {
    // The reward correlator's bitwise equality rests on this (statistics.hpp).
    for (const double density : {0.3, 0.9}) {  // the gathers of the ones, then of the zeros
      CAPTURE(density);
      const arma::fmat V = binary<float>(50, 20, density, 8);
      const arma::fmat H = arma::randu<arma::fmat>(30, 20);
      detail::ProductBuffers<float> buf;
      arma::fmat P, N;
      detail::outer_transposed(V, H, P, buf);
      detail::outer_transposed(V, arma::fmat(-H), N, buf);
      CHECK(arma::all(arma::vectorise(-P == N)));
      arma::fmat H2 = H;
      H2(3, 4) += 1e-3f;  // a deliberately different input is seen
      detail::outer_transposed(V, arma::fmat(-H2), N, buf);
      CHECK_FALSE(arma::all(arma::vectorise(-P == N)));
    }
  }

  TEST_CASE("the gathers give the same bits at one and two threads") {
    fixtures::ThreadGuard guard;
    const arma::mat M = arma::randn<arma::mat>(784, 500);
    const detail::OnesPattern S = ones(binary<double>(500, 100, 0.4, 9));
    arma::mat A1, A2;
    set_threads(1);
    detail::gather_product(M, S, static_cast<const double*>(nullptr), A1);
    set_threads(2);
    detail::gather_product(M, S, static_cast<const double*>(nullptr), A2);
    CHECK(arma::all(arma::vectorise(A1 == A2)));
  }

  TEST_CASE("the products and their split scans give the same bits at one and two threads") {
    // 784 x 100 states: large enough that the scans for ones are split among threads.
    fixtures::ThreadGuard guard;
    arma::arma_rng::set_seed(51);
    const arma::fmat W = arma::randn<arma::fmat>(784, 500);
    const arma::fvec b = arma::randn<arma::fvec>(784), c = arma::randn<arma::fvec>(500);
    const arma::fmat P = arma::randu<arma::fmat>(500, 100);
    for (const double density : {0.3, 0.7}) {
      CAPTURE(density);
      const arma::fmat V = binary<float>(784, 100, density, 53);
      const arma::fmat H = binary<float>(500, 100, density, 54);
      arma::fmat out[2][4];
      for (const int t : {1, 2}) {
        set_threads(t);
        detail::ProductBuffers<float> buf;
        arma::fmat* o = out[t - 1];
        detail::hidden_input(W, c, V, o[0], buf);
        detail::visible_input(W, b, H, o[1], buf);
        detail::outer_transposed(V, P, o[2], buf);
        o[3] = o[2];
        detail::accumulate_outer_transposed(V, P, o[3], true, buf);
      }
      for (int k = 0; k < 4; ++k) {
        CAPTURE(k);
        CHECK(arma::all(arma::vectorise(out[0][k] == out[1][k])));
      }
    }
  }

  TEST_CASE("hidden_input with Wt formed a block at a time has the bits of the whole Wt") {
    // ProductBuffers::wt_block: blocks of 1, 7, 64 and 499 hidden units of 500 (the last block
    // short), ones and mostly-ones states, float and double, one and two threads. A block that
    // misses its bias offset is caught (the last hidden unit's bias changed by 1).
    fixtures::ThreadGuard guard;
    auto check = [](auto zero) {
      using T = decltype(zero);
      arma::arma_rng::set_seed(57);
      const arma::Mat<T> W = arma::randn<arma::Mat<T>>(97, 500);
      const arma::Col<T> c = arma::randn<arma::Col<T>>(500);
      for (const double density : {0.3, 0.8}) {
        CAPTURE(density);
        const arma::Mat<T> V = binary<T>(97, 130, density, 58);
        for (const int t : {1, 2}) {
          CAPTURE(t);
          set_threads(t);
          detail::ProductBuffers<T> whole;
          arma::Mat<T> expected;
          detail::hidden_input(W, c, V, expected, whole);
          for (const arma::uword block : {1u, 7u, 64u, 499u}) {
            CAPTURE(block);
            detail::ProductBuffers<T> buf;
            buf.wt_block = block;
            arma::Mat<T> A;
            detail::hidden_input(W, c, V, A, buf);
            REQUIRE(arma::size(A) == arma::size(expected));
            CHECK(std::memcmp(A.memptr(), expected.memptr(), sizeof(T) * A.n_elem) == 0);
            CHECK_FALSE(buf.wt_ready);
            CHECK(buf.Wt.n_rows == (500 - 1) % block + 1);  // the last, short block's rows
            arma::Col<T> c2 = c;
            c2[499] += T(1);
            detail::hidden_input(W, c2, V, A, buf);
            CHECK(std::memcmp(A.memptr(), expected.memptr(), sizeof(T) * A.n_elem) != 0);
          }
        }
      }
    };
    check(0.0f);
    check(0.0);
  }

  TEST_CASE("the tiled transpose equals Armadillo's for odd and vector-sized shapes") {
    // Sizes around the vector lengths (4 doubles, 8 floats) and the 32 x 32 tiles; the check
    // fails for a wrong shuffle because every value is distinct.
    for (const auto& [rows, cols] : {std::pair<arma::uword, arma::uword>{1, 1}, {1, 9}, {9, 1},
                                     {8, 8}, {4, 4}, {37, 11}, {64, 33}, {784, 500}, {33, 70}}) {
      CAPTURE(rows);
      CAPTURE(cols);
      arma::mat A = arma::regspace<arma::vec>(1, double(rows * cols));
      A.reshape(rows, cols);
      const arma::fmat Af = arma::conv_to<arma::fmat>::from(A);
      arma::mat B;
      arma::fmat Bf;
      detail::transpose(A, B);
      detail::transpose(Af, Bf);
      REQUIRE(B.n_rows == cols);
      REQUIRE(Bf.n_cols == rows);
      CHECK(arma::all(arma::vectorise(B == A.t())));
      CHECK(arma::all(arma::vectorise(Bf == Af.t())));
    }
  }

  TEST_CASE("fused sigmoid matches 1 / (1 + exp(-a)) to 1e-6 in float and 1e-15 in double") {
    // Relative error where the result is a normal number; below that (a < −87 in float,
    // a < −708 in double) an absolute error of two smallest normals.
    arma::arma_rng::set_seed(4);
    // 37 rows: every column ends in a partial vector.
    arma::mat A = arma::randn<arma::mat>(37, 11) * 8.0;
    A(0, 0) = 0;
    A(1, 0) = -100;
    A(2, 0) = 100;
    A(3, 0) = -1000;
    const arma::fmat Af = arma::conv_to<arma::fmat>::from(A);
    arma::mat P(37, 11);
    arma::fmat Pf(37, 11);
    detail::sigmoid_sample(A.memptr(), 37, 11, P.memptr(), static_cast<double*>(nullptr),
                           static_cast<const double*>(nullptr));
    detail::sigmoid_sample(Af.memptr(), 37, 11, Pf.memptr(), static_cast<float*>(nullptr),
                           static_cast<const float*>(nullptr));
    double worst = 0, worst_f = 0;
    const long double tiny = 2.0L * std::numeric_limits<double>::min(),
                      tiny_f = 2.0L * std::numeric_limits<float>::min();
    for (arma::uword k = 0; k < A.n_elem; ++k) {
      const long double exact = 1.0L / (1.0L + std::exp(-(long double)A[k]));
      const long double exact_f = 1.0L / (1.0L + std::exp(-(long double)Af[k]));
      const long double err = std::abs(P[k] - exact), err_f = std::abs(Pf[k] - exact_f);
      if (err > tiny) worst = std::max(worst, double(err / exact));
      if (err_f > tiny_f) worst_f = std::max(worst_f, double(err_f / exact_f));
    }
    CHECK(worst < 1e-15);
    CHECK(worst_f < 1e-6);
  }

  TEST_CASE("narrow_product agrees with the dense product within the summation bound") {
    // Odd shapes: slabs of 16 and 8 rows and single rows, groups of 4 columns and the rest, a
    // leading dimension larger than the rows; with and without init; float and double. Bound
    // |out − exact| ≤ 2 (inner + 1) ε Σ|terms| against a double reference.
    auto check = [](auto zero, arma::uword rows, arma::uword inner, arma::uword cols,
                    bool with_init) {
      using T = decltype(zero);
      CAPTURE(rows);
      CAPTURE(inner);
      CAPTURE(cols);
      arma::arma_rng::set_seed(rows * 131 + inner * 7 + cols);
      const arma::Mat<T> M = arma::randn<arma::Mat<T>>(rows + 5, inner);  // ld = rows + 5
      const arma::Mat<T> X = arma::randu<arma::Mat<T>>(inner, cols);
      const arma::Col<T> init = arma::randn<arma::Col<T>>(rows);
      arma::Mat<T> out(rows, cols);
      detail::narrow_product(M.memptr(), M.n_rows, rows, inner, X.memptr(), X.n_rows, cols,
                             with_init ? init.memptr() : nullptr, out.memptr(), rows);
      const arma::mat Md = arma::conv_to<arma::mat>::from(M.rows(0, rows - 1));
      const arma::mat Xd = arma::conv_to<arma::mat>::from(X);
      arma::mat exact = Md * Xd, absolute = arma::abs(Md) * arma::abs(Xd);
      if (with_init) {
        exact.each_col() += arma::conv_to<arma::vec>::from(init);
        absolute.each_col() += arma::abs(arma::conv_to<arma::vec>::from(init));
      }
      CHECK(fixtures::within_sum_bound(out, exact, absolute, inner));
      // A changed entry of M is seen in its row's results.
      arma::Mat<T> M2 = M;
      M2(rows - 1, inner / 2) += T(1);
      arma::Mat<T> out2(rows, cols);
      detail::narrow_product(M2.memptr(), M2.n_rows, rows, inner, X.memptr(), X.n_rows, cols,
                             with_init ? init.memptr() : nullptr, out2.memptr(), rows);
      CHECK_FALSE(fixtures::within_sum_bound(out2, exact, absolute, inner));
    };
    for (const bool with_init : {false, true}) {
      check(0.0f, 64, 500, 10, with_init);
      check(0.0, 64, 500, 10, with_init);
      check(0.0f, 37, 13, 7, with_init);
      check(0.0, 21, 9, 5, with_init);
      check(0.0f, 1, 1, 1, with_init);
      check(0.0, 3, 40, 4, with_init);
    }
  }

  TEST_CASE("exp_pair and sigmoid_pair match exp(+-x) and sigm(+-x) to 1e-15") {
    // 48 values (three vectors of 16): zeros of both signs, +-700 (exp_pair's range ends
    // there), tiny and random values; relative errors against long double. Beyond 708,
    // sigmoid_pair's smaller value stays that of 708 (kernels.hpp): checked apart.
    arma::arma_rng::set_seed(8);
    arma::vec x = arma::randn<arma::vec>(48) * 20.0;
    x[0] = 0.0;
    x[1] = -0.0;
    x[2] = 700.0;
    x[3] = -700.0;
    x[4] = 1e-300;
    x[5] = -3.5;
    arma::vec ep(48), em(48), s(48), u(48);
    detail::exp_pair(x.memptr(), 48, ep.memptr(), em.memptr());
    detail::sigmoid_pair(x.memptr(), 48, s.memptr(), u.memptr());
    const auto rel = [](double got, long double want) {
      return double(std::abs((long double)got - want) / want);
    };
    double worst = 0, swapped = 0;
    for (arma::uword k = 0; k < 48; ++k) {
      const long double xk = x[k], e_plus = std::exp(xk), e_minus = std::exp(-xk);
      worst = std::max({worst, rel(ep[k], e_plus), rel(em[k], e_minus),
                        rel(s[k], 1.0L / (1.0L + e_minus)), rel(u[k], 1.0L / (1.0L + e_plus))});
      swapped = std::max(swapped, rel(em[k], e_plus));
    }
    CHECK(worst < 1e-15);
    CHECK(swapped > 1.0);  // the measure sees outputs in the wrong place (x[5] = -3.5)
    arma::vec far(16, arma::fill::value(-800.0)), s2(16), u2(16);
    far[1] = 800.0;
    detail::sigmoid_pair(far.memptr(), 16, s2.memptr(), u2.memptr());
    CHECK(s2[0] > 0.0);
    CHECK(s2[0] < 1e-307);
    CHECK(u2[0] == 1.0);
    CHECK(s2[1] == 1.0);
    CHECK(u2[1] < 1e-307);
  }

  TEST_CASE("sum_log_mix4 has the bits of sum_log_mix for each of its four examples") {
    // The pseudo-likelihood's factors u + s·R from sigm(∓a) and exp(±w) of random a and w, 512
    // lanes (32 vectors of 16), renormalised after every group of 8 lanes, every 10th and never
    // (500 > 64 groups); each example with its own R, two of them the same array.
    arma::arma_rng::set_seed(12);
    const std::size_t n = 512;
    const arma::mat A = arma::randn<arma::mat>(n, 4) * 4.0, Wc = arma::randn<arma::mat>(n, 3);
    arma::mat S(n, 4), U(n, 4), E(n, 3), unused(n, 3);
    for (arma::uword e = 0; e < 4; ++e)
      detail::sigmoid_pair(A.colptr(e), n, S.colptr(e), U.colptr(e));
    for (arma::uword k = 0; k < 3; ++k)
      detail::exp_pair(Wc.colptr(k), n, E.colptr(k), unused.colptr(k));
    const double* u[4] = {U.colptr(0), U.colptr(1), U.colptr(2), U.colptr(3)};
    const double* s[4] = {S.colptr(0), S.colptr(1), S.colptr(2), S.colptr(3)};
    const double* R[4] = {E.colptr(0), E.colptr(1), E.colptr(2), E.colptr(1)};
    for (const std::size_t renorm : {std::size_t(1), std::size_t(10), std::size_t(500)}) {
      CAPTURE(renorm);
      double four[4];
      detail::sum_log_mix4(u, s, R, n, renorm, four);
      for (int e = 0; e < 4; ++e) {
        CAPTURE(e);
        const double one = detail::sum_log_mix(u[e], s[e], R[e], n, renorm);
        CHECK(std::memcmp(&one, &four[e], sizeof one) == 0);
        long double exact = 0;  // and both are the sum of the logs
        for (std::size_t i = 0; i < n; ++i)
          exact += std::log((long double)u[e][i] + (long double)s[e][i] * (long double)R[e][i]);
        CHECK(std::abs(double((long double)four[e] - exact)) < 1e-9 * std::abs(double(exact)));
      }
      // Another example's factors in one lane are seen.
      const double* R2[4] = {R[0], R[1], R[2], R[3]};
      arma::vec changed = E.col(2);
      changed[37] *= 2.0;
      R2[2] = changed.memptr();
      double other[4];
      detail::sum_log_mix4(u, s, R2, n, renorm, other);
      CHECK(std::memcmp(&other[2], &four[2], sizeof(double)) != 0);
      for (const int e : {0, 1, 3}) CHECK(std::memcmp(&other[e], &four[e], sizeof(double)) == 0);
    }
  }

  TEST_CASE("fused Bernoulli draws have the right frequencies and repeat with their seed") {
    // 400 x 250 draws at p from the sigmoid of a grid: the count of ones per row (250 draws at
    // one p) within 5.5 standard deviations (false alarm about 4e-8 per row, 2e-5 in all).
    const arma::uword rows = 400, cols = 250;
    arma::mat A(rows, cols);
    for (arma::uword i = 0; i < rows; ++i) A.row(i).fill(-6.0 + 12.0 * double(i) / (rows - 1));
    for (const bool single : {false, true}) {
      CAPTURE(single);
      arma::mat P(rows, cols), S(rows, cols), S2(rows, cols);
      Rng r1(42), r2(42);
      if (single) {
        const arma::fmat Af = arma::conv_to<arma::fmat>::from(A);
        arma::fmat Pf(rows, cols), Sf(rows, cols), Sf2(rows, cols);
        detail::fill_uniform(r1, Sf.memptr(), Sf.n_elem);
        detail::sigmoid_sample(Af.memptr(), rows, cols, Pf.memptr(), Sf.memptr(), Sf.memptr());
        detail::fill_uniform(r2, Sf2.memptr(), Sf2.n_elem);
        detail::sigmoid_sample(Af.memptr(), rows, cols, static_cast<float*>(nullptr),
                               Sf2.memptr(), Sf2.memptr());
        P = arma::conv_to<arma::mat>::from(Pf);
        S = arma::conv_to<arma::mat>::from(Sf);
        S2 = arma::conv_to<arma::mat>::from(Sf2);
      } else {
        detail::fill_uniform(r1, S.memptr(), S.n_elem);
        detail::sigmoid_sample(A.memptr(), rows, cols, P.memptr(), S.memptr(), S.memptr());
        detail::fill_uniform(r2, S2.memptr(), S2.n_elem);
        detail::sigmoid_sample(A.memptr(), rows, cols, static_cast<double*>(nullptr), S2.memptr(),
                               S2.memptr());
      }
      CHECK(arma::all(arma::vectorise((S == 0) + (S == 1)) == 1));
      CHECK(arma::all(arma::vectorise(S == S2)));  // the same seed, the same states
      int outside = 0;
      for (arma::uword i = 0; i < rows; ++i) {
        const double p = P(i, 0), n = double(cols);
        const double sd = std::sqrt(n * p * (1 - p));
        if (std::abs(arma::accu(S.row(i)) - n * p) > 5.5 * sd + 1e-9) ++outside;
      }
      CHECK(outside == 0);
    }
  }

  TEST_CASE("fused draws consume the generator as sample_bernoulli does") {
    // The same uniforms in the same order: the states equal sample_bernoulli's of the same
    // probabilities bit for bit, and the generator ends in the same state. 37 x 11: every
    // vector length leaves a partial one at the end.
    arma::arma_rng::set_seed(5);
    const arma::mat A = arma::randn<arma::mat>(37, 11) * 3.0;
    const arma::fmat Af = arma::conv_to<arma::fmat>::from(A);
    arma::mat P(37, 11), S(37, 11), Sb(37, 11);
    arma::fmat Pf(37, 11), Sf(37, 11), Sbf(37, 11);
    Rng r(9), rf(9), rb(9), rbf(9), ref(9), ref_f(9);
    detail::fill_uniform(r, S.memptr(), S.n_elem);
    detail::sigmoid_sample(A.memptr(), 37, 11, P.memptr(), S.memptr(), S.memptr());
    detail::fill_uniform(rf, Sf.memptr(), Sf.n_elem);
    detail::sigmoid_sample(Af.memptr(), 37, 11, Pf.memptr(), Sf.memptr(), Sf.memptr());
    detail::fill_uniform(rb, Sb.memptr(), Sb.n_elem);
    detail::bernoulli(P.memptr(), P.n_elem, Sb.memptr(), Sb.memptr());
    detail::fill_uniform(rbf, Sbf.memptr(), Sbf.n_elem);
    detail::bernoulli(Pf.memptr(), Pf.n_elem, Sbf.memptr(), Sbf.memptr());
    const arma::mat expected = sample_bernoulli<double>(P, ref);
    const arma::fmat expected_f = sample_bernoulli<float>(Pf, ref_f);
    CHECK(arma::accu(expected) > 0);
    CHECK(arma::accu(expected) < double(expected.n_elem));
    CHECK(arma::all(arma::vectorise(S == expected)));
    CHECK(arma::all(arma::vectorise(Sb == expected)));
    CHECK(arma::all(arma::vectorise(Sf == expected_f)));
    CHECK(arma::all(arma::vectorise(Sbf == expected_f)));
    CHECK(r.state() == ref.state());
    CHECK(rf.state() == ref_f.state());
    CHECK(rb.state() == ref.state());
    // Another seed gives other states (so the comparisons above can fail).
    Rng other(10);
    CHECK_FALSE(arma::all(arma::vectorise(sample_bernoulli<double>(P, other) == expected)));
  }

  TEST_CASE("Bernoulli draws of probabilities 0 and 1 are all zero and all one") {
    const arma::mat P = arma::join_rows(arma::mat(19, 3, arma::fill::zeros), arma::mat(19, 3, arma::fill::ones));
    arma::mat S(19, 6);
    Rng rng(3);
    detail::fill_uniform(rng, S.memptr(), S.n_elem);
    detail::bernoulli(P.memptr(), P.n_elem, S.memptr(), S.memptr());
    CHECK(arma::all(arma::vectorise(S == P)));
    const arma::fmat Pf = arma::conv_to<arma::fmat>::from(P);
    arma::fmat Sf(19, 6);
    detail::fill_uniform(rng, Sf.memptr(), Sf.n_elem);
    detail::bernoulli(Pf.memptr(), Pf.n_elem, Sf.memptr(), Sf.memptr());
    CHECK(arma::all(arma::vectorise(Sf == Pf)));
  }
  TEST_CASE("Gaussian visible units take BLAS even for 0/1 visible data") {
    // 0/1 data sparse enough for the gathers: a Gaussian model must still weight it by 1 / σ²
    // (Rbm::hidden_input) and take the dense statistics (rbm_gradient's `visible`).
    arma::arma_rng::set_seed(31);
    Rbm<double> rbm(40, 17);
    rbm.W() = arma::randn<arma::mat>(40, 17);
    rbm.b() = arma::randn<arma::vec>(40);
    rbm.c() = arma::randn<arma::vec>(17);
    rbm.set_visible_units(UnitType::gaussian);
    rbm.z() = 0.5 * arma::randn<arma::vec>(40);
    const arma::mat V = binary<double>(40, 64, 0.3, 5), V2 = binary<double>(40, 64, 0.2, 6);
    arma::mat S = V;
    S.each_col() %= arma::vec(arma::exp(-rbm.z()));
    arma::mat R = rbm.W().t() * S;
    R.each_col() += rbm.c();
    const arma::mat A = rbm.hidden_input(V);
    CHECK(arma::all(arma::vectorise(A == R)));  // BLAS on V / σ², bit for bit
    arma::mat U = rbm.W().t() * V;  // the product a gather of V would give: caught
    U.each_col() += rbm.c();
    CHECK_FALSE(arma::approx_equal(A, U, "absdiff", 1e-6));

    const Phase<double> pos{V, arma::randu<arma::mat>(17, 64)};
    const Phase<double> neg{V2, arma::randu<arma::mat>(17, 64)};
    arma::mat Pt = pos.h * pos.v.t();  // the dense statistic, in contrastive_gradient's order
    const arma::mat Nt = neg.h * neg.v.t();
    Pt -= Nt;
    arma::mat dW = Pt.t();
    dW /= 64.0;
    const Statistics<double> g = contrastive_gradient(pos, neg, UnitType::gaussian);
    CHECK(arma::all(arma::vectorise(g.dW == dW)));
    const Statistics<double> r =
        reward_correlator_gradient(make_reward_stream(pos, neg), UnitType::gaussian);
    CHECK(arma::all(arma::vectorise(r.dW == g.dW)));
    // A deliberately different input is seen by the bitwise comparison.
    Phase<double> pos2 = pos;
    pos2.h(3, 4) += 0.25;
    CHECK_FALSE(
        arma::all(arma::vectorise(contrastive_gradient(pos2, neg, UnitType::gaussian).dW == dW)));
  }
}
