// SelfTracker: a process tracking its own writes (e.g. a GC write barrier
// done by the MMU instead of by compiled code).
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

#include "clock.h"
#include "errors.h"
#include "pagemap_scan.h"
#include "pml/softbackend.h"
#include "proc_maps.h"
#include "soft_dirty.h"
#include "uffd.h"
#include "pml/unique_fd.h"

namespace pml::soft {

namespace {
constexpr uint64_t kPageSize = 4096;
}

class SelfRanges {
 public:
  static Result<std::unique_ptr<SelfRanges>> create(Kind kind) {
    std::unique_ptr<SelfRanges> self(new SelfRanges(kind));
    self->pagemap_.reset(open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC));
    if (!self->pagemap_.valid()) return errnoError("open /proc/self/pagemap");
    if (kind == Kind::Uffd) {
      auto uffd = Uffd::create();
      if (!uffd) return uffd.error();
      Status api = uffd->enableWpAsync();
      if (!api) return api.error();
      self->uffd_.emplace(std::move(*uffd));
    }
    return self;
  }

  Status add(void* base, size_t len) {
    const uint64_t start = reinterpret_cast<uintptr_t>(base) & ~(kPageSize - 1);
    const uint64_t end = (reinterpret_cast<uintptr_t>(base) + len + kPageSize - 1) & ~(kPageSize - 1);
    if (len == 0 || end <= start) return make_error("empty range", EINVAL);
    if (kind_ == Kind::Uffd) {
      Status registered = uffd_->registerWriteProtect(start, end - start);
      if (!registered) return registered.error();
      // Protect every page, the unpopulated ones too (uffd-wp markers), so
      // that from now on only writes make a page "written".
      Status protected_all = scanAndProtect(pagemap_.get(), start, end, ScanMatch::Everything,
                                            [](const abi::PageRegion&) {});
      if (!protected_all) return protected_all.error();
    } else {
      Status cleared = clearSoftDirty(0);
      if (!cleared) return cleared.error();
    }
    ranges_.emplace_back(start, end);
    return {};
  }

  Result<size_t> collect(uint64_t epoch, const DirtyPageCallback& callback) {
    const uint64_t now = monotonicNs();
    const uint32_t pid = uint32_t(getpid());
    size_t reported = 0;
    auto emit = [&](uint64_t addr, uint64_t size) {
      callback(DirtyPage{addr, size, pid, pid, now, epoch});
      ++reported;
    };
    if (kind_ == Kind::Uffd) {
      for (auto [start, end] : ranges_) {
        Status scanned = scanAndProtect(pagemap_.get(), start, end, ScanMatch::Written,
                                        [&](const abi::PageRegion& r) { forEachPage(r, emit); });
        if (!scanned) {
          if (scanned.error().errnum == EPERM) {
            return make_error("tracked range was remapped, no longer registered: " +
                                  scanned.error().message,
                              EPERM);
          }
          return scanned.error();
        }
      }
      return reported;
    }
    // Soft-dirty needs each VMA's shared flag to judge resident pages.
    auto vmas = readProcMaps(0);
    if (!vmas) return vmas.error();
    for (auto [start, end] : ranges_) {
      for (const Vma& vma : *vmas) {
        uint64_t lo = std::max(start, vma.start), hi = std::min(end, vma.end);
        if (lo >= hi) continue;
        Status read = readSoftDirty(pagemap_.get(), lo, hi, vma.shared,
                                    [&](uint64_t addr) { emit(addr, kPageSize); });
        if (!read) return read.error();
      }
    }
    Status cleared = clearSoftDirty(0);
    if (!cleared) return cleared.error();
    return reported;
  }

 private:
  explicit SelfRanges(Kind kind) : kind_(kind) {}
  Kind kind_;
  UniqueFd pagemap_;
  std::optional<Uffd> uffd_;
  std::vector<std::pair<uint64_t, uint64_t>> ranges_;
};

Result<SelfTracker> SelfTracker::track(void* base, size_t len, Kind kind) {
  auto ranges = SelfRanges::create(kind);
  if (!ranges) return ranges.error();
  Status added = (*ranges)->add(base, len);
  if (!added) return added.error();
  return SelfTracker(std::move(*ranges));
}

SelfTracker::SelfTracker(std::unique_ptr<SelfRanges> impl) : impl_(std::move(impl)) {}
SelfTracker::SelfTracker(SelfTracker&&) noexcept = default;
SelfTracker& SelfTracker::operator=(SelfTracker&&) noexcept = default;
// Closing the uffd unregisters the ranges and lifts the protection.
SelfTracker::~SelfTracker() = default;

Status SelfTracker::add(void* base, size_t len) { return impl_->add(base, len); }

Result<size_t> SelfTracker::collect(uint64_t epoch, const DirtyPageCallback& callback) {
  next_epoch_ = epoch + 1;
  return impl_->collect(epoch, callback);
}

Result<std::vector<DirtyPage>> SelfTracker::collect() {
  std::vector<DirtyPage> pages;
  auto n = collect(next_epoch_, [&](const DirtyPage& page) { pages.push_back(page); });
  if (!n) return n.error();
  std::sort(pages.begin(), pages.end(),
            [](const DirtyPage& a, const DirtyPage& b) { return a.addr < b.addr; });
  return pages;
}

}  // namespace pml::soft
