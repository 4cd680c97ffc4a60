#include "pml/flat_hash.h"

#include <gtest/gtest.h>

#include <set>

namespace pml {
namespace {

TEST(FlatSet, InsertReportsNewKeysAcrossGrowth) {
  FlatSet s;
  for (uint64_t k = 1; k <= 10000; ++k) EXPECT_TRUE(s.insert(k * 4096));
  for (uint64_t k = 1; k <= 10000; ++k) EXPECT_FALSE(s.insert(k * 4096));
  EXPECT_EQ(s.size(), 10000u);
  EXPECT_TRUE(s.contains(4096 * 5000));
  EXPECT_FALSE(s.contains(4096 * 10001));
}

TEST(FlatMap, ValuesSurviveRehash) {
  FlatMap<uint32_t> m;
  for (uint64_t k = 1; k <= 5000; ++k) m.find_or_insert(k) = uint32_t(k * 3);
  uint64_t sum = 0;
  m.for_each([&](uint64_t k, uint32_t v) {
    EXPECT_EQ(v, k * 3);
    sum += v;
  });
  EXPECT_EQ(sum, 3u * 5000u * 5001u / 2u);
  ASSERT_NE(m.find(77), nullptr);
  EXPECT_EQ(*m.find(77), 231u);
  EXPECT_EQ(m.find(9999), nullptr);
}

TEST(PageKey, RoundTripsAndSeparatesProcesses) {
  const uint64_t addr = 0x7ffd12345000;
  uint64_t k = page_key(4194303, addr + 0x123);  // pid_max, unaligned address
  EXPECT_EQ(page_key_pid(k), 4194303u);
  EXPECT_EQ(page_key_addr(k), addr);
  EXPECT_NE(page_key(1, addr), page_key(2, addr));
  EXPECT_EQ(page_key(1, addr), page_key(1, addr + 4095));
  EXPECT_NE(page_key(0, 0), 0u);  // 0 is the empty slot
}

}  // namespace
}  // namespace pml
