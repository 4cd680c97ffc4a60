// perf pml report end to end, in-process, on files of known content.
#include <gtest/gtest.h>

#include "commands.h"
#include "test_recording.h"

namespace perf_pml {
namespace {

using test::comm;
using test::mmap;
using test::write;

constexpr uint64_t kHeap = 0x10000000, kFile = 0x20000000, kOtherHeap = 0x30000000;
// Not UTF-8: a Latin-1 e-acute in a file name, a lone 0xff in a comm.
const std::string kBadFile = "/tmp/caf\xe9.dat";
const std::string kBadComm = "app\xff";

// pid 100 ("app\xff"; tid 101 "worker") writes its heap and kBadFile; pid
// 200 ("other") its own heap. Epochs (10 ms, from 1000 s):
//   0: tid 100 heap 0,1,2   tid 101 file 0   pid 200 heap 0
//   1: tid 100 heap 0       tid 101 file 0,1
//   2:                                       pid 200 heap 0,1
//   3: tid 100 heap 0,3
// 12 samples: [heap] 9 (both processes' heaps), the file 3.
std::vector<pml::Record> known_records() {
  auto h = [](uint64_t i) { return kHeap + i * 4096; };
  auto f = [](uint64_t i) { return kFile + i * 4096; };
  auto o = [](uint64_t i) { return kOtherHeap + i * 4096; };
  return {comm(100, 100, kBadComm), comm(100, 101, "worker"), comm(200, 200, "other"),
          mmap(100, kHeap, 1 << 20, "[heap]"), mmap(100, kFile, 1 << 16, kBadFile),
          mmap(200, kOtherHeap, 1 << 20, "[heap]"),
          write(100, 100, 0, 0, h(0)), write(100, 100, 0, 1, h(1)), write(100, 100, 0, 2, h(2)),
          write(100, 101, 0, 3, f(0)), write(200, 200, 0, 4, o(0)),
          write(100, 100, 1, 0, h(0)), write(100, 101, 1, 1, f(0)), write(100, 101, 1, 2, f(1)),
          write(200, 200, 2, 0, o(0)), write(200, 200, 2, 1, o(1)),
          write(100, 100, 3, 0, h(0)), write(100, 100, 3, 1, h(3))};
}

class Report : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = test::temp_path("known.data");
    test::write_recording(path_, known_records());
  }
  void TearDown() override { unlink(path_.c_str()); }

  test::Run report(std::vector<std::string> args) {
    args.insert(args.begin(), {"-i", path_, "--no-symbols"});
    return test::run_captured([&] { return cmd_report(args); });
  }
  // "samples" of the JSON summary.
  long samples(std::vector<std::string> args) {
    args.push_back("--json");
    auto r = report(args);
    if (r.status != 0) return -1;
    auto at = r.out.find("\"samples\": ");
    return at == std::string::npos ? -1 : std::stol(r.out.substr(at + 11));
  }
  std::string path_;
};

TEST_F(Report, FiltersByPidTidAndComm) {
  EXPECT_EQ(samples({}), 12);
  EXPECT_EQ(samples({"--pid", "100"}), 9);
  EXPECT_EQ(samples({"--pid", "200,100"}), 12);
  EXPECT_EQ(samples({"--tid", "101"}), 3);
  EXPECT_EQ(samples({"--comm", "other"}), 3);
  EXPECT_EQ(samples({"--comm", "worker,other"}), 6);
  EXPECT_EQ(samples({"--comm", kBadComm}), 6);  // tid 100
  // Nothing matches: an error, not an empty report.
  EXPECT_EQ(report({"--pid", "999"}).status, 1);
  EXPECT_EQ(report({"--pid", "abc"}).status, 129);
}

TEST_F(Report, FiltersByTime) {
  // Absolute seconds: epoch 1 is 1000.010 .. 1000.012.
  EXPECT_EQ(samples({"--time", "1000.010,1000.019999999"}), 3);
  EXPECT_EQ(samples({"--time", "1000.020,"}), 4);  // epochs 2 and 3
  EXPECT_EQ(samples({"--time", ",1000.004"}), 5);  // epoch 0
  EXPECT_EQ(samples({"--time", "1000.000,1000.004 1000.030,1000.031"}), 7);
  // Percent of 1000.000 .. 1000.031: 25%/2 is 7.75 .. 15.5 ms, epoch 1.
  EXPECT_EQ(samples({"--time", "25%/2"}), 3);
  EXPECT_EQ(samples({"--time", "0%-50%"}), 8);
  EXPECT_EQ(samples({"--time", "0%-10%,90%-100%"}), 6);  // 0 .. 3.1, 27.9 .. 31 ms
  EXPECT_EQ(report({"--time", "later"}).status, 129);
}

TEST_F(Report, PercentLimitHidesSmallRows) {
  // [heap] 9 of 12 page-epochs (75%), the file 3 (25%).
  auto all = report({"--csv"});
  ASSERT_EQ(all.status, 0);
  EXPECT_EQ(all.out, "page_epochs,pages,mapping\n9,6,[heap]\n3,2," + kBadFile + "\n");
  auto limited = report({"--csv", "--percent-limit", "30"});
  EXPECT_EQ(limited.out, "page_epochs,pages,mapping\n9,6,[heap]\n");
  EXPECT_EQ(report({"--percent-limit", "x"}).status, 129);
}

TEST_F(Report, WorkingSetPercentilesInHeaderAndJson) {
  // Distinct pages per epoch: 5, 3, 2, 2 -> p50 2, p90 5, p99 5.
  auto text = report({"--stdio"});
  EXPECT_NE(text.out.find("# Write working set percentiles: p50 2, p90 5, p99 5 pages\n"),
            std::string::npos)
      << text.out;
  auto json = report({"--json"});
  EXPECT_NE(json.out.find("\"wss_p50_pages\": 2, \"wss_p90_pages\": 5, \"wss_p99_pages\": 5"),
            std::string::npos)
      << json.out;
}

TEST_F(Report, HotPagesHeaderSaysTheFractionUsed) {
  // Written in epochs: pid 100 heap 0 in 3 of 4, the file's page 0 and pid
  // 200's heap 0 in 2, the rest in 1.
  EXPECT_NE(report({"--stdio"}).out.find("# Hot pages (written in more than 50% of 4 epochs): 1\n"),
            std::string::npos);
  auto r = report({"--stdio", "--hot-fraction", "0.25"});
  EXPECT_NE(r.out.find("# Hot pages (written in more than 25% of 4 epochs): 3\n"),
            std::string::npos)
      << r.out;
}

TEST_F(Report, NonUtf8NamesGiveValidJsonInEveryMode) {
  for (const char* sort : {"mapping", "comm", "comm,mapping,pid,tid,epoch,page", "symbol"}) {
    auto r = report({"--json", "--sort", sort});
    ASSERT_EQ(r.status, 0) << sort;
    EXPECT_TRUE(test::valid_json(r.out)) << sort << ":\n" << r.out;
    // The bad bytes became U+FFFD; the rest of the name is kept.
    if (std::string(sort) == "mapping") {
      EXPECT_NE(r.out.find("\"/tmp/caf\\ufffd.dat\""), std::string::npos) << r.out;
    }
    if (std::string(sort) == "comm") {
      EXPECT_NE(r.out.find("\"app\\ufffd\""), std::string::npos) << r.out;
    }
  }
  std::string trace = test::temp_path("trace.json");
  auto r = report({"--trace", trace});
  ASSERT_EQ(r.status, 0);
  std::string t = test::read_file(trace);
  EXPECT_TRUE(test::valid_json_file(trace)) << t;
  EXPECT_NE(t.find("\"app\\ufffd\""), std::string::npos) << t;
  unlink(trace.c_str());
  // The text forms keep the bytes as recorded, like perf.
  EXPECT_EQ(report({"--stdio"}).status, 0);
  EXPECT_EQ(report({"--csv"}).status, 0);
}

TEST_F(Report, OneNameForAMappingInTableAndJson) {
  std::vector<pml::Record> recs = {comm(1, 1, "a"), mmap(1, 0x7f0000000000, 0x10000, "//anon"),
                                   write(1, 1, 0, 0, 0x7f0000001000)};
  test::write_recording(path_, recs);
  auto csv = report({"--csv"});
  EXPECT_EQ(csv.out, "page_epochs,pages,mapping\n1,1,[anon] 0x7f0000000000-0x7f0000010000\n");
  auto json = report({"--json"});
  EXPECT_NE(json.out.find("{\"mapping\": \"[anon] 0x7f0000000000-0x7f0000010000\""),
            std::string::npos)
      << json.out;
}

// The software backend's notice of an exec that took writes with it.
TEST(ReportUncollected, HeaderAndJsonNameTheProcess) {
  std::string path = test::temp_path("uncollected.data");
  pml::Lost notice = pml::test::lost_samples(200, 0, test::kT0 + 5 * test::kMs);
  test::write_recording(path, {comm(100, 100, "app"), mmap(100, kHeap, 1 << 20, "[heap]"),
                               write(100, 100, 0, 0, kHeap), notice});
  auto text = test::run_captured([&] { return cmd_report({"-i", path, "--no-symbols"}); });
  EXPECT_EQ(text.status, 0);
  EXPECT_NE(text.out.find("\n# Not collected: the last writes of 1 process image (pid 200): their "
                          "memory was gone (an exec) before the software backend could read it\n"),
            std::string::npos)
      << text.out;
  auto json = test::run_captured([&] { return cmd_report({"-i", path, "--no-symbols", "--json"}); });
  EXPECT_NE(json.out.find("\"lost\": 0,"), std::string::npos);
  EXPECT_NE(json.out.find("\"uncollected_pids\": [200]}"), std::string::npos) << json.out;
  EXPECT_TRUE(test::valid_json(json.out));
  unlink(path.c_str());
}

TEST_F(Report, CompressedFileIsRefused) {
  auto bytes = test::read_file(path_);
  bytes[72 + 27 / 8] |= char(1 << (27 % 8));  // HEADER_COMPRESSED
  std::ofstream(path_, std::ios::binary | std::ios::trunc) << bytes;
  testing::internal::CaptureStderr();
  auto r = report({});
  std::string err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(err.find("perf pml report: error: "), std::string::npos) << err;
  EXPECT_NE(err.find("compressed data not supported"), std::string::npos) << err;
}

}  // namespace
}  // namespace perf_pml
