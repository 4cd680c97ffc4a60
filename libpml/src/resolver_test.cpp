#include <gtest/gtest.h>

#include "analysis_test_stream.h"
#include "pml/analysis.h"
#include "pml/resolve.h"

namespace pml {
namespace {

// Resolves the test stream, returning each kept sample's resolution.
std::vector<ResolvedSample> resolve_all(SampleResolver& r, const std::vector<Record>& recs) {
  std::vector<ResolvedSample> out;
  for_each_resolved(r, recs, [&](const ResolvedSample& s) { out.push_back(s); },
                    [](const Record&) {});
  return out;
}

TEST(SampleResolver, NamesMappingsAndCommsOnce) {
  auto recs = test::make_stream();
  SampleResolver r;
  auto v = resolve_all(r, recs);
  ASSERT_EQ(v.size(), 11u);
  EXPECT_EQ(r.mapping_name(v[0].mapping_name), "[heap]");
  EXPECT_EQ(r.mapping_name(v[2].mapping_name), "[stack]");
  EXPECT_EQ(r.mapping_name(v[3].mapping_name), "/lib/x.so");
  EXPECT_EQ(r.mapping_name(v[6].mapping_name), "[anon] 0x7f1000000000-0x7f1000400000");
  EXPECT_EQ(v[0].mapping_name, v[4].mapping_name);  // the same heap, the same id
  EXPECT_EQ(r.comm_name(v[0].comm), "app");
  // tid 11 has no COMM of its own: the process's name.
  EXPECT_EQ(r.comm_name(v[3].comm), "app");
  EXPECT_EQ(r.page_count(), 6u);
}

TEST(SampleResolver, FirstSeenInStreamAndInEpoch) {
  auto recs = test::make_stream();
  SampleResolver r;
  auto v = resolve_all(r, recs);
  // heap+0 in epochs 0..3: new once in the stream, once per epoch.
  EXPECT_TRUE(v[0].new_page);
  EXPECT_FALSE(v[4].new_page);
  EXPECT_TRUE(v[4].new_in_epoch);
  EXPECT_EQ(v[0].page, v[4].page);
  // epoch 2 writes heap+1000 twice: the second is no new page of the epoch.
  EXPECT_TRUE(v[8].new_in_epoch);
  EXPECT_FALSE(v[9].new_in_epoch);
  EXPECT_EQ(page_key_addr(r.page_key_of(v[8].page)), test::kHeap + 0x1000);
}

TEST(SampleResolver, LateSampleOfThePreviousEpochIsNotNew) {
  std::vector<Record> recs = {test::page(0, 0, 0x1000), test::page(1, 0, 0x1000),
                              test::page(0, 1, 0x1000)};
  SampleResolver r;
  auto v = resolve_all(r, recs);
  ASSERT_EQ(v.size(), 3u);
  EXPECT_TRUE(v[0].new_in_epoch);
  EXPECT_TRUE(v[1].new_in_epoch);
  EXPECT_FALSE(v[2].new_in_epoch);
}

TEST(SampleResolver, FiltersByPidTidCommAndTime) {
  auto recs = test::make_stream();
  recs.push_back(test::comm(77, 77, "other"));
  Sample s = test::page(3, 5, test::kHeap);
  s.pid = s.tid = 77;
  recs.push_back(s);
  auto count = [&](SampleFilter f) {
    SampleResolver r(std::move(f));
    return resolve_all(r, recs).size();
  };
  EXPECT_EQ(count({}), 12u);
  SampleFilter by_pid;
  by_pid.pids = {77};
  EXPECT_EQ(count(by_pid), 1u);
  SampleFilter by_tid;
  by_tid.tids = {11};
  EXPECT_EQ(count(by_tid), 1u);
  SampleFilter by_comm;
  by_comm.comms = {"app"};
  EXPECT_EQ(count(by_comm), 11u);
  SampleFilter by_comms;
  by_comms.comms = {"nope", "other"};
  EXPECT_EQ(count(by_comms), 1u);
  // Epoch 1 lies in [kT0 + 10 ms, kT0 + 19 ms].
  SampleFilter by_time;
  by_time.times = {{test::kT0 + 10 * test::kMs, test::kT0 + 19 * test::kMs}};
  EXPECT_EQ(count(by_time), 3u);
}

TEST(SampleResolver, DroppedSamplesDoNotNumberPages) {
  // The first write of the page is dropped: the kept one is its first.
  std::vector<Record> recs = {test::page(0, 0, 0x1000, 11), test::page(1, 0, 0x1000)};
  SampleFilter f;
  f.tids = {test::kPid};
  SampleResolver r(f);
  auto v = resolve_all(r, recs);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_TRUE(v[0].new_page);
  EXPECT_EQ(r.page_count(), 1u);
}

TEST(SampleResolver, PidPastPageKeyBitsStillGetsAPage) {
  // page_key(0x90000000, 0) is 0, FlatMap's empty key (found by the fuzzer).
  Sample s = test::page(0, 0, 0);
  s.pid = s.tid = 0x90000000;
  SampleResolver r;
  ResolvedSample rs;
  ASSERT_TRUE(r.resolve(s, &rs));
  EXPECT_TRUE(rs.new_page);
  EXPECT_EQ(r.page_count(), 1u);
  EXPECT_EQ(rs.page, 0u);
  std::vector<Record> recs = {s, s};
  EXPECT_EQ(analyze(recs).unique.pages, 1u);
}

TEST(SampleResolver, ThreadWithoutCommIsNamedAfterItsOwnProcess) {
  // tid 5 in two processes (two pid namespaces in one file), neither with a
  // COMM of its own: each sample gets its process's name.
  Sample in_a = test::sample(100, 5, 1, 0x1000), in_b = test::sample(200, 5, 2, 0x1000);
  std::vector<Record> recs = {test::comm(100, 100, "first"), test::comm(200, 200, "second"), in_a,
                              in_b, in_a};
  SampleResolver r;
  auto v = resolve_all(r, recs);
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(r.comm_name(v[0].comm), "first");
  EXPECT_EQ(r.comm_name(v[1].comm), "second");
  EXPECT_EQ(r.comm_name(v[2].comm), "first");
}

TEST(SampleResolver, SkippingPageIdsStillNamesAndFilters) {
  auto recs = test::make_stream();
  SampleFilter f;
  f.tids = {test::kPid};
  SampleResolver numbered(f), named(f, PageIds::kSkip);
  auto want = resolve_all(numbered, recs);
  auto got = resolve_all(named, recs);
  ASSERT_EQ(got.size(), 10u);  // tid 11's sample is dropped
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    ASSERT_EQ(got[i].mapping == nullptr, want[i].mapping == nullptr);
    if (got[i].mapping) {
      EXPECT_EQ(got[i].mapping->start, want[i].mapping->start);
    }
    EXPECT_EQ(named.mapping_name(got[i].mapping_name), numbered.mapping_name(want[i].mapping_name));
    EXPECT_EQ(named.comm_name(got[i].comm), "app");
    EXPECT_FALSE(got[i].new_page);
    EXPECT_EQ(got[i].page, 0u);
  }
  EXPECT_EQ(named.page_count(), 0u);
}

TEST(SampleResolver, ResolvingSinkSeesSamplesAfterTheirMappings) {
  auto recs = test::make_stream();
  SampleResolver r;
  std::vector<std::string> names;
  size_t others = 0;
  auto sink = resolving(
      r, [&](const ResolvedSample& s) { names.push_back(r.mapping_name(s.mapping_name)); },
      [&](const Record&) { ++others; });
  for (auto& rec : recs) sink(rec);
  EXPECT_EQ(others, 5u);  // COMM and 4 MMAPs
  ASSERT_EQ(names.size(), 11u);
  EXPECT_EQ(names[0], "[heap]");
  EXPECT_EQ(names[3], "/lib/x.so");
}

}  // namespace
}  // namespace pml
