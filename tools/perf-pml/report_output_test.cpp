#include "report_output.h"

#include <gtest/gtest.h>

#include <cstdio>

namespace perf_pml {
namespace {

pml::AnalysisReport sample_report() {
  pml::AnalysisReport a;
  a.samples = 30;
  a.first_time = 1'000'000'000;
  a.last_time = 1'250'000'000;  // 0.25 s
  // Two points: epochs 0-1 merged (25 pages, peak 20), epoch 2 (5 pages).
  a.epochs = {{0, 2, 0, 0, 25, 20}, {2, 1, 0, 0, 5, 5}};
  // Three 100 ms buckets: 10, 15, 5 page-epochs.
  a.rate = {{0, 100'000'000, 10}, {100'000'000, 100'000'000, 15}, {200'000'000, 100'000'000, 5}};
  a.unique.pages = 12;
  return a;
}

TEST(Summarize, HandComputedNumbers) {
  Summary s = summarize(sample_report());
  EXPECT_EQ(s.epochs, 3u);
  EXPECT_DOUBLE_EQ(s.wss_mean, 10.0);  // (25 + 5) / 3
  EXPECT_EQ(s.wss_max, 20u);
  EXPECT_DOUBLE_EQ(s.duration_s, 0.25);
  EXPECT_DOUBLE_EQ(s.rate_peak, 150.0);  // 15 pages in 0.1 s
  EXPECT_DOUBLE_EQ(s.rate_mean, 100.0);  // 30 pages over 3 buckets of 0.1 s
}

TEST(PrintStdio, HeaderSaysTheHotFractionAskedFor) {
  ReportContext c;
  c.analysis = sample_report();
  c.analysis.hot.total_epochs = 3;
  c.hot_fraction = 0.25;
  char buf[2048] = {};
  FILE* f = fmemopen(buf, sizeof buf, "w");
  print_stdio(f, c);
  std::fclose(f);
  EXPECT_NE(std::string(buf).find("# Hot pages (written in more than 25% of 3 epochs): 0\n"),
            std::string::npos)
      << buf;
}

TEST(PrintCsv, RowsWithQuoting) {
  ReportContext c;
  c.sort_keys = {"Mapping"};
  c.rows = {{{"/a,b"}, 3, 2}, {{"[heap]"}, 1, 1}};
  char buf[256] = {};
  FILE* f = fmemopen(buf, sizeof buf, "w");
  print_csv(f, c);
  std::fclose(f);
  EXPECT_STREQ(buf, "page_epochs,pages,mapping\n3,2,\"/a,b\"\n1,1,[heap]\n");
}

}  // namespace
}  // namespace perf_pml
