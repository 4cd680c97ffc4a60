// Internal: the data objects (.data, .bss, ...) of an ELF file, by address.
// elfutils (libdwfl) reads the file and finds its separate debug info, by
// build-id (/usr/lib/debug/.build-id/xx/yyyy.debug) and by .gnu_debuglink,
// so stripped binaries of Debian's -dbgsym packages still name their
// objects; C++ names are demangled.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pml/result.h"

namespace pml {

struct ElfSegment {
  uint64_t vaddr = 0, offset = 0, filesz = 0, memsz = 0;
  bool writable = false;
};

struct ElfDataSymbol {
  uint64_t start = 0, end = 0;  // link-time virtual addresses
  std::string name;             // demangled
};

// Where separate debug files are looked for, in elfutils' syntax (see
// dwfl_standard_find_debuginfo): the binary's directory, its .debug/, then
// /usr/lib/debug (by build-id, then by the binary's path).
inline constexpr const char* kDefaultDebuginfoPath = ":.debug:/usr/lib/debug";

class ElfDataSymbols {
 public:
  static Result<ElfDataSymbols> load(const std::string& path,
                                     const std::string& debuginfo_path = kDefaultDebuginfoPath);

  const std::vector<ElfSegment>& segments() const { return segments_; }
  // The PT_LOAD segment holding a file offset (a writable one first), or nullptr.
  const ElfSegment* segment_for_offset(uint64_t offset) const;
  // Calls f(index, symbol) for each data symbol overlapping [start, end).
  template <class F>
  void for_each_overlapping(uint64_t start, uint64_t end, F&& f) const;
  size_t size() const { return symbols_.size(); }
  const ElfDataSymbol& symbol(size_t i) const { return symbols_[i]; }
  // The separate debug file the symbols came from, "" if none was used.
  const std::string& debug_file() const { return debug_file_; }

 private:
  friend struct ElfReader;
  std::vector<ElfSegment> segments_;
  std::vector<ElfDataSymbol> symbols_;  // sorted by start
  uint64_t max_size_ = 0;
  std::string debug_file_;
};

// "ns::object" for "_ZN2ns6objectE"; other names unchanged.
std::string demangle(const char* name);

template <class F>
void ElfDataSymbols::for_each_overlapping(uint64_t start, uint64_t end, F&& f) const {
  // First symbol starting at or after `end`; walk back over candidates.
  size_t lo = 0, hi = symbols_.size();
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (symbols_[mid].start < end) lo = mid + 1;
    else hi = mid;
  }
  for (size_t i = lo; i-- > 0;) {
    const ElfDataSymbol& s = symbols_[i];
    if (s.start < start && start - s.start >= max_size_) break;
    if (s.end > start) f(i, s);
  }
}

}  // namespace pml
