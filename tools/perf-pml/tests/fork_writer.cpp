// Test workload: a process tree whose every member writes known pages of
// one buffer and exits at once (well within the first epoch), so only the
// collection at each exit can see the writes.
//   fork_writer [exit_status] [exec_prog]
// Buffer: 64 pages at 0x5b0000000000, mapped before the forks (inherited).
//   parent            pages 0 1, then 63 after its children are done
//   child 1 (fork)    pages 8 9 10
//   child 2 (fork)    pages 16 17, and its thread page 50 (same mm)
//   child 3 (vfork)   execs exec_prog (if given) with argument 0
//   child 4 (fork)    forks grandchild: page 40; itself page 32
// Exits with exit_status (default 0).
#include <pthread.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <initializer_list>

namespace {

constexpr size_t kPage = 4096, kPages = 64;
volatile char* buf;

void write_pages(std::initializer_list<int> pages) {
  for (int i : pages) buf[size_t(i) * kPage + 8] = char(i + 1);
}

pid_t fork_and(void (*body)()) {
  pid_t pid = fork();
  if (pid == 0) {
    body();
    _exit(0);
  }
  return pid;
}

}  // namespace

int main(int argc, char** argv) {
  const int status = argc > 1 ? atoi(argv[1]) : 0;
  void* want = reinterpret_cast<void*>(0x5b0000000000ULL);
  void* p = mmap(want, kPages * kPage, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  if (p != want) {
    perror("mmap");
    return 1;
  }
  madvise(p, kPages * kPage, MADV_NOHUGEPAGE);
  buf = static_cast<volatile char*>(p);
  write_pages({0, 1});

  pid_t kids[4];
  kids[0] = fork_and([] { write_pages({8, 9, 10}); });
  kids[1] = fork_and([] {
    write_pages({16, 17});
    pthread_t t;
    pthread_create(&t, nullptr, [](void*) -> void* { write_pages({50}); return nullptr; }, nullptr);
    pthread_join(t, nullptr);
  });
  if (argc > 2) {
    kids[2] = vfork();
    if (kids[2] == 0) {
      execl(argv[2], argv[2], "0", nullptr);
      _exit(127);
    }
  } else {
    kids[2] = -1;
  }
  kids[3] = fork_and([] {
    pid_t g = fork_and([] { write_pages({40}); });
    write_pages({32});
    waitpid(g, nullptr, 0);
  });
  for (pid_t k : kids)
    if (k > 0) waitpid(k, nullptr, 0);
  write_pages({63});
  return status;
}
