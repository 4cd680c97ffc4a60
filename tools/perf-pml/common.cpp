#include "common.h"

#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "options.h"

namespace perf_pml {

void print_error(const char* cmd, const std::string& message) {
  std::fprintf(stderr, "perf pml %s: error: %s\n", cmd, message.c_str());
}

void print_warning(const char* cmd, const std::string& message) {
  std::fprintf(stderr, "perf pml %s: warning: %s\n", cmd, message.c_str());
}

pml::Result<pml::PerfDataReader> open_input(const char* cmd, const std::string& path,
                                            const pml::ReadOptions& options) {
  if (path.empty()) {
    print_error(cmd, "empty input file name");
    return pml::make_error("empty input file name", EINVAL);
  }
  auto r = pml::PerfDataReader::open(path, options);
  if (!r.ok()) {
    std::string msg = r.error().message;
    if (r.error().errnum == ENOENT) msg += " (record one with 'perf pml record', or name it with -i)";
    print_error(cmd, msg);
  }
  return r;
}

static bool is_fifo(int fd) {
  struct stat st;
  return fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode);
}

std::string default_input() { return is_fifo(STDIN_FILENO) ? "-" : "perf.data"; }
std::string default_output() { return is_fifo(STDOUT_FILENO) ? "-" : "perf.data"; }

Progress::Progress(const char* cmd) : cmd_(cmd), enabled_(isatty(STDERR_FILENO) == 1) {}
Progress::~Progress() { clear(); }

void Progress::update(uint64_t done, uint64_t total) {
  if (!enabled_ || total == 0) return;
  std::fprintf(stderr, "\r[ perf pml %s: %5.1f%% of %s ]", cmd_, 100.0 * double(done) / double(total),
               human_bytes(total).c_str());
  std::fflush(stderr);
  shown_ = true;
}

void Progress::clear() {
  if (shown_) {
    std::fprintf(stderr, "\r%60s\r", "");
    std::fflush(stderr);
    shown_ = false;
  }
}

std::string human_bytes(uint64_t b) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = double(b);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  if (u == 0) std::snprintf(buf, sizeof buf, "%llu B", (unsigned long long)b);
  else std::snprintf(buf, sizeof buf, "%.1f %s", v, units[u]);
  return buf;
}

std::string format_time(uint64_t ns) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%llu.%06llu", (unsigned long long)(ns / 1000000000ULL),
                (unsigned long long)(ns % 1000000000ULL / 1000));
  return buf;
}

static void ignore_signal(int) {}

void catch_broken_pipe() {
  struct sigaction sa {};
  sa.sa_handler = ignore_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGPIPE, &sa, nullptr);
}

bool stdout_reader_gone() {
  pollfd p{STDOUT_FILENO, POLLOUT, 0};
  // A pipe without readers polls POLLERR; a socket whose peer left, POLLHUP.
  return poll(&p, 1, 0) == 1 && (p.revents & (POLLERR | POLLHUP));
}

static void print_write_error(const char* cmd, int err) {
  print_error(cmd, std::string("cannot write the output: ") +
                       (err ? std::strerror(err) : "write error"));
}

// _Exit: nothing to clean up in a command that only reads, and a normal
// exit would flush the failing stdout once more.
void stop_if_stdout_failed(const char* cmd) {
  if (!std::ferror(stdout)) return;
  int err = errno;  // the failed write's, checked right after each print
  if (err == EPIPE || stdout_reader_gone()) std::_Exit(kBrokenPipeExit);
  print_write_error(cmd, err);
  std::fflush(stderr);
  std::_Exit(1);
}

int finish_stdout(const char* cmd, int status) {
  errno = 0;
  bool failed = std::fflush(stdout) != 0 || std::ferror(stdout);
  int err = errno;
  if (!failed) return status;
  if (err == EPIPE || stdout_reader_gone()) return kBrokenPipeExit;
  print_write_error(cmd, err);
  return 1;
}

bool has_pml_event(const pml::PerfDataReader& reader) {
  for (auto& e : reader.events())
    if (e.name.rfind("pml", 0) == 0) return true;
  return false;
}

}  // namespace perf_pml
