#include "child_launcher.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include "process_tree.h"
#include "pml/unique_fd.h"

namespace pml::soft {

namespace {

// Runs in the forked child: only async-signal-safe calls.
[[noreturn]] void exec_child(char* const* argv, const LaunchOptions& options, int error_pipe) {
  const int redirects[3] = {options.stdin_fd, options.stdout_fd, options.stderr_fd};
  for (int target = 0; target < 3; ++target) {
    if (redirects[target] >= 0 && dup2(redirects[target], target) < 0) {
      int e = errno;
      (void)!write(error_pipe, &e, sizeof(e));
      _exit(127);
    }
  }
  // The parent seizes us while we are stopped (PTRACE_SEIZE, unlike
  // PTRACE_TRACEME, allows PTRACE_INTERRUPT and PTRACE_LISTEN).
  raise(SIGSTOP);
  execvp(argv[0], argv);
  int e = errno;
  (void)!write(error_pipe, &e, sizeof(e));
  _exit(127);
}

}  // namespace

Result<pid_t> launch_stopped_at_exec(const std::vector<std::string>& argv, const LaunchOptions& options) {
  if (argv.empty()) return make_error("empty command line", EINVAL);
  std::vector<char*> c_argv;
  for (const std::string& arg : argv) c_argv.push_back(const_cast<char*>(arg.c_str()));
  c_argv.push_back(nullptr);

  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return errno_error("pipe2");
  UniqueFd read_end(fds[0]), write_end(fds[1]);

  pid_t pid = fork();
  if (pid < 0) return errno_error("fork");
  if (pid == 0) exec_child(c_argv.data(), options, write_end.get());
  write_end.reset();

  auto reap = [&] {
    kill(pid, SIGKILL);
    int st;
    while (waitpid(pid, &st, __WALL) < 0 && errno == EINTR) {
    }
  };
  int status = 0;
  while (waitpid(pid, &status, WUNTRACED) < 0) {
    if (errno != EINTR) return errno_error("waitpid");
  }
  if (!WIFSTOPPED(status)) {  // a redirection failed
    int child_errno = 0;
    if (read(read_end.get(), &child_errno, sizeof(child_errno)) == sizeof(child_errno))
      return make_error("cannot start " + argv[0], child_errno);
    return make_error("child " + argv[0] + " exited before its exec", ECHILD);
  }
  if (ptrace(PTRACE_SEIZE, pid, nullptr, reinterpret_cast<void*>(long(trace_options()))) != 0) {
    Error e = errno_error("PTRACE_SEIZE");
    reap();
    return e;
  }
  kill(pid, SIGCONT);
  for (;;) {
    while (waitpid(pid, &status, __WALL) < 0) {
      if (errno != EINTR) return errno_error("waitpid");
    }
    if (WIFEXITED(status) || WIFSIGNALED(status)) {
      int child_errno = 0;
      if (read(read_end.get(), &child_errno, sizeof(child_errno)) == sizeof(child_errno))
        return make_error("exec " + argv[0], child_errno);
      return make_error("child " + argv[0] + " did not reach its exec stop", ECHILD);
    }
    if ((status >> 16) == PTRACE_EVENT_EXEC) return pid;
    // The SIGSTOP/SIGCONT of the hand-over, as group-stop or signal stops:
    // swallow them. Any other signal goes on to the child.
    int sig = (status >> 16) == 0 ? WSTOPSIG(status) : 0;
    if (sig == SIGSTOP || sig == SIGCONT) sig = 0;
    if (ptrace(PTRACE_CONT, pid, nullptr, reinterpret_cast<void*>(long(sig))) != 0) {
      Error e = errno_error("PTRACE_CONT");
      reap();
      return e;
    }
  }
}

}  // namespace pml::soft
