#include "report_filter.h"

#include <gtest/gtest.h>

namespace perf_pml {
namespace {

TEST(ParseIdList, CommaListsOfIds) {
  EXPECT_EQ(*parse_id_list("5"), (std::vector<uint32_t>{5}));
  EXPECT_EQ(*parse_id_list("1,22,333"), (std::vector<uint32_t>{1, 22, 333}));
  for (const char* bad : {"", "a", "1,", ",1", "-1", "1x", "99999999999"})
    EXPECT_FALSE(parse_id_list(bad).ok()) << bad;
}

TEST(ParseSecondsNs, ExactDecimalSeconds) {
  uint64_t ns = 0;
  ASSERT_TRUE(parse_seconds_ns("12345.678901234", &ns));
  EXPECT_EQ(ns, 12345678901234ULL);
  ASSERT_TRUE(parse_seconds_ns("2.5", &ns));
  EXPECT_EQ(ns, 2500000000ULL);
  ASSERT_TRUE(parse_seconds_ns("7", &ns));
  EXPECT_EQ(ns, 7000000000ULL);
  for (const char* bad : {"", ".", "1.2.3", "1e3", "1.0000000001", "-1"})
    EXPECT_FALSE(parse_seconds_ns(bad, &ns)) << bad;
}

TEST(ParseTimeSpec, AbsoluteRangesWithOpenEnds) {
  auto t = parse_time_spec("10.5,11 20,");
  ASSERT_TRUE(t.ok());
  auto r = t->ranges(0, 0);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].start, 10'500'000'000ULL);
  EXPECT_EQ(r[0].end, 11'000'000'000ULL);
  EXPECT_EQ(r[1].start, 20'000'000'000ULL);
  EXPECT_EQ(r[1].end, UINT64_MAX);
  auto open_start = parse_time_spec(",3");
  ASSERT_TRUE(open_start.ok());
  EXPECT_EQ(open_start->ranges(0, 0)[0].start, 0u);
  for (const char* bad : {"", "5", "3,2", "a,b", "1,2,3"})
    EXPECT_FALSE(parse_time_spec(bad).ok()) << bad;
}

TEST(ParseTimeSpec, PercentSlicesAndRanges) {
  // A recording from 1000 ns to 2000 ns.
  auto slice = parse_time_spec("10%/2");
  ASSERT_TRUE(slice.ok());
  EXPECT_TRUE(slice->needs_span());
  auto r = slice->ranges(1000, 2000);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].start, 1100u);
  EXPECT_EQ(r[0].end, 1200u);
  auto ranges = parse_time_spec("0%-10%,30%-40%");
  ASSERT_TRUE(ranges.ok());
  r = ranges->ranges(1000, 2000);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].start, 1000u);
  EXPECT_EQ(r[0].end, 1100u);
  EXPECT_EQ(r[1].start, 1300u);
  EXPECT_EQ(r[1].end, 1400u);
  for (const char* bad : {"10%", "10%/0", "30%/4", "20%-10%", "101%-102%", "x%/1"})
    EXPECT_FALSE(parse_time_spec(bad).ok()) << bad;
}

}  // namespace
}  // namespace perf_pml
