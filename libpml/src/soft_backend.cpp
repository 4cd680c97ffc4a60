// Backend on software dirty tracking (libpml/src/softbackend): collects the
// written pages once per epoch and turns them into pml-shaped samples.
#include <signal.h>
#include <unistd.h>

#include <map>
#include <set>

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
    soft::Kind k = kind_ == BackendKind::kUffd ? soft::Kind::kUffd : soft::Kind::kSoftDirty;
    auto t = target.argv.empty() ? soft::Tracker::start(target.pid, k)
                                 : soft::Tracker::start(target.argv, k);
    if (!t.ok()) return t.error();
    tracker_ = std::move(t.value());
    pid_ = tracker_->pid();
    launched_ = !target.argv.empty();
    return {};
  }

  Result<int> run(RecordSink& sink, const std::atomic<bool>& stop) override {
    watchers_.emplace(pid_, MapsWatcher(pid_));
    auto comms = read_proc_comms(pid_, monotonic_ns());
    if (comms.ok())
      for (auto& c : *comms)
        if (auto r = sink.on_record(c, {}); !r) return r.error();
    sink_ = &sink;
    uint64_t epoch = 0;
    bool running = true, stopping = false;
    // --epoch 0: no epoch ends before the end (or a process's exit), as the
    // pml event's epochs end only on request.
    const uint64_t epoch_ns = uint64_t(config_.epoch_ms) * 1000000u;
    while (running && sink_error_.ok()) {
      const uint64_t end = monotonic_ns() + epoch_ns;
      while (running && sink_error_.ok()) {
        const uint64_t now = monotonic_ns();
        if (epoch_ns && now >= end) break;
        int timeout_ms = epoch_ns ? int((end - now + 999999) / 1000000) : 100;
        polled_.clear();  // a process's last pages may come: read its maps again first
        auto more = tracker_->wait(timeout_ms, epoch, page_sink(), event_sink());
        if (!more) return finish(more.error());
        running = *more;
        // Like perf record: on Ctrl-C stop recording; a launched command
        // gets SIGTERM (its last epoch is collected as it dies).
        if (stop.load() && !stopping) {
          stopping = true;
          if (!launched_) running = false;
          else kill(pid_, SIGTERM);
        }
      }
      // The epoch's end, or the end of the main process: collect every mm
      // still tracked (children that outlive it, an attached target).
      polled_.clear();
      for (auto& [pid, watcher] : watchers_) poll_maps(pid);
      auto got = tracker_->collect(epoch, page_sink());
      if (!got) return finish(got.error());
      ++epoch;
      stats_.epochs = epoch;
      end_round();
    }
    auto detached = tracker_->detach();
    int status = 0;
    if (launched_) {
      auto w = tracker_->wait_exit();
      if (w.ok()) status = *w;
    }
    if (!sink_error_.ok()) return sink_error_.error();
    if (!detached) return detached.error();
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
  RecordSink* sink_ = nullptr;
  Result<void> sink_error_;
  std::map<pid_t, MapsWatcher> watchers_;
  std::set<pid_t> polled_;  // processes whose maps were read for this batch

  // Gives up: like perf record on an error, the launched command gets
  // SIGTERM; then nothing stays traced.
  Result<int> finish(const Error& e) {
    if (launched_) kill(pid_, SIGTERM);
    (void)tracker_->detach();
    return e;
  }

  void emit(const Record& r) {
    if (sink_error_.ok()) sink_error_ = sink_->on_record(r, {});
  }

  // New mappings first, so every sample's address has a mapping.
  void poll_maps(pid_t pid) {
    if (!polled_.insert(pid).second) return;
    auto it = watchers_.find(pid);
    if (it == watchers_.end()) return;
    auto fresh = it->second.poll(monotonic_ns());
    if (fresh.ok())
      for (auto& m : *fresh) emit(m);
  }

  // One FINISHED_ROUND after each batch, as perf record writes after each
  // pass over its buffers: perf sorts and flushes samples round by round
  // instead of queueing the whole file.
  void end_round() {
    static const perf_event_header round{abi::kRecordFinishedRound, 0, sizeof(perf_event_header)};
    if (sink_error_.ok())
      sink_error_ = sink_->on_raw_only(
          std::span<const std::byte>(reinterpret_cast<const std::byte*>(&round), sizeof round));
  }

  soft::DirtyPageCallback page_sink() {
    return [this](const soft::DirtyPage& p) {
      if (!sink_error_.ok()) return;
      poll_maps(pid_t(p.pid));
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
      emit(s);
    };
  }

  static Task task_record(const soft::TaskEvent& e, bool is_exit) {
    Task t;
    t.is_exit = is_exit;
    t.pid = e.pid;
    t.tid = e.tid;
    t.ppid = e.ppid;
    t.ptid = e.ptid;
    t.time = e.time_ns;
    t.sid = {e.pid, e.tid, e.time_ns, 1, 0};
    return t;
  }

  // FORK, COMM (exec) and EXIT records, as the kernel writes them.
  soft::TaskEventCallback event_sink() {
    return [this](const soft::TaskEvent& e) {
      switch (e.type) {
        case soft::TaskEvent::Type::kFork:
          if (e.pid != e.ppid) watchers_.emplace(pid_t(e.pid), MapsWatcher(pid_t(e.pid)));
          emit(task_record(e, /*is_exit=*/false));
          break;
        case soft::TaskEvent::Type::kExec: {
          watchers_.erase(pid_t(e.pid));  // a new image: all its mappings are new
          watchers_.emplace(pid_t(e.pid), MapsWatcher(pid_t(e.pid)));
          polled_.erase(pid_t(e.pid));
          Comm c;
          c.pid = e.pid;
          c.tid = e.tid;
          c.exec = true;
          c.comm = e.comm;
          c.sid = {e.pid, e.tid, e.time_ns, 1, 0};
          emit(c);
          break;
        }
        case soft::TaskEvent::Type::kExit:
          emit(task_record(e, /*is_exit=*/true));
          if (e.pid == e.tid) watchers_.erase(pid_t(e.pid));
          break;
        case soft::TaskEvent::Type::kUncollected: {
          // Not silent: a LOST_SAMPLES of unknown size (Lost::uncollected()).
          Lost l;
          l.id = 1;
          l.lost = 0;
          l.samples_record = true;
          l.sid = {e.pid, e.tid, e.time_ns, 1, 0};
          ++stats_.uncollected;
          emit(l);
          break;
        }
      }
    };
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
