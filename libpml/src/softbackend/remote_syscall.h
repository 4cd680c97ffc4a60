// Runs system calls inside another process through ptrace (x86-64).
//
// The thread is pointed at a `syscall` instruction that already exists in
// the target (found in the vDSO, else in any executable mapping) and
// single-stepped over it; nothing is written into the target's code, so the
// process's other threads, which keep running, are never exposed to patched
// text. The thread's registers are restored afterwards, and an interrupted
// system call of the target restarts as it would after a signal.
#pragma once

#include <stdint.h>
#include <sys/types.h>

#include <initializer_list>
#include <vector>

#include "pml/softbackend.h"

namespace pml::soft {

class PtraceStoppedThread {
 public:
  // PTRACE_SEIZE + PTRACE_INTERRUPT: stops a running thread (not our child).
  static Result<PtraceStoppedThread> seize(pid_t tid);
  // A tracee of ours (PTRACE_TRACEME child) already in a ptrace stop.
  static PtraceStoppedThread adoptStopped(pid_t tid);

  PtraceStoppedThread(PtraceStoppedThread&& other) noexcept;
  PtraceStoppedThread& operator=(PtraceStoppedThread&&) = delete;
  ~PtraceStoppedThread();  // detaches if detach() was not called

  // Returns the raw result: >= 0, or -errno from the target's kernel call.
  Result<long> syscall(long nr, std::initializer_list<uint64_t> args);

  // Lets the thread run again (or stay in a SIGSTOP stop), untraced; signals
  // that arrived while we held it are delivered.
  Status detach(bool leave_stopped = false);

  pid_t tid() const { return tid_; }

 private:
  explicit PtraceStoppedThread(pid_t tid) : tid_(tid) {}
  Result<uint64_t> findSyscallInstruction();
  // Single-steps until the step trap; other stops are absorbed.
  Status stepOnce();

  pid_t tid_ = -1;
  bool attached_ = false;
  uint64_t syscall_insn_ = 0;
  std::vector<int> pending_signals_;
};

}  // namespace pml::soft
