// Test helper for tracker_test.cpp: a process whose writes the test chooses.
//
// Usage: pml_soft_writer <pages> <mmap|malloc>
//   Allocates a page-aligned buffer of <pages> pages (an anonymous private
//   mmap, or posix_memalign from the malloc heap), prints
//     "buffer <hex address> <pages>"
//   and then reads commands from stdin, one per line:
//     "write <i> <j> ..."  stores one byte into each listed page (by index,
//                          in the given order), then prints
//                          "wrote <hex address> ..." for those pages
//     "exit"               exits with status 0
//     "write-exit <i> ..." stores into the listed pages and exits at once
//                          with status 0 (no reply)
//     "leader-exit"        the main thread ends (exit(2), not exit_group)
//                          and a new thread serves the commands from then
//                          on; it prints "leader gone" once the main thread
//                          is a zombie
//     "thread-end <i> ..." stores into the listed pages and ends the
//                          serving thread with exit(2) (no reply): if it is
//                          the last thread, the process exits with status 0
//     "fork <i> ..."       forks a child that stores into the listed pages
//                          and exits; once it is reaped prints
//                          "forked <pid>"
//     "write-signal <sig> <i> ..."
//                          stores into the listed pages and raises signal
//                          <sig> (its default action: SIGKILL, SIGTERM...)
//     "write-exec <i> ..." stores into the listed pages and execs itself
//                          with the same arguments (a new image, which
//                          prints its own "buffer" line)
//     "threaded-write-exec <i> ..."
//                          the same with a second thread alive (blocked
//                          in pause()), which the exec ends
//   stdout is flushed after every line, so a reply means the writes are done.
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

namespace {

size_t pages = 0;
const size_t page_size = 4096;
char* buffer = nullptr;
bool from_mmap = false;
pid_t leader = 0;
char** arguments = nullptr;

void release() {
  if (from_mmap) {
    munmap(buffer, pages * page_size);
  } else {
    free(buffer);
  }
}

bool leader_is_zombie() {
  char path[64], state = 0;
  snprintf(path, sizeof(path), "/proc/self/task/%d/stat", int(leader));
  FILE* f = fopen(path, "r");
  if (!f) return true;
  char text[512] = {};
  size_t n = fread(text, 1, sizeof(text) - 1, f);
  fclose(f);
  const char* paren = strrchr(text, ')');
  if (n && paren && paren[1] == ' ') state = paren[2];
  return state == 'Z' || state == 'X';
}

// Stores into the listed pages; returns "wrote <addr> ...".
std::string write_pages(const char* cursor) {
  std::string reply = "wrote";
  for (;;) {
    char* end = nullptr;
    unsigned long index = strtoul(cursor, &end, 10);
    if (end == cursor) break;
    cursor = end;
    if (index >= pages) continue;
    volatile char* page = buffer + index * page_size;
    *page = static_cast<char>(index + 1);
    char text[32];
    snprintf(text, sizeof(text), " %p", static_cast<void*>(buffer + index * page_size));
    reply += text;
  }
  return reply;
}

void* serve(void*) {
  char line[4096];
  while (fgets(line, sizeof(line), stdin) != nullptr) {
    if (strncmp(line, "exit", 4) == 0) break;
    if (strncmp(line, "leader-exit", 11) == 0) {
      pthread_t thread;
      pthread_create(&thread, nullptr, [](void*) -> void* {
        while (!leader_is_zombie()) usleep(1000);
        printf("leader gone\n");
        fflush(stdout);
        return serve(nullptr);
      }, nullptr);
      syscall(SYS_exit, 0);
    }
    if (strncmp(line, "thread-end", 10) == 0) {
      write_pages(line + 10);
      syscall(SYS_exit, 0);
    }
    if (strncmp(line, "write-exit", 10) == 0) {
      write_pages(line + 10);
      _exit(0);
    }
    if (strncmp(line, "write-signal", 12) == 0) {
      char* rest = nullptr;
      int sig = int(strtol(line + 12, &rest, 10));
      write_pages(rest);
      signal(sig, SIG_DFL);
      raise(sig);
      _exit(3);  // not a deadly signal
    }
    if (strncmp(line, "threaded-write-exec", 19) == 0) {
      pthread_t thread;
      pthread_create(&thread, nullptr, [](void*) -> void* {
        for (;;) pause();
      }, nullptr);
      write_pages(line + 19);
      execv("/proc/self/exe", arguments);
      _exit(127);
    }
    if (strncmp(line, "write-exec", 10) == 0) {
      write_pages(line + 10);
      execv("/proc/self/exe", arguments);
      _exit(127);
    }
    if (strncmp(line, "fork", 4) == 0) {
      pid_t child = fork();
      if (child == 0) {
        write_pages(line + 4);
        _exit(0);
      }
      waitpid(child, nullptr, 0);
      printf("forked %d\n", int(child));
      fflush(stdout);
      continue;
    }
    if (strncmp(line, "write", 5) != 0) continue;
    printf("%s\n", write_pages(line + 5).c_str());
    fflush(stdout);
  }
  release();
  exit(0);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s <pages> <mmap|malloc>\n", argv[0]);
    return 2;
  }
  pages = strtoul(argv[1], nullptr, 10);
  leader = getpid();
  arguments = argv;
  from_mmap = strcmp(argv[2], "mmap") == 0;
  if (from_mmap) {
    void* p = mmap(nullptr, pages * page_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return 1;
    buffer = static_cast<char*>(p);
  } else {
    void* p = nullptr;
    if (posix_memalign(&p, page_size, pages * page_size) != 0) return 1;
    buffer = static_cast<char*>(p);
  }
  // Keep the test's page sizes exact: no transparent huge pages here.
  madvise(buffer, pages * page_size, MADV_NOHUGEPAGE);
  printf("buffer %p %zu\n", static_cast<void*>(buffer), pages);
  fflush(stdout);
  serve(nullptr);
}
