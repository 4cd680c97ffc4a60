// pml::soft::Tracker: attach or launch, then arm tracking (remote_tracker).
#include <signal.h>
#include <sys/wait.h>

#include "child_launcher.h"
#include "pml/softbackend.h"
#include "remote_syscall.h"
#include "remote_tracker.h"

namespace pml::soft {

const char* kindName(Kind kind) { return kind == Kind::Uffd ? "uffd" : "soft-dirty"; }

Result<std::unique_ptr<Tracker>> Tracker::start(pid_t pid, Kind kind) {
  if (kind == Kind::SoftDirty) {  // no code runs in the target: no ptrace
    auto armed = RemoteTracker::arm(pid, kind, nullptr);
    if (!armed) return armed.error();
    return std::unique_ptr<Tracker>(new Tracker(std::move(*armed)));
  }
  auto stopped = PtraceStoppedThread::seize(pid);
  if (!stopped) return stopped.error();
  auto armed = RemoteTracker::arm(pid, kind, &*stopped);
  Status detached = stopped->detach();
  if (!armed) return armed.error();
  if (!detached) return detached.error();
  return std::unique_ptr<Tracker>(new Tracker(std::move(*armed)));
}

Result<std::unique_ptr<Tracker>> Tracker::start(const std::vector<std::string>& argv, Kind kind,
                                                const LaunchOptions& options) {
  auto pid = launchStoppedAtExec(argv, options);
  if (!pid) return pid.error();
  auto stopped = PtraceStoppedThread::adoptStopped(*pid);
  auto armed = RemoteTracker::arm(*pid, kind, &stopped);
  if (!armed) {
    // Do not let an untracked child run: kill it while still traced.
    kill(*pid, SIGKILL);
    int status;
    while (waitpid(*pid, &status, 0) < 0 && errno == EINTR) {
    }
    return armed.error();
  }
  (*armed)->setLaunchedChild();  // from here the destructor reaps it
  Status detached = stopped.detach(options.stopped);
  if (!detached) return detached.error();
  return std::unique_ptr<Tracker>(new Tracker(std::move(*armed)));
}

Tracker::Tracker(std::unique_ptr<RemoteTracker> impl) : impl_(std::move(impl)) {}
Tracker::~Tracker() = default;

pid_t Tracker::pid() const { return impl_->pid(); }
Kind Tracker::kind() const { return impl_->kind(); }

Result<size_t> Tracker::collect(uint64_t epoch, const DirtyPageCallback& callback) {
  return impl_->collect(epoch, callback);
}

Result<int> Tracker::waitExit() { return impl_->waitExit(); }

}  // namespace pml::soft
