// Writes a perf.data file whose heatmap the e2e test checks against what it
// knows: 20 epochs of 10 ms; an anon buffer of 2000 pages where epoch e
// writes pages [100e, 100e+100); a binary with a text and a data mapping;
// a library whose name is hostile to XML and not UTF-8, in two processes;
// and 50 small libraries with one write each (more bands than are drawn).
// The event name is hostile too (it is the picture's title).
//   heatmap_fixture FILE
#include <cstdio>
#include <string>

#include "pml/perf_abi.h"
#include "pml/perf_data.h"
#include "record_builders.h"

using namespace pml;

namespace {

constexpr uint64_t kT0 = 1'000'000'000ULL, kEpochNs = 10'000'000ULL;
const char* const kHostile = "/tmp/lib<b>&\"q\"'\xff\xfe\x01.so";

// A mapping as perf pml record describes one, at the start of the recording.
Mmap mapping(uint32_t pid, uint64_t start, uint64_t len, uint64_t pgoff, const std::string& name) {
  Mmap m = test::mmap(pid, start, len, name, pgoff);
  m.sid.time = kT0;
  return m;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: heatmap_fixture FILE\n");
    return 2;
  }
  EventInfo ev = soft_event_info(10);
  ev.name = "pml/epoch=10/<&>\xff";
  ev.ids = {test::kSampleId};
  auto w = PerfDataWriter::create(argv[1], {ev});
  if (!w.ok()) {
    std::fprintf(stderr, "heatmap_fixture: %s\n", w.error().to_string().c_str());
    return 1;
  }
  bool ok = true;
  auto put = [&](const Record& r) { ok &= w->write(r).ok(); };
  put(mapping(1000, 0x555500000000, 0x4000, 0, "/usr/bin/app"));
  put(mapping(1000, 0x555500004000, 0x4000, 0x4000, "/usr/bin/app"));
  put(mapping(1000, 0x555600000000, 0x100000, 0, "[heap]"));
  put(mapping(1000, 0x7f0000000000, 0x10000, 0, kHostile));
  put(mapping(1000, 0x7f1000000000, 2000 * 4096, 0, "//anon"));
  for (uint64_t i = 0; i < 50; ++i)
    put(mapping(1000, 0x7f2000000000 + i * 0x100000, 0x10000, 0,
                "/usr/lib/libsmall" + std::to_string(i) + ".so"));
  put(mapping(1001, 0x7f0000000000, 0x10000, 0, kHostile));

  auto write_page = [&](uint32_t pid, uint64_t addr, uint64_t epoch, uint64_t k) {
    put(test::sample(pid, pid, kT0 + epoch * kEpochNs + 1000 + k, addr, epoch));
  };
  for (uint64_t e = 0; e < 20; ++e) {
    for (uint64_t p = 0; p < 100; ++p) write_page(1000, 0x7f1000000000 + (e * 100 + p) * 4096, e, p);
    write_page(1000, 0x555500005000, e, 100);  // the binary's data, every epoch
  }
  write_page(1000, 0x555500001000, 0, 101);  // its text mapping (relocations)
  write_page(1000, 0x555600000000, 3, 102);
  write_page(1000, 0x7f0000001000, 5, 103);
  write_page(1001, 0x7f0000002000, 6, 104);
  for (uint64_t i = 0; i < 50; ++i) write_page(1000, 0x7f2000000000 + i * 0x100000, 19, 200 + i);
  ok &= w->finish().ok();
  return ok ? 0 : 1;
}
