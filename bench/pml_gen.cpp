// pml-gen: writes a synthetic pml perf.data file of any size, streaming, for
// tests (exact, hand-checkable layouts) and benchmarks (large realistic ones).
//
//   pml-gen -o FILE [--samples N | --size BYTES[k|M|G]] [--pattern linear|mixed]
//           [--threads T] [--epoch-ms E] [--pages-per-epoch K] [--seed S]
//           [--finished-round]
//
// linear: one process "pml-gen" (pid 1000), one anon mapping at 0x10000000;
//   sample i is tid 1000, addr 0x10000000 + i*4096, time 1s + i us,
//   epoch i / 100.
// mixed: [heap], [stack], libc's data, a THP-backed anon arena; each epoch
//   T threads write K pages: a hot set (every epoch), a sequential stream,
//   and random pages; the arena's samples carry DATA_PAGE_SIZE 2 MiB.
// --finished-round: a FINISHED_ROUND record after each epoch, as perf record
//   and perf pml record write after each drain of the ring buffers. Without
//   them (a file like one from a single buffer) perf's ordered-events queue
//   must hold every sample to the end.
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <span>
#include <string>

#include <linux/perf_event.h>

#include "pml/perf_abi.h"
#include "pml/perf_data.h"

using namespace pml;

namespace {

constexpr uint32_t kPid = 1000;
constexpr uint64_t kSampleBytes = 112;  // encoded size of one sample below

EventInfo event(uint32_t epoch_ms) {
  EventInfo e = soft_event_info(epoch_ms);  // what perf pml record writes
  e.ids = {7};
  return e;
}

Mmap mapping(uint64_t start, uint64_t len, const char* name, uint64_t time) {
  Mmap m;
  m.pid = m.tid = kPid;
  m.start = start;
  m.len = len;
  m.prot = 3;
  m.flags = 2;
  m.data = true;
  m.filename = name;
  m.sid = {kPid, kPid, time, 7, 0};
  return m;
}

// PERF_RECORD_FINISHED_ROUND: a header only.
void write_finished_round(PerfDataWriter& w) {
  const perf_event_header h{abi::kRecordFinishedRound, 0, sizeof(h)};
  auto r = w.write_raw(std::as_bytes(std::span(&h, 1)));
  if (!r.ok()) {
    fprintf(stderr, "pml-gen: %s\n", r.error().to_string().c_str());
    exit(1);
  }
}

uint64_t parse_size(const char* s) {
  char* end;
  double v = strtod(s, &end);
  switch (*end) {
    case 'k': case 'K': v *= 1024; break;
    case 'm': case 'M': v *= 1024 * 1024; break;
    case 'g': case 'G': v *= 1024.0 * 1024 * 1024; break;
  }
  return uint64_t(v);
}

struct Rng {
  uint64_t s;
  uint64_t next() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  }
};

}  // namespace

int main(int argc, char** argv) {
  std::string out, pattern = "mixed";
  uint64_t samples = 1000, threads = 4, epoch_ms = 10, per_epoch = 2000, seed = 1;
  bool finished_round = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> const char* {
      if (i + 1 >= argc) {
        fprintf(stderr, "pml-gen: %s needs a value\n", a.c_str());
        exit(2);
      }
      return argv[++i];
    };
    if (a == "-o") out = next();
    else if (a == "--samples") samples = strtoull(next(), nullptr, 10);
    else if (a == "--size") samples = parse_size(next()) / kSampleBytes;
    else if (a == "--pattern") pattern = next();
    else if (a == "--threads") threads = strtoull(next(), nullptr, 10);
    else if (a == "--epoch-ms") epoch_ms = strtoull(next(), nullptr, 10);
    else if (a == "--pages-per-epoch") per_epoch = strtoull(next(), nullptr, 10);
    else if (a == "--seed") seed = strtoull(next(), nullptr, 10);
    else if (a == "--finished-round") finished_round = true;
    else {
      fprintf(stderr, "usage: pml-gen -o FILE [--samples N | --size BYTES] [--pattern linear|mixed]\n"
                      "       [--threads T] [--epoch-ms E] [--pages-per-epoch K] [--seed S]\n"
                      "       [--finished-round]\n");
      return 2;
    }
  }
  if (out.empty() || threads == 0 || per_epoch == 0 || (pattern != "linear" && pattern != "mixed")) {
    fprintf(stderr, "pml-gen: need -o FILE, threads > 0, pages-per-epoch > 0, pattern linear|mixed\n");
    return 2;
  }
  if (pattern == "linear") epoch_ms = 10;
  auto w = PerfDataWriter::create(out, {event(uint32_t(epoch_ms))},
                                  host_file_info({"pml-gen", "-o", out}));
  if (!w.ok()) {
    fprintf(stderr, "pml-gen: %s\n", w.error().to_string().c_str());
    return 1;
  }
  const uint64_t t0 = 1'000'000'000ULL;
  auto check = [&](const Result<void>& r) {
    if (!r.ok()) {
      fprintf(stderr, "pml-gen: %s\n", r.error().to_string().c_str());
      exit(1);
    }
  };
  Comm c;
  c.pid = c.tid = kPid;
  c.exec = true;
  c.comm = "pml-gen";
  c.sid = {kPid, kPid, t0, 7, 0};
  check(w->write(c));

  Sample s;
  s.id = 7;
  s.pid = kPid;
  s.period = 1;
  s.data_src = abi::kDataSrcStore;
  s.has_pml_raw = true;
  s.data_page_size = 4096;

  if (pattern == "linear") {
    check(w->write(mapping(0x10000000, 1ULL << 40, "//anon", t0)));
    for (uint64_t i = 0; i < samples; ++i) {
      s.tid = kPid;
      s.addr = 0x10000000 + i * 4096;
      s.time = t0 + 1000 + i * 1000;
      s.epoch = i / 100;
      check(w->write(s));
      if (finished_round && i % 100 == 99) write_finished_round(*w);
    }
    return w->finish().ok() ? 0 : 1;
  }

  // mixed
  const uint64_t heap = 0x55d000000000, heap_len = 256ULL << 20;
  const uint64_t stack = 0x7ffd00000000, stack_len = 8ULL << 20;
  const uint64_t libc = 0x7f5a00000000, libc_len = 64 * 4096;
  const uint64_t arena = 0x7f6000000000, arena_len = 1ULL << 30;
  check(w->write(mapping(heap, heap_len, "[heap]", t0)));
  check(w->write(mapping(stack, stack_len, "[stack]", t0)));
  check(w->write(mapping(libc, libc_len, "/usr/lib/x86_64-linux-gnu/libc.so.6", t0)));
  check(w->write(mapping(arena, arena_len, "//anon", t0)));
  for (uint64_t t = 1; t < threads; ++t) {
    Task f;
    f.pid = kPid;
    f.ppid = kPid;
    f.tid = kPid + uint32_t(t);
    f.ptid = kPid;
    f.time = t0;
    f.sid = {kPid, f.tid, t0, 7, 0};
    check(w->write(f));
  }
  Rng rng{seed * 0x9e3779b97f4a7c15ULL + 1};
  const uint64_t epoch_ns = epoch_ms * 1000000ULL;
  uint64_t stream = 0;
  uint64_t written = 0;
  for (uint64_t epoch = 0; written < samples; ++epoch) {
    const uint64_t n = std::min(per_epoch, samples - written);
    for (uint64_t k = 0; k < n; ++k) {
      s.tid = kPid + uint32_t(k % threads);
      s.epoch = epoch;
      s.time = t0 + epoch * epoch_ns + k * (epoch_ns / (n + 1));
      s.cpu = uint32_t(k % 2);
      s.data_page_size = 4096;
      uint64_t kind = k % 10;
      if (kind < 2) {  // hot set: the same 64 heap pages every epoch
        s.addr = heap + (k % 64) * 4096;
      } else if (kind < 4) {  // stack and libc data
        s.addr = (k & 1) ? stack + stack_len - 4096 * (1 + k % 16) : libc + 4096 * (k % 64);
      } else if (kind < 7) {  // sequential stream through the heap
        s.addr = heap + (64 + stream++ % (heap_len / 4096 - 64)) * 4096;
      } else {  // random pages of the THP arena
        s.addr = arena + (rng.next() % (arena_len / 4096)) * 4096;
        s.data_page_size = 2ULL << 20;
      }
      check(w->write(s));
    }
    written += n;
    if (finished_round) write_finished_round(*w);
  }
  auto fin = w->finish();
  if (!fin.ok()) {
    fprintf(stderr, "pml-gen: %s\n", fin.error().to_string().c_str());
    return 1;
  }
  return 0;
}
