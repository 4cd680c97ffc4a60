// Test workload: maps a buffer only after some epochs have passed, writes
// pages 0 and 2 of it and exits at once, so the buffer's only collection is
// the one at exit.   late_mapper <delay_ms>
// Buffer: 4 pages at 0x5c0000000000.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

int main(int argc, char** argv) {
  usleep((argc > 1 ? unsigned(atoi(argv[1])) : 100) * 1000);
  void* want = reinterpret_cast<void*>(0x5c0000000000ULL);
  void* p = mmap(want, 4 * 4096, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  if (p != want) {
    perror("mmap");
    return 1;
  }
  static_cast<volatile char*>(p)[0] = 1;
  static_cast<volatile char*>(p)[2 * 4096] = 1;
  return 0;
}
