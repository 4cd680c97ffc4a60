// probe(): try each mechanism on a scratch mapping of this process. Feature
// bits are not enough: soft-dirty has no flag to ask for, and an old
// kernel may take the uffd feature but lack PAGEMAP_SCAN.
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kernel_abi.h"
#include "pml/softbackend.h"
#include "soft_dirty.h"
#include "uffd.h"
#include "pml/unique_fd.h"

namespace pml::soft {

namespace {

constexpr size_t kPages = 4;
constexpr size_t kPageSize = 4096;

// RAII anonymous mapping.
class ScratchMapping {
 public:
  ScratchMapping() {
    void* p = mmap(nullptr, kPages * kPageSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    base_ = p == MAP_FAILED ? nullptr : static_cast<volatile char*>(p);
  }
  ~ScratchMapping() {
    if (base_) munmap(const_cast<char*>(base_), kPages * kPageSize);
  }
  volatile char* page(size_t i) { return base_ + i * kPageSize; }
  bool ok() const { return base_ != nullptr; }

 private:
  volatile char* base_ = nullptr;
};

Availability probe_uffd() {
  auto features = uffd_available_features();
  if (!features) return {false, "uffd: " + features.error().to_string()};
  if (!(*features & abi::kUffdFeatureWpAsync)) {
    return {false, "uffd: UFFD_FEATURE_WP_ASYNC unsupported (needs Linux 6.7+)"};
  }
  ScratchMapping scratch;
  if (!scratch.ok()) return {false, "uffd: mmap failed"};
  auto tracker = SelfTracker::track(const_cast<char*>(scratch.page(0)), kPages * kPageSize, Kind::kUffd);
  if (!tracker) {
    if (tracker.error().errnum == ENOTTY || tracker.error().errnum == EINVAL) {
      return {false, "uffd: PAGEMAP_SCAN ioctl missing on /proc/PID/pagemap (needs Linux 6.7+): " +
                         tracker.error().to_string()};
    }
    return {false, "uffd: " + tracker.error().to_string()};
  }
  *scratch.page(2) = 1;
  auto pages = tracker->collect();
  if (!pages) return {false, "uffd: " + pages.error().to_string()};
  if (pages->size() != 1 || (*pages)[0].addr != reinterpret_cast<uintptr_t>(scratch.page(2))) {
    return {false, "uffd: PAGEMAP_SCAN did not report exactly the written page"};
  }
  return {true, "uffd: userfaultfd WP_ASYNC + PAGEMAP_SCAN work"};
}

Availability probe_soft_dirty() {
  ScratchMapping scratch;
  if (!scratch.ok()) return {false, "soft-dirty: mmap failed"};
  *scratch.page(1) = 1;
  Result<void> cleared = clear_soft_dirty(0);
  if (!cleared) return {false, "soft-dirty: " + cleared.error().to_string()};
  *scratch.page(1) = 2;
  UniqueFd pagemap(open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC));
  if (!pagemap.valid()) return {false, "soft-dirty: " + errno_error("open /proc/self/pagemap").message};
  bool written_seen = false, clean_seen_dirty = false;
  uint64_t base = reinterpret_cast<uintptr_t>(scratch.page(0));
  Result<void> read = read_soft_dirty(pagemap.get(), base, base + kPages * kPageSize, false, [&](uint64_t addr) {
    if (addr == reinterpret_cast<uintptr_t>(scratch.page(1))) {
      written_seen = true;
    } else {
      clean_seen_dirty = true;
    }
  });
  if (!read) return {false, "soft-dirty: " + read.error().to_string()};
  if (!written_seen) {
    return {false, "soft-dirty: kernel has no CONFIG_MEM_SOFT_DIRTY (pagemap bit 55 never set)"};
  }
  if (clean_seen_dirty) return {false, "soft-dirty: clear_refs 4 did not clear bit 55"};
  return {true, "soft-dirty: clear_refs 4 + pagemap bit 55 work"};
}

}  // namespace

Availability probe(Kind kind) { return kind == Kind::kUffd ? probe_uffd() : probe_soft_dirty(); }

}  // namespace pml::soft
