// Decoded perf records: the stream every libpml analysis consumes.
#pragma once

#include <cstdint>
#include <string>
#include <variant>

namespace pml {

// Fields of the sample_id_all trailer (and the common fields of samples).
struct SampleId {
  uint32_t pid = 0, tid = 0;
  uint64_t time = 0;
  uint64_t id = 0;
  uint32_t cpu = 0;
};

// One logged page-epoch (or, for other events, one sample with an address).
struct Sample {
  uint64_t sample_type = 0;  // PERF_SAMPLE_* bits present in the source
  uint32_t event_index = 0;  // index into the file's event list
  uint64_t ip = 0;
  uint32_t pid = 0, tid = 0;
  uint64_t time = 0;
  uint64_t addr = 0;
  uint64_t id = 0;
  uint64_t stream_id = 0;
  uint32_t cpu = 0;
  uint64_t period = 1;
  uint64_t data_src = 0;
  uint64_t phys_addr = 0;
  uint64_t data_page_size = 0;  // 0 = unknown
  bool has_pml_raw = false;     // RAW carried the pml payload
  uint64_t epoch = 0;           // from RAW; else derived by the reader
  uint32_t flags = 0;           // from RAW
};

struct Comm {
  uint32_t pid = 0, tid = 0;
  bool exec = false;
  std::string comm;
  SampleId sid;
};

struct Mmap {
  uint32_t pid = 0, tid = 0;
  uint64_t start = 0, len = 0, pgoff = 0;
  uint32_t maj = 0, min = 0;
  uint64_t ino = 0;
  uint32_t prot = 0, flags = 0;
  bool data = false;  // PERF_RECORD_MISC_MMAP_DATA: a non-executable mapping
  std::string filename;
  SampleId sid;
};

// FORK or EXIT.
struct Task {
  bool is_exit = false;
  uint32_t pid = 0, ppid = 0, tid = 0, ptid = 0;
  uint64_t time = 0;
  SampleId sid;
};

// PERF_RECORD_LOST (ring buffer overflow) or PERF_RECORD_LOST_SAMPLES.
struct Lost {
  uint64_t id = 0;
  uint64_t lost = 0;
  bool samples_record = false;
  SampleId sid;

  // The software backends' LOST_SAMPLES with a count of 0 (the kernel never
  // writes one): process sid.pid lost its mm (an exec) before its writes
  // since the previous epoch could be read; how many is not known.
  bool uncollected() const { return samples_record && lost == 0; }
};

using Record = std::variant<Sample, Comm, Mmap, Task, Lost>;

// Time of any record (0 when the source has no time).
inline uint64_t record_time(const Record& r) {
  if (auto* s = std::get_if<Sample>(&r)) return s->time;
  if (auto* t = std::get_if<Task>(&r)) return t->time ? t->time : t->sid.time;
  if (auto* c = std::get_if<Comm>(&r)) return c->sid.time;
  if (auto* m = std::get_if<Mmap>(&r)) return m->sid.time;
  return std::get<Lost>(r).sid.time;
}

}  // namespace pml
