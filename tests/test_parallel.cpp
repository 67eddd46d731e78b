// parallel_for (core/parallel.hpp): every chunk runs exactly once, with the bounds fixed by n and
// the thread count, also when jobs of different chunk counts follow each other closely.
#include <doctest/doctest.h>

#include <atomic>
#include <cstddef>
#include <vector>

#include "rbmkit/core/parallel.hpp"
#include "thread_guard.hpp"

using namespace rbmkit;

TEST_SUITE("parallel") {
  TEST_CASE("parallel_for runs every index once in jobs of alternating chunk counts") {
    // With 8 threads, n = 3 gives 3 chunks and n = 50 gives 8: a worker that came late to a
    // 3-chunk job must not take a chunk of the next 8-chunk job with stale bounds.
    fixtures::ThreadGuard guard;
    set_threads(8);
    std::vector<std::atomic<int>> seen(50);
    int wrong = 0;
    for (int round = 0; round < 3000; ++round) {
      const std::size_t n = round % 2 ? 50 : 3;
      for (std::size_t i = 0; i < n; ++i) seen[i] = 0;
      parallel_for(n, [&](std::size_t first, std::size_t last, int) {
        for (std::size_t i = first; i < last; ++i) seen[i].fetch_add(1);
      });
      for (std::size_t i = 0; i < n; ++i) wrong += seen[i].load() != 1;
    }
    CHECK(wrong == 0);
  }

  TEST_CASE("parallel_for gives each chunk the bounds of its index") {
    fixtures::ThreadGuard guard;
    set_threads(3);
    std::vector<std::size_t> first_of(3, 99), last_of(3, 99);
    parallel_for(10, [&](std::size_t first, std::size_t last, int w) {
      first_of[std::size_t(w)] = first;
      last_of[std::size_t(w)] = last;
    });
    CHECK(first_of == std::vector<std::size_t>{0, 3, 6});
    CHECK(last_of == std::vector<std::size_t>{3, 6, 10});
  }
}
