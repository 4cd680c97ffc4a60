// The implementation behind pml::soft::Tracker: every task of the tracked
// process and of its descendants stays ptrace-seized, so that
//  - a new process (fork, vfork, clone without CLONE_VM) gets its own
//    RemoteTracker, armed at its first stop, before it runs an instruction;
//    a new thread, or a process sharing the mm (vfork), uses its creator's;
//  - an exec gets a new RemoteTracker for the new mm (the old one is gone,
//    and with it what the old image wrote since the previous collect: a
//    kUncollected event says so, as it does for a process killed by SIGKILL);
//  - a process's last pages are collected while its mm still exists: at the
//    PTRACE_EVENT_EXIT stop of exit_group() or of its last thread, or at
//    the signal-delivery stop of a signal that will kill it.
// Nothing else stops the tasks: no syscall tracing.
#pragma once

#include <signal.h>
#include <stdint.h>
#include <sys/types.h>

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "pml/softbackend.h"
#include "pml/unique_fd.h"
#include "remote_tracker.h"

namespace pml::soft {

// Options every tracee gets (auto-attached children inherit them).
int trace_options();

class ProcessTree {
 public:
  // `pid` is seized with trace_options() and in a ptrace stop. For a
  // launched child (`launched`), the stop is its exec event; it is killed if
  // tracking cannot be armed, and when the tree is destroyed.
  static Result<std::unique_ptr<ProcessTree>> start(pid_t pid, Kind kind, bool launched);
  ~ProcessTree();

  pid_t pid() const { return main_pid_; }
  Kind kind() const { return kind_; }

  Result<bool> wait(int timeout_ms, uint64_t epoch, const DirtyPageCallback& pages,
                    const TaskEventCallback& events);
  Result<size_t> collect(uint64_t epoch, const DirtyPageCallback& callback);
  Result<int> wait_exit();
  Result<void> stop_tracing();

 private:
  struct Task {
    pid_t tgid = 0;
    bool fresh = false;        // awaiting its first stop (auto-attached)
    bool arm_at_first = false; // ... where its new mm gets a tracker
    bool exiting = false;      // past its PTRACE_EVENT_EXIT stop (a zombie leader)
  };
  struct Process {
    pid_t ppid = 0;
    std::set<pid_t> tids;
    std::shared_ptr<RemoteTracker> mm;  // null: not armed, or collected for good
    bool mm_gone = false;  // a collect found the mm gone (exec, SIGKILL) before wait() did
  };

  ProcessTree(pid_t pid, Kind kind, bool launched) : main_pid_(pid), kind_(kind), launched_(launched) {}
  Result<void> open_sigchld();
  // Arms a tracker for the current mm of `tgid`, whose thread `tid` is in
  // a ptrace stop, and resumes that thread.
  Result<void> arm_and_resume(pid_t tgid, pid_t tid, int signal = 0);
  Result<void> handle(pid_t tid, int status, uint64_t epoch, const DirtyPageCallback& pages,
                const TaskEventCallback& events);
  void on_new_task(pid_t parent_tid, int event, const TaskEventCallback& events);
  Result<void> on_exec(pid_t tid, const TaskEventCallback& events);
  void on_gone(pid_t tid, int status, const TaskEventCallback& events);
  // The last collection of a process's mm, unless another process shares it.
  // `tid` is the task at its exit (or fatal signal) stop.
  Result<void> collect_final(pid_t tgid, pid_t tid, bool whole_process, uint64_t epoch,
                       const DirtyPageCallback& pages, const TaskEventCallback& events);
  // Forgets the tracker of a process whose mm went without a last collect;
  // unless another process shares that mm, says so (kUncollected).
  void drop_uncollected(pid_t tgid, const TaskEventCallback& events);
  bool mm_shared_with_others(pid_t tgid) const;
  void resume(pid_t tid, int signal);
  // Takes and handles one report of `tid`, if it has one.
  Result<bool> handle_one(pid_t tid, uint64_t epoch, const DirtyPageCallback& pages,
                          const TaskEventCallback& events);
  // Handles what the tasks reported; true if any did.
  Result<bool> poll_tasks(uint64_t epoch, const DirtyPageCallback& pages,
                          const TaskEventCallback& events);

  pid_t main_pid_;
  Kind kind_;
  bool launched_;
  std::optional<int> main_status_;
  std::map<pid_t, Task> tasks_;
  std::map<pid_t, Process> processes_;
  UniqueFd sigchld_;
  sigset_t old_mask_{};
  bool mask_changed_ = false;
};

}  // namespace pml::soft
