#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include "backend_impl.h"

namespace pml {

Result<PendingChild> PendingChild::fork_exec(const std::vector<std::string>& argv) {
  if (argv.empty()) return make_error("no command to run", EINVAL);
  int go[2], err[2];
  if (pipe2(go, O_CLOEXEC) != 0) return errno_error("pipe");
  if (pipe2(err, O_CLOEXEC) != 0) {
    close(go[0]);
    close(go[1]);
    return errno_error("pipe");
  }
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = fork();
  if (pid < 0) return errno_error("fork");
  if (pid == 0) {
    close(go[1]);
    close(err[0]);
    char c;
    if (read(go[0], &c, 1) != 1) _exit(127);  // parent gave up
    execvp(args[0], args.data());
    int e = errno;
    (void)!write(err[1], &e, sizeof e);
    _exit(127);
  }
  close(go[0]);
  close(err[1]);
  PendingChild c;
  c.pid_ = pid;
  c.go_fd_ = go[1];
  c.err_fd_ = err[0];
  return c;
}

PendingChild::PendingChild(PendingChild&& o) noexcept
    : pid_(std::exchange(o.pid_, -1)),
      go_fd_(std::exchange(o.go_fd_, -1)),
      err_fd_(std::exchange(o.err_fd_, -1)) {}

PendingChild::~PendingChild() {
  if (go_fd_ >= 0) {
    // Never released: closing the pipe makes the child exit.
    close(go_fd_);
    int st;
    waitpid(pid_, &st, 0);
  }
  if (err_fd_ >= 0) close(err_fd_);
}

Result<void> PendingChild::go() {
  char c = 1;
  if (write(go_fd_, &c, 1) != 1) return errno_error("cannot start the command");
  close(go_fd_);
  go_fd_ = -1;
  int e = 0;
  ssize_t n = read(err_fd_, &e, sizeof e);  // EOF: exec succeeded (CLOEXEC)
  close(err_fd_);
  err_fd_ = -1;
  if (n == sizeof e) {
    int st;
    waitpid(pid_, &st, 0);
    return make_error("cannot run the command", e);
  }
  return {};
}

EventInfo soft_event_info(uint32_t epoch_ms) {
  EventInfo e;
  e.name = "pml/epoch=" + std::to_string(epoch_ms) + "/";
  // A dynamic-PMU-like type no PMU has here; the name comes from EVENT_DESC.
  e.attr.type = 0xffff;
  e.attr.size = 128;
  e.attr.config = epoch_ms;
  e.attr.sample_period = 1;
  e.attr.sample_type = PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_IP | PERF_SAMPLE_TID |
                       PERF_SAMPLE_TIME | PERF_SAMPLE_ADDR | PERF_SAMPLE_CPU |
                       PERF_SAMPLE_PERIOD | PERF_SAMPLE_RAW | PERF_SAMPLE_DATA_SRC |
                       PERF_SAMPLE_DATA_PAGE_SIZE;
  e.attr.sample_id_all = 1;
  e.attr.mmap = e.attr.mmap2 = e.attr.mmap_data = e.attr.comm = e.attr.task = 1;
  e.attr.inherit = 1;
  e.ids = {1};
  return e;
}

}  // namespace pml
