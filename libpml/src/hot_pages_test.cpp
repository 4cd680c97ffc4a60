#include <gtest/gtest.h>

#include "analysis_test_stream.h"
#include "pml/analysis.h"

namespace pml {
namespace {

TEST(HotPages, PagesWrittenInMostEpochs) {
  auto recs = test::make_stream();
  auto h = hot_pages(recs, 0.5, 10);
  EXPECT_EQ(h.total_epochs, 4u);
  // heap+0 is written in all 4 epochs; heap+1000 in 2 of 4 (not more than half).
  EXPECT_EQ(h.hot_pages, 1u);
  ASSERT_EQ(h.top.size(), 1u);
  EXPECT_EQ(h.top[0].addr, test::kHeap);
  EXPECT_EQ(h.top[0].pid, test::kPid);
  EXPECT_EQ(h.top[0].epochs, 4u);
}

TEST(HotPages, LowerThresholdAndTopN) {
  auto recs = test::make_stream();
  auto h = hot_pages(recs, 0.25, 1);
  // More than 1 of 4 epochs: heap+0 (4), heap+1000 (2).
  EXPECT_EQ(h.hot_pages, 2u);
  ASSERT_EQ(h.top.size(), 1u);
  EXPECT_EQ(h.top[0].addr, test::kHeap);
}

}  // namespace
}  // namespace pml
