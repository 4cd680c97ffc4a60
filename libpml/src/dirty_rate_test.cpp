#include <gtest/gtest.h>

#include "analysis_test_stream.h"
#include "pml/analysis.h"

namespace pml {
namespace {

TEST(DirtyRate, PagesPerBucket) {
  auto recs = test::make_stream();
  auto rate = dirty_rate(recs, 10 * test::kMs);
  ASSERT_EQ(rate.size(), 4u);
  EXPECT_EQ(rate[0].pages, 4u);
  EXPECT_EQ(rate[1].pages, 3u);
  EXPECT_EQ(rate[2].pages, 3u);  // the duplicate is a logged page-epoch too
  EXPECT_EQ(rate[3].pages, 1u);
  EXPECT_DOUBLE_EQ(rate[0].pages_per_sec(), 400.0);  // 4 pages in 10 ms
  EXPECT_EQ(rate[2].start_ns, 20 * test::kMs);
}

TEST(DirtyRate, WidensBucketsWhenFull) {
  DirtyRate dr(1 * test::kMs, 4);
  SampleResolver resolver;
  ResolvedSample rs;
  for (int i = 0; i < 16; ++i) {  // 1 per ms
    Sample s = test::page(0, i, 0x1000);
    ASSERT_TRUE(resolver.resolve(s, &rs));
    dr.add(rs);
  }
  auto r = dr.result();
  EXPECT_LE(r.size(), 4u);
  EXPECT_EQ(dr.bucket_ns(), 4 * test::kMs);
  uint64_t total = 0;
  for (auto& p : r) total += p.pages;
  EXPECT_EQ(total, 16u);
  EXPECT_EQ(r[0].pages, 4u);
}

}  // namespace
}  // namespace pml
