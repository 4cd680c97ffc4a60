// pml-bench-costs: per-operation costs inside the guest, one result line
// (name=value fields) per measurement on stdout.
//
//   pml-bench-costs getppid N            ns per getppid() round trip
//   pml-bench-costs open N               ns per pml perf_event_open() and close(),
//                                        and the family's EPT memory (debugfs)
//   pml-bench-costs harvest METHOD RSS_MIB DIRTY_KIB REPS
//       the time to learn which pages of an RSS_MIB buffer were written in
//       an interval in which DIRTY_KIB of it (spread evenly) were written,
//       and to start the next interval; METHOD:
//         pml        the process monitors itself (one pml event, epochs only on
//                    request); PERF_EVENT_IOC_RESET ends the epoch, then the ring buffer
//                    is drained until the interval's pages are all in
//         pagemap    PAGEMAP_SCAN with PM_SCAN_WP_MATCHING (userfaultfd
//                    WP_ASYNC): reports the written pages and re-protects them
//         softdirty  /proc/self/pagemap read (bit 55), then clear_refs 4
//   pml-bench-costs epochend RSS_MIB DIRTY_KIB REPS
//       pml: the end of an epoch with nothing written and with DIRTY_KIB
//       written, alternately, on one event
//
// Times are CLOCK_MONOTONIC (guest time: instruction count under Bochs).
// Every reported set is checked against the pages written; a wrong one
// makes the run fail (a fast wrong answer is not a result).
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <span>
#include <string>
#include <vector>

#include "pml/pml_event.h"
#include "record_decoder.h"
#include "softbackend/kernel_abi.h"

namespace {

namespace abi = pml::soft::abi;
constexpr size_t kPage = 4096;

uint64_t now_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1000000000ULL + uint64_t(ts.tv_nsec);
}

[[noreturn]] void fail(const std::string& what) {
  fprintf(stderr, "pml-bench-costs: %s\n", what.c_str());
  exit(1);
}

uint64_t median(std::vector<uint64_t> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

int getppid_cost(long n) {
  uint64_t sum = 0, t0 = now_ns();
  for (long i = 0; i < n; ++i) sum += uint64_t(syscall(SYS_getppid));
  uint64_t t1 = now_ns();
  printf("getppid n=%ld ns_per_call=%.1f check=%llu\n", n, double(t1 - t0) / double(n),
         (unsigned long long)(sum % 7));
  return 0;
}

// The numeric fields of the debugfs line of the pml family with perf id
// @id (Documentation: ept_tables, charged_kb, ...); empty when none.
std::map<std::string, uint64_t> pml_family_stats(uint64_t id) {
  std::map<std::string, uint64_t> out;
  std::ifstream in("/sys/kernel/debug/pml/events");
  std::string line, tok;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::map<std::string, uint64_t> f;
    while (words >> tok) {
      auto eq = tok.find('=');
      if (eq != std::string::npos) f[tok.substr(0, eq)] = strtoull(tok.c_str() + eq + 1, nullptr, 0);
    }
    if (f.count("id") && f["id"] == id) return f;
  }
  return out;
}

// " k=v" for each of @keys the debugfs line has: a kernel without one
// (an older series: no charged_kb) shows it missing, not as 0.
std::string stat_fields(const std::map<std::string, uint64_t>& st, std::initializer_list<const char*> keys) {
  std::string out;
  for (const char* k : keys) {
    auto it = st.find(k);
    if (it != st.end()) out += std::string(" ") + k + "=" + std::to_string(it->second);
  }
  return out;
}

int open_cost(long n) {
  auto pmu = pml::find_pml_pmu();
  if (!pmu.ok()) fail(pmu.error().message);
  std::vector<uint64_t> opens, closes, tables, charged;
  for (long i = 0; i < n; ++i) {
    pml::PmlEventOptions o;  // as perf pml record: sampling, inherited, this process
    o.epoch_ms = 100;
    uint64_t t0 = now_ns();
    auto ev = pml::PmlEvent::open(*pmu, o);
    uint64_t t1 = now_ns();
    if (!ev.ok()) fail(ev.error().message);
    auto st = pml_family_stats(ev->id());  // outside the timed part
    if (st.empty()) fail("no debugfs line for the event (is debugfs mounted?)");
    tables.push_back(st["ept_tables"]);
    if (st.count("charged_kb")) charged.push_back(st["charged_kb"]);
    uint64_t t1b = now_ns();
    { auto gone = std::move(*ev); }  // close(2)
    uint64_t t2 = now_ns();
    opens.push_back(t1 - t0);
    closes.push_back(t2 - t1b);
  }
  std::string charged_kb =
      charged.size() == opens.size() ? " charged_kb=" + std::to_string(median(charged)) : "";
  printf("open n=%ld open_ns=%llu close_ns=%llu ept_tables=%llu%s\n", n, (unsigned long long)median(opens),
         (unsigned long long)median(closes), (unsigned long long)median(tables), charged_kb.c_str());
  return 0;
}

// A populated buffer of 4 KiB pages and the pages of it one interval writes.
struct Buffer {
  uint8_t* base = nullptr;
  size_t bytes = 0;
  std::vector<size_t> dirty;  // page indexes, ascending

  Buffer(size_t rss_mib, size_t dirty_kib) : bytes(rss_mib << 20) {
    void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) fail("mmap: " + std::string(strerror(errno)));
    base = static_cast<uint8_t*>(p);
    madvise(base, bytes, MADV_NOHUGEPAGE);  // pages, as the methods see them
    if (madvise(base, bytes, MADV_POPULATE_WRITE))
      fail("madvise(MADV_POPULATE_WRITE): " + std::string(strerror(errno)));
    size_t pages = bytes / kPage, n = std::min(pages, dirty_kib * 1024 / kPage);
    for (size_t i = 0; i < n; ++i) dirty.push_back(i * pages / n);
  }
  void write_interval(int round) {
    for (size_t i : dirty) base[i * kPage] = uint8_t(round);
  }
  uintptr_t start() const { return uintptr_t(base); }
  uintptr_t end() const { return uintptr_t(base) + bytes; }
};

// The pages found must be exactly the pages written.
void check_set(const char* method, std::vector<uintptr_t> found, const Buffer& b) {
  std::sort(found.begin(), found.end());
  found.erase(std::unique(found.begin(), found.end()), found.end());
  std::vector<uintptr_t> want;
  for (size_t i : b.dirty) want.push_back(b.start() + i * kPage);
  if (found != want)
    fail(std::string(method) + ": found " + std::to_string(found.size()) + " pages, want " +
         std::to_string(want.size()));
}

struct Harvester {
  virtual ~Harvester() = default;
  // The pages of the buffer written since the last call; re-arms.
  virtual std::vector<uintptr_t> harvest() = 0;
};

// This process monitored by itself: one pml event (not inherited: the
// kernel refuses to mmap an inherited per-task event, which is why
// pml::SelfMonitor is not used here), its ring buffer, its decoder.
struct SelfEvent {
  pml::PmlEvent event;
  pml::RingBuffer ring;
  pml::RecordDecoder decoder;

  static SelfEvent open() {
    auto pmu = pml::find_pml_pmu();
    if (!pmu.ok()) fail(pmu.error().message);
    pml::PmlEventOptions o;
    o.pid = 0;
    o.epoch_ms = 0;  // epochs end only on PERF_EVENT_IOC_RESET
    o.inherit = false;
    auto ev = pml::PmlEvent::open(*pmu, o);
    if (!ev.ok()) fail(ev.error().message);
    auto rb = pml::RingBuffer::map(ev->fd());
    if (!rb.ok()) fail(rb.error().message);
    pml::EventInfo info;
    info.name = "pml/epoch=0/";
    info.attr = ev->attr();
    info.ids = {ev->id()};
    return SelfEvent{std::move(*ev), std::move(*rb), pml::RecordDecoder({info})};
  }
  void drain(const std::function<void(const pml::Record&)>& f) {
    pml::Record rec;
    ring.drain([&](std::span<const std::byte> raw) {
      perf_event_header h;
      std::memcpy(&h, raw.data(), sizeof h);
      if (decoder.decode(h.type, h.misc, raw.subspan(sizeof h), rec) == pml::DecodeStatus::kOk) f(rec);
    });
  }
  pml::Result<void> end_epoch() { return event.end_epoch(); }
};

struct PmlHarvester : Harvester {
  SelfEvent mon;
  const Buffer& buf;
  uint64_t first_epoch = 0;  // the epoch the interval's samples should carry
  PmlHarvester(SelfEvent m, const Buffer& b) : mon(std::move(m)), buf(b) {}
  // What was drained, for the error message when the set does not complete.
  uint64_t seen = 0, seen_old = 0, min_epoch = ~0ULL, max_epoch = 0;
  // Drains the buffer's samples of epochs >= first_epoch into `found`.
  uint64_t drain_into(std::vector<uintptr_t>& found) {
    uint64_t last = first_epoch;
    mon.drain([&](const pml::Record& r) {
      auto* s = std::get_if<pml::Sample>(&r);
      if (!s) return;
      ++seen;
      min_epoch = std::min(min_epoch, s->epoch);
      max_epoch = std::max(max_epoch, s->epoch);
      // Not filtered by s->epoch: with epoch=0 this kernel keeps RAW epoch 0
      // across IOC_RESETs. The warm-up drained everything before the first
      // harvest, so what comes after a reset is the interval's.
      if (s->epoch < first_epoch) ++seen_old;
      last = std::max(last, s->epoch);
      if (s->addr >= buf.start() && s->addr < buf.end()) found.push_back(s->addr & ~(kPage - 1));
    });
    return last;
  }
  std::string diagnosis() const {
    return "samples drained " + std::to_string(seen) + ", of earlier epochs " +
           std::to_string(seen_old) + ", epochs " + std::to_string(min_epoch) + ".." +
           std::to_string(max_epoch) + ", harvesting from epoch " + std::to_string(first_epoch);
  }
  // Ends the epoch in which the whole buffer was written (the EPT then
  // covers the RSS, as for a program that has touched its memory) and
  // waits until its samples stop coming; they may overflow the ring (its
  // 1 MiB holds ~11000), which does not matter: only the epoch's end does.
  size_t warmup_seen = 0;
  void warm_up() {
    if (!mon.end_epoch().ok()) fail("PERF_EVENT_IOC_RESET failed");
    std::vector<uintptr_t> found;
    uint64_t last = 0;
    uint64_t deadline = now_ns() + 500'000'000ULL;
    for (int quiet = 0; quiet < 5 && now_ns() < deadline;) {
      size_t before = found.size();
      last = std::max(last, drain_into(found));
      quiet = found.size() == before && before > 0 ? quiet + 1 : 0;
      usleep(1000);
    }
    warmup_seen = found.size();
    first_epoch = last + 1;
  }
  std::vector<uint64_t> reset_times;  // the ioctl alone, per harvest
  std::vector<uintptr_t> harvest() override { return harvest_expecting(buf.dirty.size()); }
  // Ends the epoch, then drains until `want` pages of the buffer are in
  // (at least once: with want 0 the drain finds nothing, which is checked).
  std::vector<uintptr_t> harvest_expecting(size_t want) {
    std::vector<uintptr_t> found;
    uint64_t t0 = now_ns();
    if (!mon.end_epoch().ok()) fail("PERF_EVENT_IOC_RESET failed");
    reset_times.push_back(now_ns() - t0);
    // The ended epoch's samples may arrive after the ioctl returns (an
    // asynchronous epoch end): drain until they are all in, for 0.5 guest
    // s at most (a long time: 1.75 G instructions).
    uint64_t deadline = now_ns() + 500'000'000ULL, last = first_epoch;
    do {
      last = std::max(last, drain_into(found));
      if (found.size() < want) sched_yield();  // let the epoch end's work run
    } while (found.size() < want && now_ns() < deadline);
    if (found.size() < want)
      fprintf(stderr, "pml-bench-costs: pml: %zu of %zu pages after 0.5 s; %s\n", found.size(), want,
              diagnosis().c_str());
    first_epoch = last + 1;
    return found;
  }
};

struct PagemapScanHarvester : Harvester {
  int uffd = -1, pagemap = -1;
  const Buffer& buf;
  std::vector<abi::PageRegion> vec;
  explicit PagemapScanHarvester(const Buffer& b) : buf(b), vec(b.dirty.size() + 16) {
    uffd = int(syscall(SYS_userfaultfd, O_CLOEXEC | abi::kUffdUserModeOnly));
    if (uffd < 0) fail("userfaultfd: " + std::string(strerror(errno)));
    uffdio_api api{};
    api.api = UFFD_API;
    api.features = abi::kUffdFeatureWpAsync | abi::kUffdFeatureWpUnpopulated;
    if (ioctl(uffd, UFFDIO_API, &api)) fail("UFFDIO_API WP_ASYNC: " + std::string(strerror(errno)));
    uffdio_register reg{};
    reg.range = {buf.start(), buf.bytes};
    reg.mode = UFFDIO_REGISTER_MODE_WP;
    if (ioctl(uffd, UFFDIO_REGISTER, &reg)) fail("UFFDIO_REGISTER: " + std::string(strerror(errno)));
    uffdio_writeprotect wp{};
    wp.range = {buf.start(), buf.bytes};
    wp.mode = UFFDIO_WRITEPROTECT_MODE_WP;
    if (ioctl(uffd, UFFDIO_WRITEPROTECT, &wp)) fail("UFFDIO_WRITEPROTECT: " + std::string(strerror(errno)));
    pagemap = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
    if (pagemap < 0) fail("/proc/self/pagemap");
  }
  ~PagemapScanHarvester() override {
    close(pagemap);
    close(uffd);
  }
  std::vector<uintptr_t> harvest() override {
    std::vector<uintptr_t> found;
    uint64_t start = buf.start();
    while (start < buf.end()) {
      abi::PmScanArg arg{};
      arg.size = sizeof(arg);
      arg.flags = abi::kPmScanWpMatching | abi::kPmScanCheckWpAsync;
      arg.start = start;
      arg.end = buf.end();
      arg.vec = uintptr_t(vec.data());
      arg.vec_len = vec.size();
      arg.category_mask = abi::kPageIsWritten;
      arg.return_mask = abi::kPageIsWritten;
      long n = ioctl(pagemap, abi::kPagemapScan, &arg);
      if (n < 0) fail("PAGEMAP_SCAN: " + std::string(strerror(errno)));
      for (long i = 0; i < n; ++i)
        for (uint64_t a = vec[i].start; a < vec[i].end; a += kPage) found.push_back(a);
      start = arg.walk_end;
    }
    return found;
  }
};

struct SoftDirtyHarvester : Harvester {
  int pagemap = -1, clear_refs = -1;
  const Buffer& buf;
  std::vector<uint64_t> entries;
  explicit SoftDirtyHarvester(const Buffer& b) : buf(b), entries(b.bytes / kPage) {
    pagemap = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
    clear_refs = open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
    if (pagemap < 0 || clear_refs < 0) fail("/proc/self/pagemap or clear_refs");
    clear();
  }
  ~SoftDirtyHarvester() override {
    close(pagemap);
    close(clear_refs);
  }
  void clear() {
    if (pwrite(clear_refs, "4", 1, 0) != 1) fail("clear_refs 4: " + std::string(strerror(errno)));
  }
  std::vector<uintptr_t> harvest() override {
    std::vector<uintptr_t> found;
    size_t len = entries.size() * sizeof(uint64_t);
    off_t off = off_t(buf.start() / kPage * sizeof(uint64_t));
    if (pread(pagemap, entries.data(), len, off) != ssize_t(len)) fail("pagemap read");
    for (size_t i = 0; i < entries.size(); ++i)
      if (entries[i] & abi::kPagemapSoftDirty) found.push_back(buf.start() + i * kPage);
    clear();
    return found;
  }
};

int harvest_cost(const std::string& method, size_t rss_mib, size_t dirty_kib, int reps) {
  Buffer buf(rss_mib, dirty_kib);
  Harvester* h = nullptr;
  PmlHarvester* p = nullptr;
  if (method == "pml") {
    p = new PmlHarvester(SelfEvent::open(), buf);
    for (size_t off = 0; off < buf.bytes; off += kPage) buf.base[off] = 2;  // every page, once
    p->warm_up();
    h = p;
  } else if (method == "pagemap") {
    h = new PagemapScanHarvester(buf);
  } else if (method == "softdirty") {
    h = new SoftDirtyHarvester(buf);
  } else {
    fail("unknown method " + method);
  }
  std::vector<uint64_t> times;
  for (int r = 0; r < reps; ++r) {
    buf.write_interval(r + 3);
    uint64_t t0 = now_ns();
    auto found = h->harvest();
    uint64_t t1 = now_ns();
    check_set(method.c_str(), found, buf);
    times.push_back(t1 - t0);
  }
  std::string pml_fields;
  if (p) {
    auto st = pml_family_stats(p->mon.event.id());
    pml_fields = " reset_ns=" + std::to_string(median(p->reset_times)) +
                 " warmup_pages=" + std::to_string(buf.bytes / kPage) +
                 " warmup_seen=" + std::to_string(p->warmup_seen) +
                 stat_fields(st, {"ept_tables", "charged_kb", "epoch_cleared", "epoch_walks", "invepts"});
  }
  printf("harvest method=%s rss_mib=%zu dirty_pages=%zu reps=%d ns=%llu min_ns=%llu%s\n",
         method.c_str(), rss_mib, buf.dirty.size(), reps, (unsigned long long)median(times),
         (unsigned long long)*std::min_element(times.begin(), times.end()), pml_fields.c_str());
  delete h;
  return 0;
}

// pml only: on one event (one EPT build), alternately the end of an
// epoch in which nothing was written and of one in which DIRTY_KIB of the
// buffer were: the ioctl alone and with the drain of the ring buffer.
int epoch_end_cost(size_t rss_mib, size_t dirty_kib, int reps) {
  Buffer buf(rss_mib, dirty_kib);
  PmlHarvester p(SelfEvent::open(), buf);
  for (size_t off = 0; off < buf.bytes; off += kPage) buf.base[off] = 2;
  p.warm_up();
  std::vector<uint64_t> empty, empty_reset, full, full_reset;
  for (int r = 0; r < reps; ++r) {
    uint64_t t0 = now_ns();
    auto none = p.harvest_expecting(0);
    uint64_t t1 = now_ns();
    if (!none.empty()) fail("pml: " + std::to_string(none.size()) + " pages in an epoch without writes");
    empty.push_back(t1 - t0);
    empty_reset.push_back(p.reset_times.back());
    buf.write_interval(r + 3);
    t0 = now_ns();
    auto found = p.harvest();
    t1 = now_ns();
    check_set("pml", found, buf);
    full.push_back(t1 - t0);
    full_reset.push_back(p.reset_times.back());
  }
  auto st = pml_family_stats(p.mon.event.id());
  printf("epochend rss_mib=%zu dirty_pages=%zu reps=%d empty_ns=%llu empty_reset_ns=%llu ns=%llu "
         "reset_ns=%llu%s\n",
         rss_mib, buf.dirty.size(), reps, (unsigned long long)median(empty),
         (unsigned long long)median(empty_reset), (unsigned long long)median(full),
         (unsigned long long)median(full_reset),
         stat_fields(st, {"ept_tables", "charged_kb", "epoch_cleared", "epoch_walks", "invepts"}).c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  setvbuf(stdout, nullptr, _IOLBF, 0);
  std::string what = argc > 1 ? argv[1] : "";
  if (what == "getppid" && argc == 3) return getppid_cost(atol(argv[2]));
  if (what == "open" && argc == 3) return open_cost(atol(argv[2]));
  if (what == "epochend" && argc == 5)
    return epoch_end_cost(strtoul(argv[2], nullptr, 0), strtoul(argv[3], nullptr, 0), atoi(argv[4]));
  if (what == "harvest" && argc == 6)
    return harvest_cost(argv[2], strtoul(argv[3], nullptr, 0), strtoul(argv[4], nullptr, 0),
                        atoi(argv[5]));
  fprintf(stderr,
          "usage: pml-bench-costs getppid N | open N | harvest pml|pagemap|softdirty RSS_MIB "
          "DIRTY_KIB REPS | epochend RSS_MIB DIRTY_KIB REPS\n");
  return 2;
}
