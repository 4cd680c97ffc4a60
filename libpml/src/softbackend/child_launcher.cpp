#include "child_launcher.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include "errors.h"
#include "pml/unique_fd.h"

namespace pml::soft {

namespace {

// Runs in the forked child: only async-signal-safe calls.
[[noreturn]] void execChild(char* const* argv, const LaunchOptions& options, int error_pipe) {
  const int redirects[3] = {options.stdin_fd, options.stdout_fd, options.stderr_fd};
  for (int target = 0; target < 3; ++target) {
    if (redirects[target] >= 0 && dup2(redirects[target], target) < 0) {
      int e = errno;
      (void)!write(error_pipe, &e, sizeof(e));
      _exit(127);
    }
  }
  if (ptrace(PTRACE_TRACEME, 0, nullptr, nullptr) != 0) {
    int e = errno;
    (void)!write(error_pipe, &e, sizeof(e));
    _exit(127);
  }
  execvp(argv[0], argv);
  int e = errno;
  (void)!write(error_pipe, &e, sizeof(e));
  _exit(127);
}

}  // namespace

Result<pid_t> launchStoppedAtExec(const std::vector<std::string>& argv, const LaunchOptions& options) {
  if (argv.empty()) return make_error("empty command line", EINVAL);
  std::vector<char*> c_argv;
  for (const std::string& arg : argv) c_argv.push_back(const_cast<char*>(arg.c_str()));
  c_argv.push_back(nullptr);

  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return errnoError("pipe2");
  UniqueFd read_end(fds[0]), write_end(fds[1]);

  pid_t pid = fork();
  if (pid < 0) return errnoError("fork");
  if (pid == 0) execChild(c_argv.data(), options, write_end.get());
  write_end.reset();

  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return errnoError("waitpid");
  }
  if (WIFSTOPPED(status) && WSTOPSIG(status) == SIGTRAP) return pid;

  int child_errno = 0;
  ssize_t n = read(read_end.get(), &child_errno, sizeof(child_errno));
  if (WIFSTOPPED(status)) {  // stopped for another reason: not usable
    kill(pid, SIGKILL);
    ptrace(PTRACE_DETACH, pid, nullptr, nullptr);
    waitpid(pid, &status, 0);
  }
  if (n == sizeof(child_errno)) return errnoError(child_errno, "exec " + argv[0]);
  return make_error("child " + argv[0] + " did not reach its exec stop", ECHILD);
}

}  // namespace pml::soft
