// parallel_for (core/parallel.hpp): every chunk runs exactly once, with the bounds fixed by n and
// the thread count, also when jobs of different chunk counts follow each other closely.
// parallel_for_dynamic: every item runs exactly once in contiguous pieces, on threads named by
// index, and a thread done with its own chunk takes the items another thread has not reached.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <mutex>
#include <stdexcept>
#include <thread>
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

  TEST_CASE("parallel_for_dynamic runs every item once, between fixed jobs of other sizes") {
    // Dynamic and fixed jobs alternate with sizes 3, 50 and 1,000: a thread that comes late to
    // one job must not claim items of the next with the ranges of the first.
    fixtures::ThreadGuard guard;
    set_threads(8);
    std::vector<std::atomic<int>> seen(1000);
    int wrong = 0;
    std::atomic<int> bad_worker{0}, bad_piece{0};
    for (int round = 0; round < 3000; ++round) {
      const std::size_t n = round % 3 == 0 ? 3 : round % 3 == 1 ? 50 : 1000;
      for (std::size_t i = 0; i < n; ++i) seen[i] = 0;
      auto body = [&](std::size_t first, std::size_t last, int w) {
        if (first >= last || last > n) ++bad_piece;  // (benign race: counted, not summed)
        if (w < 0 || w >= std::min(8, int(n))) ++bad_worker;
        for (std::size_t i = first; i < last && i < n; ++i) seen[i].fetch_add(1);
      };
      if (round % 2)
        parallel_for_dynamic(n, body);
      else
        parallel_for(n, body);
      for (std::size_t i = 0; i < n; ++i) wrong += seen[i].load() != 1;
    }
    CHECK(wrong == 0);
    CHECK(bad_worker == 0);
    CHECK(bad_piece == 0);
  }

  TEST_CASE("parallel_for_dynamic gives a slow thread's last items to a free one") {
    // Two threads, 20 items: the calling thread's chunk is [0, 10), the worker's [10, 20). The
    // calling thread's first piece [0, 5) waits until items 5 … 9 are done: only the worker,
    // done with its own chunk, can do them (with fixed chunks this would wait out the timeout).
    fixtures::ThreadGuard guard;
    set_threads(2);
    std::vector<std::atomic<int>> by(20);
    for (auto& b : by) b = -1;
    std::atomic<int> tail_done{0};
    std::atomic<bool> waited_out{false};
    auto wait_for = [&](auto done) {  // false after 20 s
      const auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(20);
      while (!done()) {
        if (std::chrono::steady_clock::now() > limit) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
      return true;
    };
    parallel_for_dynamic(20, [&](std::size_t first, std::size_t last, int w) {
      // The worker starts once the calling thread has claimed [0, 5).
      if (first >= 10 && !wait_for([&] { return by[0].load() >= 0; })) waited_out = true;
      for (std::size_t i = first; i < last; ++i) {
        by[i] = w;
        if (i >= 5 && i < 10) ++tail_done;
      }
      if (first == 0 && !wait_for([&] { return tail_done.load() == 5; })) waited_out = true;
    });
    CHECK_FALSE(waited_out);
    for (std::size_t i = 0; i < 20; ++i) {
      CAPTURE(i);
      CHECK(by[i].load() == (i < 5 ? 0 : 1));
    }
  }

  TEST_CASE("parallel_for_dynamic passes a body's exception to the caller") {
    fixtures::ThreadGuard guard;
    set_threads(2);
    CHECK_THROWS_AS(parallel_for_dynamic(100,
                                         [&](std::size_t first, std::size_t last, int) {
                                           if (first <= 57 && 57 < last)
                                             throw std::runtime_error("item 57");
                                         }),
                    std::runtime_error);
    std::atomic<int> count{0};  // the pool still works afterwards
    parallel_for_dynamic(100, [&](std::size_t first, std::size_t last, int) {
      count += int(last - first);
    });
    CHECK(count == 100);
  }

  TEST_CASE("a background loop runs every item once, idle workers taking items") {
    // Two threads. The calling thread starts a loop of 64 items and then waits (its "serial
    // work") until a worker has run some of them; join() runs the rest. Every item runs once.
    fixtures::ThreadGuard guard;
    set_threads(2);
    for (int round = 0; round < 20; ++round) {
      std::vector<std::atomic<int>> seen(64);
      std::atomic<int> by_worker{0};
      const std::thread::id caller = std::this_thread::get_id();
      BackgroundLoop loop(64, [&](std::size_t item) {
        ++seen[item];
        if (std::this_thread::get_id() != caller) ++by_worker;
        std::this_thread::sleep_for(std::chrono::microseconds(50));
      });
      loop.start();
      const auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(20);
      while (by_worker.load() == 0 && std::chrono::steady_clock::now() < limit)
        std::this_thread::sleep_for(std::chrono::microseconds(100));
      // A parallel loop in between: the worker leaves the background items for it.
      std::atomic<int> count{0};
      parallel_for_dynamic(1000, [&](std::size_t first, std::size_t last, int) {
        count += int(last - first);
      });
      loop.join();
      CHECK(by_worker.load() > 0);
      CHECK(count == 1000);
      int wrong = 0;
      for (auto& s : seen) wrong += s.load() != 1;
      CHECK(wrong == 0);
    }
  }

  TEST_CASE("a background loop runs in join alone with one thread, or while another is on offer") {
    fixtures::ThreadGuard guard;
    set_threads(1);
    const std::thread::id caller = std::this_thread::get_id();
    std::atomic<int> elsewhere{0}, ran{0};
    auto body = [&](std::size_t) {
      ++ran;
      if (std::this_thread::get_id() != caller) ++elsewhere;
    };
    {
      BackgroundLoop loop(10, body);
      loop.start();
      loop.join();
    }
    CHECK(ran == 10);
    // Three threads: one worker runs first's item (which holds first on offer until released),
    // the other is idle, and would take second's items if second.start() offered them.
    set_threads(3);
    std::atomic<bool> release{false}, holding{false};
    BackgroundLoop first(1, [&](std::size_t) {
      holding = true;
      while (!release.load()) std::this_thread::sleep_for(std::chrono::microseconds(100));
    });
    first.start();
    const auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!holding.load() && std::chrono::steady_clock::now() < limit)
      std::this_thread::sleep_for(std::chrono::microseconds(100));
    CHECK(holding.load());  // a worker took first's item
    BackgroundLoop second(10, body);
    second.start();  // first is still on offer: second runs in its join, on this thread
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    CHECK(ran == 10);   // none of second's items yet
    second.join();
    release = true;
    first.join();
    CHECK(ran == 20);
    CHECK(elsewhere == 0);
  }

  TEST_CASE("a background loop's join rethrows a body's exception") {
    fixtures::ThreadGuard guard;
    set_threads(2);
    BackgroundLoop loop(50, [](std::size_t item) {
      if (item == 31) throw std::runtime_error("item 31");
    });
    loop.start();
    CHECK_THROWS_AS(loop.join(), std::runtime_error);
    std::atomic<int> count{0};  // the pool still works afterwards
    parallel_for(10, [&](std::size_t first, std::size_t last, int) { count += int(last - first); });
    CHECK(count == 10);
  }

  TEST_CASE("a background loop uses at most threads() - 1 workers after the count is lowered") {
    // Four threads start three workers; at two threads only one of them may take items.
    fixtures::ThreadGuard guard;
    set_threads(4);
    parallel_for(4, [](std::size_t, std::size_t, int) {});  // the pool has three workers
    set_threads(2);
    const std::thread::id caller = std::this_thread::get_id();
    std::mutex m;
    std::vector<std::thread::id> helpers;
    BackgroundLoop loop(200, [&](std::size_t) {
      if (std::this_thread::get_id() != caller) {
        std::lock_guard<std::mutex> lock(m);
        if (std::find(helpers.begin(), helpers.end(), std::this_thread::get_id()) ==
            helpers.end())
          helpers.push_back(std::this_thread::get_id());
      }
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    });
    loop.start();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // the caller's "serial work"
    loop.join();
    CHECK(helpers.size() <= 1);
  }
}
