// The "--sort" table of perf pml report: page-epochs and distinct pages
// grouped by any combination of comm, pid, tid, mapping, epoch and page.
#pragma once

#include <array>
#include <string>
#include <unordered_map>
#include <vector>

#include "pml/flat_hash.h"
#include "pml/resolve.h"
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
  void add(const pml::ResolvedSample& s);
  // Sorted by page-epochs (largest first), then by columns.
  std::vector<TableRow> rows(const pml::SampleResolver& names) const;
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
  struct Group {
    Key key{};
    uint64_t page_epochs = 0, pages = 0;
  };
  uint32_t group_of(const Key& key);

  std::vector<SortKey> keys_;
  std::vector<Group> groups_ = std::vector<Group>(1);  // [0] unused: 0 = none
  std::unordered_map<Key, uint32_t, KeyHash> index_;   // key -> group
  // Sorting by mapping or comm alone: the resolver's dense ids index groups.
  bool dense_ = false;
  std::vector<uint32_t> dense_index_;
  // Distinct pages per group: the page's last group answers most samples,
  // the set of (group, page) pairs the rest.
  std::vector<uint32_t> last_group_of_page_;  // page id -> group
  pml::FlatSet seen_;
  Key last_key_{};
  uint32_t last_group_ = 0;
};

}  // namespace perf_pml
