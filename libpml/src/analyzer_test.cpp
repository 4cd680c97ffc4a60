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
