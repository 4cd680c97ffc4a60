// perf pml diff: which mappings' written pages appeared, vanished, grew or
// shrank between two recordings. Pages are compared by their place in their
// mapping, not by address, so that two runs of a program under ASLR line up:
// a file mapping's page by its file offset, [stack] by its distance below
// the top, other mappings by their offset from the start, and addresses no
// mapping contains by the address. All processes of a recording are merged.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "pml/flat_hash.h"
#include "pml/resolve.h"

namespace perf_pml {

class PageSets {
 public:
  void add(const pml::ResolvedSample& s, const pml::SampleResolver& names);

  struct Mapping {
    std::string name;
    pml::FlatMap<pml::Empty> pages;  // page_in_mapping() + 1
    uint64_t page_epochs = 0;
  };
  const std::vector<Mapping>& mappings() const { return mappings_; }
  const Mapping* find(const std::string& name) const;

 private:
  std::vector<Mapping> mappings_;
  std::unordered_map<std::string, uint32_t> index_;
  std::vector<uint32_t> of_name_;  // resolver's mapping name id -> index + 1
};

// The stable page number of a sample inside its mapping (see above).
uint64_t page_in_mapping(const pml::ResolvedSample& s);

struct MappingDiff {
  std::string mapping;
  uint64_t pages_old = 0, pages_new = 0;  // distinct pages
  uint64_t only_old = 0, only_new = 0;    // pages in one recording only
  uint64_t page_epochs_old = 0, page_epochs_new = 0;
  std::vector<uint64_t> only_old_pages, only_new_pages;  // lowest page numbers, ascending
  int64_t delta() const { return int64_t(pages_new) - int64_t(pages_old); }
  // "appeared", "vanished", "grew", "shrank", "changed" (same size, other
  // pages) or "same".
  const char* status() const;
};

// Sorted by the size of the change (largest first), then by mapping name.
// Lists at most max_listed pages of each side per mapping.
std::vector<MappingDiff> diff_page_sets(const PageSets& old_sets, const PageSets& new_sets,
                                        size_t max_listed = 0);

}  // namespace perf_pml
