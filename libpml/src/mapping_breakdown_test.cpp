#include <gtest/gtest.h>

#include "analysis_test_stream.h"
#include "pml/analysis.h"

namespace pml {
namespace {

TEST(MappingBreakdown, PerMappingCounts) {
  auto recs = test::make_stream();
  auto m = mapping_breakdown(recs);
  ASSERT_EQ(m.size(), 4u);
  EXPECT_EQ(m[0].name, "[heap]");
  EXPECT_EQ(m[0].page_epochs, 8u);  // 2 + 2 + 3 + 1
  EXPECT_EQ(m[0].pages, 3u);
  // The three others have 1 page-epoch each, sorted by name.
  EXPECT_EQ(m[1].name, "/lib/x.so");
  EXPECT_EQ(m[2].name, "[anon] 0x7f1000000000-0x7f1000400000");
  EXPECT_EQ(m[3].name, "[stack]");
  for (int i = 1; i < 4; ++i) {
    EXPECT_EQ(m[i].page_epochs, 1u);
    EXPECT_EQ(m[i].pages, 1u);
  }
}

TEST(MappingBreakdown, UnmappedAddressIsUnknown) {
  std::vector<Record> v = {test::page(0, 0, 0x1234000)};
  auto m = mapping_breakdown(v);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].name, "[unknown]");
}

}  // namespace
}  // namespace pml
