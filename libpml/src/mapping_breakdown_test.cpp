#include <gtest/gtest.h>

#include "analysis_test_stream.h"
#include "pml/analysis.h"

namespace pml {
namespace {

TEST(MappingBreakdown, PerMappingCounts) {
  auto recs = test::make_stream();
  auto m = mapping_breakdown(recs);
  ASSERT_EQ(m.size(), 4u);
  EXPECT_EQ(m[0].name, "[heap]");
  EXPECT_EQ(m[0].page_epochs, 8u);  // 2 + 2 + 3 + 1
  EXPECT_EQ(m[0].pages, 3u);
  // The three others have 1 page-epoch each, sorted by name.
  EXPECT_EQ(m[1].name, "/lib/x.so");
  EXPECT_EQ(m[2].name, "[anon] 0x7f1000000000-0x7f1000400000");
  EXPECT_EQ(m[3].name, "[stack]");
  for (int i = 1; i < 4; ++i) {
    EXPECT_EQ(m[i].page_epochs, 1u);
    EXPECT_EQ(m[i].pages, 1u);
  }
}

TEST(MappingBreakdown, UnmappedAddressIsUnknown) {
  std::vector<Record> v = {test::page(0, 0, 0x1234000)};
  auto m = mapping_breakdown(v);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].name, "[unknown]");
}

TEST(MappingTable, NewMappingSplitsAnOldOne) {
  MappingTable t;
  t.add(test::mmap_of(0x10000, 0x10000, "/a"));
  t.add(test::mmap_of(0x14000, 0x2000, "/b"));
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
  t.add(test::mmap_of(0x10000, 0x1000, "/a"));
  Task fork;
  fork.pid = fork.tid = 20;
  fork.ppid = fork.ptid = test::kPid;
  t.add(fork);
  ASSERT_NE(t.find(20, 0x10000), nullptr);
  Comm exec;
  exec.pid = exec.tid = 20;
  exec.exec = true;
  exec.comm = "child";
  t.add(exec);
  EXPECT_EQ(t.find(20, 0x10000), nullptr);
  EXPECT_NE(t.find(test::kPid, 0x10000), nullptr);
  EXPECT_EQ(t.comm(20, 20), "child");
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
