#include "remote_syscall.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <string_view>

#include "proc_maps.h"
#include "pml/unique_fd.h"

#if !defined(__x86_64__)
#error "remote syscall injection is implemented for x86-64 only"
#endif

namespace pml::soft {

namespace {

constexpr int kSyscallStop = SIGTRAP | 0x80;  // PTRACE_O_TRACESYSGOOD

// Searches one executable mapping of the target for the bytes 0f 05.
Result<uint64_t> find_syscall_in(int mem_fd, const Vma& vma) {
  const uint64_t len = std::min<uint64_t>(vma.end - vma.start, 1 << 20);
  std::string bytes(len, '\0');
  ssize_t n = pread(mem_fd, bytes.data(), len, off_t(vma.start));
  if (n < 2) return make_error("cannot read target text", EIO);
  size_t pos = std::string_view(bytes.data(), size_t(n)).find("\x0f\x05");
  if (pos == std::string_view::npos) return make_error("no syscall instruction", ENOENT);
  return vma.start + pos;
}

int event_of(int status) { return status >> 16; }

}  // namespace

Result<int> wait_for_stop(pid_t tid) {
  int status = 0;
  for (;;) {
    pid_t r = waitpid(tid, &status, __WALL);
    if (r == tid) break;
    if (r < 0 && errno == EINTR) continue;
    return errno_error("waitpid");
  }
  if (WIFEXITED(status) || WIFSIGNALED(status)) {
    return make_error("target " + std::to_string(tid) + " exited during injection", ESRCH);
  }
  return status;
}

Result<uint64_t> RemoteSyscalls::find_syscall_instruction() {
  if (syscall_insn_ != 0) return syscall_insn_;
  auto vmas = read_vmas(tid_);
  if (!vmas) return vmas.error();
  std::string mem_path = "/proc/" + std::to_string(tid_) + "/mem";
  UniqueFd mem(open(mem_path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!mem.valid()) return errno_error("open " + mem_path);
  // The vDSO first: it is always there, even at exec entry, and its
  // syscall fallback paths contain the instruction.
  for (int pass = 0; pass < 2; ++pass) {
    for (const Vma& vma : *vmas) {
      bool wanted = pass == 0 ? vma.path == "[vdso]" : (vma.executable && vma.path != "[vdso]");
      if (!wanted) continue;
      auto addr = find_syscall_in(mem.get(), vma);
      if (addr) return syscall_insn_ = *addr;
    }
  }
  return make_error("no syscall instruction found in the target's executable mappings", ENOENT);
}

Result<void> RemoteSyscalls::run_to_interrupt_stop() {
  // The trap is taken in the kernel's signal path, before the thread
  // returns to user mode, whatever stop it is in now.
  if (ptrace(PTRACE_INTERRUPT, tid_, nullptr, nullptr) != 0) return errno_error("PTRACE_INTERRUPT");
  for (;;) {
    if (ptrace(PTRACE_CONT, tid_, nullptr, nullptr) != 0) return errno_error("PTRACE_CONT");
    auto status = wait_for_stop(tid_);
    if (!status) return status.error();
    if (event_of(*status) == PTRACE_EVENT_STOP) return {};
    if (event_of(*status) == 0 && WSTOPSIG(*status) != kSyscallStop) {
      pending_signals_.push_back(WSTOPSIG(*status));  // delivered later
    }
  }
}

Result<void> RemoteSyscalls::run_to_syscall_stop() {
  for (;;) {
    if (ptrace(PTRACE_SYSCALL, tid_, nullptr, nullptr) != 0) return errno_error("PTRACE_SYSCALL");
    auto status = wait_for_stop(tid_);
    if (!status) return status.error();
    if (event_of(*status) != 0) continue;  // a late interrupt trap: go on
    int sig = WSTOPSIG(*status);
    if (sig == kSyscallStop) return {};
    // A signal arrived before the instruction ran: keep it for later; the
    // registers still point at the syscall instruction.
    pending_signals_.push_back(sig);
  }
}

Result<long> RemoteSyscalls::syscall(long nr, std::initializer_list<uint64_t> args) {
  auto insn = find_syscall_instruction();
  if (!insn) return insn.error();
  if (!saved_valid_) {
    // Start from a stop in the signal path: there an interrupted system
    // call of the target has its restart pending, and no syscall-exit stop
    // of it comes first (as one would from an exec or fork event stop).
    Result<void> moved = run_to_interrupt_stop();
    if (!moved) return moved.error();
    if (ptrace(PTRACE_GETREGS, tid_, nullptr, &saved_) != 0) return errno_error("PTRACE_GETREGS");
    saved_valid_ = true;
  }
  user_regs_struct regs = saved_;
  unsigned long long* arg_regs[] = {&regs.rdi, &regs.rsi, &regs.rdx, &regs.r10, &regs.r8, &regs.r9};
  size_t i = 0;
  for (uint64_t arg : args) {
    if (i == 6) return make_error("too many syscall arguments", EINVAL);
    *arg_regs[i++] = arg;
  }
  regs.rax = uint64_t(nr);
  regs.rip = *insn;
  // -1: not inside a syscall, so the kernel applies no restart logic to
  // these registers on the way back to user mode.
  regs.orig_rax = ~0ull;
  if (ptrace(PTRACE_SETREGS, tid_, nullptr, &regs) != 0) return errno_error("PTRACE_SETREGS");

  Result<void> entered = run_to_syscall_stop();
  if (!entered) return entered.error();
  __ptrace_syscall_info info{};
  if (ptrace(PTRACE_GET_SYSCALL_INFO, tid_, sizeof info, &info) <= 0) {
    return errno_error("PTRACE_GET_SYSCALL_INFO");
  }
  if (info.op != PTRACE_SYSCALL_INFO_ENTRY || long(info.entry.nr) != nr ||
      info.instruction_pointer != *insn + 2) {
    return make_error("injected syscall did not start where expected", EIO);
  }
  Result<void> exited = run_to_syscall_stop();
  if (!exited) return exited.error();
  user_regs_struct after;
  if (ptrace(PTRACE_GETREGS, tid_, nullptr, &after) != 0) return errno_error("PTRACE_GETREGS(result)");
  if (after.rip != *insn + 2) return make_error("injected syscall did not complete", EIO);
  return long(after.rax);
}

Result<void> RemoteSyscalls::restore() {
  if (!saved_valid_) return {};
  Result<void> moved = run_to_interrupt_stop();
  if (!moved) return moved.error();
  if (ptrace(PTRACE_SETREGS, tid_, nullptr, &saved_) != 0) return errno_error("PTRACE_SETREGS(restore)");
  saved_valid_ = false;
  return {};
}

}  // namespace pml::soft
