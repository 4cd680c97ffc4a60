// The implementation behind pml::soft::Tracker: tracks the mm of another
// process with a uffd taken from it, or with its soft-dirty bits.
#pragma once

#include <stdint.h>
#include <sys/types.h>

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <tuple>
#include <vector>

#include "proc_maps.h"
#include "pml/softbackend.h"
#include "remote_syscall.h"
#include "uffd.h"
#include "pml/unique_fd.h"

namespace pml::soft {

class RemoteTracker {
 public:
  // `stopped` runs system calls in a thread of the target that is in a
  // ptrace stop of ours (uffd only: the userfaultfd(2) call is run in it).
  // Arms tracking of the target's current mm; pages written before this
  // call are not reported. The caller restores the thread afterwards.
  static Result<std::unique_ptr<RemoteTracker>> arm(pid_t pid, Kind kind, RemoteSyscalls* stopped);

  pid_t pid() const { return pid_; }
  Kind kind() const { return kind_; }

  // Fails with ESRCH once the mm is gone (exit, exec).
  Result<size_t> collect(uint64_t epoch, const DirtyPageCallback& callback);

  // A thread of the process that still has the mm: /proc/PID/maps of a
  // leader that ended before its threads (a zombie) lists nothing.
  void set_live_thread(pid_t tid) { live_tid_ = tid; }

 private:
  RemoteTracker(pid_t pid, Kind kind) : pid_(pid), kind_(kind) {}
  Result<void> take_uffd_from_target(RemoteSyscalls* stopped);
  // One pass over the VMAs: scan registered ones, register new ones. With
  // report == false (arming) nothing is reported.
  Result<size_t> uffd_pass(bool report, uint64_t epoch, const DirtyPageCallback& callback);
  Result<size_t> soft_dirty_pass(bool report, uint64_t epoch, const DirtyPageCallback& callback);

  // A shared VMA gets a uffd-wp marker per page (a page table per 2 MiB);
  // beyond this size it is left untracked rather than eat memory.
  static constexpr uint64_t kMaxSharedVmaBytes = 16ull << 30;
  // Picks the scan for the VMA's kind (see ScanMatch) and reports through
  // emit(addr, size). `known`: registered and protected by an earlier pass.
  template <typename Emit>
  Result<void> scan_vma(const Vma& vma, bool known, Emit& emit);

  using VmaKey = std::tuple<uint64_t, uint64_t, uint64_t, uint64_t>;  // start, end, inode, offset
  static VmaKey key_of(const Vma& vma) { return {vma.start, vma.end, vma.inode, vma.offset}; }
  bool was_registered(const Vma& vma) const;

  pid_t pid_;
  pid_t live_tid_ = 0;  // 0: pid_
  Kind kind_;
  UniqueFd pagemap_;
  std::optional<Uffd> uffd_;
  std::map<uint64_t, uint64_t> registered_;  // start -> end, as of the last pass
  std::set<VmaKey> untrackable_;             // VMAs userfaultfd refused
};

}  // namespace pml::soft
