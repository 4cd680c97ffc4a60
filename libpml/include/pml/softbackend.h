// Software dirty-page tracking: the fallback of perf-pml when the kernel has
// no pml PMU.
//
// Mechanism
// ---------
// Kind::kUffd (preferred): a userfaultfd in WP_ASYNC mode is registered over
// every tracked VMA. A write to a write-protected page is resolved by the
// kernel itself (no fault message, no handler thread): it only clears the
// page's uffd-wp bit. collect() then runs PAGEMAP_SCAN over each VMA asking for
// PAGE_IS_WRITTEN pages with PM_SCAN_WP_MATCHING, which reports a page and
// re-protects it under the same page-table lock, so no write can fall between
// "read" and "re-arm".
//
// A userfaultfd always belongs to the mm of the process that created it, so
// for another process (Tracker) the one syscall that must run inside the
// target is userfaultfd(2). The tracker injects it with ptrace (x86-64 only):
// point a stopped thread at an existing `syscall` instruction (in the vDSO;
// no code is written into the target), run it with PTRACE_SYSCALL to its
// syscall-entry and then its syscall-exit stop (no single-stepping), take
// the new fd with pidfd_getfd(2) and inject close(2) so the target's fd
// table is left as it was. Every other uffd ioctl (API, REGISTER) works on
// the uffd's mm from any process, so the tracker registers VMAs itself, from
// outside. A launched child is armed at its exec entry, before ld.so runs;
// an existing pid is interrupted briefly.
//
// The tasks stay ptrace-seized (PTRACE_O_TRACEEXIT, TRACEFORK, TRACEVFORK,
// TRACECLONE, TRACEEXEC; no syscall tracing), so that each new mm gets its
// own tracker before it runs (fork, exec), threads and vfork children share
// their creator's, and a process's last epoch is collected at its exit stop
// (or at the signal that kills it) while its mm still exists. The caller
// must therefore call Tracker::wait() between collects: a task that reports
// a stop (fork, exec, exit, a signal) waits until wait() handles it. While a
// Tracker exists, SIGCHLD is blocked in the thread that started it (wait()
// reads it from a signalfd); that thread must make every Tracker call.
//
// VMAs created later (heap growth, mmap, dlopen) are found on each collect
// by re-reading /proc/PID/maps and registered then; the pages they got
// before that are reported in that epoch (private mappings: exactly the
// anonymous pages, i.e. pages that were written; shared mappings: every
// resident page, since a read cannot be told from a write there).
//
// Private VMAs are scanned for resident or swapped anonymous, non-zero
// pages that are not write-protected: reads map the zero page or page-cache
// pages, so no uffd-wp markers are needed and an untouched range costs
// nothing (a terabyte ASan shadow is fine). Shared VMAs need a marker on
// every unpopulated pte (a read fault would otherwise map an unprotected
// page), i.e. page tables for the whole VMA; shared VMAs over 16 GiB are
// therefore not tracked.
//
// Kind::kSoftDirty: clear_refs "4" and pagemap bit 55. Needs
// CONFIG_MEM_SOFT_DIRTY (absent on many kernels, see probe()). Reading the
// bits and clearing them are two steps: a write landing in between is lost.
// clear_refs clears the whole process, not only the tracked ranges.
//
// Limits (both kinds)
// -------------------
// - tid: page tables are per process, so the writing thread is unknown;
//   DirtyPage::tid is set to the pid.
// - Writes are coalesced per epoch: a page written many times between two
//   collect() calls is reported once; time_ns is the collect time, not the
//   write time.
// - Not seen: writes through the kernel on another mm's behalf are seen
//   (they go through the page tables), but DMA and writes into VM_PFNMAP/
//   VM_IO mappings, [vvar], shadow stacks and other VMAs userfaultfd refuses
//   are not. A VMA moved by mremap loses its registration and is re-found as
//   new (all its resident pages reported once).
// - A page discarded (MADV_DONTNEED, munmap+mmap at the same address) counts
//   as written: its content changed.
// - A target that calls UFFDIO_REGISTER itself on memory we track gets
//   EBUSY, and memory it registered first is not tracked.
// - exec: the pages the old image wrote since the previous collect cannot be
//   reported (the old mm is gone by the time the exec stop is reported);
//   the new image is tracked from its first instruction. A process killed by
//   SIGKILL has no stop before its mm goes: its writes since the previous
//   collect are lost too. Neither is silent: wait() reports a kUncollected
//   event for the process (perf-pml writes a PERF_RECORD_LOST_SAMPLES that
//   report prints). Writes of a vfork child (it shares its parent's mm)
//   are reported with the parent's pid.
// - Huge pages: the first write to a protected THP splits it (async
//   uffd-wp), so only the 4 KiB written is reported. A THP that was already
//   populated when its VMA was first seen is reported as one 2 MiB page.
//   hugetlbfs pages larger than 2 MiB are reported with page_size 2 MiB.
#pragma once

#include "pml/result.h"

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace pml::soft {

enum class Kind { kUffd, kSoftDirty };

const char* kind_name(Kind kind);

struct DirtyPage {
  uint64_t addr;       // page-aligned virtual address in the tracked process
  uint64_t page_size;  // 4096, or 2 MiB for a transparent huge page
  uint32_t pid;
  uint32_t tid;        // always == pid: page tables do not record the thread
  uint64_t time_ns;    // CLOCK_MONOTONIC at collect()
  uint64_t epoch;      // the epoch passed to collect()
};

// Errors cross the API as pml::Error values in pml::Result (pml/result.h);
// errnum is the errno value where one applies.

struct Availability {
  bool available = false;
  std::string reason;  // why not, or what was checked
};

// Checks the running kernel by trying the mechanism on a scratch mapping.
Availability probe(Kind kind);

using DirtyPageCallback = std::function<void(const DirtyPage&)>;

// What the tracked tasks did, as perf's FORK, COMM (exec) and EXIT records
// say it. kUncollected: the mm of process `pid` went before its writes
// since the previous collect could be read (it exec'ed, or was killed by
// SIGKILL); how many pages that was is not known. It comes before the
// process's kExec or kExit.
struct TaskEvent {
  enum class Type { kFork, kExec, kExit, kUncollected };
  Type type = Type::kFork;
  uint32_t pid = 0, tid = 0;    // the new, exec'ing or exited task
  uint32_t ppid = 0, ptid = 0;  // fork: the creating task; exit: the parent
  uint64_t time_ns = 0;         // CLOCK_MONOTONIC
  std::string comm;             // exec: the new command name
};
using TaskEventCallback = std::function<void(const TaskEvent&)>;

struct LaunchOptions {
  // Redirections for the child's stdin/stdout/stderr; -1 keeps ours.
  int stdin_fd = -1;
  int stdout_fd = -1;
  int stderr_fd = -1;
};

class ProcessTree;

// Tracks the writes of another process and of the processes it forks.
class Tracker {
 public:
  // Attaches to a running process (all its threads share the tracked mm).
  static Result<std::unique_ptr<Tracker>> start(pid_t pid, Kind kind);
  // Forks and execs argv[0] (PATH search); tracking begins at exec entry.
  static Result<std::unique_ptr<Tracker>> start(const std::vector<std::string>& argv, Kind kind,
                                                const LaunchOptions& options = {});
  ~Tracker();
  Tracker(const Tracker&) = delete;
  Tracker& operator=(const Tracker&) = delete;

  pid_t pid() const;
  Kind kind() const;

  // Handles the tasks' stops for up to timeout_ms (0: only those already
  // reported): forks, execs and exits are passed to `events`; the last pages
  // of an exiting process go to `pages` with `epoch` (the epoch in
  // progress). Returns false once the tracked process (pid()) has exited.
  Result<bool> wait(int timeout_ms, uint64_t epoch, const DirtyPageCallback& pages,
                    const TaskEventCallback& events);

  // Reports every page written since the previous collect (or start) in
  // every tracked process, and re-arms tracking. Returns the number of
  // pages reported.
  Result<size_t> collect(uint64_t epoch, const DirtyPageCallback& callback);

  // Handles stops (ignoring their pages and events) until pid() exits;
  // returns its wait status as the tracer sees it.
  Result<int> wait_exit();

  // Detaches from every task (they run on untraced); a launched child is
  // left running too. Otherwise the destructor kills a launched child that
  // is still running, and detaches from the rest.
  Result<void> detach();

 private:
  explicit Tracker(std::unique_ptr<ProcessTree> impl);
  std::unique_ptr<ProcessTree> impl_;
};

class SelfRanges;

// Tracks this process's own writes to chosen ranges (e.g. a GC heap).
class SelfTracker {
 public:
  // base/len are rounded out to pages; the range must be mapped writable.
  static Result<SelfTracker> track(void* base, size_t len, Kind kind = Kind::kUffd);
  SelfTracker(SelfTracker&&) noexcept;
  SelfTracker& operator=(SelfTracker&&) noexcept;
  ~SelfTracker();

  // Adds another range to the same tracker (same epoch boundaries).
  Result<void> add(void* base, size_t len);

  // Written pages since the last collect (or track), sorted by address;
  // tracking is re-armed in the same step.
  Result<std::vector<DirtyPage>> collect();
  Result<size_t> collect(uint64_t epoch, const DirtyPageCallback& callback);

 private:
  explicit SelfTracker(std::unique_ptr<SelfRanges> impl);
  std::unique_ptr<SelfRanges> impl_;
  uint64_t next_epoch_ = 1;
};

}  // namespace pml::soft
