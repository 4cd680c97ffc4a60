#include <gtest/gtest.h>

#include "analysis_test_stream.h"
#include "pml/analysis.h"

namespace pml {
namespace {

TEST(HugePages, SubpagesWrittenPerHugePage) {
  auto mk = [](uint64_t addr, uint64_t size) {
    Sample s = test::page(0, 0, addr);
    s.data_page_size = size;
    return s;
  };
  constexpr uint64_t k2M = 2ULL << 20;
  std::vector<Record> v = {
      mk(0x40000000, k2M),          mk(0x40001000, k2M), mk(0x40001000, k2M),
      mk(0x40005000, k2M),          mk(0x40200000 + 0x1ff000, k2M),
      mk(0x50000000, 4096),
  };
  auto h = huge_page_use(v);
  EXPECT_EQ(h.huge_samples, 5u);
  EXPECT_EQ(h.small_samples, 1u);
  EXPECT_EQ(h.huge_pages, 2u);
  EXPECT_EQ(h.subpages_written, 4u);  // 3 + 1
  ASSERT_EQ(h.pages.size(), 2u);
  EXPECT_EQ(h.pages[0].addr, 0x40000000u);
  EXPECT_EQ(h.pages[0].subpages_written, 3u);
  EXPECT_EQ(h.pages[1].addr, 0x40200000u);
  EXPECT_EQ(h.pages[1].subpages_written, 1u);
  EXPECT_EQ(h.histogram[0], 2u);
}

TEST(HugePages, FullyWrittenHugePage) {
  std::vector<Record> v;
  for (uint64_t i = 0; i < 512; ++i) {
    Sample s = test::page(0, 0, 0x40000000 + i * 4096);
    s.data_page_size = 2ULL << 20;
    v.push_back(s);
  }
  auto h = huge_page_use(v);
  ASSERT_EQ(h.pages.size(), 1u);
  EXPECT_EQ(h.pages[0].subpages_written, 512u);
  EXPECT_EQ(h.histogram[7], 1u);
}

}  // namespace
}  // namespace pml
