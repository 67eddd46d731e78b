#pragma once
/// Thread count control, parallel loops whose results do not depend on the thread count, and
/// background work for idle workers.
#include <atomic>
#include <cstddef>
#include <exception>
#include <functional>
#include <string>

namespace rbmkit {

/// Sets the number of threads rbmkit uses: its own parallel loops and OpenBLAS.
/// 0 means all hardware threads. Results are bitwise reproducible for a fixed count.
void set_threads(int n);
/// The number of threads set (≥ 1); before any set_threads() call, OpenBLAS's own count (inside
/// a SerialBlas scope: its count from before the scope).
int threads();
/// OpenBLAS's build configuration string and core name, for `rbmkit info`.
std::string blas_info();
/// The instruction set rbmkit's own kernels run on this CPU: "AVX-512", "AVX2" or
/// "x86-64 baseline" (they are compiled for all three; the best is chosen at start-up).
std::string kernel_instruction_set();
/// A warning when OpenBLAS runs kernels for an older CPU than this one (a generic or pre-AVX2
/// core on an AVX2 or AVX-512 CPU, as under some virtual machines), saying how to choose the
/// right core; empty otherwise.
std::string blas_core_warning();

/// Calls body(begin, end, worker) on min(threads(), n) contiguous, fixed chunks of [0, n) in
/// parallel. The chunking depends only on n and the thread count, so a body that writes
/// each index's result to its own slot gives the same output at every run.
/// Inside the loop OpenBLAS runs single-threaded; its thread count is restored afterwards.
/// The workers persist between calls; a parallel_for inside a body runs inline (one chunk).
void parallel_for(std::size_t n,
                  const std::function<void(std::size_t begin, std::size_t end, int worker)>& body);

/// Calls body(begin, end, worker) on pieces of [0, n) in parallel, claimed while the loop runs:
/// each thread starts on the chunk parallel_for would give it (so it keeps the data it had in
/// its caches from the loops before) and runs it in pieces of half of what is left of it; a
/// thread done with its own chunk
/// takes single items from the ends of the others'. A thread that runs slower (a cold cache,
/// another program on its core, a slower core of a virtual machine) thus leaves its last items
/// to a faster one instead of being waited for. A thread may run several pieces; `worker` <
/// min(threads(), n) is the thread's index (the calling thread 0), for per-thread buffers. The
/// pieces depend on timing: only for bodies whose result does not depend on how [0, n) is split
/// (each item computed whole within one call). Otherwise as parallel_for; inside a body it runs
/// inline (body(0, n, 0)). Loops of 2¹⁶ items or more run as parallel_for (fixed chunks,
/// `worker` then the chunk's index, still < min(threads(), n)).
void parallel_for_dynamic(std::size_t n,
                          const std::function<void(std::size_t begin, std::size_t end,
                                                   int worker)>& body);

/// Work that rbmkit's idle workers take up while the calling thread goes on with other, serial
/// work (pairing a sum tree, joining scans), the rest done by the calling thread in join():
/// items 0 … n − 1, each run at most once by body(item) (once a body throws, the items not yet
/// started are skipped), in any order and on any thread, so only for items that do not depend
/// on each other. At most one background loop is started at a time
/// (another's start() does nothing: its items all run in its join()); with one thread, or
/// inside a parallel loop, everything runs in join(). Up to threads() − 1 workers take items,
/// one at a time, whenever they are not running a chunk of a parallel loop (a parallel loop the
/// calling thread starts meanwhile waits at most for the items workers are running). A parallel loop inside a body runs
/// inline with worker index 0, which the calling thread's loops use too: bodies must not use
/// per-worker buffers, nor call BLAS (parallel loops set OpenBLAS's thread count). join()
/// rethrows the first exception a body threw; the destructor joins (and swallows it). Not
/// copyable; construct, start, join and destroy it on one thread.
class BackgroundLoop {
public:
  BackgroundLoop(std::size_t n, std::function<void(std::size_t item)> body);
  ~BackgroundLoop();
  BackgroundLoop(const BackgroundLoop&) = delete;
  BackgroundLoop& operator=(const BackgroundLoop&) = delete;
  /// Offers the items to idle workers.
  void start();
  /// Runs the items no worker has taken, waits for those they run, and withdraws the offer.
  void join();
  /// Internal, for the pool's workers (callers use join()): claims and runs one item; false
  /// when none was left.
  bool run_one();

private:
  std::function<void(std::size_t)> body_;
  std::size_t n_;
  std::atomic<std::size_t> next_{0}, done_{0};
  std::atomic<bool> failed_{false};
  std::exception_ptr error_;
  bool posted_ = false, joined_ = false;
};

/// Runs OpenBLAS on the calling thread alone while it lives, and restores its thread count
/// afterwards; threads() keeps answering the count from before. A training run holds one for
/// its whole length (engine.cpp), and a step for its small dense product: OpenBLAS's idle
/// workers spin (sched_yield) for a while after each threaded call, taking the cores from
/// rbmkit's workers.
class SerialBlas {
public:
  SerialBlas();
  ~SerialBlas();
  SerialBlas(const SerialBlas&) = delete;
  SerialBlas& operator=(const SerialBlas&) = delete;

private:
  int saved_, outer_;
};

}  // namespace rbmkit
