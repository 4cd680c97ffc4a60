// Backend on the pml PMU: the kernel logs pages; we copy its records.
#include <dirent.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <optional>

#include "backend_impl.h"
#include "cpu_list.h"
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
    cpus_ = online_cpus();
    if (cpus_.empty()) return make_error("cannot read /sys/devices/system/cpu/online", ENOENT);
    if (!target.argv.empty()) {
      auto child = PendingChild::fork_exec(target.argv);
      if (!child.ok()) return child.error();
      child_.emplace(std::move(child.value()));
      pid_ = child_->pid();
      o.enable_on_exec = true;
      if (auto r = open_on_all_cpus(pid_, o); !r) return r;
    } else {
      pid_ = target.pid;
      // One event per existing thread and CPU; threads created later are
      // covered by inherit.
      std::vector<pid_t> tids = threads_of(pid_);
      if (tids.empty()) return make_error("no process " + std::to_string(pid_), ESRCH);
      for (pid_t tid : tids)
        if (auto r = open_on_all_cpus(tid, o); !r) return r;
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
    auto drain_one = [&](RingBuffer& ring) {
      ring.drain([&](std::span<const std::byte> raw) {
        if (!sink_error.ok()) return;
        perf_event_header h;
        std::memcpy(&h, raw.data(), sizeof h);
        Record rec;
        auto st = decoder_.decode(h.type, h.misc, raw.subspan(sizeof h), rec);
        if (st != DecodeStatus::kOk) {
          sink_error = sink.on_raw_only(raw);  // not decoded: a file still keeps it
          return;
        }
        if (std::holds_alternative<Sample>(rec)) ++stats_.samples;
        if (auto* l = std::get_if<Lost>(&rec)) stats_.lost += l->lost;
        sink_error = sink.on_record(rec, raw);
      });
    };
    // One pass over every CPU's buffer, then a FINISHED_ROUND record so that
    // perf can sort the records of a round by time, as perf record does.
    auto drain = [&] {
      for (auto& ring : rings_) drain_one(ring);
      if (sink_error.ok()) {
        static const perf_event_header round{68 /* PERF_RECORD_FINISHED_ROUND */, 0, 8};
        sink_error = sink.on_raw_only(
            std::span<const std::byte>(reinterpret_cast<const std::byte*>(&round), 8));
      }
    };
    bool exited = false;
    while (!exited) {
      std::vector<pollfd> fds;
      for (int fd : ring_fds_) fds.push_back({fd, POLLIN, 0});
      fds.push_back({pidfd, POLLIN, 0});
      int n = poll(fds.data(), fds.size() - (pidfd >= 0 ? 0 : 1), 100);
      if (n < 0 && errno != EINTR) break;
      drain();
      if (!sink_error.ok()) break;
      // Like perf record: on Ctrl-C stop recording; a launched command that
      // is still running (e.g. it ignores SIGINT) gets SIGTERM.
      if (stop.load()) {
        if (child_) kill(pid_, SIGTERM);
        break;
      }
      if (pidfd >= 0 && (fds.back().revents & POLLIN)) exited = true;
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
  // perf refuses mmap on inherited events with cpu == -1, so like perf
  // record: one event per CPU, one ring buffer per CPU, and every later
  // event of a CPU writes into that CPU's buffer.
  Result<void> open_on_all_cpus(pid_t tid, PmlEventOptions o) {
    o.pid = tid;
    for (size_t i = 0; i < cpus_.size(); ++i) {
      o.cpu = cpus_[i];
      auto ev = PmlEvent::open(pmu_, o);
      if (!ev.ok()) return ev.error();
      if (rings_.size() <= i) {
        auto rb = RingBuffer::map(ev->fd(), config_.ring_pages);
        if (!rb.ok()) return rb.error();
        rings_.push_back(std::move(rb.value()));
        ring_owner_.push_back(events_open_.size());
        ring_fds_.push_back(ev->fd());
      } else if (auto r = ev->redirect_output_to(events_open_[ring_owner_[i]]); !r) {
        return r;
      }
      events_open_.push_back(std::move(ev.value()));
    }
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
  std::vector<int> cpus_;
  std::vector<PmlEvent> events_open_;
  std::vector<RingBuffer> rings_;     // one per CPU
  std::vector<size_t> ring_owner_;    // per CPU: index into events_open_
  std::vector<int> ring_fds_;
  std::vector<EventInfo> events_;
  RecordDecoder decoder_;
  BackendStats stats_;
};

}  // namespace

std::unique_ptr<Backend> make_pml_backend(const PmuInfo& pmu, const BackendConfig& config) {
  return std::make_unique<PmlBackend>(pmu, config);
}

}  // namespace pml
