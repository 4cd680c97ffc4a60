#include "options.h"

#include <gtest/gtest.h>

namespace perf_pml {
namespace {

TEST(OptionParser, ShortLongAndEqualsForms) {
  std::string out, epoch;
  bool quiet = false;
  OptionParser p("record", "x");
  p.value('o', "output", "file", "", &out);
  p.value('e', "epoch", "d", "", &epoch);
  p.flag('q', "quiet", "", &quiet);
  std::vector<std::string> rest;
  ASSERT_TRUE(p.parse({"-o", "a.data", "--epoch=5ms", "-q", "--", "ls", "-l"}, &rest, true));
  EXPECT_EQ(out, "a.data");
  EXPECT_EQ(epoch, "5ms");
  EXPECT_TRUE(quiet);
  EXPECT_EQ(rest, (std::vector<std::string>{"ls", "-l"}));

  OptionParser p2("record", "x");
  p2.value('o', "output", "file", "", &out);
  ASSERT_TRUE(p2.parse({"-ob.data", "--output", "c.data", "sleep", "1"}, &rest, true));
  EXPECT_EQ(out, "c.data");
  EXPECT_EQ(rest, (std::vector<std::string>{"sleep", "1"}));
}

TEST(OptionParser, RejectsUnknownAndMissingValues) {
  std::string out;
  OptionParser p("report", "x");
  p.value('i', "input", "file", "", &out);
  std::vector<std::string> rest;
  EXPECT_FALSE(p.parse({"--bogus"}, &rest, false));
  EXPECT_FALSE(p.parse({"-i"}, &rest, false));
  EXPECT_FALSE(p.parse({"stray"}, &rest, false));
}

TEST(ParseDuration, Units) {
  uint64_t ms = 0;
  ASSERT_TRUE(parse_duration_ms("100ms", &ms));
  EXPECT_EQ(ms, 100u);
  ASSERT_TRUE(parse_duration_ms("2s", &ms));
  EXPECT_EQ(ms, 2000u);
  ASSERT_TRUE(parse_duration_ms("1.5s", &ms));
  EXPECT_EQ(ms, 1500u);
  ASSERT_TRUE(parse_duration_ms("250", &ms));
  EXPECT_EQ(ms, 250u);
  ASSERT_TRUE(parse_duration_ms("0", &ms));
  EXPECT_EQ(ms, 0u);
  EXPECT_FALSE(parse_duration_ms("fast", &ms));
  EXPECT_FALSE(parse_duration_ms("10parsecs", &ms));
  EXPECT_FALSE(parse_duration_ms("-1s", &ms));
}

}  // namespace
}  // namespace perf_pml
