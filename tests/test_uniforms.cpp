// The Gibbs samplers' uniform stream (src/kernels/uniforms.hpp): its definition, its
// independence of the thread count, and its statistics.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "kernels/products.hpp"
#include "kernels/uniforms.hpp"
#include "rbmkit/core/parallel.hpp"
#include "rbmkit/core/random.hpp"
#include "equiv_fixtures.hpp"
#include "thread_guard.hpp"

using namespace rbmkit;

namespace {

/// The stream as uniforms.hpp defines it, one lane and one value at a time: each lane is an Rng
/// (the scalar xoshiro256++) with the lane's four seed words as its state. `swap_halves` breaks
/// it (a float's two halves of a word in the wrong order) to show the comparison can fail.
template <class T>
std::vector<T> reference(Rng rng, std::size_t n, bool swap_halves = false) {
  const std::uint64_t key = rng.next();
  std::vector<T> u;
  for (std::uint64_t b = 0; u.size() < n; ++b) {
    std::uint64_t x = key ^ (0xd1b54a32d192ed03ULL * (b + 1));
    std::vector<Rng> lanes(4);
    for (Rng& lane : lanes) {
      Rng::State words;
      for (auto& w : words) w = detail::splitmix64(x);
      lane.set_state(words);
    }
    std::vector<T> block;
    while (block.size() < detail::uniform_block) {
      for (Rng& lane : lanes) {  // one step of each lane, in lane order
        const std::uint64_t r = lane.next();
        if constexpr (sizeof(T) == 8) {
          block.push_back(T(r >> 12) * 0x1.0p-52);
        } else {
          const T lo = T(std::uint32_t(r) >> 8) * 0x1.0p-24f, hi = T((r >> 40)) * 0x1.0p-24f;
          block.push_back(swap_halves ? hi : lo);
          block.push_back(swap_halves ? lo : hi);
        }
      }
    }
    for (std::size_t i = 0; i < block.size() && u.size() < n; ++i) u.push_back(block[i]);
  }
  return u;
}

template <class T>
bool same_bits(const std::vector<T>& a, const std::vector<T>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0);
}

template <class T>
std::vector<T> stream(Rng& rng, std::size_t n) {
  std::vector<T> u(n);
  detail::fill_uniform(rng, u.data(), n);
  return u;
}

}  // namespace

TEST_SUITE("uniforms") {
  TEST_CASE_TEMPLATE("the stream follows its definition bit for bit and advances rng by one draw",
                     T, float, double) {
    for (const std::size_t n : {std::size_t(0), std::size_t(1), std::size_t(7), std::size_t(4095),
                                std::size_t(4096), std::size_t(4097), std::size_t(3 * 4096 + 13),
                                std::size_t(40000)}) {
      CAPTURE(n);
      Rng rng(11), once(11);
      const std::vector<T> u = stream<T>(rng, n);
      CHECK(same_bits(u, reference<T>(Rng(11), n)));
      once.next();
      CHECK(rng.state() == once.state());
    }
    // Another seed, or (float) a word's halves swapped, gives other values.
    Rng rng(11);
    const std::vector<T> u = stream<T>(rng, 5000);
    CHECK_FALSE(same_bits(u, reference<T>(Rng(12), 5000)));
    if constexpr (sizeof(T) == 4) CHECK_FALSE(same_bits(u, reference<T>(Rng(11), 5000, true)));
  }

  TEST_CASE_TEMPLATE("the stream is the same at one and two threads", T, float, double) {
    // 100,003 values: above the size where the blocks are split among threads.
    fixtures::ThreadGuard guard;
    set_threads(1);
    Rng a(3);
    const std::vector<T> one = stream<T>(a, 100003);
    set_threads(2);
    Rng b(3);
    const std::vector<T> two = stream<T>(b, 100003);
    CHECK(same_bits(one, two));
    CHECK(a.state() == b.state());
    Rng c(4);
    CHECK_FALSE(same_bits(one, stream<T>(c, 100003)));
  }

  TEST_CASE_TEMPLATE("the stream is uniform and its neighbours uncorrelated", T, float, double) {
    // n = 2^20 values in [0, 1). Mean and variance within 5 standard errors and lag-1, lag-4
    // (double: the same lane's next word; float: another lane's value of the same step) and
    // lag-4096 (the next block) correlations within 5/sqrt(n): each a false alarm below 1e-6. 16 equal cells: a
    // chi-square with 15 degrees of freedom above 56.5 has probability 1e-6. Fixed seed.
    const std::size_t n = std::size_t(1) << 20;
    Rng rng(2026);
    const std::vector<T> u = stream<T>(rng, n);
    double s = 0, s2 = 0;
    std::vector<double> cells(16, 0.0);
    std::size_t outside = 0;
    for (const T x : u) {
      if (!(x >= T(0) && x < T(1))) {
        ++outside;
        continue;
      }
      s += double(x);
      s2 += double(x) * double(x);
      cells[std::size_t(double(x) * 16)] += 1;
    }
    REQUIRE(outside == 0);
    const double mean = s / double(n), var = s2 / double(n) - mean * mean;
    CHECK(std::abs(mean - 0.5) < 5 * std::sqrt(1.0 / 12 / double(n)));
    CHECK(std::abs(var - 1.0 / 12) < 5 * std::sqrt(1.0 / 180 / double(n)));
    double chi2 = 0;
    for (const double c : cells) chi2 += (c - double(n) / 16) * (c - double(n) / 16) / (double(n) / 16);
    CHECK(chi2 < 56.5);
    for (const std::size_t lag : {std::size_t(1), std::size_t(4), detail::uniform_block}) {
      CAPTURE(lag);
      double c = 0;
      for (std::size_t i = 0; i + lag < n; ++i) c += (double(u[i]) - 0.5) * (double(u[i + lag]) - 0.5);
      const double r = c / double(n - lag) * 12.0;
      CHECK(std::abs(r) < 5 / std::sqrt(double(n)));
    }
    // The checks catch a broken stream: the same values with every block a copy of the first
    // have a lag-4096 correlation of 1.
    std::vector<T> copies(u);
    for (std::size_t i = detail::uniform_block; i < n; ++i) copies[i] = copies[i - detail::uniform_block];
    double c = 0;
    for (std::size_t i = 0; i + detail::uniform_block < n; ++i)
      c += (double(copies[i]) - 0.5) * (double(copies[i + detail::uniform_block]) - 0.5);
    CHECK(c / double(n - detail::uniform_block) * 12.0 > 0.9);
  }

  TEST_CASE_TEMPLATE("drawing each block beside the sigmoid gives the states of the stored stream",
                     T, float, double) {
    // sigmoid_sample_drawn against fill_uniform then sigmoid_sample_split: the same states and
    // means, and rng one draw on, at one and two threads; sizes below and above the parallel
    // threshold, with a partial last block. The comparison can fail: a stream shifted by one
    // value gives other states (below); blocks drawn with the next block's number fail the
    // comparison with the stored stream (checked).
    fixtures::ThreadGuard guard;
    for (const std::size_t rows : {std::size_t(7), std::size_t(500), std::size_t(784)})
      for (const std::size_t cols : {std::size_t(1), std::size_t(100)}) {
        CAPTURE(rows);
        CAPTURE(cols);
        arma::Mat<T> A = arma::randn<arma::Mat<T>>(rows, cols) * T(2);
        for (const int n_threads : {1, 2}) {
          CAPTURE(n_threads);
          set_threads(n_threads);
          Rng a(41), b(41);
          arma::Mat<T> S0(rows, cols), P0(rows, cols), S1(rows, cols), P1(rows, cols);
          detail::fill_uniform(a, S0.memptr(), S0.n_elem);
          detail::sigmoid_sample_split(A.memptr(), rows, cols, P0.memptr(), S0.memptr(),
                                       S0.memptr());
          detail::sigmoid_sample_drawn(b, A.memptr(), rows, cols, P1.memptr(), S1.memptr());
          CHECK(fixtures::same_bits(S1, S0));
          CHECK(fixtures::same_bits(P1, P0));
          CHECK(a.next() == b.next());
          arma::Mat<T> S2(rows, cols);
          Rng c(41);
          detail::sigmoid_sample_drawn(c, A.memptr(), rows, cols, static_cast<T*>(nullptr),
                                       S2.memptr());
          CHECK(fixtures::same_bits(S2, S0));
        }
        // The comparison can fail: uniforms shifted by one value give other states.
        Rng d(41);
        std::vector<T> u(A.n_elem + 1);
        detail::fill_uniform(d, u.data(), u.size());
        arma::Mat<T> shifted(rows, cols);
        detail::sigmoid_sample_split(A.memptr(), rows, cols, static_cast<T*>(nullptr),
                                     shifted.memptr(), u.data() + 1);
        Rng e(41);
        arma::Mat<T> S3(rows, cols);
        detail::sigmoid_sample_drawn(e, A.memptr(), rows, cols, static_cast<T*>(nullptr),
                                     S3.memptr());
        if (A.n_elem >= 50) CHECK_FALSE(fixtures::same_bits(S3, shifted));
      }
  }
}
