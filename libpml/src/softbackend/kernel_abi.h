// Kernel interfaces newer than Debian 12's headers (linux-libc-dev 6.1),
// written from the 6.12 uapi (include/uapi/linux/fs.h, userfaultfd.h).
#pragma once

#include <linux/userfaultfd.h>
#include <stdint.h>
#include <sys/ioctl.h>

namespace pml::soft::abi {

// userfaultfd features (uapi/linux/userfaultfd.h).
inline constexpr uint64_t kUffdFeatureWpHugetlbfsShmem = 1u << 12;
inline constexpr uint64_t kUffdFeatureWpUnpopulated = 1u << 13;
inline constexpr uint64_t kUffdFeatureWpAsync = 1u << 15;
inline constexpr int kUffdUserModeOnly = 1;  // userfaultfd(2) flag, 5.11+

// PAGEMAP_SCAN (uapi/linux/fs.h, 6.7+).
inline constexpr uint64_t kPageIsWpAllowed = 1u << 0;
inline constexpr uint64_t kPageIsWritten = 1u << 1;
inline constexpr uint64_t kPageIsFile = 1u << 2;
inline constexpr uint64_t kPageIsPresent = 1u << 3;
inline constexpr uint64_t kPageIsSwapped = 1u << 4;
inline constexpr uint64_t kPageIsPfnZero = 1u << 5;
inline constexpr uint64_t kPageIsHuge = 1u << 6;
inline constexpr uint64_t kPageIsSoftDirty = 1u << 7;

inline constexpr uint64_t kPmScanWpMatching = 1u << 0;
inline constexpr uint64_t kPmScanCheckWpAsync = 1u << 1;

struct PageRegion {
  uint64_t start;
  uint64_t end;  // exclusive
  uint64_t categories;
};

struct PmScanArg {
  uint64_t size;
  uint64_t flags;
  uint64_t start;
  uint64_t end;
  uint64_t walk_end;  // written by the kernel: where the walk stopped
  uint64_t vec;
  uint64_t vec_len;
  uint64_t max_pages;
  uint64_t category_inverted;
  uint64_t category_mask;
  uint64_t category_anyof_mask;
  uint64_t return_mask;
};
static_assert(sizeof(PageRegion) == 24);
static_assert(sizeof(PmScanArg) == 96);

inline constexpr unsigned long kPagemapScan = _IOWR('f', 16, PmScanArg);

// /proc/PID/pagemap entry bits (Documentation/admin-guide/mm/pagemap.rst).
inline constexpr uint64_t kPagemapSoftDirty = 1ull << 55;
inline constexpr uint64_t kPagemapSwapped = 1ull << 62;
inline constexpr uint64_t kPagemapPresent = 1ull << 63;

}  // namespace pml::soft::abi
