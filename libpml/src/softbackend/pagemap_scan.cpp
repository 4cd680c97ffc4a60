#include "pagemap_scan.h"

#include <sys/ioctl.h>

#include <vector>


namespace pml::soft {

Result<void> scan_and_protect(int pagemap_fd, uint64_t start, uint64_t end, ScanMatch match,
                      const RegionCallback& on_region) {
  std::vector<abi::PageRegion> regions(512);
  abi::PmScanArg arg = {};
  arg.size = sizeof(arg);
  arg.flags = abi::kPmScanWpMatching | abi::kPmScanCheckWpAsync;
  arg.vec = reinterpret_cast<uintptr_t>(regions.data());
  switch (match) {
    case ScanMatch::PrivateWritten:
      arg.category_anyof_mask = abi::kPageIsPresent | abi::kPageIsSwapped;
      arg.category_mask = abi::kPageIsWritten | abi::kPageIsPfnZero | abi::kPageIsFile;
      arg.category_inverted = abi::kPageIsPfnZero | abi::kPageIsFile;
      arg.return_mask = abi::kPageIsWritten | abi::kPageIsHuge;
      break;
    case ScanMatch::SharedWritten:
      arg.category_mask = abi::kPageIsWritten;
      arg.return_mask = abi::kPageIsWritten | abi::kPageIsHuge;
      break;
    case ScanMatch::SharedFirst:
      arg.return_mask = abi::kPageIsWritten | abi::kPageIsPresent | abi::kPageIsSwapped |
                        abi::kPageIsPfnZero | abi::kPageIsHuge;
      break;
  }
  uint64_t walk_start = start;
  while (walk_start < end) {
    arg.start = walk_start;
    arg.end = end;
    arg.vec_len = regions.size();
    long n = ioctl(pagemap_fd, abi::kPagemapScan, &arg);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error("PAGEMAP_SCAN");
    }
    for (long i = 0; i < n; ++i) on_region(regions[size_t(i)]);
    // walk_end < end only when the region buffer filled up: go on from
    // there. Pages past walk_end were neither reported nor re-protected.
    if (arg.walk_end <= walk_start) return make_error("PAGEMAP_SCAN made no progress", EIO);
    walk_start = arg.walk_end;
  }
  return {};
}

}  // namespace pml::soft
