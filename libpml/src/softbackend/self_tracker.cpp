// SelfTracker: a process tracking its own writes (e.g. a GC write barrier
// done by the MMU instead of by compiled code).
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

#include "pml/synthesize.h"
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
    if (!self->pagemap_.valid()) return errno_error("open /proc/self/pagemap");
    if (kind == Kind::kUffd) {
      auto uffd = Uffd::create();
      if (!uffd) return uffd.error();
      Result<void> api = uffd->enable_wp_async();
      if (!api) return api.error();
      self->uffd_.emplace(std::move(*uffd));
    }
    return self;
  }

  Result<void> add(void* base, size_t len) {
    const uint64_t start = reinterpret_cast<uintptr_t>(base) & ~(kPageSize - 1);
    const uint64_t end = (reinterpret_cast<uintptr_t>(base) + len + kPageSize - 1) & ~(kPageSize - 1);
    if (len == 0 || end <= start) return make_error("empty range", EINVAL);
    auto segments = split_by_vma(start, end);
    if (!segments) return segments.error();
    if (kind_ == Kind::kUffd) {
      Result<void> registered = uffd_->register_write_protect(start, end - start);
      if (!registered) return registered.error();
      // Protect what is there now (and, in shared mappings, the holes), so
      // that from here on only writes make a page "written".
      for (const Segment& segment : *segments) {
        Result<void> scanned = scan(segment, /*first=*/true, [](uint64_t, uint64_t) {});
        if (!scanned) return scanned.error();
      }
    } else {
      Result<void> cleared = clear_soft_dirty(0);
      if (!cleared) return cleared.error();
    }
    segments_.insert(segments_.end(), segments->begin(), segments->end());
    return {};
  }

  Result<size_t> collect(uint64_t epoch, const DirtyPageCallback& callback) {
    const uint64_t now = monotonic_ns();
    const uint32_t pid = uint32_t(getpid());
    size_t reported = 0;
    auto emit = [&](uint64_t addr, uint64_t size) {
      callback(DirtyPage{addr, size, pid, pid, now, epoch});
      ++reported;
    };
    for (const Segment& segment : segments_) {
      Result<void> scanned = kind_ == Kind::kUffd
                           ? scan(segment, /*first=*/false, emit)
                           : read_soft_dirty(pagemap_.get(), segment.start, segment.end, segment.shared,
                                           [&](uint64_t addr) { emit(addr, kPageSize); });
      if (!scanned && scanned.error().errnum == EPERM) {
        return make_error("tracked range was remapped, no longer registered: " + scanned.error().message,
                          EPERM);
      }
      if (!scanned) return scanned.error();
    }
    if (kind_ == Kind::kSoftDirty) {
      Result<void> cleared = clear_soft_dirty(0);
      if (!cleared) return cleared.error();
    }
    return reported;
  }

 private:
  explicit SelfRanges(Kind kind) : kind_(kind) {}
  Kind kind_;
  UniqueFd pagemap_;
  std::optional<Uffd> uffd_;
  // Part of a tracked range within one VMA: the scan depends on sharing.
  struct Segment {
    uint64_t start;
    uint64_t end;
    bool shared;
  };

  static Result<std::vector<Segment>> split_by_vma(uint64_t start, uint64_t end) {
    auto vmas = read_vmas(0);
    if (!vmas) return vmas.error();
    std::vector<Segment> segments;
    uint64_t covered = start;
    for (const Vma& vma : *vmas) {
      uint64_t lo = std::max(start, vma.start), hi = std::min(end, vma.end);
      if (lo >= hi) continue;
      if (lo != covered || !vma.writable) break;
      segments.push_back(Segment{lo, hi, vma.shared});
      covered = hi;
    }
    if (covered != end) return make_error("range is not entirely mapped writable", EINVAL);
    return segments;
  }

  template <typename Emit>
  Result<void> scan(const Segment& segment, bool first, Emit&& emit) {
    auto all = [&](const abi::PageRegion& r) { for_each_page(r, emit); };
    if (!segment.shared) {
      return scan_and_protect(pagemap_.get(), segment.start, segment.end, ScanMatch::PrivateWritten, all);
    }
    if (!first) {
      return scan_and_protect(pagemap_.get(), segment.start, segment.end, ScanMatch::SharedWritten, all);
    }
    return scan_and_protect(pagemap_.get(), segment.start, segment.end, ScanMatch::SharedFirst,
                          [&](const abi::PageRegion& r) {
                            if (first_scan_was_written(r)) for_each_page(r, emit);
                          });
  }

  std::vector<Segment> segments_;
};

Result<SelfTracker> SelfTracker::track(void* base, size_t len, Kind kind) {
  auto ranges = SelfRanges::create(kind);
  if (!ranges) return ranges.error();
  Result<void> added = (*ranges)->add(base, len);
  if (!added) return added.error();
  return SelfTracker(std::move(*ranges));
}

SelfTracker::SelfTracker(std::unique_ptr<SelfRanges> impl) : impl_(std::move(impl)) {}
SelfTracker::SelfTracker(SelfTracker&&) noexcept = default;
SelfTracker& SelfTracker::operator=(SelfTracker&&) noexcept = default;
// Closing the uffd unregisters the ranges and lifts the protection.
SelfTracker::~SelfTracker() = default;

Result<void> SelfTracker::add(void* base, size_t len) { return impl_->add(base, len); }

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
