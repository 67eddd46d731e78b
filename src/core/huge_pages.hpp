// Transparent huge pages for large buffers that are about to be written in full.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>

namespace rbmkit::detail {

/// The whole 2 MiB pages inside [p, p + bytes), as addresses [first, last): first rounded up,
/// last rounded down to 2 MiB (x86-64's and arm64's huge page); first == last when none fits.
std::pair<std::uintptr_t, std::uintptr_t> huge_page_range(const void* p, std::size_t bytes) noexcept;

/// Asks the kernel to back huge_page_range(p, bytes) with transparent huge pages (madvise
/// MADV_HUGEPAGE) before the range is first written: one page fault per 2 MiB instead of 512 of
/// 4 KiB, which matters on virtual machines where a fault costs ~10 us. A hint only: nothing
/// changes where THP is off, unsupported or no whole huge page fits; resident memory is
/// unchanged when the whole range is written (the partial pages at either end stay 4 KiB pages).
/// Where the kernel's THP defrag setting is "madvise" (a common default), a fault in the range
/// may compact memory first, which can take longer on a fragmented host; and the advice stays
/// with the pages' virtual range after the buffer is freed (for a buffer from the heap, with the
/// heap). For buffers of megabytes written once, as read_idx's. Never throws.
void advise_huge_pages(void* p, std::size_t bytes) noexcept;

}  // namespace rbmkit::detail
