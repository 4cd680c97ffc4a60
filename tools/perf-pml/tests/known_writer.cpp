// Test workload: writes a known set of pages at a fixed address, then waits
// long enough for the recorder to collect them, then exits.
//   known_writer [settle_ms]
// Buffer: 64 pages at 0x5a0000000000. Pages written: 0 1 2 5 9 17 33 63.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <initializer_list>

int main(int argc, char** argv) {
  const unsigned settle_ms = argc > 1 ? unsigned(atoi(argv[1])) : 400;
  const size_t page = 4096, pages = 64;
  void* want = reinterpret_cast<void*>(0x5a0000000000ULL);
  void* p = mmap(want, pages * page, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  if (p != want) {
    perror("mmap");
    return 1;
  }
  madvise(p, pages * page, MADV_NOHUGEPAGE);
  // Let the recorder see the mapping before the writes (one epoch or more).
  usleep(settle_ms * 1000 / 2);
  volatile char* buf = static_cast<volatile char*>(p);
  for (int i : {0, 1, 2, 5, 9, 17, 33, 63}) buf[size_t(i) * page + 100] = char(i + 1);
  usleep(settle_ms * 1000);
  return 0;
}
