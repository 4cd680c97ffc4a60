#include "common.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>

namespace perf_pml {
namespace {

// Points stdout at a new pipe for the test's lifetime.
class StdoutPipe {
 public:
  StdoutPipe() {
    std::fflush(stdout);
    saved_ = dup(STDOUT_FILENO);
    EXPECT_EQ(pipe(fds_), 0);
    dup2(fds_[1], STDOUT_FILENO);
    close(fds_[1]);
  }
  ~StdoutPipe() {
    std::clearerr(stdout);
    dup2(saved_, STDOUT_FILENO);
    close(saved_);
    if (fds_[0] >= 0) close(fds_[0]);
  }
  void close_reader() {
    close(fds_[0]);
    fds_[0] = -1;
  }

 private:
  int saved_ = -1;
  int fds_[2] = {-1, -1};
};

TEST(BrokenPipe, AReaderThatLeftEndsTheCommandWith141) {
  catch_broken_pipe();
  StdoutPipe out;
  std::printf("a line nobody reads\n");
  EXPECT_FALSE(stdout_reader_gone());
  out.close_reader();
  EXPECT_TRUE(stdout_reader_gone());
  EXPECT_EQ(finish_stdout("script", 0), kBrokenPipeExit);  // quiet, not killed
}

TEST(BrokenPipe, EpipeFromAnotherPipeDoesNotChangeTheStatus) {
  catch_broken_pipe();
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  close(fds[0]);
  char c = 1;
  EXPECT_EQ(write(fds[1], &c, 1), -1);  // EPIPE, e.g. a child that died
  close(fds[1]);
  StdoutPipe out;
  std::printf("read\n");
  EXPECT_EQ(finish_stdout("record", 5), 5);
}

}  // namespace
}  // namespace perf_pml
