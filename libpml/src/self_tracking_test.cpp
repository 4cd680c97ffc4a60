#include "pml/self_tracking.h"

#include <gtest/gtest.h>
#include <sys/mman.h>

namespace pml {
namespace {

TEST(RangeTracker, ReportsExactlyTheWrittenPagesPerInterval) {
  const size_t pages = 32;
  char* buf = static_cast<char*>(
      mmap(nullptr, pages * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  ASSERT_NE(buf, MAP_FAILED);
  madvise(buf, pages * 4096, MADV_NOHUGEPAGE);
  auto t = RangeTracker::start(buf, pages * 4096);
  if (!t.ok()) GTEST_SKIP() << t.error().message;
  EXPECT_FALSE(t->reason().empty());
  const uint64_t base = reinterpret_cast<uint64_t>(buf);
  auto page = [&](int i) { return base + uint64_t(i) * 4096; };

  for (int i : {3, 1, 30}) buf[i * 4096 + 5] = 1;
  auto first = t->collect();
  ASSERT_TRUE(first.ok()) << first.error().to_string();
  EXPECT_EQ(*first, (std::vector<uint64_t>{page(1), page(3), page(30)}));

  volatile char sink = buf[7 * 4096];  // a read is not a write
  (void)sink;
  buf[3 * 4096] = 2;
  buf[31 * 4096] = 2;
  auto second = t->collect();
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*second, (std::vector<uint64_t>{page(3), page(31)}));

  auto third = t->collect();
  ASSERT_TRUE(third.ok());
  EXPECT_TRUE(third->empty());
  munmap(buf, pages * 4096);
}

}  // namespace
}  // namespace pml
