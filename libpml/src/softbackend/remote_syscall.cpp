#include "remote_syscall.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <string_view>
#include <utility>

#include "errors.h"
#include "proc_maps.h"
#include "pml/unique_fd.h"

#if !defined(__x86_64__)
#error "remote syscall injection is implemented for x86-64 only"
#endif

namespace pml::soft {

namespace {

Result<int> waitStop(pid_t tid) {
  int status = 0;
  for (;;) {
    pid_t r = waitpid(tid, &status, __WALL);
    if (r == tid) break;
    if (r < 0 && errno == EINTR) continue;
    return errnoError("waitpid");
  }
  if (WIFEXITED(status) || WIFSIGNALED(status)) {
    return make_error("target " + std::to_string(tid) + " exited during injection", ESRCH);
  }
  return status;
}

// Searches one executable mapping of the target for the bytes 0f 05.
Result<uint64_t> findSyscallIn(int mem_fd, const Vma& vma) {
  const uint64_t len = std::min<uint64_t>(vma.end - vma.start, 1 << 20);
  std::string bytes(len, '\0');
  ssize_t n = pread(mem_fd, bytes.data(), len, off_t(vma.start));
  if (n < 2) return make_error("cannot read target text", EIO);
  size_t pos = std::string_view(bytes.data(), size_t(n)).find("\x0f\x05");
  if (pos == std::string_view::npos) return make_error("no syscall instruction", ENOENT);
  return vma.start + pos;
}

}  // namespace

Result<PtraceStoppedThread> PtraceStoppedThread::seize(pid_t tid) {
  if (ptrace(PTRACE_SEIZE, tid, nullptr, nullptr) != 0) {
    return errnoError("PTRACE_SEIZE " + std::to_string(tid));
  }
  PtraceStoppedThread thread(tid);
  thread.attached_ = true;
  if (ptrace(PTRACE_INTERRUPT, tid, nullptr, nullptr) != 0) return errnoError("PTRACE_INTERRUPT");
  auto status = waitStop(tid);
  if (!status) return status.error();
  // A signal may have been pending: that stop serves us as well, but the
  // signal must reach the target later.
  if ((*status >> 16) == 0 && WSTOPSIG(*status) != SIGTRAP) {
    thread.pending_signals_.push_back(WSTOPSIG(*status));
  }
  return thread;
}

PtraceStoppedThread PtraceStoppedThread::adoptStopped(pid_t tid) {
  PtraceStoppedThread thread(tid);
  thread.attached_ = true;
  return thread;
}

PtraceStoppedThread::PtraceStoppedThread(PtraceStoppedThread&& other) noexcept
    : tid_(other.tid_),
      attached_(std::exchange(other.attached_, false)),
      syscall_insn_(other.syscall_insn_),
      pending_signals_(std::move(other.pending_signals_)) {}

PtraceStoppedThread::~PtraceStoppedThread() {
  if (attached_) (void)detach();
}

Result<uint64_t> PtraceStoppedThread::findSyscallInstruction() {
  if (syscall_insn_ != 0) return syscall_insn_;
  auto vmas = readProcMaps(tid_);
  if (!vmas) return vmas.error();
  std::string mem_path = "/proc/" + std::to_string(tid_) + "/mem";
  UniqueFd mem(open(mem_path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!mem.valid()) return errnoError("open " + mem_path);
  // The vDSO first: it is always there, even at exec entry, and its
  // syscall fallback paths contain the instruction.
  for (int pass = 0; pass < 2; ++pass) {
    for (const Vma& vma : *vmas) {
      bool wanted = pass == 0 ? vma.path == "[vdso]" : (vma.executable && vma.path != "[vdso]");
      if (!wanted) continue;
      auto addr = findSyscallIn(mem.get(), vma);
      if (addr) return syscall_insn_ = *addr;
    }
  }
  return make_error("no syscall instruction found in the target's executable mappings", ENOENT);
}

Status PtraceStoppedThread::stepOnce() {
  for (;;) {
    if (ptrace(PTRACE_SINGLESTEP, tid_, nullptr, nullptr) != 0) return errnoError("PTRACE_SINGLESTEP");
    auto status = waitStop(tid_);
    if (!status) return status.error();
    int sig = WSTOPSIG(*status);
    if ((*status >> 16) != 0) continue;  // PTRACE_EVENT_STOP (a late interrupt): step again
    if (sig == SIGTRAP) return {};
    // A signal arrived before the instruction ran: keep it for later and
    // retry; the registers still point at the syscall.
    pending_signals_.push_back(sig);
  }
}

Result<long> PtraceStoppedThread::syscall(long nr, std::initializer_list<uint64_t> args) {
  auto insn = findSyscallInstruction();
  if (!insn) return insn.error();
  user_regs_struct saved;
  if (ptrace(PTRACE_GETREGS, tid_, nullptr, &saved) != 0) return errnoError("PTRACE_GETREGS");
  user_regs_struct regs = saved;
  unsigned long long* arg_regs[] = {&regs.rdi, &regs.rsi, &regs.rdx, &regs.r10, &regs.r8, &regs.r9};
  size_t i = 0;
  for (uint64_t arg : args) {
    if (i == 6) return make_error("too many syscall arguments", EINVAL);
    *arg_regs[i++] = arg;
  }
  regs.rax = uint64_t(nr);
  regs.rip = *insn;
  // -1: not inside a syscall, so the kernel does not apply its restart
  // logic to our registers when the thread resumes.
  regs.orig_rax = ~0ull;
  if (ptrace(PTRACE_SETREGS, tid_, nullptr, &regs) != 0) return errnoError("PTRACE_SETREGS");
  Status stepped = stepOnce();
  user_regs_struct after;
  bool have_result = stepped.ok() && ptrace(PTRACE_GETREGS, tid_, nullptr, &after) == 0;
  int get_errno = errno;
  if (ptrace(PTRACE_SETREGS, tid_, nullptr, &saved) != 0) return errnoError("PTRACE_SETREGS(restore)");
  if (!stepped) return stepped.error();
  if (!have_result) return errnoError(get_errno, "PTRACE_GETREGS(result)");
  if (after.rip != *insn + 2) return make_error("injected syscall did not complete", EIO);
  return long(after.rax);
}

Status PtraceStoppedThread::detach(bool leave_stopped) {
  if (!attached_) return {};
  attached_ = false;
  int first = leave_stopped ? SIGSTOP : 0;
  size_t redeliver_from = 0;
  if (!leave_stopped && !pending_signals_.empty()) {
    first = pending_signals_[0];
    redeliver_from = 1;
  }
  if (ptrace(PTRACE_DETACH, tid_, nullptr, reinterpret_cast<void*>(long(first))) != 0) {
    return errnoError("PTRACE_DETACH");
  }
  // kill() on a thread id signals that thread's whole process, as the
  // original signals (we cannot tell thread-directed ones apart) mostly were.
  for (size_t i = redeliver_from; i < pending_signals_.size(); ++i) {
    kill(tid_, pending_signals_[i]);
  }
  return {};
}

}  // namespace pml::soft
