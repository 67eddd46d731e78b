// Transparent huge pages for large buffers that are about to be written in full.
#pragma once

#include <cstddef>

namespace rbmkit::detail {

/// Asks the kernel to back the whole 2 MiB pages inside [p, p + bytes) with transparent huge
/// pages (madvise MADV_HUGEPAGE), before the range is first written: one page fault per 2 MiB
/// instead of 512 of 4 KiB, which matters on virtual machines where a fault costs ~10 us. A
/// hint only: nothing changes where THP is off, unsupported or the range holds no whole huge
/// page; resident memory is unchanged when the whole range is written (the partial pages at
/// either end stay 4 KiB pages). Never throws.
void advise_huge_pages(void* p, std::size_t bytes) noexcept;

}  // namespace rbmkit::detail
