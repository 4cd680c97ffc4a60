// The pml backend end to end on a kernel without the pml PMU: a software
// page-fault event stands in for it (type PERF_TYPE_SOFTWARE, and config =
// the "epoch" 2 = PERF_COUNT_SW_PAGE_FAULTS). Everything else is the real
// path: fork + enable_on_exec, ring buffer, decoding, records copied raw.
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>
#include <set>

#include "backend_impl.h"
#include "pml/perf_data.h"
#include "test_util.h"

namespace {

constexpr uint64_t kBuf = 0x5b0000000000ULL;

// When exec'ed by the test as a workload: write pages 0, 3 and 7 and exit.
[[maybe_unused]] const int workload = [] {
  if (!getenv("PML_TEST_WORKLOAD")) return 0;
  void* p = mmap(reinterpret_cast<void*>(kBuf), 16 * 4096, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  if (p != reinterpret_cast<void*>(kBuf)) _exit(3);
  for (int i : {0, 3, 7}) static_cast<volatile char*>(p)[i * 4096 + 8] = 1;
  _exit(0);
}();

}  // namespace

namespace pml {
namespace {

struct Collect : RecordSink {
  std::vector<Record> records;
  std::vector<std::vector<std::byte>> raw;
  Result<void> on_record(const Record& r, std::span<const std::byte> bytes) override {
    records.push_back(r);
    raw.emplace_back(bytes.begin(), bytes.end());
    return {};
  }
  Result<void> on_raw_only(std::span<const std::byte> bytes) override {
    ++raw_only;
    raw.emplace_back(bytes.begin(), bytes.end());
    return {};
  }
  size_t raw_only = 0;
};

TEST(PmlBackend, RecordsALaunchedCommandThroughTheRingBuffer) {
  BackendConfig cfg;
  cfg.epoch_ms = PERF_COUNT_SW_PAGE_FAULTS;
  cfg.ring_pages = 64;
  auto backend = make_pml_backend(PmuInfo{PERF_TYPE_SOFTWARE, ""}, cfg);
  setenv("PML_TEST_WORKLOAD", "1", 1);
  auto started = backend->start(RecordTarget{0, {"/proc/self/exe"}});
  unsetenv("PML_TEST_WORKLOAD");
  if (!started.ok() && (started.error().errnum == EACCES || started.error().errnum == EPERM))
    GTEST_SKIP() << started.error().to_string();
  ASSERT_TRUE(started.ok()) << started.error().to_string();
  ASSERT_EQ(backend->events().size(), 1u);
  EXPECT_EQ(backend->events()[0].ids.size(), size_t(sysconf(_SC_NPROCESSORS_ONLN)));  // one per CPU

  Collect sink;
  std::atomic<bool> stop{false};
  auto status = backend->run(sink, stop);
  ASSERT_TRUE(status.ok()) << status.error().to_string();
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << *status;

  std::set<uint64_t> pages;
  bool saw_buffer_mmap = false, saw_comm = false;
  EXPECT_GE(sink.raw_only, 1u);  // FINISHED_ROUND after each drain
  EXPECT_EQ(sink.raw.size(), sink.records.size() + sink.raw_only);
  for (auto& r : sink.raw) EXPECT_FALSE(r.empty());  // kernel records kept byte for byte
  for (size_t i = 0; i < sink.records.size(); ++i) {
    if (auto* s = std::get_if<Sample>(&sink.records[i])) {
      EXPECT_EQ(s->pid, uint32_t(backend->pid()));
      if (s->addr >= kBuf && s->addr < kBuf + 16 * 4096) pages.insert(s->addr & ~0xfffULL);
    } else if (auto* m = std::get_if<Mmap>(&sink.records[i])) {
      if (m->start == kBuf) saw_buffer_mmap = true;
    } else if (std::holds_alternative<Comm>(sink.records[i])) {
      saw_comm = true;
    }
  }
  EXPECT_EQ(pages, (std::set<uint64_t>{kBuf, kBuf + 3 * 4096, kBuf + 7 * 4096}));
  EXPECT_TRUE(saw_buffer_mmap);
  EXPECT_TRUE(saw_comm);
  EXPECT_EQ(backend->stats().lost, 0u);
  EXPECT_GE(backend->stats().kernel_count, 3u);

  // The raw records make a file that reads back the same.
  std::string path = test::temp_path("pml-backend.data");
  {
    auto w = PerfDataWriter::create(path, backend->events());
    ASSERT_TRUE(w.ok());
    for (auto& r : sink.raw) ASSERT_TRUE(w->write_raw(r).ok());
    ASSERT_TRUE(w->finish().ok());
  }
  auto back = test::read_all(path);
  EXPECT_EQ(back.size(), sink.records.size());
}

}  // namespace
}  // namespace pml
