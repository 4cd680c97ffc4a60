#include "pml/pml_event.h"

#include <gtest/gtest.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>

#include "record_decoder.h"
#include "test_util.h"

namespace pml {
namespace {

TEST(FindPmlPmu, ReadsTheDynamicType) {
  std::string root = test::temp_path("sysfs");
  std::filesystem::create_directories(root + "/pml/format");
  std::ofstream(root + "/pml/type") << "17\n";
  auto pmu = find_pml_pmu(root);
  ASSERT_TRUE(pmu.ok()) << pmu.error().to_string();
  EXPECT_EQ(pmu->type, 17u);
  std::filesystem::remove_all(root);
}

TEST(FindPmlPmu, MissingPmuSaysWhy) {
  auto pmu = find_pml_pmu(test::temp_path("no-sysfs"));
  ASSERT_FALSE(pmu.ok());
  EXPECT_EQ(pmu.error().errnum, ENOENT);
  EXPECT_NE(pmu.error().message.find("kernel without CONFIG_PERF_PML"), std::string::npos);
}

TEST(PmlAttr, EncodesEpochAndSampling) {
  PmuInfo pmu{23, ""};
  PmlEventOptions o;
  o.epoch_ms = 250;
  o.enable_on_exec = true;
  auto a = pml_attr(pmu, o);
  EXPECT_EQ(a.type, 23u);
  EXPECT_EQ(a.size, 128u);
  EXPECT_EQ(a.config, 250u);
  EXPECT_EQ(a.sample_period, 1u);
  EXPECT_TRUE(a.sample_type & PERF_SAMPLE_ADDR);
  EXPECT_TRUE(a.sample_type & PERF_SAMPLE_RAW);
  EXPECT_TRUE(a.sample_type & PERF_SAMPLE_IDENTIFIER);
  EXPECT_FALSE(a.sample_type & PERF_SAMPLE_PHYS_ADDR);
  EXPECT_TRUE(a.disabled);
  EXPECT_TRUE(a.enable_on_exec);
  EXPECT_TRUE(a.inherit);
  EXPECT_TRUE(a.sample_id_all);
  EXPECT_TRUE(a.mmap2 && a.comm && a.task);
}

TEST(PmlEvent, OpenWithoutThePmuGivesTheDocumentedMessage) {
  if (find_pml_pmu().ok()) GTEST_SKIP() << "this kernel has the pml PMU";
  auto m = SelfMonitor::start(10);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().errnum, ENOENT);
  EXPECT_EQ(m.error().message,
            "no pml PMU in /sys/bus/event_source/devices (kernel without CONFIG_PERF_PML)");
}

// The ring buffer reader against a real kernel buffer: a software
// page-fault event with ADDR stands in for pml (same record path).
int open_page_faults(uint64_t sample_type) {
  perf_event_attr a{};
  a.type = PERF_TYPE_SOFTWARE;
  a.size = sizeof a;
  a.config = PERF_COUNT_SW_PAGE_FAULTS;
  a.sample_period = 1;
  a.sample_type = sample_type;
  a.sample_id_all = 1;
  a.disabled = 1;
  a.exclude_kernel = 1;
  a.exclude_hv = 1;
  return int(syscall(SYS_perf_event_open, &a, 0, -1, -1, PERF_FLAG_FD_CLOEXEC));
}

constexpr uint64_t kType = PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_TID | PERF_SAMPLE_TIME |
                           PERF_SAMPLE_ADDR;

EventInfo info_for(uint64_t sample_type) {
  EventInfo e;
  e.name = "page-faults";
  e.attr.sample_type = sample_type;
  e.attr.sample_id_all = 1;
  return e;
}

TEST(RingBuffer, DeliversEverySampleOfTouchedPages) {
  UniqueFd fd(open_page_faults(kType));
  if (!fd.valid()) GTEST_SKIP() << "perf_event_open: " << strerror(errno);
  auto rb = RingBuffer::map(fd.get(), 64);
  ASSERT_TRUE(rb.ok()) << rb.error().to_string();
  const size_t pages = 40;
  char* buf = static_cast<char*>(
      mmap(nullptr, pages * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  ASSERT_NE(buf, MAP_FAILED);
  madvise(buf, pages * 4096, MADV_NOHUGEPAGE);
  ASSERT_EQ(ioctl(fd.get(), PERF_EVENT_IOC_ENABLE, 0), 0);
  for (size_t i = 0; i < pages; ++i) buf[i * 4096 + 8] = 1;
  ASSERT_EQ(ioctl(fd.get(), PERF_EVENT_IOC_DISABLE, 0), 0);

  RecordDecoder dec(std::vector<EventInfo>{info_for(kType)});
  std::set<uint64_t> seen;
  size_t records = 0;
  // Drain in two rounds: the second must find nothing new (tail advanced).
  for (int round = 0; round < 2; ++round) {
    records += rb->drain([&](std::span<const std::byte> raw) {
      perf_event_header h;
      std::memcpy(&h, raw.data(), sizeof h);
      EXPECT_EQ(raw.size(), h.size);
      Record r;
      if (dec.decode(h.type, h.misc, raw.subspan(sizeof h), r) != DecodeStatus::kOk) return;
      if (auto* s = std::get_if<Sample>(&r)) {
        EXPECT_EQ(s->pid, uint32_t(getpid()));
        seen.insert(s->addr & ~0xfffULL);
      }
    });
    if (round == 0) {
      EXPECT_GE(records, pages);
    }
  }
  for (size_t i = 0; i < pages; ++i)
    EXPECT_TRUE(seen.count(reinterpret_cast<uint64_t>(buf) + i * 4096)) << "page " << i;
  munmap(buf, pages * 4096);
}

TEST(RingBuffer, OverflowShowsUpAsLostRecord) {
  UniqueFd fd(open_page_faults(kType));
  if (!fd.valid()) GTEST_SKIP() << "perf_event_open: " << strerror(errno);
  auto rb = RingBuffer::map(fd.get(), 1);  // one page: ~100 samples fit
  ASSERT_TRUE(rb.ok());
  const size_t pages = 2000;
  char* buf = static_cast<char*>(
      mmap(nullptr, pages * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  ASSERT_NE(buf, MAP_FAILED);
  madvise(buf, pages * 4096, MADV_NOHUGEPAGE);
  ASSERT_EQ(ioctl(fd.get(), PERF_EVENT_IOC_ENABLE, 0), 0);
  for (size_t i = 0; i < pages / 2; ++i) buf[i * 4096] = 1;
  // The next record after a drain is the LOST record for the overflow.
  RecordDecoder dec(std::vector<EventInfo>{info_for(kType)});
  uint64_t samples = 0, lost = 0;
  auto drain = [&] {
    rb->drain([&](std::span<const std::byte> raw) {
      perf_event_header h;
      std::memcpy(&h, raw.data(), sizeof h);
      Record r;
      if (dec.decode(h.type, h.misc, raw.subspan(sizeof h), r) != DecodeStatus::kOk) return;
      if (std::holds_alternative<Sample>(r)) ++samples;
      if (auto* l = std::get_if<Lost>(&r)) lost += l->lost;
    });
  };
  drain();
  // The kernel writes the LOST record with the next record that fits.
  buf[(pages - 1) * 4096] = 1;
  ASSERT_EQ(ioctl(fd.get(), PERF_EVENT_IOC_DISABLE, 0), 0);
  drain();
  munmap(buf, pages * 4096);
  EXPECT_GT(lost, 0u);
  // Every fault is either delivered or counted as lost.
  EXPECT_GE(samples + lost, pages / 2 + 1);
}

}  // namespace
}  // namespace pml
