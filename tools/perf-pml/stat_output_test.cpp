#include "stat_output.h"

#include <gtest/gtest.h>

#include <cstdio>

namespace perf_pml {
namespace {

// 30 page-epochs of 12 pages over 3 epochs (25 + 5 pages, peak 20), three
// 100 ms rate buckets (10, 15, 5), 2 hot pages, 4 lost by the backend.
StatRun sample_run() {
  StatRun r;
  r.target = "./app";
  r.backend = "uffd";
  r.epoch_ms = 100;
  auto& a = r.analysis;
  a.samples = 30;
  a.epochs = {{0, 2, 0, 0, 25, 20}, {2, 1, 0, 0, 5, 5}};
  a.rate = {{0, 100'000'000, 10}, {100'000'000, 100'000'000, 15}, {200'000'000, 100'000'000, 5}};
  a.wss = {18, 19, 20};
  a.unique.pages = 12;
  a.hot.hot_pages = 2;
  a.lost = 1;
  r.backend_lost = 3;
  r.elapsed_ns = 300'000'000;
  return r;
}

std::string render(void (*print)(FILE*, const StatRun&), const StatRun& r) {
  char buf[4096] = {};
  FILE* f = fmemopen(buf, sizeof buf, "w");
  print(f, r);
  std::fclose(f);
  return buf;
}

TEST(StatOutput, CsvHasPerfStatsSevenFieldsPerCounter) {
  char buf[4096] = {};
  FILE* f = fmemopen(buf, sizeof buf, "w");
  print_stat_csv(f, sample_run(), ";");
  std::fclose(f);
  EXPECT_STREQ(buf,
               "30;;page-epochs;300000000;100.00;;\n"
               "12;;unique-pages;300000000;100.00;;\n"
               "3;;epochs-with-writes;300000000;100.00;;\n"
               "10.0;pages;working-set-mean;300000000;100.00;;\n"
               "20;pages;working-set-max;300000000;100.00;;\n"
               "18;pages;working-set-p50;300000000;100.00;;\n"
               "19;pages;working-set-p90;300000000;100.00;;\n"
               "20;pages;working-set-p99;300000000;100.00;;\n"
               "100;pages/s;dirty-rate-mean;300000000;100.00;;\n"
               "150;pages/s;dirty-rate-peak;300000000;100.00;;\n"
               "2;;hot-pages;300000000;100.00;;\n"
               "0;;huge-pages-written;300000000;100.00;;\n"
               "4;;lost-page-epochs;300000000;100.00;;\n");
}

TEST(StatOutput, JsonIsOneObjectPerLineLikePerfStatJ) {
  std::string out = render(print_stat_json, sample_run());
  EXPECT_EQ(out.substr(0, out.find('\n') + 1),
            "{\"counter-value\" : \"30.000000\", \"unit\" : \"\", \"event\" : \"page-epochs\", "
            "\"event-runtime\" : 300000000, \"pcnt-running\" : 100.00}\n");
  size_t lines = 0;
  for (char c : out) lines += c == '\n';
  EXPECT_EQ(lines, stat_counters(sample_run()).size());
  EXPECT_NE(out.find("{\"counter-value\" : \"150.000000\", \"unit\" : \"pages/s\", "
                     "\"event\" : \"dirty-rate-peak\""),
            std::string::npos);
}

TEST(StatOutput, TextKeepsPerfStatsLayout) {
  std::string out = render(print_stat_text, sample_run());
  EXPECT_NE(out.find(" Page-write stats for './app' (backend uffd, epoch 100 ms):"),
            std::string::npos);
  EXPECT_NE(out.find("                30      page-epochs\n"), std::string::npos);
  EXPECT_NE(out.find("                 4      lost page-epochs\n"), std::string::npos);
  EXPECT_NE(out.find("                18      pages per epoch (p50)    #  p90 19, p99 20\n"),
            std::string::npos);
  EXPECT_NE(out.find("       0.300000000 seconds time elapsed"), std::string::npos);
}

}  // namespace
}  // namespace perf_pml
