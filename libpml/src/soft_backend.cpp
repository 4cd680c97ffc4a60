// Backend on software dirty tracking (libpml/src/softbackend): collects the
// written pages once per epoch and turns them into pml-shaped samples.
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backend_impl.h"
#include "pml/perf_abi.h"
#include "pml/synthesize.h"

#ifdef PML_HAVE_SOFTBACKEND
#include "pml/softbackend.h"
#endif

namespace pml {

#ifdef PML_HAVE_SOFTBACKEND
namespace {

class SoftBackend : public Backend {
 public:
  SoftBackend(BackendKind kind, BackendConfig config) : kind_(kind), config_(config) {
    events_ = {soft_event_info(config.epoch_ms)};
  }
  BackendKind kind() const override { return kind_; }
  const std::vector<EventInfo>& events() const override { return events_; }
  pid_t pid() const override { return pid_; }
  BackendStats stats() const override { return stats_; }

  Result<void> start(const RecordTarget& target) override {
    soft::Kind k = kind_ == BackendKind::kUffd ? soft::Kind::Uffd : soft::Kind::SoftDirty;
    auto t = target.argv.empty() ? soft::Tracker::start(target.pid, k)
                                 : soft::Tracker::start(target.argv, k);
    if (!t.ok()) return t.error();
    tracker_ = std::move(t.value());
    pid_ = tracker_->pid();
    launched_ = !target.argv.empty();
    return {};
  }

  Result<int> run(RecordSink& sink, const std::atomic<bool>& stop) override {
    MapsWatcher maps(pid_);
    exe_ = read_exe();
    uint64_t now = monotonic_ns();
    auto comms = read_proc_comms(pid_, now);
    if (comms.ok())
      for (auto& c : *comms)
        if (auto r = sink.on_record(c, {}); !r) return r.error();
    int pidfd = int(syscall(SYS_pidfd_open, pid_, 0));
    auto exited_now = [&] {
      pollfd p{pidfd, POLLIN, 0};
      return pidfd >= 0 && poll(&p, 1, 0) == 1;
    };
    Result<void> sink_error;
    uint64_t epoch = 0;
    auto one_epoch = [&]() -> bool {
      uint64_t t = monotonic_ns();
      // New mappings first, so every sample's address has a mapping.
      auto fresh = maps.poll(t);
      if (fresh.ok())
        for (auto& m : *fresh)
          if (sink_error.ok()) sink_error = sink.on_record(m, {});
      auto got = tracker_->collect(epoch, [&](const soft::DirtyPage& p) {
        if (!sink_error.ok()) return;
        Sample s;
        s.sample_type = events_[0].attr.sample_type;
        s.id = 1;
        s.pid = p.pid;
        s.tid = p.tid;
        s.time = p.time_ns;
        s.addr = p.addr;
        s.period = 1;
        s.data_src = abi::kDataSrcStore;
        s.data_page_size = p.page_size;
        s.has_pml_raw = true;
        s.epoch = p.epoch;
        ++stats_.samples;
        sink_error = sink.on_record(s, {});
      });
      ++epoch;
      stats_.epochs = epoch;
      // The tracker stays bound to the first image's mm; a second exec
      // (wrapper scripts) would silently yield nothing from then on. An
      // exiting task drops its mm (no exe link, ESRCH from the scan) before
      // its pidfd turns readable, so only a task that still has an image
      // can have exec'ed.
      bool lost_mm = !got.ok() && got.error().errnum == ESRCH;
      std::string exe_now = read_exe();
      if (!exe_.empty() && !exe_now.empty() && (exe_now != exe_ || lost_mm) && !exited_now()) {
        if (collect_error_.ok())
          collect_error_ = make_error(
              "tracking stopped early: process " + std::to_string(pid_) +
                  " exec'ed a second time (now " + exe_now +
                  "; a wrapper script?); the software backend follows only the first "
                  "exec, run the program itself",
              ESRCH);
        return false;
      }
      if (!got.ok() && !lost_mm && collect_error_.ok()) collect_error_ = got.error();
      return got.ok();
    };
    bool exited = false;
    while (!exited && sink_error.ok()) {
      pollfd pfd{pidfd, POLLIN, 0};
      int n = poll(&pfd, pidfd >= 0 ? 1 : 0, int(config_.epoch_ms ? config_.epoch_ms : 100));
      if (n > 0 && (pfd.revents & POLLIN)) exited = true;
      if (!exited && !one_epoch()) exited = true;  // target gone (ESRCH) or exec'ed again
      // Like perf record: on Ctrl-C stop recording; a launched command that
      // is still running (e.g. it ignores SIGINT) gets SIGTERM.
      if (stop.load()) {
        if (launched_) kill(pid_, SIGTERM);
        break;
      }
    }
    if (pidfd >= 0) close(pidfd);
    Task exit;
    exit.is_exit = true;
    exit.pid = exit.tid = uint32_t(pid_);
    exit.time = monotonic_ns();
    exit.sid = {exit.pid, exit.tid, exit.time, 1, 0};
    if (sink_error.ok()) sink_error = sink.on_record(exit, {});
    int status = 0;
    if (launched_) {
      auto w = tracker_->waitExit();
      if (w.ok()) status = *w;
    }
    if (!sink_error.ok()) return sink_error.error();
    if (!collect_error_.ok()) return collect_error_.error();
    return status;
  }

 private:
  BackendKind kind_;
  BackendConfig config_;
  std::vector<EventInfo> events_;
  std::unique_ptr<soft::Tracker> tracker_;
  pid_t pid_ = 0;
  bool launched_ = false;
  BackendStats stats_;
  Result<void> collect_error_;
  std::string exe_;

  std::string read_exe() const {
    char buf[4096];
    std::string link = "/proc/" + std::to_string(pid_) + "/exe";
    ssize_t n = readlink(link.c_str(), buf, sizeof buf - 1);
    return n > 0 ? std::string(buf, size_t(n)) : std::string();
  }
};

}  // namespace

std::unique_ptr<Backend> make_soft_backend(BackendKind kind, const BackendConfig& config) {
  return std::make_unique<SoftBackend>(kind, config);
}
#else
std::unique_ptr<Backend> make_soft_backend(BackendKind, const BackendConfig&) { return nullptr; }
#endif

}  // namespace pml
