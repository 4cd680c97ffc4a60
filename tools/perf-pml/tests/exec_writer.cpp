// Test workload: writes known pages, then execs, dies of SIGKILL or exits,
// so that a test sees what becomes of writes a process makes right before
// its memory goes.
//   exec_writer exec PROG | kill | exit
// Buffer: 64 pages at 0x5c0000000000. Pages written: 0 1 2 10 11. exec runs
// PROG with the argument 0 in the same process.
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <initializer_list>

int main(int argc, char** argv) {
  if (argc < 2 || (std::strcmp(argv[1], "exec") == 0 && argc < 3)) {
    std::fprintf(stderr, "usage: %s exec PROG | kill | exit\n", argv[0]);
    return 2;
  }
  const size_t page = 4096, pages = 64;
  void* want = reinterpret_cast<void*>(0x5c0000000000ULL);
  void* p = mmap(want, pages * page, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  if (p != want) {
    perror("mmap");
    return 1;
  }
  madvise(p, pages * page, MADV_NOHUGEPAGE);
  volatile char* buf = static_cast<volatile char*>(p);
  for (int i : {0, 1, 2, 10, 11}) buf[size_t(i) * page + 8] = char(i + 1);
  if (std::strcmp(argv[1], "exec") == 0) {
    execl(argv[2], argv[2], "0", static_cast<char*>(nullptr));
    perror("exec");
    return 127;
  }
  if (std::strcmp(argv[1], "kill") == 0) raise(SIGKILL);
  return 0;
}
