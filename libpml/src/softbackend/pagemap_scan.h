// PAGEMAP_SCAN over a uffd-registered range: report and re-protect in one
// ioctl, so a write is either reported now or caught by the new protection.
#pragma once

#include <stdint.h>

#include <functional>

#include "kernel_abi.h"
#include "pml/softbackend.h"

namespace pml::soft {

enum class ScanMatch {
  // Pages written since they were last protected; only these are re-protected.
  Written,
  // Every page of the range, with its categories; all are protected. Used
  // once for a range that was never protected (see firstScanWasWritten).
  Everything,
};

using RegionCallback = std::function<void(const abi::PageRegion&)>;

// Fails with code EPERM if part of the range is not registered in async
// write-protect mode (e.g. the VMA was replaced by a new mmap), ESRCH if the
// pagemap's process has exited or exec'd.
Status scanAndProtect(int pagemap_fd, uint64_t start, uint64_t end, ScanMatch match,
                      const RegionCallback& on_region);

// Pages of a region in order: 4 KiB each, or 2 MiB for a huge page.
template <typename F>
void forEachPage(const abi::PageRegion& region, F&& on_page) {
  const uint64_t size = (region.categories & abi::kPageIsHuge) ? (2u << 20) : 4096u;
  for (uint64_t addr = region.start; addr < region.end; addr += size) {
    uint64_t page = addr & ~(size - 1);
    on_page(page, size);
  }
}

// For a range protected for the first time (ScanMatch::Everything): whether
// a region held pages the process had written before. In a private mapping
// only written pages are anonymous and not the zero page; swapped-out anon
// pages were written too. In a shared mapping a resident page may have been
// only read: count it, since missing a write is worse than a spare page.
inline bool firstScanWasWritten(const abi::PageRegion& region, bool shared_mapping) {
  const uint64_t c = region.categories;
  if (!(c & abi::kPageIsWritten)) return false;  // a uffd-wp marker or protected pte
  if (c & abi::kPageIsPfnZero) return false;
  if (c & abi::kPageIsSwapped) return !(c & abi::kPageIsFile);
  if (!(c & abi::kPageIsPresent)) return false;  // unpopulated
  return shared_mapping || !(c & abi::kPageIsFile);
}

}  // namespace pml::soft
