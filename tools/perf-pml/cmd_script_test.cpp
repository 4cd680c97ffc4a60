// perf pml script end to end, in-process, on a file of known content: every
// line is written out here by hand from the records the test writes.
#include <gtest/gtest.h>

#include "commands.h"
#include "test_recording.h"

namespace perf_pml {
namespace {

using test::comm;
using test::mmap;
using test::write;

constexpr uint64_t kHeap = 0x10000000, kAnon = 0x20000000, kNowhere = 0x90000000;

// pid 100 ("app", tid 101 "worker") writes its heap, an anon mapping and an
// address no mapping covers; it forks pid 300, which writes the heap it
// inherited; 2 samples are lost; 300 exits.
std::vector<pml::Record> known_records() {
  pml::Sample big = write(100, 101, 0, 1, kAnon + 0x1000);
  big.cpu = 3;
  big.flags = 1;
  big.data_page_size = 2 << 20;
  pml::Task fork = pml::test::task_fork(300, 100, test::kT0 + 15 * test::kMs);
  pml::Lost lost = pml::test::lost_samples(100, 2, test::kT0 + 25 * test::kMs);
  lost.sid.tid = 101;
  pml::Task exit = pml::test::task_exit(300, 100, test::kT0 + 30 * test::kMs);
  return {comm(100, 100, "app"),         comm(100, 101, "worker"),
          mmap(100, kHeap, 1 << 20, "[heap]"), mmap(100, kAnon, 1 << 16, "//anon"),
          write(100, 100, 0, 0, kHeap),  big,
          write(100, 100, 1, 0, kNowhere), fork,
          write(300, 300, 2, 0, kHeap + 0x2000), lost,
          exit};
}

const char* const kSampleLines[] = {
    "             app     100/100     [000] 1000.000000: pml/epoch=10/: epoch 0 addr "
    "0000000010000000 size 4K flags 0 [heap]\n",
    "          worker     100/101     [003] 1000.001000: pml/epoch=10/: epoch 0 addr "
    "0000000020001000 size 2M flags 0x1 [anon]\n",
    "             app     100/100     [000] 1000.010000: pml/epoch=10/: epoch 1 addr "
    "0000000090000000 size 4K flags 0\n",
    "             app     300/300     [000] 1000.020000: pml/epoch=10/: epoch 2 addr "
    "0000000010002000 size 4K flags 0 [heap]\n",
};

class Script : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = test::temp_path("script.data");
    test::write_recording(path_, known_records());
  }
  void TearDown() override { unlink(path_.c_str()); }

  test::Run script(std::vector<std::string> args) {
    args.insert(args.begin(), {"-i", path_});
    return test::run_captured([&] { return cmd_script(args); });
  }
  std::string path_;
};

TEST_F(Script, PrintsEveryRecordAsPerfScriptDoes) {
  std::string want =
      std::string("             app     100/100           0.000000: PERF_RECORD_COMM: app:100/100\n"
                  "          worker     100/101           0.000000: PERF_RECORD_COMM: worker:100/101\n"
                  "             app     100/100           0.000000: PERF_RECORD_MMAP2 100/100: "
                  "[0x10000000(0x100000) @ 0 rw-]: [heap]\n"
                  "             app     100/100           0.000000: PERF_RECORD_MMAP2 100/100: "
                  "[0x20000000(0x10000) @ 0 rw-]: //anon\n") +
      kSampleLines[0] + kSampleLines[1] + kSampleLines[2] +
      "             app     300/300           1000.015000: PERF_RECORD_FORK(300:300):(100:100)\n" +
      kSampleLines[3] +
      "                     100/101           1000.025000: PERF_RECORD_LOST_SAMPLES lost 2\n"
      "             app     300/300           1000.030000: PERF_RECORD_EXIT(300:300):(100:300)\n";
  auto r = script({});
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.out, want);
}

TEST_F(Script, SamplesOnly) {
  auto r = script({"-S"});
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.out, std::string(kSampleLines[0]) + kSampleLines[1] + kSampleLines[2] +
                       kSampleLines[3]);
}

TEST_F(Script, SelectedFields) {
  auto r = script({"-F", "comm,tid,addr,map"});
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.out,
            "             app     100         10000000 [heap]\n"
            "          worker     101         20001000 [anon]\n"
            "             app     100         90000000 [unknown]\n"
            "             app     300         10002000 [heap]\n");
}

TEST_F(Script, FiltersSamplesAsReportDoes) {
  // perf script's --pid, --tid, --comm, --time: the samples of the resolve
  // step's filter, the side-band records all.
  auto r = script({"-S", "--pid", "300"});
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.out, kSampleLines[3]);
  r = script({"-S", "--tid", "101"});
  EXPECT_EQ(r.out, kSampleLines[1]);
  r = script({"-S", "--comm", "app"});  // pid 300 has its parent's name
  EXPECT_EQ(r.out, std::string(kSampleLines[0]) + kSampleLines[2] + kSampleLines[3]);
  r = script({"-S", "--time", "1000.001,1000.010"});
  EXPECT_EQ(r.out, std::string(kSampleLines[1]) + kSampleLines[2]);
  r = script({"-F", "addr", "--time", "75%-100%"});  // the last quarter of 1000.000-1000.020
  EXPECT_EQ(r.out, "        10002000\n");
  r = script({"--pid", "100", "--comm", "worker"});
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("PERF_RECORD_FORK"), std::string::npos);
  EXPECT_NE(r.out.find(kSampleLines[1]), std::string::npos);
  EXPECT_EQ(r.out.find(kSampleLines[0]), std::string::npos);
  // Nothing kept: an error, as in report.
  EXPECT_EQ(script({"--pid", "999"}).status, 1);
  EXPECT_EQ(script({"--pid", "abc"}).status, 129);
}

TEST(ScriptUncollected, SaysWhatTheRecordMeans) {
  std::string path = test::temp_path("script-uncollected.data");
  pml::Lost notice = pml::test::lost_samples(100, 0, test::kT0 + 5 * test::kMs);
  test::write_recording(path, {comm(100, 100, "app"), write(100, 100, 0, 0, kHeap), notice});
  auto r = test::run_captured([&] { return cmd_script({"-i", path}); });
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("             app     100/100           1000.005000: "
                       "PERF_RECORD_LOST_SAMPLES lost ? (not collected: the writes since the "
                       "last epoch, gone with the memory at an exec)\n"),
            std::string::npos)
      << r.out;
  unlink(path.c_str());
}

}  // namespace
}  // namespace perf_pml
