// Writes a seed corpus for the reader fuzzer with the libpml writer: files
// with every record type, several events, samples with and without RAW, in
// file and in pipe mode.
#include <fcntl.h>

#include <cstdio>
#include <string>

#include "pml/perf_abi.h"
#include "pml/perf_data.h"

using namespace pml;

static EventInfo event(uint64_t sample_type, uint32_t epoch, uint64_t id) {
  EventInfo e;
  e.name = "pml/epoch=" + std::to_string(epoch) + "/";
  e.attr.type = 0xffff;
  e.attr.config = epoch;
  e.attr.sample_period = 1;
  e.attr.sample_type = sample_type;
  e.attr.sample_id_all = 1;
  e.ids = {id};
  return e;
}

static bool write_file(const std::string& path, std::vector<EventInfo> events, int samples,
                       bool pipe_mode = false) {
  auto w = pipe_mode
               ? PerfDataWriter::create_pipe(
                     UniqueFd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)),
                     events, host_file_info({"seed"}))
               : PerfDataWriter::create(path, events, host_file_info({"seed"}));
  if (!w.ok()) return false;
  Comm c;
  c.pid = c.tid = 10;
  c.comm = "seed";
  c.sid = {10, 10, 1, events[0].ids[0], 0};
  (void)w->write(c);
  Mmap m;
  m.pid = m.tid = 10;
  m.start = 0x400000;
  m.len = 0x200000;
  m.filename = "[heap]";
  m.sid = c.sid;
  (void)w->write(m);
  Task t;
  t.pid = 10;
  t.ppid = 10;
  t.tid = 11;
  t.ptid = 10;
  t.time = 2;
  t.sid = c.sid;
  (void)w->write(t);
  for (int i = 0; i < samples; ++i) {
    Sample s;
    s.event_index = uint32_t(i % events.size());
    s.id = events[s.event_index].ids[0];
    s.pid = 10;
    s.tid = 10 + uint32_t(i % 2);
    s.time = 100 + uint64_t(i) * 1000000;
    s.addr = 0x400000 + uint64_t(i % 7) * 4096;
    s.epoch = uint64_t(i / 3);
    s.has_pml_raw = true;
    s.data_page_size = (i % 5 == 0) ? (2u << 20) : 4096;
    (void)w->write(s);
  }
  Lost l;
  l.id = events[0].ids[0];
  l.lost = 3;
  l.sid = c.sid;
  (void)w->write(l);
  Task e = t;
  e.is_exit = true;
  (void)w->write(e);
  return w->finish().ok();
}

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  std::string dir = argv[1];
  const uint64_t full = PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_IP | PERF_SAMPLE_TID |
                        PERF_SAMPLE_TIME | PERF_SAMPLE_ADDR | PERF_SAMPLE_CPU |
                        PERF_SAMPLE_PERIOD | PERF_SAMPLE_RAW | PERF_SAMPLE_DATA_SRC |
                        PERF_SAMPLE_PHYS_ADDR | PERF_SAMPLE_DATA_PAGE_SIZE;
  const uint64_t minimal = PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_ADDR;
  bool ok = write_file(dir + "/seed-full.data", {event(full, 10, 1)}, 12) &&
            write_file(dir + "/seed-minimal.data", {event(minimal, 5, 1)}, 6) &&
            write_file(dir + "/seed-two-events.data", {event(full, 10, 1), event(full, 0, 2)}, 8) &&
            write_file(dir + "/seed-empty.data", {event(full, 10, 1)}, 0) &&
            write_file(dir + "/seed-pipe.data", {event(full, 10, 1)}, 12, true) &&
            write_file(dir + "/seed-pipe-two-events.data", {event(full, 10, 1), event(full, 0, 2)},
                       8, true);
  return ok ? 0 : 1;
}
