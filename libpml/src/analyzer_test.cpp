#include <gtest/gtest.h>

#include "analysis_test_stream.h"
#include "pml/analysis.h"

namespace pml {
namespace {

TEST(UniquePages, CountsDistinctPagesPerProcess) {
  auto recs = test::make_stream();
  auto u = unique_pages(recs);
  EXPECT_EQ(u.pages, 6u);
  EXPECT_EQ(u.page_epochs, 11u);
  EXPECT_EQ(u.bytes(), 6u * 4096u);
}

TEST(UniquePages, SameAddressInTwoProcessesIsTwoPages) {
  Sample a = test::page(0, 0, 0x5000), b = a;
  b.pid = 99;
  std::vector<Record> v = {a, b, a};
  EXPECT_EQ(unique_pages(v).pages, 2u);
}

TEST(Analyzer, UncollectedWritesAreCountedApartFromLostSamples) {
  // A ring buffer's LOST_SAMPLES counts page-epochs; the software backend's
  // LOST_SAMPLES of 0 names a process whose last writes went with its exec.
  Lost ring = test::lost_samples(10, 7, 1), exec_of_12 = test::lost_samples(12, 0, 2),
       exec_of_13 = test::lost_samples(13, 0, 3), lost_record = test::lost_samples(10, 0, 4);
  lost_record.samples_record = false;  // PERF_RECORD_LOST: not a software notice
  EXPECT_FALSE(ring.uncollected());
  EXPECT_TRUE(exec_of_12.uncollected());
  EXPECT_FALSE(lost_record.uncollected());
  std::vector<Record> v = {ring, exec_of_13, test::page(0, 0, 0x5000), exec_of_12, lost_record};
  Analyzer a;
  for (auto& r : v) a.add(r);
  auto rep = a.result();
  EXPECT_EQ(rep.lost, 7u);
  EXPECT_EQ(rep.uncollected_pids, (std::vector<uint32_t>{13, 12}));
}

TEST(Analyzer, OnePassMatchesPlainFunctions) {
  auto recs = test::make_stream();
  Lost l;
  l.lost = 5;
  recs.push_back(l);
  AnalysisOptions o;
  o.rate_bucket_ns = 10 * test::kMs;
  auto rep = analyze(recs, o);
  EXPECT_EQ(rep.samples, 11u);
  EXPECT_EQ(rep.lost, 5u);
  EXPECT_EQ(rep.epochs.size(), 4u);
  EXPECT_EQ(rep.unique.pages, 6u);
  EXPECT_EQ(rep.hot.hot_pages, 1u);
  EXPECT_EQ(rep.mappings.size(), 4u);
  EXPECT_EQ(rep.rate.size(), 4u);
  EXPECT_EQ(rep.first_time, test::kT0);
  EXPECT_EQ(rep.last_time, test::kT0 + 30 * test::kMs);
}

}  // namespace
}  // namespace pml
