// Records and events for tests, built one way everywhere: libpml's and
// perf-pml's unit tests and the programs that write test files
// (heatmap_fixture). Header-only and without GoogleTest, so that a program
// that is not a test can use it too.
#pragma once

#include <linux/perf_event.h>
#include <sys/mman.h>

#include <cstdint>
#include <string>

#include "pml/perf_abi.h"
#include "pml/perf_data.h"
#include "pml/records.h"

namespace pml::test {

// The sample id of every builder's records and of pml_event()'s event.
inline constexpr uint64_t kSampleId = 7;

// A pml event as perf pml record opens it (soft_event_info(): mmap, comm
// and task records, period 1), with these sample fields, a dynamic PMU
// type (42) and id kSampleId.
inline EventInfo pml_event(uint64_t sample_type, uint32_t epoch_ms = 10) {
  EventInfo e = soft_event_info(epoch_ms);
  e.attr.type = 42;
  e.attr.sample_type = sample_type;
  e.ids = {kSampleId};
  return e;
}

// A thread's name (not an exec: set .exec for one).
inline Comm comm(uint32_t pid, uint32_t tid, const std::string& name) {
  Comm c;
  c.pid = pid;
  c.tid = tid;
  c.comm = name;
  c.sid = {pid, tid, 0, kSampleId, 0};
  return c;
}

// A private, read-write data mapping ("[heap]", "//anon", a path) of pid.
inline Mmap mmap(uint32_t pid, uint64_t start, uint64_t len, const std::string& file,
                 uint64_t pgoff = 0) {
  Mmap m;
  m.pid = m.tid = pid;
  m.start = start;
  m.len = len;
  m.pgoff = pgoff;
  m.prot = PROT_READ | PROT_WRITE;
  m.flags = MAP_PRIVATE;
  m.data = true;
  m.filename = file;
  m.sid = {pid, pid, 0, kSampleId, 0};
  return m;
}

// A pml sample: one page-epoch written by pid/tid, with the RAW payload
// (epoch, flags 0), period 1, a store's DATA_SRC.
inline Sample sample(uint32_t pid, uint32_t tid, uint64_t time, uint64_t addr, uint64_t epoch = 0,
                     uint64_t page_size = 4096) {
  Sample s;
  s.id = kSampleId;
  s.pid = pid;
  s.tid = tid;
  s.time = time;
  s.addr = addr;
  s.epoch = epoch;
  s.has_pml_raw = true;
  s.period = 1;
  s.data_src = abi::kDataSrcStore;
  s.data_page_size = page_size;
  return s;
}

// FORK of a process (tid == pid) by parent, or its EXIT.
inline Task task_fork(uint32_t pid, uint32_t parent, uint64_t time) {
  return Task{false, pid, parent, pid, parent, time, {parent, parent, time, kSampleId, 0}};
}
inline Task task_exit(uint32_t pid, uint32_t parent, uint64_t time) {
  return Task{true, pid, parent, pid, pid, time, {pid, pid, time, kSampleId, 0}};
}

// PERF_RECORD_LOST_SAMPLES of `count` samples of pid (0: the software
// backend's "not collected").
inline Lost lost_samples(uint32_t pid, uint64_t count, uint64_t time) {
  return Lost{kSampleId, count, true, {pid, pid, time, kSampleId, 0}};
}

}  // namespace pml::test
