// Internal: the data objects (.data, .bss, ...) of an ELF file, by address.
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
  std::string name;
};

class ElfDataSymbols {
 public:
  static Result<ElfDataSymbols> load(const std::string& path);

  const std::vector<ElfSegment>& segments() const { return segments_; }
  // The PT_LOAD segment holding a file offset, or nullptr.
  const ElfSegment* segment_for_offset(uint64_t offset) const;
  // Calls f(index, symbol) for each data symbol overlapping [start, end).
  template <class F>
  void for_each_overlapping(uint64_t start, uint64_t end, F&& f) const;
  size_t size() const { return symbols_.size(); }
  const ElfDataSymbol& symbol(size_t i) const { return symbols_[i]; }

 private:
  std::vector<ElfSegment> segments_;
  std::vector<ElfDataSymbol> symbols_;  // sorted by start
  uint64_t max_size_ = 0;
};

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
    if (s.start + max_size_ <= start) break;
    if (s.end > start) f(i, s);
  }
}

}  // namespace pml
