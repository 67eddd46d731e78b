#include "rbmkit/core/parallel.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <exception>
#include <thread>
#include <vector>

extern "C" {
void openblas_set_num_threads(int);
int openblas_get_num_threads(void);
}

namespace rbmkit {
namespace {
std::atomic<int> g_threads{0};
/// OpenBLAS's thread count outside the SerialBlas scopes (0 outside any), for threads().
std::atomic<int> g_outer_blas_threads{0};
}

void set_threads(int n) {
  if (n <= 0) n = int(std::max(1u, std::thread::hardware_concurrency()));
  g_threads = n;
  openblas_set_num_threads(n);
}

int threads() {
  const int n = g_threads;
  // Until set_threads() is called, follow OpenBLAS's own setting (e.g. OPENBLAS_NUM_THREADS),
  // so the library never changes a caller's BLAS configuration behind its back.
  if (n > 0) return n;
  const int outer = g_outer_blas_threads;
  return outer > 0 ? outer : std::max(1, openblas_get_num_threads());
}

namespace {

/// Waits until `done` (short waits: spinning, then yielding the core).
template <class Done>
void wait_until(const Done& done) {
  for (int i = 0; !done(); ++i) {
    if (i < 4096) {
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause();
#endif
    } else {
      std::this_thread::yield();
    }
  }
}

/// True on a thread while it runs a chunk of a parallel loop or an item of a background loop: a
/// parallel loop inside runs inline.
thread_local bool in_parallel_for = false;

/// Workers that persist between parallel_for calls (starting threads for every call costs more
/// than the small loops of a training step take). The chunks of a job are claimed one at a time
/// by whichever thread is free, the calling thread included, so a worker the system has not
/// scheduled (a loaded machine) delays nothing it has not started. Which thread runs a chunk
/// never changes its bounds or its `worker` argument (the chunk's index). A dynamic job
/// (parallel_for_dynamic) is claimed in pieces instead, whose bounds depend on timing and whose
/// `worker` argument is the thread's index. One job at a time: run() holds `run_mutex_`.
class Pool {
public:
  static Pool& instance() {
    static Pool pool;
    return pool;
  }

  /// At least `count` workers (they start before a first loop needs them).
  void ensure_workers(int count) {
    std::lock_guard<std::mutex> run_lock(run_mutex_);
    grow(count);
  }

  /// Offers b to the workers (BackgroundLoop::start); false while another loop is on offer.
  bool offer(BackgroundLoop* b) {
    BackgroundLoop* none = nullptr;
    if (!background_.compare_exchange_strong(none, b)) return false;
    offers_.fetch_add(1);
    {
      std::lock_guard<std::mutex> lock(mutex_);  // a worker between its check and its sleep
    }
    wake_.notify_all();  // sleeping workers too
    return true;
  }
  /// Withdraws b's offer; returns once no worker runs an item of b any more.
  void withdraw(BackgroundLoop* b) {
    BackgroundLoop* expected = b;
    background_.compare_exchange_strong(expected, nullptr);
    wait_until([&] { return background_users_.load() == 0; });
  }

  /// Runs `body` over [0, n) on t threads: in t fixed chunks, or (`dynamic`) in pieces claimed
  /// while it runs (parallel_for_dynamic, claim_pieces).
  void run(std::size_t n, int t, const std::function<void(std::size_t, std::size_t, int)>& body,
           bool dynamic = false) {
    std::lock_guard<std::mutex> run_lock(run_mutex_);
    grow(t - 1);
    std::vector<std::exception_ptr> errors(t);
    Job job;
    std::uint64_t generation;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      job_ = job = {&body, n, t, &errors, dynamic};
      finished_ = 0;
      if (dynamic) {
        const std::uint64_t tag = ((generation_.load() + 1) & 0xffffffffu) << 32;
        for (int w = 0; w < t; ++w)
          ranges_[w].word.store(tag | (std::uint64_t(n * std::size_t(w) / std::size_t(t)) << 16) |
                                    std::uint64_t(n * std::size_t(w + 1) / std::size_t(t)),
                                std::memory_order_relaxed);
      }
      generation = generation_.load() + 1;
      next_.store(generation << 32, std::memory_order_release);  // chunk 0 of this job
      generation_.store(generation, std::memory_order_release);
    }
    wake_.notify_all();
    claim_chunks(generation, job, 0);
    const std::size_t units = job.units();
    // The last chunks usually end within microseconds: wait for them spinning, then sleeping.
    // A worker finishing the job takes the mutex and wakes this thread only when it sleeps:
    // run() sets `waiting_` and then reads finished_; the worker adds to finished_ and then reads
    // `waiting_`. All four are sequentially consistent, so at least one of the two threads sees
    // the other's write, and run() holds the mutex from setting the flag until it sleeps, so
    // the wake-up is not lost.
    spin_until([&] { return finished_.load(std::memory_order_acquire) == units; });
    if (finished_.load() != units) {
      std::unique_lock<std::mutex> lock(mutex_);
      waiting_.store(true);
      done_.wait(lock, [&] { return finished_.load() == units; });
      waiting_.store(false);
    }
    for (auto& e : errors)
      if (e) std::rethrow_exception(e);
  }

  ~Pool() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    for (auto& th : workers_) th.join();
  }

private:
  struct Job {
    const std::function<void(std::size_t, std::size_t, int)>* body = nullptr;
    std::size_t n = 0;
    int t = 0;
    std::vector<std::exception_ptr>* errors = nullptr;
    bool dynamic = false;       ///< t fixed chunks, or pieces claimed by claim_pieces
    /// What finished_ counts to: chunks (fixed) or items (dynamic).
    std::size_t units() const { return dynamic ? n : std::size_t(t); }
  };

  /// Runs chunks of the job of `generation` (a copy of it in `job`) until none is left
  /// unclaimed. A claim names its job's generation (the upper half of next_), so a thread that
  /// comes late never takes a chunk of a later job with the bounds of an earlier one. `thread`
  /// is the claiming thread's index (the caller of run() 0, worker k k + 1): a dynamic job's
  /// body gets it as its `worker` argument, and threads from t on take no part in it.
  void claim_chunks(std::uint64_t generation, const Job& job, int thread) {
    if (job.dynamic) {
      if (thread < job.t) claim_pieces(generation, job, thread);
      return;
    }
    for (;;) {
      std::uint64_t claim = next_.load(std::memory_order_acquire);
      do {
        if ((claim >> 32) != (generation & 0xffffffffu) ||
            (claim & 0xffffffffu) >= std::uint64_t(job.t))
          return;
      } while (!next_.compare_exchange_weak(claim, claim + 1, std::memory_order_acq_rel));
      const int w = int(claim & 0xffffffffu);
      const std::size_t begin = job.n * std::size_t(w) / std::size_t(job.t);
      const std::size_t end = job.n * std::size_t(w + 1) / std::size_t(job.t);
      run_piece(job, begin, end, w, 1);
    }
  }

  /// A dynamic job's items are split into t ranges as a fixed one's chunks are; thread w runs
  /// its own range w from the front, in pieces of half of what is left of it, so it stays with
  /// the rows it had in the loops before (in its caches), and when its range is done takes
  /// single items from the back of the others' ranges: a slower thread's last items go to a
  /// faster one. Each range is one word, generation (32 bits, as next_'s) | front (16) | back
  /// (16), claimed by compare-and-swap; a claim of a thread that comes late names an older
  /// generation and fails. (run_parallel gives jobs of 2¹⁶ items or more fixed chunks.)
  void claim_pieces(std::uint64_t generation, const Job& job, int thread) {
    const std::uint64_t tag = (generation & 0xffffffffu) << 32;
    auto claim = [&](int r, bool own, std::size_t& begin, std::size_t& size) {
      std::uint64_t x = ranges_[r].word.load(std::memory_order_acquire), y;
      do {
        const std::uint64_t front = (x >> 16) & 0xffffu, back = x & 0xffffu;
        if ((x & ~std::uint64_t(0xffffffffu)) != tag || front >= back) return false;
        if (own) {
          size = std::size_t((back - front + 1) / 2);
          begin = std::size_t(front);
          y = tag | ((front + size) << 16) | back;
        } else {
          size = 1;
          begin = std::size_t(back - 1);
          y = tag | (front << 16) | (back - 1);
        }
      } while (!ranges_[r].word.compare_exchange_weak(x, y, std::memory_order_acq_rel));
      return true;
    };
    std::size_t begin = 0, size = 0;
    while (claim(thread, true, begin, size))
      run_piece(job, begin, begin + size, thread, size);
    for (int k = 1; k < job.t; ++k) {
      const int r = (thread + k) % job.t;
      while (claim(r, false, begin, size))
        run_piece(job, begin, begin + size, thread, size);
    }
  }

  /// body(begin, end, worker), its exception kept in errors[worker] (the first one); then
  /// `units` more of the job are finished.
  void run_piece(const Job& job, std::size_t begin, std::size_t end, int worker,
                 std::size_t units) {
    in_parallel_for = true;
    try {
      (*job.body)(begin, end, worker);
    } catch (...) {
      if (!(*job.errors)[worker]) (*job.errors)[worker] = std::current_exception();
    }
    in_parallel_for = false;
    if (finished_.fetch_add(units) + units == job.units() && waiting_.load()) {  // run() sleeps
      std::lock_guard<std::mutex> lock(mutex_);
      done_.notify_one();
    }
  }

  void grow(int count) {
    while (int(workers_.size()) < count) {
      std::uint64_t seen;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        seen = generation_.load();  // jobs from the next one on
      }
      const int index = int(workers_.size()) + 1;
      workers_.emplace_back([this, seen, index] { work(seen, index); });
    }
  }

  void work(std::uint64_t seen, int index) {
    std::uint64_t seen_offer = offers_.load();
    for (;;) {
      // A training step starts its next parallel loop within microseconds: spin for it a
      // moment before sleeping (waking a sleeping thread takes longer than a small loop),
      // running items of the background loop on offer meanwhile (only the threads() − 1 workers
      // a loop would use). A worker counts itself a user before it reads the offer again, so
      // withdraw() waits for it.
      spin_until([&] {
        if (generation_.load(std::memory_order_acquire) != seen) return true;
        if (index >= threads() || background_.load(std::memory_order_relaxed) == nullptr)
          return false;
        background_users_.fetch_add(1);
        BackgroundLoop* b = background_.load();
        const bool ran = b && b->run_one();
        background_users_.fetch_sub(1);
        return ran && generation_.load(std::memory_order_acquire) != seen;
      });
      Job job;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        // A sleeping worker wakes for the next loop, or once for each background loop offered.
        wake_.wait(lock, [&] {
          return stop_ || generation_.load() != seen ||
                 (offers_.load() != seen_offer && index < threads());
        });
        if (stop_) return;
        seen_offer = offers_.load();
        if (generation_.load() == seen) continue;  // woken for a background loop: spin, run it
        seen = generation_.load();
        job = job_;
      }
      claim_chunks(seen, job, index);
    }
  }

  /// Polls `ready` for up to about a millisecond. A training step's serial parts (pairing a
  /// sum tree, joining the scans' lists) take tens of microseconds each, and a worker that went
  /// to sleep in them is woken late on a virtual machine: with 50 µs, the float run
  /// took 3-8% longer (interleaved runs, two cores).
  template <class Ready>
  static void spin_until(const Ready& ready) {
    const auto limit = std::chrono::steady_clock::now() + std::chrono::microseconds(1000);
    for (int i = 1;; ++i) {
      if (ready()) return;
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause();
#endif
      if (i % 64 == 0 && std::chrono::steady_clock::now() > limit) return;
    }
  }

  std::atomic<BackgroundLoop*> background_{nullptr};
  std::atomic<std::uint64_t> offers_{0};  // background loops offered so far
  alignas(64) std::atomic<int> background_users_{0};  // workers reading or running the offer
  std::mutex run_mutex_, mutex_;
  std::condition_variable wake_, done_;
  std::vector<std::thread> workers_;
  Job job_;
  std::atomic<std::uint64_t> next_{0};  // generation << 32 | the next unclaimed chunk
  std::atomic<std::size_t> finished_{0};  // chunks or (dynamic) items finished
  static constexpr int max_dynamic_threads = 256;
  struct Range {
    alignas(64) std::atomic<std::uint64_t> word{0};  // a cache line each
  };
  std::array<Range, max_dynamic_threads> ranges_{};  // claim_pieces
  std::atomic<bool> waiting_{false};  // run() sleeps on done_ for the job's last chunks
  std::atomic<std::uint64_t> generation_{0};
  bool stop_ = false;
};

}  // namespace

namespace {

/// parallel_for and (`dynamic`) parallel_for_dynamic.
void run_parallel(std::size_t n, bool dynamic,
                  const std::function<void(std::size_t, std::size_t, int)>& body) {
  const int t = int(std::min<std::size_t>(std::size_t(threads()), std::max<std::size_t>(n, 1)));
  if (t <= 1 || in_parallel_for) {
    body(0, n, 0);
    return;
  }
  // Dynamic claims name their items in 16 bits, and keep one range per thread.
  if (n >= (std::size_t(1) << 16) || t > 256) dynamic = false;
  const int blas_threads = openblas_get_num_threads();
  openblas_set_num_threads(1);
  try {
    Pool::instance().run(n, t, body, dynamic);
  } catch (...) {
    openblas_set_num_threads(blas_threads);
    throw;
  }
  openblas_set_num_threads(blas_threads);
}

}  // namespace

void parallel_for(std::size_t n,
                  const std::function<void(std::size_t, std::size_t, int)>& body) {
  run_parallel(n, false, body);
}

void parallel_for_dynamic(std::size_t n,
                          const std::function<void(std::size_t, std::size_t, int)>& body) {
  run_parallel(n, true, body);
}

BackgroundLoop::BackgroundLoop(std::size_t n, std::function<void(std::size_t)> body)
    : body_(std::move(body)), n_(n) {}

BackgroundLoop::~BackgroundLoop() {
  try {
    join();
  } catch (...) {
  }
}

void BackgroundLoop::start() {
  if (posted_ || joined_ || n_ == 0 || threads() <= 1 || in_parallel_for) return;
  Pool& pool = Pool::instance();
  pool.ensure_workers(threads() - 1);
  posted_ = pool.offer(this);
}

bool BackgroundLoop::run_one() {
  if (next_.load(std::memory_order_relaxed) >= n_) return false;
  const std::size_t item = next_.fetch_add(1);
  if (item >= n_) return false;
  const bool nested = in_parallel_for;
  in_parallel_for = true;  // a parallel loop inside the body runs inline
  try {
    if (!failed_.load()) body_(item);
  } catch (...) {
    if (!failed_.exchange(true)) error_ = std::current_exception();
  }
  in_parallel_for = nested;
  done_.fetch_add(1, std::memory_order_release);
  return true;
}

void BackgroundLoop::join() {
  if (joined_) return;
  joined_ = true;
  while (run_one()) {
  }
  // A worker may still run an item: short, but it may have lost its core.
  wait_until([&] { return done_.load(std::memory_order_acquire) >= n_; });
  if (posted_) Pool::instance().withdraw(this);
  if (failed_.load()) std::rethrow_exception(error_);
}

SerialBlas::SerialBlas() : saved_(openblas_get_num_threads()), outer_(g_outer_blas_threads) {
  if (outer_ == 0) g_outer_blas_threads = saved_;
  openblas_set_num_threads(1);
}
SerialBlas::~SerialBlas() {
  openblas_set_num_threads(saved_);
  g_outer_blas_threads = outer_;
}

}  // namespace rbmkit
