// Tracker on another process: testdata/writer.cpp writes pages the test
// names; the tracker must report exactly those pages inside the writer's
// buffer (its runtime writes elsewhere: stack, libc data, stdio buffers).
//
// The writer binary is found through $PML_SOFT_WRITER, else the path the
// build passes as PML_SOFT_WRITER_PATH, else "pml_soft_writer" next to this
// test executable.
#include <fcntl.h>
#include <poll.h>
#include <gtest/gtest.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <map>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "pml/softbackend.h"

namespace pml::soft {
namespace {

constexpr uint64_t kPage = 4096;

std::string writer_path() {
  if (const char* env = getenv("PML_SOFT_WRITER")) return env;
#ifdef PML_SOFT_WRITER_PATH
  if (access(PML_SOFT_WRITER_PATH, X_OK) == 0) return PML_SOFT_WRITER_PATH;
#endif
  char self[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
  if (n <= 0) return "pml_soft_writer";
  std::string dir(self, size_t(n));
  return dir.substr(0, dir.rfind('/') + 1) + "pml_soft_writer";
}

// Talks to a writer process over its stdin/stdout.
class WriterPipes {
 public:
  WriterPipes() {
    int in[2], out[2];
    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) abort();
    child_stdin_ = in[0];
    to_child_ = fdopen(in[1], "w");
    from_child_ = fdopen(out[0], "r");
    child_stdout_ = out[1];
  }
  ~WriterPipes() {
    close_child_ends();
    if (to_child_) fclose(to_child_);
    if (from_child_) fclose(from_child_);
  }
  LaunchOptions launch_options() const {
    LaunchOptions options;
    options.stdin_fd = child_stdin_;
    options.stdout_fd = child_stdout_;
    return options;
  }
  void close_child_ends() {
    if (child_stdin_ >= 0) close(child_stdin_);
    if (child_stdout_ >= 0) close(child_stdout_);
    child_stdin_ = child_stdout_ = -1;
  }
  std::string read_line() {
    char line[8192];
    if (!fgets(line, sizeof(line), from_child_)) return "";
    return line;
  }
  void send(const std::string& command) {
    fputs((command + "\n").c_str(), to_child_);
    fflush(to_child_);
  }
  // Reads "buffer <addr> <pages>".
  bool read_buffer(uint64_t* base, uint64_t* pages) {
    std::string line = read_line();
    unsigned long long b = 0, n = 0;
    if (sscanf(line.c_str(), "buffer %llx %llu", &b, &n) != 2) return false;
    *base = b;
    *pages = n;
    return true;
  }
  // Has the writer write `indexes`; returns the addresses it reports.
  std::set<uint64_t> write(const std::vector<uint64_t>& indexes) {
    std::string command = "write";
    for (uint64_t i : indexes) command += " " + std::to_string(i);
    send(command);
    std::string reply = read_line();
    std::set<uint64_t> addrs;
    const char* cursor = reply.c_str();
    if (strncmp(cursor, "wrote", 5) != 0) return addrs;
    cursor += 5;
    char* end;
    for (unsigned long long a = strtoull(cursor, &end, 16); end != cursor;
         cursor = end, a = strtoull(cursor, &end, 16)) {
      addrs.insert(a);
    }
    return addrs;
  }
  int child_stdin_ = -1, child_stdout_ = -1;
  FILE* to_child_ = nullptr;
  FILE* from_child_ = nullptr;
};

// Collects one epoch and keeps the pages inside [base, base + pages).
std::set<uint64_t> collect_in_buffer(Tracker& tracker, uint64_t epoch, uint64_t base, uint64_t pages,
                                   size_t* total = nullptr) {
  std::set<uint64_t> in_buffer;
  auto n = tracker.collect(epoch, [&](const DirtyPage& page) {
    EXPECT_EQ(page.epoch, epoch);
    EXPECT_EQ(page.pid, uint32_t(tracker.pid()));
    EXPECT_EQ(page.tid, page.pid);
    if (page.addr + page.page_size > base && page.addr < base + pages * kPage) {
      EXPECT_EQ(page.page_size, kPage);
      EXPECT_TRUE(in_buffer.insert(page.addr).second) << "reported twice: " << page.addr;
    }
  });
  EXPECT_TRUE(n.ok()) << n.error().to_string();
  if (total && n.ok()) *total = *n;
  return in_buffer;
}

std::set<uint64_t> expected_addrs(uint64_t base, const std::vector<uint64_t>& indexes) {
  std::set<uint64_t> addrs;
  for (uint64_t i : indexes) addrs.insert(base + i * kPage);
  return addrs;
}

struct RemoteCase {
  Kind kind;
  const char* allocator;  // writer's "mmap" or "malloc"
  uint64_t pages;
};

void PrintTo(const RemoteCase& c, std::ostream* os) {
  *os << kind_name(c.kind) << "/" << c.allocator << "/" << c.pages;
}

// The tracker must leave no userfaultfd in the target's fd table.
int count_uffd_fds(pid_t pid) {
  std::string dir = "/proc/" + std::to_string(pid) + "/fd/";
  int count = 0;
  for (int fd = 0; fd < 64; ++fd) {
    char target[256];
    ssize_t n = readlink((dir + std::to_string(fd)).c_str(), target, sizeof(target) - 1);
    if (n > 0 && std::string(target, size_t(n)).find("userfaultfd") != std::string::npos) ++count;
  }
  return count;
}


class LaunchedWriterTest : public ::testing::TestWithParam<RemoteCase> {
 protected:
  void SetUp() override {
    Availability a = probe(GetParam().kind);
    if (!a.available) GTEST_SKIP() << a.reason;
    ASSERT_EQ(access(writer_path().c_str(), X_OK), 0) << "writer helper missing: " << writer_path();
  }
};

TEST_P(LaunchedWriterTest, ReportsExactlyTheWrittenPagesEachEpoch) {
  const RemoteCase& c = GetParam();
  WriterPipes pipes;
  auto tracker = Tracker::start({writer_path(), std::to_string(c.pages), c.allocator}, c.kind,
                                pipes.launch_options());
  ASSERT_TRUE(tracker.ok()) << tracker.error().to_string();
  pipes.close_child_ends();
  uint64_t base = 0, pages = 0;
  ASSERT_TRUE(pipes.read_buffer(&base, &pages));
  ASSERT_EQ(pages, c.pages);
  ASSERT_EQ(base % kPage, 0u);
  EXPECT_EQ(count_uffd_fds((*tracker)->pid()), 0);

  // mmap: in epoch 1 the buffer's VMA is new to the tracker (created after
  // exec), which exercises the first scan of a VMA. malloc: the allocator
  // may initialise the memory it hands out (ASan fills the first 4 KiB);
  // that is the runtime's write, not ours, so it goes into an epoch 0.
  if (std::string(c.allocator) == "malloc") collect_in_buffer(**tracker, 0, base, pages);
  const std::vector<std::vector<uint64_t>> epochs = {
      {3, 5, 7, 9, 10, 11, 2},
      {0, c.pages - 1, 12, 5},
      {},
      {1, 4, 6, 8},
  };
  size_t total_pages = 0;
  for (size_t e = 0; e < epochs.size(); ++e) {
    std::set<uint64_t> wrote = pipes.write(epochs[e]);
    ASSERT_EQ(wrote, expected_addrs(base, epochs[e])) << "writer protocol";
    size_t total = 0;
    EXPECT_EQ(collect_in_buffer(**tracker, e + 1, base, pages, &total), wrote) << "epoch " << e + 1;
    total_pages += total;
  }
  EXPECT_GT(total_pages, 0u);  // the runtime's own writes (stack, stdio) were seen too
  pipes.send("exit");
  auto status = (*tracker)->wait_exit();
  ASSERT_TRUE(status.ok()) << status.error().to_string();
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0);
}

INSTANTIATE_TEST_SUITE_P(
    Writers, LaunchedWriterTest,
    ::testing::Values(RemoteCase{Kind::kUffd, "mmap", 64}, RemoteCase{Kind::kUffd, "malloc", 16},
                      RemoteCase{Kind::kSoftDirty, "mmap", 64}),
    [](const auto& info) {
      return std::string(info.param.kind == Kind::kUffd ? "Uffd_" : "SoftDirty_") + info.param.allocator;
    });

// Attaching to a process that is already running (and blocked in read()):
// writes from before the attach are not reported, the interrupted read()
// resumes, and the writer behaves as before.
TEST(AttachedWriterTest, UffdAttachToRunningProcess) {
  Availability a = probe(Kind::kUffd);
  if (!a.available) GTEST_SKIP() << a.reason;
  ASSERT_EQ(access(writer_path().c_str(), X_OK), 0) << "writer helper missing: " << writer_path();
  WriterPipes pipes;
  LaunchOptions options = pipes.launch_options();
  std::string path = writer_path();
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    dup2(options.stdin_fd, 0);
    dup2(options.stdout_fd, 1);
    execl(path.c_str(), path.c_str(), "32", "mmap", nullptr);
    _exit(127);
  }
  pipes.close_child_ends();
  uint64_t base = 0, pages = 0;
  ASSERT_TRUE(pipes.read_buffer(&base, &pages));
  ASSERT_EQ(pipes.write({0, 1, 2, 3}), expected_addrs(base, {0, 1, 2, 3}));
  usleep(20000);  // let the writer block in read() again

  auto tracker = Tracker::start(pid, Kind::kUffd);
  ASSERT_TRUE(tracker.ok()) << tracker.error().to_string();
  EXPECT_EQ(collect_in_buffer(**tracker, 1, base, pages), std::set<uint64_t>{});
  std::set<uint64_t> wrote = pipes.write({2, 20, 31});
  ASSERT_EQ(wrote, expected_addrs(base, {2, 20, 31}));
  EXPECT_EQ(collect_in_buffer(**tracker, 2, base, pages), wrote);
  wrote = pipes.write({4});
  EXPECT_EQ(collect_in_buffer(**tracker, 3, base, pages), wrote);

  pipes.send("exit");
  // The tracer sees the exit first (and, being the parent too, reaps it).
  auto status = (*tracker)->wait_exit();
  ASSERT_TRUE(status.ok()) << status.error().to_string();
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0);
  // The target is gone: wait says so.
  auto more = (*tracker)->wait(0, 4, [](const DirtyPage&) {}, [](const TaskEvent&) {});
  ASSERT_TRUE(more.ok());
  EXPECT_FALSE(*more);
}

// What Tracker::wait() handed out: pages (by pid, inside the buffer) and
// task events.
struct Followed {
  std::map<uint32_t, std::set<uint64_t>> pages;
  std::vector<TaskEvent> events;
  uint64_t base = 0, count = 0;
  DirtyPageCallback page_sink(uint64_t epoch) {
    return [this, epoch](const DirtyPage& p) {
      EXPECT_EQ(p.epoch, epoch);
      if (p.addr >= base && p.addr < base + count * kPage) pages[p.pid].insert(p.addr);
    };
  }
  TaskEventCallback event_sink() {
    return [this](const TaskEvent& e) { events.push_back(e); };
  }
};

class FollowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Availability a = probe(Kind::kUffd);
    if (!a.available) GTEST_SKIP() << a.reason;
    ASSERT_EQ(access(writer_path().c_str(), X_OK), 0) << "writer helper missing: " << writer_path();
    auto started = Tracker::start({writer_path(), "16", "mmap"}, Kind::kUffd, pipes.launch_options());
    ASSERT_TRUE(started.ok()) << started.error().to_string();
    tracker = std::move(*started);
    pipes.close_child_ends();
    ASSERT_TRUE(pipes.read_buffer(&f.base, &f.count));
  }
  // Pages 1 2, collected; then 7 8 and death by `sig`: see its definition.
  void expect_last_pages_collected_at(int sig);
  // Handles the writer's stops until it has exited.
  void wait_until_gone(uint64_t epoch) {
    for (;;) {
      auto more = tracker->wait(1000, epoch, f.page_sink(epoch), f.event_sink());
      ASSERT_TRUE(more.ok()) << more.error().to_string();
      if (!*more) return;
    }
  }
  // Handles the writer's stops until it replies.
  void wait_for_reply(uint64_t epoch) {
    pollfd p{fileno(pipes.from_child_), POLLIN, 0};
    while (poll(&p, 1, 0) == 0) {
      auto more = tracker->wait(20, epoch, f.page_sink(epoch), f.event_sink());
      ASSERT_TRUE(more.ok()) << more.error().to_string();
      ASSERT_TRUE(*more) << "the writer exited";
    }
  }
  WriterPipes pipes;
  std::unique_ptr<Tracker> tracker;
  Followed f;
};

// A process that writes and exits between two collects: its pages come out
// of wait(), collected at its exit stop, with the epoch in progress.
TEST_F(FollowTest, LastPagesAreCollectedAtExit) {
  std::set<uint64_t> wrote = pipes.write({1, 2});
  EXPECT_EQ(collect_in_buffer(*tracker, 1, f.base, f.count), wrote);
  pipes.send("write-exit 7 8 15");
  wait_until_gone(2);
  const uint32_t pid = uint32_t(tracker->pid());
  EXPECT_EQ(f.pages[pid], expected_addrs(f.base, {7, 8, 15}));
  ASSERT_FALSE(f.events.empty());
  EXPECT_EQ(f.events.back().type, TaskEvent::Type::kExit);
  EXPECT_EQ(f.events.back().pid, pid);
  auto status = tracker->wait_exit();
  ASSERT_TRUE(status.ok()) << status.error().to_string();
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0);
}

// The leader ends first (a zombie until the group is gone: its
// /proc/PID/maps lists nothing): the other thread's writes are still
// collected each epoch, and at its exit(2), the process's end.
TEST_F(FollowTest, ThreadsOutlivingTheLeaderAreTracked) {
  pipes.send("leader-exit");
  wait_for_reply(1);
  ASSERT_EQ(pipes.read_line(), "leader gone\n");
  std::set<uint64_t> wrote = pipes.write({3, 4});
  EXPECT_EQ(collect_in_buffer(*tracker, 1, f.base, f.count), wrote);
  pipes.send("thread-end 2 5 11");
  wait_until_gone(2);
  EXPECT_EQ(f.pages[uint32_t(tracker->pid())], expected_addrs(f.base, {2, 5, 11}));
}

// A forked child gets its own tracker before it runs: its writes are its
// own, exact, and none of them is the parent's.
TEST_F(FollowTest, ForkedChildIsTrackedUnderItsPid) {
  ASSERT_EQ(pipes.write({0, 1}), expected_addrs(f.base, {0, 1}));
  pipes.send("fork 3 4 9");
  // The writer replies once its child is reaped, i.e. after wait() let the
  // child's exit stop go.
  wait_for_reply(1);
  std::string reply = pipes.read_line();
  int child = 0;
  ASSERT_EQ(sscanf(reply.c_str(), "forked %d", &child), 1) << reply;
  auto got = tracker->collect(1, f.page_sink(1));
  ASSERT_TRUE(got.ok()) << got.error().to_string();

  const uint32_t parent = uint32_t(tracker->pid());
  EXPECT_EQ(f.pages[uint32_t(child)], expected_addrs(f.base, {3, 4, 9}));
  EXPECT_EQ(f.pages[parent], expected_addrs(f.base, {0, 1}));
  int forks = 0, exits = 0;
  for (const TaskEvent& e : f.events) {
    if (e.type == TaskEvent::Type::kFork && e.pid == uint32_t(child)) {
      ++forks;
      EXPECT_EQ(e.tid, uint32_t(child));
      EXPECT_EQ(e.ppid, parent);
      EXPECT_EQ(e.ptid, parent);
    }
    if (e.type == TaskEvent::Type::kExit && e.pid == uint32_t(child)) ++exits;
  }
  EXPECT_EQ(forks, 1);
  EXPECT_EQ(exits, 1);
  pipes.send("exit");
  auto status = tracker->wait_exit();
  ASSERT_TRUE(status.ok()) << status.error().to_string();
}

int count_events(const Followed& f, TaskEvent::Type type, uint32_t pid) {
  int n = 0;
  for (const TaskEvent& e : f.events) n += e.type == type && e.pid == pid;
  return n;
}

// The writer writes pages 1 2 (collected in epoch 1), then 7 8 and raises
// `sig`: 7 8 must come out of wait(), collected as it dies, and nothing be
// reported as uncollected.
void FollowTest::expect_last_pages_collected_at(int sig) {
  std::set<uint64_t> wrote = pipes.write({1, 2});
  EXPECT_EQ(collect_in_buffer(*tracker, 1, f.base, f.count), wrote);
  pipes.send("write-signal " + std::to_string(sig) + " 7 8");
  wait_until_gone(2);
  const uint32_t pid = uint32_t(tracker->pid());
  EXPECT_EQ(f.pages[pid], expected_addrs(f.base, {7, 8}));
  EXPECT_EQ(count_events(f, TaskEvent::Type::kUncollected, pid), 0);
  auto status = tracker->wait_exit();
  ASSERT_TRUE(status.ok()) << status.error().to_string();
  EXPECT_TRUE(WIFSIGNALED(*status) && WTERMSIG(*status) == sig);
}

// A deadly signal the process can be stopped for: its last writes are
// collected at the signal's delivery stop.
TEST_F(FollowTest, LastPagesAreCollectedAtADeadlySignal) {
  expect_last_pages_collected_at(SIGTERM);
}

// SIGKILL too: the kernel takes SIGKILL off the dying task before it exits
// (get_signal(), kernel/signal.c), so its PTRACE_EVENT_EXIT stop still
// happens and the last writes are collected there, whether the process
// raised it or another one sent it.
TEST_F(FollowTest, LastPagesAreCollectedAtSigkill) { expect_last_pages_collected_at(SIGKILL); }

TEST_F(FollowTest, LastPagesAreCollectedAtSigkillFromOutside) {
  std::set<uint64_t> wrote = pipes.write({1, 2});
  EXPECT_EQ(collect_in_buffer(*tracker, 1, f.base, f.count), wrote);
  wrote = pipes.write({7, 8, 12});
  ASSERT_EQ(kill(tracker->pid(), SIGKILL), 0);
  wait_until_gone(2);
  const uint32_t pid = uint32_t(tracker->pid());
  EXPECT_EQ(f.pages[pid], wrote);
  EXPECT_EQ(count_events(f, TaskEvent::Type::kUncollected, pid), 0);
}

// An exec: the old image's writes since the last collect are gone with its
// mm (kUncollected, then the exec); the new image is tracked, exactly.
TEST_F(FollowTest, ExecIsReportedAndTheNewImageTracked) {
  std::set<uint64_t> wrote = pipes.write({1, 2});
  EXPECT_EQ(collect_in_buffer(*tracker, 1, f.base, f.count), wrote);
  pipes.send("write-exec 7 8");
  wait_for_reply(2);
  const uint32_t pid = uint32_t(tracker->pid());
  uint64_t base = 0, count = 0;
  ASSERT_TRUE(pipes.read_buffer(&base, &count));
  EXPECT_EQ(f.pages[pid], std::set<uint64_t>{});
  ASSERT_EQ(count_events(f, TaskEvent::Type::kUncollected, pid), 1);
  ASSERT_EQ(count_events(f, TaskEvent::Type::kExec, pid), 1);
  size_t uncollected = 0, exec = 0;
  for (size_t i = 0; i < f.events.size(); ++i) {
    if (f.events[i].type == TaskEvent::Type::kUncollected) uncollected = i;
    if (f.events[i].type == TaskEvent::Type::kExec) exec = i;
  }
  EXPECT_LT(uncollected, exec);
  // The new image: its buffer is a new mapping, its writes exact.
  collect_in_buffer(*tracker, 3, base, count);  // what its start-up wrote there (nothing)
  wrote = pipes.write({3, 4, 15});
  EXPECT_EQ(collect_in_buffer(*tracker, 4, base, count), expected_addrs(base, {3, 4, 15}));
  pipes.send("exit");
  auto status = tracker->wait_exit();
  ASSERT_TRUE(status.ok()) << status.error().to_string();
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0);
  EXPECT_EQ(count_events(f, TaskEvent::Type::kUncollected, pid), 1);  // a clean exit loses nothing
}

// With a second thread, the exec ends it first (de_thread()), and its exit
// stop comes while the old mm is still there: the old image's last writes
// are collected, nothing is lost.
TEST_F(FollowTest, ThreadedExecCollectsTheOldImage) {
  std::set<uint64_t> wrote = pipes.write({1, 2});
  EXPECT_EQ(collect_in_buffer(*tracker, 1, f.base, f.count), wrote);
  pipes.send("threaded-write-exec 7 8");
  wait_for_reply(2);
  const uint32_t pid = uint32_t(tracker->pid());
  uint64_t base = 0, count = 0;
  ASSERT_TRUE(pipes.read_buffer(&base, &count));
  EXPECT_EQ(f.pages[pid], expected_addrs(f.base, {7, 8}));
  EXPECT_EQ(count_events(f, TaskEvent::Type::kUncollected, pid), 0);
  EXPECT_EQ(count_events(f, TaskEvent::Type::kExec, pid), 1);
  collect_in_buffer(*tracker, 3, base, count);
  wrote = pipes.write({5});
  EXPECT_EQ(collect_in_buffer(*tracker, 4, base, count), expected_addrs(base, {5}));
  pipes.send("exit");
  auto status = tracker->wait_exit();
  ASSERT_TRUE(status.ok()) << status.error().to_string();
}

TEST(TrackerStart, MissingProgramIsAnError) {
  auto tracker = Tracker::start({"/nonexistent/pml-no-such-program"}, Kind::kUffd);
  ASSERT_FALSE(tracker.ok());
  EXPECT_EQ(tracker.error().errnum, ENOENT) << tracker.error().to_string();
}

}  // namespace
}  // namespace pml::soft
