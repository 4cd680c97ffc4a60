// exit_code_for: perf 6.1's exit convention for record and stat, as
// measured (see record_session.h).
#include "record_session.h"

#include <gtest/gtest.h>
#include <signal.h>

namespace perf_pml {
namespace {

constexpr int exited(int code) { return code << 8; }
constexpr int killed(int sig) { return sig; }

TEST(ExitCode, RecordReturnsTheWorkloadsStatus) {
  EXPECT_EQ(exit_code_for("record", exited(5), 0, true).code, 5);
  EXPECT_EQ(exit_code_for("record", exited(5), 0, true).reraise, 0);
  EXPECT_EQ(exit_code_for("record", exited(0), 0, true).code, 0);
}

TEST(ExitCode, RecordReraisesTheWorkloadsFatalSignal) {
  ExitCode e = exit_code_for("record", killed(SIGSEGV), 0, true);
  EXPECT_EQ(e.reraise, SIGSEGV);
}

TEST(ExitCode, RecordReraisesSigintAfterCtrlC) {
  // Our SIGTERM killed the workload: the user's SIGINT is what perf re-raises.
  EXPECT_EQ(exit_code_for("record", killed(SIGTERM), SIGINT, true).reraise, SIGINT);
  // The workload got the terminal's SIGINT too.
  EXPECT_EQ(exit_code_for("record", killed(SIGINT), SIGINT, true).reraise, SIGINT);
  // It caught SIGTERM and exited 0.
  EXPECT_EQ(exit_code_for("record", exited(0), SIGINT, true).reraise, SIGINT);
  // -p: no workload of ours.
  EXPECT_EQ(exit_code_for("record", 0, SIGINT, false).reraise, SIGINT);
}

TEST(ExitCode, StatReturnsTheExitStatusButZeroForASignal) {
  EXPECT_EQ(exit_code_for("stat", exited(5), 0, true).code, 5);
  ExitCode e = exit_code_for("stat", killed(SIGSEGV), 0, true);
  EXPECT_EQ(e.code, 0);
  EXPECT_EQ(e.reraise, 0);
  EXPECT_EQ(exit_code_for("stat", killed(SIGTERM), SIGINT, true).reraise, 0);
  EXPECT_EQ(exit_code_for("stat", 0, SIGINT, false).reraise, SIGINT);
}

TEST(ExitCode, OurErrorsAreOne) {
  EXPECT_EQ(exit_code_for("record", -1, 0, true).code, 1);
  EXPECT_EQ(exit_code_for("stat", -1, SIGINT, true).code, 1);
}

}  // namespace
}  // namespace perf_pml
