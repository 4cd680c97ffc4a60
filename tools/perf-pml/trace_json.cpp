#include "trace_json.h"

#include <cinttypes>
#include <cstdarg>

#include "json.h"

namespace perf_pml {

pml::Result<TraceWriter> TraceWriter::create(const std::string& path, uint64_t epoch_ns) {
  FILE* f = std::fopen(path.c_str(), "w");
  if (!f) return pml::errno_error("cannot create '" + path + "'");
  std::fputs("{\"displayTimeUnit\":\"ms\",\"traceEvents\":[\n", f);
  return TraceWriter(f, epoch_ns);
}

TraceWriter::TraceWriter(TraceWriter&& o) noexcept
    : f_(std::exchange(o.f_, nullptr)),
      epoch_ns_(o.epoch_ns_),
      t0_(o.t0_),
      first_event_(o.first_event_),
      any_epoch_(o.any_epoch_),
      last_epoch_(o.last_epoch_),
      last_epoch_start_(o.last_epoch_start_),
      epoch_estimate_(o.epoch_estimate_),
      threads_(std::move(o.threads_)) {}

TraceWriter::~TraceWriter() {
  if (f_) std::fclose(f_);
}

void TraceWriter::event(const char* fmt, ...) {
  if (!first_event_) std::fputs(",\n", f_);
  first_event_ = false;
  va_list ap;
  va_start(ap, fmt);
  std::vfprintf(f_, fmt, ap);
  va_end(ap);
}

static double us(uint64_t ns) { return double(ns) / 1000.0; }

uint64_t TraceWriter::epoch_length() const { return epoch_ns_ ? epoch_ns_ : epoch_estimate_; }

void TraceWriter::counters(uint32_t tid, const Thread& t, uint64_t ts, uint64_t pages,
                           double rate) {
  // Counters are per process in the trace format: the tid goes in the name.
  event("{\"ph\":\"C\",\"name\":\"working set tid %u\",\"pid\":%u,\"tid\":%u,\"ts\":%.3f,"
        "\"args\":{\"pages\":%" PRIu64 "}}",
        tid, t.pid, tid, us(ts - t0_), pages);
  event("{\"ph\":\"C\",\"name\":\"dirty rate tid %u\",\"pid\":%u,\"tid\":%u,\"ts\":%.3f,"
        "\"args\":{\"pages_per_s\":%.1f}}",
        tid, t.pid, tid, us(ts - t0_), rate);
}

void TraceWriter::flush_thread(uint32_t tid, Thread& t, uint64_t next_start) {
  if (t.pages == 0) return;
  if (!t.named) {
    std::string comm = t.comm.empty() ? "tid " + std::to_string(tid) : t.comm;
    event("{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":%u,\"tid\":%u,\"args\":{\"name\":%s}}",
          t.pid, tid, json_string(comm).c_str());
    t.named = true;
  }
  uint64_t len = epoch_ns_;
  if (len == 0 && next_start > t.start) len = next_start - t.start;
  double rate = len ? double(t.pages) * 1e9 / double(len) : 0;
  counters(tid, t, t.start, t.pages, rate);
}

// Zeros one epoch after the thread's last written one: its first idle epoch
// (the first sample of an epoch lies less than an epoch after its start).
void TraceWriter::idle_thread(uint32_t tid, const Thread& t) {
  uint64_t len = epoch_length();
  if (len == 0) return;
  counters(tid, t, t.start + len, 0, 0.0);
}

void TraceWriter::observe(const pml::Record& r) {
  if (auto* c = std::get_if<pml::Comm>(&r); c && c->pid == c->tid)
    event("{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":%u,\"args\":{\"name\":%s}}", c->pid,
          json_string(c->comm).c_str());
}

void TraceWriter::add(const pml::ResolvedSample& rs, const pml::SampleResolver& names) {
  const pml::Sample& s = *rs.sample;
  if (t0_ == 0) t0_ = s.time;
  if (s.time < t0_) return;  // before the first sample: cannot place it
  if (!any_epoch_ || s.epoch > last_epoch_) {
    if (any_epoch_ && s.time > last_epoch_start_)
      epoch_estimate_ = (s.time - last_epoch_start_) / (s.epoch - last_epoch_);
    any_epoch_ = true;
    last_epoch_ = s.epoch;
    last_epoch_start_ = s.time;
  }
  auto [it, inserted] = threads_.try_emplace(s.tid);
  Thread& t = it->second;
  if (inserted) {
    t.pid = s.pid;
    t.epoch = s.epoch;
    t.start = s.time;
    t.comm = names.comm_name(rs.comm);
  } else if (s.epoch != t.epoch) {
    flush_thread(s.tid, t, s.time);
    if (s.epoch > t.epoch + 1) idle_thread(s.tid, t);
    t.epoch = s.epoch;
    t.pages = 0;
    t.start = s.time;
  }
  ++t.pages;
}

pml::Result<void> TraceWriter::finish() {
  if (!f_) return {};
  for (auto& [tid, t] : threads_) {
    flush_thread(tid, t, 0);
    // A thread that stopped writing before the end reads 0 from then on.
    if (t.epoch < last_epoch_) idle_thread(tid, t);
  }
  std::fputs("\n]}\n", f_);
  int rc = std::fclose(f_);
  f_ = nullptr;
  if (rc != 0) return pml::errno_error("cannot write trace");
  return {};
}

}  // namespace perf_pml
