// The "--sort" table of perf pml report: page-epochs and distinct pages
// grouped by any combination of comm, pid, tid, mapping, epoch and page.
#pragma once

#include <array>
#include <string>
#include <unordered_map>
#include <vector>

#include "pml/flat_hash.h"
#include "pml/mappings.h"
#include "pml/records.h"
#include "pml/result.h"

namespace perf_pml {

enum class SortKey { kComm, kPid, kTid, kMapping, kEpoch, kPage };

pml::Result<std::vector<SortKey>> parse_sort_keys(const std::string& text);
const char* sort_key_name(SortKey k);

struct TableRow {
  std::vector<std::string> columns;  // one per sort key, display form
  uint64_t page_epochs = 0;
  uint64_t pages = 0;
};

class GroupTable {
 public:
  explicit GroupTable(std::vector<SortKey> keys);
  void add(const pml::Record& r);
  // Sorted by page-epochs (largest first), then by columns.
  std::vector<TableRow> rows() const;
  const std::vector<SortKey>& keys() const { return keys_; }

 private:
  static constexpr size_t kMaxKeys = 6;
  using Key = std::array<uint64_t, kMaxKeys>;
  struct KeyHash {
    size_t operator()(const Key& k) const {
      uint64_t h = 0;
      for (uint64_t v : k) h = pml::mix64(h ^ v) + 0x9e3779b97f4a7c15ULL;
      return size_t(h);
    }
  };
  struct Agg {
    uint64_t page_epochs = 0, pages = 0;
    uint32_t index = 0;
  };
  uint64_t intern(const std::string& s);

  std::vector<SortKey> keys_;
  pml::MappingTable maps_;
  std::unordered_map<Key, Agg, KeyHash> groups_;
  std::unordered_map<std::string, uint64_t> string_ids_;
  std::vector<std::string> strings_;
  std::vector<uint64_t> mapping_name_;  // mapping id -> interned name
  pml::FlatSet seen_;  // (group, page) pairs
  Key last_key_{};
  Agg* last_agg_ = nullptr;
};

}  // namespace perf_pml
