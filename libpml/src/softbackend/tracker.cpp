// pml::soft::Tracker: attach or launch, then follow the process tree
// (process_tree) with a RemoteTracker per mm.
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

#include "child_launcher.h"
#include "pml/softbackend.h"
#include "process_tree.h"
#include "remote_syscall.h"

namespace pml::soft {

const char* kind_name(Kind kind) { return kind == Kind::kUffd ? "uffd" : "soft-dirty"; }

Result<std::unique_ptr<Tracker>> Tracker::start(pid_t pid, Kind kind) {
  if (ptrace(PTRACE_SEIZE, pid, nullptr, reinterpret_cast<void*>(long(trace_options()))) != 0) {
    return errno_error("PTRACE_SEIZE " + std::to_string(pid));
  }
  if (ptrace(PTRACE_INTERRUPT, pid, nullptr, nullptr) != 0) {
    Error e = errno_error("PTRACE_INTERRUPT");
    ptrace(PTRACE_DETACH, pid, nullptr, nullptr);
    return e;
  }
  // Wait for the interrupt trap; a signal that came first is kept and
  // delivered when the tree resumes the thread.
  int pending = 0;
  for (;;) {
    auto status = wait_for_stop(pid);
    if (!status) return status.error();
    if ((*status >> 16) == PTRACE_EVENT_STOP) break;
    if ((*status >> 16) == 0) pending = WSTOPSIG(*status);
    ptrace(PTRACE_CONT, pid, nullptr, nullptr);
  }
  auto tree = ProcessTree::start(pid, kind, /*launched=*/false);
  if (!tree) {
    ptrace(PTRACE_DETACH, pid, nullptr, reinterpret_cast<void*>(long(pending)));
    return tree.error();
  }
  if (pending) kill(pid, pending);
  return std::unique_ptr<Tracker>(new Tracker(std::move(*tree)));
}

Result<std::unique_ptr<Tracker>> Tracker::start(const std::vector<std::string>& argv, Kind kind,
                                                const LaunchOptions& options) {
  auto pid = launch_stopped_at_exec(argv, options);
  if (!pid) return pid.error();
  auto tree = ProcessTree::start(*pid, kind, /*launched=*/true);
  if (!tree) {
    // Do not let an untracked child run: kill it while still traced.
    kill(*pid, SIGKILL);
    int status;
    while (waitpid(*pid, &status, __WALL) < 0 && errno == EINTR) {
    }
    return tree.error();
  }
  return std::unique_ptr<Tracker>(new Tracker(std::move(*tree)));
}

Tracker::Tracker(std::unique_ptr<ProcessTree> impl) : impl_(std::move(impl)) {}
Tracker::~Tracker() = default;

pid_t Tracker::pid() const { return impl_->pid(); }
Kind Tracker::kind() const { return impl_->kind(); }

Result<bool> Tracker::wait(int timeout_ms, uint64_t epoch, const DirtyPageCallback& pages,
                           const TaskEventCallback& events) {
  return impl_->wait(timeout_ms, epoch, pages, events);
}

Result<size_t> Tracker::collect(uint64_t epoch, const DirtyPageCallback& callback) {
  return impl_->collect(epoch, callback);
}

Result<int> Tracker::wait_exit() { return impl_->wait_exit(); }

Result<void> Tracker::detach() { return impl_->stop_tracing(); }

}  // namespace pml::soft
