#include <gtest/gtest.h>

#include "analysis_test_stream.h"
#include "pml/analysis.h"

namespace pml {
namespace {

TEST(MappingTable, NewMappingSplitsAnOldOne) {
  MappingTable t;
  t.add(test::mmap(test::kPid, 0x10000, 0x10000, "/a"));
  t.add(test::mmap(test::kPid, 0x14000, 0x2000, "/b"));
  ASSERT_NE(t.find(test::kPid, 0x10000), nullptr);
  EXPECT_EQ(t.find(test::kPid, 0x13fff)->filename, "/a");
  EXPECT_EQ(t.find(test::kPid, 0x14000)->filename, "/b");
  EXPECT_EQ(t.find(test::kPid, 0x15fff)->filename, "/b");
  const Mapping* tail = t.find(test::kPid, 0x16000);
  ASSERT_NE(tail, nullptr);
  EXPECT_EQ(tail->filename, "/a");
  EXPECT_EQ(tail->pgoff, 0x6000u);
  EXPECT_EQ(t.find(test::kPid, 0x20000), nullptr);
}

TEST(MappingTable, ForkCopiesExecClears) {
  MappingTable t;
  t.add(test::mmap(test::kPid, 0x10000, 0x1000, "/a"));
  t.add(test::task_fork(20, test::kPid, 0));
  ASSERT_NE(t.find(20, 0x10000), nullptr);
  Comm exec = test::comm(20, 20, "child");
  exec.exec = true;
  t.add(exec);
  EXPECT_EQ(t.find(20, 0x10000), nullptr);
  EXPECT_NE(t.find(test::kPid, 0x10000), nullptr);
  EXPECT_EQ(t.comm(20, 20), "child");
}

TEST(MappingName, OneSpellingPerKind) {
  MappingTable t;
  t.add(test::mmap(test::kPid, 0x10000, 0x1000, "/a"));
  t.add(test::mmap(test::kPid, 0x20000, 0x3000, "//anon"));
  t.add(test::mmap(test::kPid, 0x30000, 0x1000, "[heap]"));
  EXPECT_EQ(mapping_name(t.find(test::kPid, 0x10000)), "/a");
  EXPECT_EQ(mapping_name(t.find(test::kPid, 0x21000)), "[anon] 0x20000-0x23000");
  EXPECT_EQ(mapping_name(t.find(test::kPid, 0x30000)), "[heap]");
  EXPECT_EQ(mapping_name(nullptr), "[unknown]");
}

}  // namespace
}  // namespace pml
