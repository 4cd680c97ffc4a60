// The shared test record builders (test/record_builders.h): what each one
// builds, and that the writer takes them and the reader gives them back.
#include "record_builders.h"

#include <gtest/gtest.h>

#include "pml/perf_data.h"
#include "test_util.h"

namespace pml {
namespace {

TEST(RecordBuilders, BuildWhatTheySay) {
  Mmap m = test::mmap(10, 0x400000, 0x2000, "/bin/app", 0x1000);
  EXPECT_EQ(m.pid, 10u);
  EXPECT_EQ(m.tid, 10u);
  EXPECT_EQ(m.start, 0x400000u);
  EXPECT_EQ(m.len, 0x2000u);
  EXPECT_EQ(m.pgoff, 0x1000u);
  EXPECT_EQ(m.prot, 3u);   // rw-
  EXPECT_EQ(m.flags, 2u);  // MAP_PRIVATE
  EXPECT_TRUE(m.data);
  EXPECT_EQ(m.sid.id, test::kSampleId);

  Sample s = test::sample(10, 11, 5000, 0x401000, 3);
  EXPECT_EQ(s.pid, 10u);
  EXPECT_EQ(s.tid, 11u);
  EXPECT_EQ(s.time, 5000u);
  EXPECT_EQ(s.addr, 0x401000u);
  EXPECT_EQ(s.epoch, 3u);
  EXPECT_TRUE(s.has_pml_raw);
  EXPECT_EQ(s.period, 1u);
  EXPECT_EQ(s.data_src, abi::kDataSrcStore);
  EXPECT_EQ(s.data_page_size, 4096u);
  EXPECT_EQ(s.id, test::kSampleId);

  Task f = test::task_fork(12, 10, 7000), e = test::task_exit(12, 10, 8000);
  EXPECT_FALSE(f.is_exit);
  EXPECT_EQ(f.ppid, 10u);
  EXPECT_EQ(f.sid.pid, 10u);  // the parent reports a fork
  EXPECT_TRUE(e.is_exit);
  EXPECT_EQ(e.sid.pid, 12u);  // the child its exit
  EXPECT_TRUE(test::lost_samples(12, 0, 1).uncollected());
  EXPECT_EQ(test::pml_event(0, 20).ids, std::vector<uint64_t>{test::kSampleId});
}

TEST(RecordBuilders, WriterTakesThemAndReaderGivesThemBack) {
  std::string path = test::temp_path("builders.data");
  const uint64_t type = PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_TID | PERF_SAMPLE_TIME |
                        PERF_SAMPLE_ADDR | PERF_SAMPLE_PERIOD | PERF_SAMPLE_RAW |
                        PERF_SAMPLE_DATA_SRC | PERF_SAMPLE_DATA_PAGE_SIZE;
  {
    auto w = PerfDataWriter::create(path, {test::pml_event(type)});
    ASSERT_TRUE(w.ok()) << w.error().to_string();
    for (const Record& r :
         std::vector<Record>{test::comm(10, 10, "app"), test::mmap(10, 0x400000, 0x2000, "[heap]"),
                             test::sample(10, 10, 5000, 0x401000, 3), test::task_fork(12, 10, 6000),
                             test::lost_samples(10, 4, 7000), test::task_exit(12, 10, 8000)})
      ASSERT_TRUE(w->write(r).ok());
    ASSERT_TRUE(w->finish().ok());
  }
  auto recs = test::read_all(path);
  ASSERT_EQ(recs.size(), 6u);
  EXPECT_EQ(std::get<Comm>(recs[0]).comm, "app");
  EXPECT_EQ(std::get<Mmap>(recs[1]).filename, "[heap]");
  const Sample& s = std::get<Sample>(recs[2]);
  EXPECT_EQ(s.addr, 0x401000u);
  EXPECT_EQ(s.epoch, 3u);
  EXPECT_EQ(s.data_src, abi::kDataSrcStore);
  EXPECT_EQ(std::get<Task>(recs[3]).pid, 12u);
  EXPECT_EQ(std::get<Lost>(recs[4]).lost, 4u);
  EXPECT_TRUE(std::get<Task>(recs[5]).is_exit);
  unlink(path.c_str());
}

}  // namespace
}  // namespace pml
