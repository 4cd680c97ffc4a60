#include <gtest/gtest.h>

#include "analysis_test_stream.h"
#include "pml/analysis.h"

namespace pml {
namespace {

TEST(EpochWorkingSet, DistinctPagesPerEpoch) {
  auto recs = test::make_stream();
  auto ws = epoch_working_set(recs);
  ASSERT_EQ(ws.size(), 4u);
  std::vector<uint64_t> pages, epochs;
  for (auto& e : ws) {
    pages.push_back(e.pages);
    epochs.push_back(e.epoch);
  }
  EXPECT_EQ(pages, (std::vector<uint64_t>{4, 3, 2, 1}));
  EXPECT_EQ(epochs, (std::vector<uint64_t>{0, 1, 2, 3}));
  EXPECT_EQ(ws[0].first_time, test::kT0);
  EXPECT_EQ(ws[0].last_time, test::kT0 + 3 * test::kMs);
}

TEST(EpochWorkingSet, LateSampleOfPreviousEpochIsDeduplicated) {
  std::vector<Record> v = {test::page(0, 0, 0x1000), test::page(1, 0, 0x1000),
                           test::page(0, 1, 0x1000), test::page(0, 2, 0x2000),
                           test::page(1, 1, 0x3000)};
  auto ws = epoch_working_set(v);
  ASSERT_EQ(ws.size(), 2u);
  EXPECT_EQ(ws[0].pages, 2u);  // 0x1000 (twice), 0x2000
  EXPECT_EQ(ws[1].pages, 2u);  // 0x1000, 0x3000
}

TEST(EpochWorkingSet, SkippedEpochsLeaveNoPoints) {
  std::vector<Record> v = {test::page(0, 0, 0x1000), test::page(5, 0, 0x1000),
                           test::page(9, 0, 0x2000)};
  auto ws = epoch_working_set(v);
  ASSERT_EQ(ws.size(), 3u);
  EXPECT_EQ(ws[1].epoch, 5u);
  EXPECT_EQ(ws[2].epoch, 9u);
}

TEST(EpochWorkingSet, CoarsensInsteadOfGrowing) {
  EpochWorkingSet ws(8);
  SampleResolver resolver;
  ResolvedSample rs;
  // 32 epochs, epoch e writes e+1 pages.
  for (uint64_t e = 0; e < 32; ++e)
    for (uint64_t p = 0; p <= e; ++p) {
      Sample s = test::page(e, 0, 0x10000 + p * 0x1000);
      ASSERT_TRUE(resolver.resolve(s, &rs));
      ws.add(rs);
    }
  auto r = ws.result();
  EXPECT_LE(r.size(), 9u);
  uint64_t total = 0, epochs = 0, peak = 0;
  for (auto& s : r) {
    total += s.pages;
    epochs += s.epochs;
    peak = std::max(peak, s.peak_pages);
  }
  EXPECT_EQ(epochs, 32u);
  EXPECT_EQ(total, 32u * 33u / 2u);  // 1 + 2 + ... + 32
  EXPECT_EQ(peak, 32u);
}

TEST(WorkingSetPercentiles, NearestRankOverEpochs) {
  // 100 epochs; epoch e writes e + 1 distinct pages.
  std::vector<Record> recs;
  for (uint64_t e = 0; e < 100; ++e)
    for (uint64_t p = 0; p <= e; ++p) recs.push_back(test::page(e, 0, 0x100000 + p * 0x1000));
  AnalysisOptions o;
  o.data_symbols = false;
  o.max_points = 8;  // the percentiles do not come from the coarsened points
  auto rep = analyze(recs, o);
  EXPECT_EQ(rep.wss.p50, 50u);
  EXPECT_EQ(rep.wss.p90, 90u);
  EXPECT_EQ(rep.wss.p99, 99u);
}

TEST(WorkingSetPercentiles, SmallStream) {
  // Epoch sizes 4, 3, 2, 1: p50 is the 2nd smallest, p90 and p99 the 4th.
  auto rep = analyze(test::make_stream());
  EXPECT_EQ(rep.wss.p50, 2u);
  EXPECT_EQ(rep.wss.p90, 4u);
  EXPECT_EQ(rep.wss.p99, 4u);
}

}  // namespace
}  // namespace pml
