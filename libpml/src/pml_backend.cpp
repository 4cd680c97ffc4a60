// Backend on the pml PMU: the kernel logs pages; we copy its records.
#include <dirent.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <optional>

#include "backend_impl.h"
#include "pml/synthesize.h"
#include "record_decoder.h"

namespace pml {

namespace {

class PmlBackend : public Backend {
 public:
  PmlBackend(PmuInfo pmu, BackendConfig config) : pmu_(std::move(pmu)), config_(config) {}
  BackendKind kind() const override { return BackendKind::kPml; }
  const std::vector<EventInfo>& events() const override { return events_; }
  pid_t pid() const override { return pid_; }
  BackendStats stats() const override { return stats_; }

  Result<void> start(const RecordTarget& target) override {
    PmlEventOptions o;
    o.epoch_ms = config_.epoch_ms;
    if (!target.argv.empty()) {
      auto child = PendingChild::fork_exec(target.argv);
      if (!child.ok()) return child.error();
      child_.emplace(std::move(child.value()));
      pid_ = child_->pid();
      o.pid = pid_;
      o.enable_on_exec = true;
      if (auto r = open_on(o); !r) return r;
    } else {
      pid_ = target.pid;
      // One event per existing thread, all writing into the first's buffer.
      std::vector<pid_t> tids = threads_of(pid_);
      if (tids.empty()) return make_error("no process " + std::to_string(pid_), ESRCH);
      for (pid_t tid : tids) {
        o.pid = tid;
        if (auto r = open_on(o); !r) return r;
      }
      attached_ = true;
    }
    EventInfo info;
    info.name = "pml/epoch=" + std::to_string(config_.epoch_ms) + "/";
    info.attr = events_open_[0].attr();
    for (auto& e : events_open_) info.ids.push_back(e.id());
    events_ = {info};
    decoder_ = RecordDecoder(events_);
    return {};
  }

  Result<int> run(RecordSink& sink, const std::atomic<bool>& stop) override {
    uint64_t now = monotonic_ns();
    if (attached_) {
      // The kernel logs only what happens from now on: describe the past.
      auto comms = read_proc_comms(pid_, now);
      if (comms.ok())
        for (auto& c : *comms)
          if (auto r = sink.on_record(c, {}); !r) return r.error();
      auto maps = read_proc_maps(pid_, now);
      if (maps.ok())
        for (auto& m : *maps)
          if (auto r = sink.on_record(m, {}); !r) return r.error();
    } else {
      if (auto r = child_->go(); !r) return r.error();
    }
    int pidfd = int(syscall(SYS_pidfd_open, pid_, 0));
    int status = 0;
    Result<void> sink_error;
    auto drain = [&] {
      ring_->drain([&](std::span<const std::byte> raw) {
        if (!sink_error.ok()) return;
        perf_event_header h;
        std::memcpy(&h, raw.data(), sizeof h);
        Record rec;
        auto st = decoder_.decode(h.type, h.misc, raw.subspan(sizeof h), rec);
        if (st != DecodeStatus::kOk) {
          sink_error = sink.on_record(Lost{}, raw);  // undecodable: keep the bytes anyway
          return;
        }
        if (std::holds_alternative<Sample>(rec)) ++stats_.samples;
        if (auto* l = std::get_if<Lost>(&rec)) stats_.lost += l->lost;
        sink_error = sink.on_record(rec, raw);
      });
    };
    bool exited = false;
    while (!exited) {
      pollfd fds[2] = {{events_open_[0].fd(), POLLIN, 0}, {pidfd, POLLIN, 0}};
      int n = poll(fds, pidfd >= 0 ? 2 : 1, 100);
      if (n < 0 && errno != EINTR) break;
      drain();
      if (!sink_error.ok()) break;
      if (stop.load()) {
        if (child_) kill(pid_, SIGINT);
        else break;
      }
      if (pidfd >= 0 && (fds[1].revents & POLLIN)) exited = true;
      if (pidfd < 0 && kill(pid_, 0) != 0) exited = true;
    }
    if (child_) {
      while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
      }
    }
    for (auto& e : events_open_) {
      auto c = e.count();
      if (c.ok()) stats_.kernel_count += *c;
      (void)e.disable();
    }
    drain();
    if (pidfd >= 0) close(pidfd);
    if (!sink_error.ok()) return sink_error.error();
    return status;
  }

 private:
  Result<void> open_on(const PmlEventOptions& o) {
    auto ev = PmlEvent::open(pmu_, o);
    if (!ev.ok()) return ev.error();
    if (events_open_.empty()) {
      auto rb = RingBuffer::map(ev->fd(), config_.ring_pages);
      if (!rb.ok()) return rb.error();
      ring_.emplace(std::move(rb.value()));
    } else if (auto r = ev->redirect_output_to(events_open_[0]); !r) {
      return r;
    }
    events_open_.push_back(std::move(ev.value()));
    return {};
  }

  static std::vector<pid_t> threads_of(pid_t pid) {
    std::vector<pid_t> out;
    std::string dir = "/proc/" + std::to_string(pid) + "/task";
    if (DIR* d = opendir(dir.c_str())) {
      while (dirent* e = readdir(d))
        if (e->d_name[0] >= '0' && e->d_name[0] <= '9') out.push_back(pid_t(atoi(e->d_name)));
      closedir(d);
    }
    return out;
  }

  PmuInfo pmu_;
  BackendConfig config_;
  std::optional<PendingChild> child_;
  pid_t pid_ = 0;
  bool attached_ = false;
  std::vector<PmlEvent> events_open_;
  std::optional<RingBuffer> ring_;
  std::vector<EventInfo> events_;
  RecordDecoder decoder_;
  BackendStats stats_;
};

}  // namespace

std::unique_ptr<Backend> make_pml_backend(const PmuInfo& pmu, const BackendConfig& config) {
  return std::make_unique<PmlBackend>(pmu, config);
}

}  // namespace pml
