#include "core/huge_pages.hpp"

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace rbmkit::detail {

std::pair<std::uintptr_t, std::uintptr_t> huge_page_range(const void* p,
                                                          std::size_t bytes) noexcept {
  constexpr std::uintptr_t huge = std::uintptr_t(1) << 21;  // 2 MiB
  const std::uintptr_t a = reinterpret_cast<std::uintptr_t>(p);
  if (p == nullptr || bytes > UINTPTR_MAX - a) return {0, 0};
  const std::uintptr_t first = a > UINTPTR_MAX - (huge - 1) ? 0 : (a + huge - 1) & ~(huge - 1);
  const std::uintptr_t last = (a + bytes) & ~(huge - 1);
  if (first == 0 || last <= first) return {0, 0};
  return {first, last};
}

void advise_huge_pages(void* p, std::size_t bytes) noexcept {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  const auto [first, last] = huge_page_range(p, bytes);
  if (last > first)  // a hint: its failure changes nothing
    (void)madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);
#else
  (void)p;
  (void)bytes;
#endif
}

}  // namespace rbmkit::detail
