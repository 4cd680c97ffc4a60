// libFuzzer target: the data-symbol reader on any bytes as a binary named by
// a mapping: elfutils parses the file, our code walks its segments and
// symbols and demangles their names. The bytes go through a memfd so that
// the path is the one perf pml report takes. Any input must end in a result
// or a clean error.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "elf_data_symbols.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  int fd = memfd_create("pml-fuzz-elf", MFD_CLOEXEC);
  if (fd < 0) return 0;
  for (size_t done = 0; done < size;) {
    ssize_t n = write(fd, data + done, size - done);
    if (n <= 0) break;
    done += size_t(n);
  }
  // No debug file lookup outside this directory.
  auto elf = pml::ElfDataSymbols::load("/proc/self/fd/" + std::to_string(fd), "/nonexistent");
  close(fd);
  if (!elf.ok()) return 0;
  uint64_t names = 0;
  for (const auto& seg : elf->segments()) {
    (void)elf->segment_for_offset(seg.offset);
    elf->for_each_overlapping(seg.vaddr, seg.vaddr + 4096,
                              [&](size_t, const pml::ElfDataSymbol& s) { names += s.name.size(); });
  }
  for (size_t i = 0; i < elf->size(); ++i)
    if (elf->symbol(i).start > elf->symbol(i).end) __builtin_trap();
  return int(names & 0);
}
