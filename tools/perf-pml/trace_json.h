// Chrome/Perfetto trace-event JSON: per-thread counters of write working set
// (pages per epoch) and dirty rate (pages/s), streamed as epochs complete.
#pragma once

#include <cstdio>
#include <string>
#include <unordered_map>

#include "pml/mappings.h"
#include "pml/records.h"
#include "pml/result.h"

namespace perf_pml {

class TraceWriter {
 public:
  // epoch_ns: the events' epoch length (0 = unknown: rate uses epoch spacing).
  static pml::Result<TraceWriter> create(const std::string& path, uint64_t epoch_ns);
  TraceWriter(TraceWriter&&) noexcept;
  ~TraceWriter();
  void add(const pml::Record& r);
  pml::Result<void> finish();

 private:
  TraceWriter(FILE* f, uint64_t epoch_ns) : f_(f), epoch_ns_(epoch_ns) {}
  struct Thread {
    uint32_t pid = 0;
    uint64_t epoch = 0;
    uint64_t pages = 0;
    uint64_t start = 0;  // time of the epoch's first sample
    bool named = false;
  };
  void flush_thread(uint32_t tid, Thread& t, uint64_t next_start);
  void event(const char* fmt, ...);

  FILE* f_ = nullptr;
  uint64_t epoch_ns_;
  uint64_t t0_ = 0;
  bool first_event_ = true;
  pml::MappingTable maps_;  // for thread names
  std::unordered_map<uint32_t, Thread> threads_;
};

}  // namespace perf_pml
