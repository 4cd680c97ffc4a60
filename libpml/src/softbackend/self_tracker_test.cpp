// SelfTracker: the test writes a known set of pages and must get exactly
// that set back, epoch after epoch.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "pml/softbackend.h"

namespace pml::soft {
namespace {

constexpr size_t kPage = 4096;

class Mapping {
 public:
  // Anonymous private mapping, or MAP_SHARED of `fd` if given.
  explicit Mapping(size_t pages, int fd = -1) : len_(pages * kPage) {
    int flags = fd >= 0 ? MAP_SHARED : MAP_PRIVATE | MAP_ANONYMOUS;
    void* p = mmap(nullptr, len_, PROT_READ | PROT_WRITE, flags, fd, 0);
    base_ = p == MAP_FAILED ? nullptr : static_cast<char*>(p);
    // 4 KiB pages only: these tests count pages.
    if (base_) madvise(base_, len_, MADV_NOHUGEPAGE);
  }
  ~Mapping() {
    if (base_) munmap(base_, len_);
  }
  char* base() const { return base_; }
  size_t len() const { return len_; }
  uint64_t page(size_t i) const { return reinterpret_cast<uintptr_t>(base_ + i * kPage); }
  void write(size_t i) { *reinterpret_cast<volatile char*>(base_ + i * kPage + 7) = char(i + 1); }
  char read(size_t i) const { return *reinterpret_cast<volatile char*>(base_ + i * kPage + 7); }

 private:
  size_t len_;
  char* base_;
};

std::set<uint64_t> addrs_of(const std::vector<DirtyPage>& pages) {
  std::set<uint64_t> addrs;
  for (const DirtyPage& p : pages) addrs.insert(p.addr);
  return addrs;
}

std::set<uint64_t> pages_of(const Mapping& m, const std::vector<size_t>& indexes) {
  std::set<uint64_t> addrs;
  for (size_t i : indexes) addrs.insert(m.page(i));
  return addrs;
}

class SelfTrackerTest : public ::testing::TestWithParam<Kind> {
 protected:
  void SetUp() override {
    Availability a = probe(GetParam());
    if (!a.available) GTEST_SKIP() << a.reason;
  }

  // Writes `indexes` in the given order, collects, and expects exactly them.
  void expect_epoch(SelfTracker& tracker, Mapping& m, const std::vector<size_t>& indexes) {
    for (size_t i : indexes) m.write(i);
    auto pages = tracker.collect();
    ASSERT_TRUE(pages.ok()) << pages.error().to_string();
    EXPECT_EQ(addrs_of(*pages), pages_of(m, indexes));
    EXPECT_EQ(pages->size(), pages_of(m, indexes).size()) << "a page was reported twice";
  }
};

TEST_P(SelfTrackerTest, ContiguousThenDifferentSetThenNothing) {
  Mapping m(64);
  ASSERT_NE(m.base(), nullptr);
  auto tracker = SelfTracker::track(m.base(), m.len(), GetParam());
  ASSERT_TRUE(tracker.ok()) << tracker.error().to_string();
  expect_epoch(*tracker, m, {10, 11, 12, 13, 14, 15, 16, 17, 18, 19});
  expect_epoch(*tracker, m, {0, 30, 63});
  expect_epoch(*tracker, m, {});
}

TEST_P(SelfTrackerTest, StridedPages) {
  Mapping m(96);
  auto tracker = SelfTracker::track(m.base(), m.len(), GetParam());
  ASSERT_TRUE(tracker.ok()) << tracker.error().to_string();
  std::vector<size_t> every3, every5;
  for (size_t i = 1; i < 96; i += 3) every3.push_back(i);
  for (size_t i = 0; i < 96; i += 5) every5.push_back(i);
  expect_epoch(*tracker, m, every3);
  expect_epoch(*tracker, m, every5);
}

TEST_P(SelfTrackerTest, RandomOrderAndRepeatedWrites) {
  Mapping m(256);
  auto tracker = SelfTracker::track(m.base(), m.len(), GetParam());
  ASSERT_TRUE(tracker.ok()) << tracker.error().to_string();
  std::mt19937 rng(12345);
  for (int epoch = 0; epoch < 4; ++epoch) {
    std::vector<size_t> all(256);
    for (size_t i = 0; i < all.size(); ++i) all[i] = i;
    std::shuffle(all.begin(), all.end(), rng);
    std::vector<size_t> chosen(all.begin(), all.begin() + 40);
    // Each page written twice, in two different random orders.
    std::vector<size_t> twice = chosen;
    std::shuffle(twice.begin(), twice.end(), rng);
    twice.insert(twice.end(), chosen.begin(), chosen.end());
    expect_epoch(*tracker, m, twice);
  }
}

TEST_P(SelfTrackerTest, ReadsAndEarlierWritesDoNotCount) {
  Mapping m(32);
  for (size_t i = 0; i < 16; ++i) m.write(i);  // before tracking: not reported
  auto tracker = SelfTracker::track(m.base(), m.len(), GetParam());
  ASSERT_TRUE(tracker.ok()) << tracker.error().to_string();
  int sum = 0;
  for (size_t i = 0; i < 32; ++i) sum += m.read(i);  // resident and zero pages read
  EXPECT_GT(sum, 0);
  expect_epoch(*tracker, m, {3, 20});
  for (size_t i = 0; i < 32; ++i) sum += m.read(i);
  expect_epoch(*tracker, m, {});
}

TEST_P(SelfTrackerTest, TwoMappingsOneTracker) {
  Mapping a(16), b(24);
  auto tracker = SelfTracker::track(a.base(), a.len(), GetParam());
  ASSERT_TRUE(tracker.ok()) << tracker.error().to_string();
  Result<void> added = tracker->add(b.base(), b.len());
  ASSERT_TRUE(added.ok()) << added.error().to_string();
  for (int epoch = 0; epoch < 2; ++epoch) {
    std::vector<size_t> in_a = epoch == 0 ? std::vector<size_t>{1, 2, 15} : std::vector<size_t>{0};
    std::vector<size_t> in_b = epoch == 0 ? std::vector<size_t>{0, 23} : std::vector<size_t>{5, 6, 7};
    for (size_t i : in_a) a.write(i);
    for (size_t i : in_b) b.write(i);
    auto pages = tracker->collect();
    ASSERT_TRUE(pages.ok()) << pages.error().to_string();
    std::set<uint64_t> expected = pages_of(a, in_a);
    expected.merge(pages_of(b, in_b));
    EXPECT_EQ(addrs_of(*pages), expected) << "epoch " << epoch;
  }
}

TEST_P(SelfTrackerTest, SharedFileMapping) {
  char path[] = "/tmp/pml-softbackend-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  unlink(path);
  ASSERT_EQ(ftruncate(fd, 32 * kPage), 0);
  {
    Mapping m(32, fd);
    ASSERT_NE(m.base(), nullptr);
    for (size_t i = 0; i < 32; i += 2) m.write(i);  // half the pages resident and dirty
    auto tracker = SelfTracker::track(m.base(), m.len(), GetParam());
    ASSERT_TRUE(tracker.ok()) << tracker.error().to_string();
    int sum = 0;
    for (size_t i = 0; i < 32; ++i) sum += m.read(i);  // fault in the rest by reading
    EXPECT_GT(sum, 0);
    expect_epoch(*tracker, m, {0, 1, 9, 31});
    ASSERT_EQ(fsync(fd), 0);  // writeback cleans the pages: still no spurious reports
    expect_epoch(*tracker, m, {2, 3});
    expect_epoch(*tracker, m, {});
  }
  close(fd);
}

TEST_P(SelfTrackerTest, DirtyPageFields) {
  Mapping m(8);
  auto tracker = SelfTracker::track(m.base(), m.len(), GetParam());
  ASSERT_TRUE(tracker.ok()) << tracker.error().to_string();
  m.write(4);
  std::vector<DirtyPage> pages;
  auto n = tracker->collect(42, [&](const DirtyPage& p) { pages.push_back(p); });
  ASSERT_TRUE(n.ok()) << n.error().to_string();
  ASSERT_EQ(*n, 1u);
  ASSERT_EQ(pages.size(), 1u);
  EXPECT_EQ(pages[0].addr, m.page(4));
  EXPECT_EQ(pages[0].page_size, kPage);
  EXPECT_EQ(pages[0].pid, uint32_t(getpid()));
  EXPECT_EQ(pages[0].tid, pages[0].pid);
  EXPECT_EQ(pages[0].epoch, 42u);
  EXPECT_GT(pages[0].time_ns, 0u);
  m.write(5);
  auto next = tracker->collect();  // continues after the explicit epoch
  ASSERT_TRUE(next.ok());
  ASSERT_EQ(next->size(), 1u);
  EXPECT_EQ((*next)[0].epoch, 43u);
}

INSTANTIATE_TEST_SUITE_P(Kinds, SelfTrackerTest, ::testing::Values(Kind::kUffd, Kind::kSoftDirty),
                         [](const auto& info) {
                           return info.param == Kind::kUffd ? "Uffd" : "SoftDirty";
                         });

TEST(SelfTrackerUffd, RemappedRangeIsAnErrorNotSilence) {
  Availability a = probe(Kind::kUffd);
  if (!a.available) GTEST_SKIP() << a.reason;
  Mapping m(8);
  auto tracker = SelfTracker::track(m.base(), m.len(), Kind::kUffd);
  ASSERT_TRUE(tracker.ok()) << tracker.error().to_string();
  // A fresh mapping at the same place is not registered: writes there
  // could not be seen, so collect must fail rather than report nothing.
  void* p = mmap(m.base(), m.len(), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
  ASSERT_EQ(p, static_cast<void*>(m.base()));
  m.write(1);
  auto pages = tracker->collect();
  ASSERT_FALSE(pages.ok());
  EXPECT_EQ(pages.error().errnum, EPERM) << pages.error().to_string();
}

long vm_pte_kb() {
  FILE* f = fopen("/proc/self/status", "r");
  char line[256];
  long kb = -1;
  while (f && fgets(line, sizeof(line), f)) {
    if (sscanf(line, "VmPTE: %ld kB", &kb) == 1) break;
  }
  if (f) fclose(f);
  return kb;
}

// A huge sparse private mapping (think ASan shadow, GC heap reservation)
// must cost nothing for the untouched part: no page tables get allocated to
// hold write-protect markers.
TEST(SelfTrackerUffd, HugeSparseMappingAllocatesNoPageTables) {
  Availability a = probe(Kind::kUffd);
  if (!a.available) GTEST_SKIP() << a.reason;
  const size_t len = size_t(64) << 30;  // 64 GiB: 128 MiB of page tables if marked
  void* p = mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  ASSERT_NE(p, MAP_FAILED);
  char* base = static_cast<char*>(p);
  madvise(base, len, MADV_NOHUGEPAGE);
  const long before = vm_pte_kb();
  {
    auto tracker = SelfTracker::track(base, len, Kind::kUffd);
    ASSERT_TRUE(tracker.ok()) << tracker.error().to_string();
    base[0] = 1;
    base[len / 2] = 2;
    base[len - 1] = 3;
    auto pages = tracker->collect();
    ASSERT_TRUE(pages.ok()) << pages.error().to_string();
    std::set<uint64_t> expected = {reinterpret_cast<uintptr_t>(base),
                                   reinterpret_cast<uintptr_t>(base + len / 2),
                                   reinterpret_cast<uintptr_t>(base + len - kPage)};
    EXPECT_EQ(addrs_of(*pages), expected);
    EXPECT_LT(vm_pte_kb() - before, 1024) << "page tables grew by " << vm_pte_kb() - before << " kB";
  }
  munmap(p, len);
}

// Async uffd-wp splits a protected THP on the first write to it, so only the
// 4 KiB page written is reported, not the whole 2 MiB.
TEST(SelfTrackerUffd, WriteToProtectedHugePageReportsOnlyTheSmallPage) {
  Availability a = probe(Kind::kUffd);
  if (!a.available) GTEST_SKIP() << a.reason;
  const size_t huge = 2u << 20;
  void* p = mmap(nullptr, 2 * huge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(p, MAP_FAILED);
  char* aligned = reinterpret_cast<char*>((reinterpret_cast<uintptr_t>(p) + huge - 1) & ~(huge - 1));
  madvise(aligned, huge, MADV_HUGEPAGE);  // best effort: the result holds either way
  aligned[0] = 1;                         // one fault maps a whole THP when one is free
  auto tracker = SelfTracker::track(aligned, huge, Kind::kUffd);
  ASSERT_TRUE(tracker.ok()) << tracker.error().to_string();
  aligned[huge - 1] = 2;
  auto pages = tracker->collect();
  ASSERT_TRUE(pages.ok()) << pages.error().to_string();
  ASSERT_EQ(pages->size(), 1u);
  EXPECT_EQ((*pages)[0].addr, reinterpret_cast<uintptr_t>(aligned + huge - kPage));
  EXPECT_EQ((*pages)[0].page_size, kPage);
  munmap(p, 2 * huge);
}

}  // namespace
}  // namespace pml::soft
