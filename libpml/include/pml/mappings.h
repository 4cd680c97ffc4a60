// Address-space model built from MMAP/MMAP2/FORK/EXIT/COMM records, so that
// sample addresses can be named: [heap], [stack], a file, an anon mapping.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "pml/records.h"

namespace pml {

struct Mapping {
  uint32_t id = 0;  // stable index into MappingTable::all()
  uint32_t pid = 0;
  uint64_t start = 0, end = 0, pgoff = 0;
  uint32_t prot = 0;
  std::string filename;  // as recorded ("//anon", "[heap]", a path, ...)

  bool is_anon() const;
  // Short display name: [heap], [stack], [anon], or the file path.
  std::string display_name() const;
};

// The one name every output (report table, JSON, stat, heatmap, diff) gives
// a mapping: [heap], [stack], the file path, "[anon] 0x<start>-0x<end>" (each
// anon mapping is its own row, told apart by address), or [unknown] for
// nullptr (no mapping contains the address).
std::string mapping_name(const Mapping* m);

class MappingTable {
 public:
  // Feeds MMAP/FORK/EXIT/COMM records; ignores others.
  void add(const Record& record);

  // The mapping of pid that contains addr, or nullptr.
  const Mapping* find(uint32_t pid, uint64_t addr) const;

  // Every mapping ever seen, by id (a replaced mapping keeps its id).
  const std::vector<Mapping>& all() const { return all_; }

  // Command name of a thread (tid), else of its process, else "".
  const std::string& comm(uint32_t pid, uint32_t tid) const;

 private:
  void insert(uint32_t pid, Mapping m);

  std::vector<Mapping> all_;
  // per pid: start -> id of the live mapping that starts there
  std::unordered_map<uint32_t, std::map<uint64_t, uint32_t>> live_;
  std::unordered_map<uint32_t, std::string> comms_;
  // Samples come in runs on the same mapping: remember the last hit.
  // (An index, not a pointer, so copies of the table stay correct.)
  mutable uint32_t last_pid_ = 0;
  mutable uint32_t last_ = UINT32_MAX;
};

}  // namespace pml
