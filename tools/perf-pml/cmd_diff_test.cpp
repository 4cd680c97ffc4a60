// perf pml diff on two recordings of known page sets.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "commands.h"
#include "test_recording.h"

namespace perf_pml {
namespace {

using test::comm;
using test::mmap;
using test::write;

// Old run (pid 100): [heap] pages 0-3, /lib/a.so page 0, the top page of
// [stack]. New run (pid 300, everything at other addresses, as under ASLR):
// [heap] pages 0, 1, 4, 5, 6, /lib/b.so pages 0 and 1, the top of [stack].
std::vector<pml::Record> old_run() {
  const uint64_t heap = 0x10000000, lib = 0x7f0000000000, stack = 0x7ffd00000000;
  std::vector<pml::Record> v = {comm(100, 100, "app"), mmap(100, heap, 1 << 20, "[heap]"),
                                mmap(100, lib, 0x10000, "/lib/a.so"),
                                mmap(100, stack, 0x21000, "[stack]")};
  for (uint64_t p = 0; p < 4; ++p) v.push_back(write(100, 100, 0, p, heap + p * 4096));
  v.push_back(write(100, 100, 1, 0, heap));  // again in epoch 1: no new page
  v.push_back(write(100, 100, 1, 1, lib));
  v.push_back(write(100, 100, 1, 2, stack + 0x20000));
  return v;
}

std::vector<pml::Record> new_run() {
  const uint64_t heap = 0x50000000, lib = 0x7f3000000000, stack = 0x7ffe00100000;
  std::vector<pml::Record> v = {comm(300, 300, "app"), mmap(300, heap, 1 << 20, "[heap]"),
                                mmap(300, lib, 0x10000, "/lib/b.so"),
                                mmap(300, stack, 0x21000, "[stack]")};
  for (uint64_t p : {0, 1, 4, 5, 6}) v.push_back(write(300, 300, 0, p, heap + p * 4096));
  v.push_back(write(300, 300, 1, 0, lib));
  v.push_back(write(300, 300, 1, 1, lib + 4096));
  v.push_back(write(300, 300, 1, 2, stack + 0x20000));
  return v;
}

class Diff : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::temp_path("diff");
    mkdir(dir_.c_str(), 0755);
    test::write_recording(dir_ + "/perf.data.old", old_run());
    test::write_recording(dir_ + "/perf.data", new_run());
  }
  void TearDown() override {
    unlink((dir_ + "/perf.data.old").c_str());
    unlink((dir_ + "/perf.data").c_str());
    rmdir(dir_.c_str());
  }
  std::string dir_;
};

TEST_F(Diff, PerMappingAppearedVanishedGrew) {
  auto r = test::run_captured(
      [&] { return cmd_diff({dir_ + "/perf.data.old", dir_ + "/perf.data"}); });
  ASSERT_EQ(r.status, 0);
  auto has = [&](const std::string& line) {
    EXPECT_NE(r.out.find(line), std::string::npos) << "missing: " << line << "\n" << r.out;
  };
  // Old pages, new pages, delta, only old, only new, status, mapping.
  has("          4         5        +1         2         3  grew      [heap]\n");
  has("          0         2        +2         0         2  appeared  /lib/b.so\n");
  has("          1         0        -1         1         0  vanished  /lib/a.so\n");
  has("          1         1        +0         0         0  same      [stack]\n");
  has("# Unique pages: 6 -> 8 (+2)\n");
  // Largest change first.
  EXPECT_LT(r.out.find("[heap]"), r.out.find("/lib/b.so"));
  EXPECT_LT(r.out.find("/lib/b.so"), r.out.find("/lib/a.so"));
}

TEST_F(Diff, VerboseListsThePagesOnlyOneWrote) {
  auto r = test::run_captured(
      [&] { return cmd_diff({dir_ + "/perf.data.old", dir_ + "/perf.data", "-v"}); });
  ASSERT_EQ(r.status, 0);
  // Offsets in the mapping; the next mapping's row follows.
  EXPECT_NE(r.out.find("grew      [heap]\n"
                       "      - offset 0x2000\n      - offset 0x3000\n      + offset 0x4000\n"
                       "      + offset 0x5000\n      + offset 0x6000\n          0         2"),
            std::string::npos)
      << r.out;
}

TEST_F(Diff, DefaultsToPerfDataOldAndPerfData) {
  char cwd[4096];
  ASSERT_NE(getcwd(cwd, sizeof cwd), nullptr);
  ASSERT_EQ(chdir(dir_.c_str()), 0);
  auto r = test::run_captured([&] { return cmd_diff({"--json"}); });
  ASSERT_EQ(chdir(cwd), 0);
  ASSERT_EQ(r.status, 0);
  EXPECT_TRUE(test::valid_json(r.out)) << r.out;
  EXPECT_NE(r.out.find("\"old\": \"perf.data.old\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("{\"mapping\": \"/lib/a.so\", \"status\": \"vanished\", \"pages_old\": 1, "
                       "\"pages_new\": 0, \"only_old\": 1, \"only_new\": 0"),
            std::string::npos)
      << r.out;
}

TEST_F(Diff, ErrorsAreClear) {
  EXPECT_EQ(test::run_captured([&] { return cmd_diff({dir_ + "/perf.data"}); }).status, 129);
  EXPECT_EQ(test::run_captured([&] {
              return cmd_diff({dir_ + "/perf.data", dir_ + "/missing.data"});
            }).status,
            1);
}

}  // namespace
}  // namespace perf_pml
