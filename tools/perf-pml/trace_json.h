// Chrome/Perfetto trace-event JSON: per-thread counters of write working set
// (pages per epoch) and dirty rate (pages/s), streamed as epochs complete.
// A thread's counters drop to 0 at the first epoch it does not write in, so
// that the viewer, which holds a counter's last value, shows its idle epochs.
#pragma once

#include <cstdio>
#include <string>
#include <unordered_map>

#include "pml/records.h"
#include "pml/resolve.h"
#include "pml/result.h"

namespace perf_pml {

class TraceWriter {
 public:
  // epoch_ns: the events' epoch length (0 = unknown: estimated from the
  // spacing of epochs in the stream).
  static pml::Result<TraceWriter> create(const std::string& path, uint64_t epoch_ns);
  TraceWriter(TraceWriter&&) noexcept;
  ~TraceWriter();
  // Non-sample records (process names come from COMM).
  void observe(const pml::Record& r);
  void add(const pml::ResolvedSample& s, const pml::SampleResolver& names);
  pml::Result<void> finish();

 private:
  TraceWriter(FILE* f, uint64_t epoch_ns) : f_(f), epoch_ns_(epoch_ns) {}
  struct Thread {
    uint32_t pid = 0;
    uint64_t epoch = 0;
    uint64_t pages = 0;
    uint64_t start = 0;  // time of the epoch's first sample
    std::string comm;
    bool named = false;
  };
  void flush_thread(uint32_t tid, Thread& t, uint64_t next_start);
  void idle_thread(uint32_t tid, const Thread& t);
  void counters(uint32_t tid, const Thread& t, uint64_t ts, uint64_t pages, double rate);
  uint64_t epoch_length() const;
  void event(const char* fmt, ...);

  FILE* f_ = nullptr;
  uint64_t epoch_ns_;
  uint64_t t0_ = 0;
  bool first_event_ = true;
  // The stream's newest epoch and when it started, for the length estimate.
  bool any_epoch_ = false;
  uint64_t last_epoch_ = 0, last_epoch_start_ = 0, epoch_estimate_ = 0;
  std::unordered_map<uint32_t, Thread> threads_;
};

}  // namespace perf_pml
