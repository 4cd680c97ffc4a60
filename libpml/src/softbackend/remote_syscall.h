// Runs system calls inside another process through ptrace (x86-64).
//
// The thread, seized by us and in a ptrace stop, is pointed at a `syscall`
// instruction that already exists in the target (found in the vDSO, else in
// any executable mapping) and resumed with PTRACE_SYSCALL: it stops at the
// system call's entry, is resumed with PTRACE_SYSCALL again and stops at its
// exit, where the result is read from rax. Nothing is single-stepped (on
// emulators such as Bochs, single-stepping SYSCALL raises a #DB inside the
// kernel's entry code that the kernel warns about) and nothing is written
// into the target's code, so its other threads, which keep running, never
// see patched text.
//
// restore() puts the thread's registers back in a PTRACE_EVENT_STOP (a
// PTRACE_INTERRUPT trap), i.e. inside the kernel's signal path, so that a
// system call of the target that the stop interrupted restarts as it would
// after a signal.
#pragma once

#include <stdint.h>
#include <sys/types.h>
#include <sys/user.h>

#include <initializer_list>
#include <vector>

#include "pml/softbackend.h"

namespace pml::soft {

class RemoteSyscalls {
 public:
  // tid is a thread we seized (PTRACE_SEIZE), now in a ptrace stop.
  explicit RemoteSyscalls(pid_t tid) : tid_(tid) {}
  RemoteSyscalls(const RemoteSyscalls&) = delete;
  RemoteSyscalls& operator=(const RemoteSyscalls&) = delete;

  // Returns the raw result: >= 0, or -errno from the target's kernel call.
  Result<long> syscall(long nr, std::initializer_list<uint64_t> args);

  // Puts back the registers the thread had before the first syscall(); the
  // thread is in a ptrace stop again afterwards. A no-op without syscall().
  Result<void> restore();

  // Signals that reached the thread while we ran it: the caller delivers
  // them when it resumes the thread.
  const std::vector<int>& pending_signals() const { return pending_signals_; }

  pid_t tid() const { return tid_; }

 private:
  Result<uint64_t> find_syscall_instruction();
  // Resumes with PTRACE_SYSCALL until the next syscall stop; signals that
  // arrive are kept for later, other stops absorbed.
  Result<void> run_to_syscall_stop();
  // Resumes until the PTRACE_INTERRUPT trap.
  Result<void> run_to_interrupt_stop();

  pid_t tid_;
  bool saved_valid_ = false;
  user_regs_struct saved_{};
  uint64_t syscall_insn_ = 0;
  std::vector<int> pending_signals_;
};

// waitpid(tid, __WALL) that retries on EINTR and fails with ESRCH when the
// thread is gone.
Result<int> wait_for_stop(pid_t tid);

}  // namespace pml::soft
