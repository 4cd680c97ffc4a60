#include "remote_tracker.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pml/synthesize.h"
#include "pagemap_scan.h"
#include "soft_dirty.h"

namespace pml::soft {

Result<std::unique_ptr<RemoteTracker>> RemoteTracker::arm(pid_t pid, Kind kind,
                                                          RemoteSyscalls* stopped) {
  std::unique_ptr<RemoteTracker> tracker(new RemoteTracker(pid, kind));
  std::string pagemap_path = "/proc/" + std::to_string(pid) + "/pagemap";
  // Opened once: the fd stays bound to this mm, so a later exec of the
  // target shows up as ESRCH instead of silently scanning the new image.
  tracker->pagemap_.reset(open(pagemap_path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!tracker->pagemap_.valid()) return errno_error("open " + pagemap_path);

  DirtyPageCallback ignore = [](const DirtyPage&) {};
  if (kind == Kind::kSoftDirty) {
    Result<void> cleared = clear_soft_dirty(pid);
    if (!cleared) return cleared.error();
    return tracker;
  }
  if (stopped == nullptr) return make_error("uffd tracking needs a stopped target thread", EINVAL);
  Result<void> taken = tracker->take_uffd_from_target(stopped);
  if (!taken) return taken.error();
  Result<void> api = tracker->uffd_->enable_wp_async();
  if (!api) return api.error();
  auto armed = tracker->uffd_pass(/*report=*/false, 0, ignore);
  if (!armed) return armed.error();
  return tracker;
}

Result<void> RemoteTracker::take_uffd_from_target(RemoteSyscalls* stopped) {
  auto remote_fd = stopped->syscall(SYS_userfaultfd, {uint64_t(uffd_create_flags())});
  if (remote_fd && *remote_fd == -EINVAL) {  // before 5.11: no UFFD_USER_MODE_ONLY
    remote_fd = stopped->syscall(SYS_userfaultfd, {uint64_t(O_CLOEXEC | O_NONBLOCK)});
  }
  if (!remote_fd) return remote_fd.error();
  if (*remote_fd < 0) return make_error("userfaultfd() in the target", int(-*remote_fd));

  UniqueFd pidfd(int(::syscall(SYS_pidfd_open, pid_, 0)));
  Result<void> result;
  if (!pidfd.valid()) {
    result = errno_error("pidfd_open");
  } else {
    int fd = int(::syscall(SYS_pidfd_getfd, pidfd.get(), int(*remote_fd), 0));
    if (fd < 0) {
      result = errno_error("pidfd_getfd");
    } else {
      uffd_.emplace(Uffd::adopt(UniqueFd(fd)));
    }
  }
  // Leave the target's fd table as we found it. Our copy keeps the uffd
  // (and the registrations) alive, and the target cannot close it on us.
  auto closed = stopped->syscall(SYS_close, {uint64_t(*remote_fd)});
  if (result.ok() && !closed) return closed.error();
  return result;
}

bool RemoteTracker::was_registered(const Vma& vma) const {
  auto it = registered_.upper_bound(vma.start);
  if (it == registered_.begin()) return false;
  --it;
  return it->first <= vma.start && vma.end <= it->second;
}

template <typename Emit>
Result<void> RemoteTracker::scan_vma(const Vma& vma, bool known, Emit& emit) {
  if (!vma.shared) {
    return scan_and_protect(pagemap_.get(), vma.start, vma.end, ScanMatch::PrivateWritten,
                          [&](const abi::PageRegion& r) { for_each_page(r, emit); });
  }
  if (known) {
    return scan_and_protect(pagemap_.get(), vma.start, vma.end, ScanMatch::SharedWritten,
                          [&](const abi::PageRegion& r) { for_each_page(r, emit); });
  }
  return scan_and_protect(pagemap_.get(), vma.start, vma.end, ScanMatch::SharedFirst,
                        [&](const abi::PageRegion& r) {
                          if (first_scan_was_written(r)) for_each_page(r, emit);
                        });
}

Result<size_t> RemoteTracker::uffd_pass(bool report, uint64_t epoch, const DirtyPageCallback& callback) {
  auto vmas = read_vmas(live_tid_ ? live_tid_ : pid_);
  if (!vmas) return vmas.error();
  const uint64_t now = monotonic_ns();
  size_t reported = 0;
  auto emit = [&](uint64_t addr, uint64_t size) {
    if (!report) return;
    callback(DirtyPage{addr, size, uint32_t(pid_), uint32_t(pid_), now, epoch});
    ++reported;
  };

  std::map<uint64_t, uint64_t> registered_now;
  std::set<VmaKey> untrackable_now;
  for (const Vma& vma : *vmas) {
    const bool known = was_registered(vma);
    // A VMA made read-only since is still scanned: it may hold writes of
    // this epoch from before the mprotect.
    if (!is_trackable(vma) && !known) continue;
    if (untrackable_.count(key_of(vma))) {
      untrackable_now.insert(key_of(vma));
      continue;
    }
    Result<void> scanned = scan_vma(vma, known, emit);
    if (!scanned && scanned.error().errnum == EPERM && vma.writable) {
      // Not registered: a VMA new since the last pass, or one that replaced
      // a registered range (munmap+mmap, mremap).
      const bool too_big = vma.shared && vma.end - vma.start > kMaxSharedVmaBytes;
      if (too_big || !uffd_->register_write_protect(vma.start, vma.end - vma.start)) {
        // Special mappings, VMAs owned by the target's own userfaultfd
        // (EBUSY), or a VMA that vanished since we read maps.
        untrackable_now.insert(key_of(vma));
        continue;
      }
      scanned = scan_vma(vma, /*known=*/false, emit);
    }
    if (scanned) {
      registered_now[vma.start] = vma.end;
    } else if (scanned.error().errnum != EPERM) {
      return scanned.error();
    }
  }
  registered_ = std::move(registered_now);
  untrackable_ = std::move(untrackable_now);
  return reported;
}

Result<size_t> RemoteTracker::soft_dirty_pass(bool report, uint64_t epoch,
                                            const DirtyPageCallback& callback) {
  auto vmas = read_vmas(live_tid_ ? live_tid_ : pid_);
  if (!vmas) return vmas.error();
  const uint64_t now = monotonic_ns();
  size_t reported = 0;
  for (const Vma& vma : *vmas) {
    if (!is_trackable(vma)) continue;
    Result<void> read = read_soft_dirty(pagemap_.get(), vma.start, vma.end, vma.shared, [&](uint64_t addr) {
      if (!report) return;
      callback(DirtyPage{addr, 4096, uint32_t(pid_), uint32_t(pid_), now, epoch});
      ++reported;
    });
    if (!read) return read.error();
  }
  Result<void> cleared = clear_soft_dirty(live_tid_ ? live_tid_ : pid_);
  if (!cleared) return cleared.error();
  return reported;
}

Result<size_t> RemoteTracker::collect(uint64_t epoch, const DirtyPageCallback& callback) {
  if (kind_ == Kind::kSoftDirty) return soft_dirty_pass(true, epoch, callback);
  return uffd_pass(true, epoch, callback);
}

}  // namespace pml::soft
