#include "rbmkit/core/parallel.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <thread>
#include <vector>

extern "C" {
void openblas_set_num_threads(int);
int openblas_get_num_threads(void);
char* openblas_get_config(void);
char* openblas_get_corename(void);
}

namespace rbmkit {
namespace {
std::atomic<int> g_threads{0};
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
  return n > 0 ? n : std::max(1, openblas_get_num_threads());
}

std::string blas_info() {
  std::string s = "OpenBLAS ";
  if (const char* c = openblas_get_config()) s += c;
  if (const char* core = openblas_get_corename()) s += std::string(" (core: ") + core + ")";
  return s;
}

void parallel_for(std::size_t n,
                  const std::function<void(std::size_t, std::size_t, int)>& body) {
  const int t = int(std::min<std::size_t>(std::size_t(threads()), std::max<std::size_t>(n, 1)));
  if (t <= 1) {
    body(0, n, 0);
    return;
  }
  const int blas_threads = openblas_get_num_threads();
  openblas_set_num_threads(1);
  std::vector<std::thread> pool;
  std::vector<std::exception_ptr> errors(t);
  for (int w = 0; w < t; ++w) {
    const std::size_t begin = n * std::size_t(w) / std::size_t(t);
    const std::size_t end = n * std::size_t(w + 1) / std::size_t(t);
    pool.emplace_back([&, begin, end, w] {
      try {
        body(begin, end, w);
      } catch (...) {
        errors[w] = std::current_exception();
      }
    });
  }
  for (auto& th : pool) th.join();
  openblas_set_num_threads(blas_threads);
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
}

}  // namespace rbmkit
