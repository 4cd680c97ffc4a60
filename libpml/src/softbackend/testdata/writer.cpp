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
//     "thread-exit <i> ..." the main thread ends (exit(2), not exit_group);
//                          a new thread stores into the listed pages and
//                          ends the same way, the last one: the process
//                          exits with status 0 (no reply)
//     "fork <i> ..."       forks a child that stores into the listed pages
//                          and exits; once it is reaped prints
//                          "forked <pid>"
//   stdout is flushed after every line, so a reply means the writes are done.
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

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s <pages> <mmap|malloc>\n", argv[0]);
    return 2;
  }
  const size_t pages = strtoul(argv[1], nullptr, 10);
  const size_t page_size = 4096;
  char* buffer = nullptr;
  if (strcmp(argv[2], "mmap") == 0) {
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

  auto release = [&] {
    if (strcmp(argv[2], "mmap") == 0) {
      munmap(buffer, pages * page_size);
    } else {
      free(buffer);
    }
  };
  char line[4096];
  while (fgets(line, sizeof(line), stdin) != nullptr) {
    if (strncmp(line, "exit", 4) == 0) break;
    const bool then_exit = strncmp(line, "write-exit", 10) == 0;
    const bool in_child = strncmp(line, "fork", 4) == 0;
    if (strncmp(line, "thread-exit", 11) == 0) {
      static std::vector<unsigned long> indexes;
      for (char *cursor = line + 11, *end;; cursor = end) {
        unsigned long index = strtoul(cursor, &end, 10);
        if (end == cursor) break;
        if (index < pages) indexes.push_back(index);
      }
      static char* base = buffer;
      pthread_t thread;
      pthread_create(&thread, nullptr, [](void*) -> void* {
        for (unsigned long i : indexes) base[i * 4096] = char(i + 1);
        syscall(SYS_exit, 0);  // the last thread: the process ends here
        return nullptr;
      }, nullptr);
      syscall(SYS_exit, 0);
    }
    if (strncmp(line, "write", 5) != 0 && !in_child) continue;
    pid_t child = 0;
    if (in_child && (child = fork()) != 0) {
      waitpid(child, nullptr, 0);
      printf("forked %d\n", int(child));
      fflush(stdout);
      continue;
    }
    std::string reply = "wrote";
    char* cursor = line + (then_exit ? 10 : in_child ? 4 : 5);
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
    if (then_exit || in_child) _exit(0);
    printf("%s\n", reply.c_str());
    fflush(stdout);
  }
  release();
  return 0;
}
