// PAGEMAP_SCAN over a uffd-registered range: report and re-protect in one
// ioctl, so a write is either reported now or caught by the new protection.
#pragma once

#include <stdint.h>

#include <functional>

#include "kernel_abi.h"
#include "pml/softbackend.h"

namespace pml::soft {

// Which pages a scan reports and re-protects.
//
// uffd-wp "markers" on unpopulated ptes are only needed where a read fault
// maps a page that is not distinguishable from a written one: shared
// mappings (page cache, shmem). Installing them costs page tables for the
// whole range, fatal for huge sparse VMAs (an ASan shadow is terabytes), so
// private VMAs never get them: there a written page is always an anonymous,
// non-zero page, and reads map the zero page or page-cache pages, which the
// scan excludes.
enum class ScanMatch {
  // Private VMA: resident or swapped anonymous pages that are not
  // protected; only those get protected. The same scan serves a VMA seen
  // for the first time (it then reports what was written since it appeared).
  PrivateWritten,
  // Shared VMA already protected by a SharedFirst scan: every unprotected
  // page (a page without marker was written, or zapped).
  SharedWritten,
  // Shared VMA seen for the first time: every page, holes too, is protected
  // and reported with its categories (see first_scan_was_written).
  SharedFirst,
};

using RegionCallback = std::function<void(const abi::PageRegion&)>;

// Fails with code EPERM if part of the range is not registered in async
// write-protect mode (e.g. the VMA was replaced by a new mmap), ESRCH if the
// pagemap's process has exited or exec'd.
Result<void> scan_and_protect(int pagemap_fd, uint64_t start, uint64_t end, ScanMatch match,
                      const RegionCallback& on_region);

// Pages of a region in order: 4 KiB each, or 2 MiB for a huge page.
template <typename F>
void for_each_page(const abi::PageRegion& region, F&& on_page) {
  const uint64_t size = (region.categories & abi::kPageIsHuge) ? (2u << 20) : 4096u;
  for (uint64_t addr = region.start; addr < region.end; addr += size) {
    uint64_t page = addr & ~(size - 1);
    on_page(page, size);
  }
}

// For a shared VMA scanned with ScanMatch::SharedFirst: whether a region
// holds pages that may have been written since the VMA appeared. A read
// cannot be told from a write there, so every resident page counts: an
// extra page beats a missed write.
inline bool first_scan_was_written(const abi::PageRegion& region) {
  const uint64_t c = region.categories;
  return (c & abi::kPageIsWritten) && (c & (abi::kPageIsPresent | abi::kPageIsSwapped)) &&
         !(c & abi::kPageIsPfnZero);
}

}  // namespace pml::soft
