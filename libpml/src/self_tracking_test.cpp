#include "pml/self_tracking.h"

#include <gtest/gtest.h>
#include <sys/mman.h>

#include <cstdlib>
#include <cstring>
#include <thread>

namespace pml {
namespace {

constexpr size_t kPage = 4096;

// An anonymous buffer of 4 KiB pages (no THP: each write is its own page).
class Buffer {
 public:
  explicit Buffer(size_t pages) : len_(pages * kPage) {
    void* p = mmap(nullptr, len_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return;
    madvise(p, len_, MADV_NOHUGEPAGE);
    data_ = static_cast<char*>(p);
  }
  ~Buffer() {
    if (data_) munmap(data_, len_);
  }
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;

  char* data() const { return data_; }
  size_t size() const { return len_; }
  void write(int page, char v = 1) const { data_[page * kPage + 5] = v; }
  uint64_t page(int i) const { return reinterpret_cast<uint64_t>(data_) + uint64_t(i) * kPage; }

 private:
  size_t len_;
  char* data_ = nullptr;
};

// PML_EXPECT_VMX=1 (a guest with the pml PMU on a CPU with PML): the
// tracker must use pml, not fall back; =0: it must fall back.
void expect_mechanism(const RangeTracker& t) {
  const char* want = std::getenv("PML_EXPECT_VMX");
  if (!want) return;
  if (std::strcmp(want, "1") == 0)
    EXPECT_EQ(t.mechanism(), "pml") << t.reason();
  else
    EXPECT_NE(t.mechanism(), "pml") << t.reason();
}

TEST(RangeTracker, ReportsExactlyTheWrittenPagesPerInterval) {
  Buffer buf(32);
  ASSERT_TRUE(buf.data());
  auto t = RangeTracker::start(buf.data(), buf.size());
  if (!t.ok()) GTEST_SKIP() << t.error().message;
  EXPECT_FALSE(t->reason().empty());
  expect_mechanism(*t);

  for (int i : {3, 1, 30}) buf.write(i);
  auto first = t->collect();
  ASSERT_TRUE(first.ok()) << first.error().to_string();
  EXPECT_EQ(*first, (std::vector<uint64_t>{buf.page(1), buf.page(3), buf.page(30)}));

  volatile char sink = buf.data()[7 * kPage];  // a read is not a write
  (void)sink;
  buf.write(3, 2);
  buf.write(31, 2);
  auto second = t->collect();
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*second, (std::vector<uint64_t>{buf.page(3), buf.page(31)}));

  auto third = t->collect();
  ASSERT_TRUE(third.ok());
  EXPECT_TRUE(third->empty());
}

// A thread started after the tracker: its writes are the process's too.
TEST(RangeTracker, ReportsWritesOfALaterThread) {
  Buffer buf(16);
  ASSERT_TRUE(buf.data());
  auto t = RangeTracker::start(buf.data(), buf.size());
  if (!t.ok()) GTEST_SKIP() << t.error().message;
  expect_mechanism(*t);

  std::thread([&buf] {
    for (int i : {2, 11}) buf.write(i);
  }).join();
  buf.write(5);
  auto got = t->collect();
  ASSERT_TRUE(got.ok()) << got.error().to_string();
  EXPECT_EQ(*got, (std::vector<uint64_t>{buf.page(2), buf.page(5), buf.page(11)}));
}

}  // namespace
}  // namespace pml
