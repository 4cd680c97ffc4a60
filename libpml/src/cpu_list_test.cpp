#include "cpu_list.h"

#include <gtest/gtest.h>

namespace pml {
namespace {

TEST(CpuList, RangesAndSingleCpus) {
  EXPECT_EQ(parse_cpu_list("0"), (std::vector<int>{0}));
  EXPECT_EQ(parse_cpu_list("0-3\n"), (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(parse_cpu_list("0-1,4,6-7"), (std::vector<int>{0, 1, 4, 6, 7}));
}

TEST(CpuList, AnythingElseIsNotAList) {
  for (const char* bad : {"", "\n", "a", "1-", "-1", "3-1", "1,", ",1", "1,,2", "1 2", "0x1"})
    EXPECT_TRUE(parse_cpu_list(bad).empty()) << '"' << bad << '"';
}

TEST(CpuList, ThisMachineHasAnOnlineCpu) { EXPECT_FALSE(online_cpus().empty()); }

}  // namespace
}  // namespace pml
