// What the machine and its BLAS are, for `rbmkit info` and the benchmarks (declared in
// core/parallel.hpp, next to the thread count they go with).
#include "rbmkit/core/parallel.hpp"

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

extern "C" {
char* openblas_get_config(void);
char* openblas_get_corename(void);
}

namespace rbmkit {

std::string blas_info() {
  // The configuration string starts with "OpenBLAS" and its version.
  std::string s;
  if (const char* c = openblas_get_config()) s = c;
  if (s.rfind("OpenBLAS", 0) != 0) s = "OpenBLAS " + s;
  if (const char* core = openblas_get_corename()) s += std::string(" (core: ") + core + ")";
  return s;
}

std::string kernel_instruction_set() {
#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__)
  // The same test target_clones makes when it picks the kernels' variant.
  if (__builtin_cpu_supports("avx512f")) return "AVX-512";
  if (__builtin_cpu_supports("avx2")) return "AVX2";
#endif
  return "x86-64 baseline";
}

std::string blas_core_warning() {
#if defined(__GNUC__) && defined(__x86_64__)
  const char* name = openblas_get_corename();
  if (!name) return "";
  std::string core(name);
  for (char& ch : core) ch = char(std::tolower((unsigned char)ch));
  // OpenBLAS's x86-64 cores with AVX2 kernels, and those among them with AVX-512 kernels.
  const std::vector<std::string> avx512 = {"skylakex", "cooperlake", "sapphirerapids"};
  std::vector<std::string> avx2 = {"haswell", "zen", "zen3", "zen4", "skylake"};
  avx2.insert(avx2.end(), avx512.begin(), avx512.end());
  auto in = [&](const std::vector<std::string>& list) {
    return std::find(list.begin(), list.end(), core) != list.end();
  };
  const bool cpu_avx512 = __builtin_cpu_supports("avx512f");
  const bool cpu_avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  std::string better;
  if (cpu_avx2 && !in(avx2))
    better = cpu_avx512 ? "SkylakeX" : "Haswell";
  else if (cpu_avx512 && !in(avx512))
    better = "SkylakeX";
  if (better.empty()) return "";
  return "OpenBLAS runs its " + std::string(name) + " kernels on a CPU with " +
         (cpu_avx512 ? "AVX-512" : "AVX2") +
         " (a virtual machine may hide the CPU's model); dense products may be several times "
         "slower than they could be. Choose the core in the environment, e.g. "
         "OPENBLAS_CORETYPE=" + better + " rbmkit ...";
#else
  return "";
#endif
}

}  // namespace rbmkit
