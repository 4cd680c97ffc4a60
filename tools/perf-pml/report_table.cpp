#include "report_table.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "json.h"

namespace perf_pml {

pml::Result<std::vector<SortKey>> parse_sort_keys(const std::string& text) {
  std::vector<SortKey> keys;
  std::stringstream in(text);
  std::string k;
  while (std::getline(in, k, ',')) {
    if (k == "comm") keys.push_back(SortKey::kComm);
    else if (k == "pid") keys.push_back(SortKey::kPid);
    else if (k == "tid") keys.push_back(SortKey::kTid);
    else if (k == "mapping" || k == "dso" || k == "map") keys.push_back(SortKey::kMapping);
    else if (k == "epoch") keys.push_back(SortKey::kEpoch);
    else if (k == "page" || k == "addr") keys.push_back(SortKey::kPage);
    else if (k == "symbol" || k == "sym")
      return pml::make_error("--sort symbol cannot be combined with other keys: give it alone",
                             EINVAL);
    else
      return pml::make_error("unknown --sort key '" + k +
                                 "' (known: comm, pid, tid, mapping, epoch, page, symbol)",
                             EINVAL);
  }
  if (keys.empty() || keys.size() > 6) return pml::make_error("--sort needs 1 to 6 keys", EINVAL);
  return keys;
}

const char* sort_key_name(SortKey k) {
  switch (k) {
    case SortKey::kComm: return "Command";
    case SortKey::kPid: return "Pid";
    case SortKey::kTid: return "Tid";
    case SortKey::kMapping: return "Mapping";
    case SortKey::kEpoch: return "Epoch";
    case SortKey::kPage: return "Page";
  }
  return "?";
}

GroupTable::GroupTable(std::vector<SortKey> keys)
    : keys_(std::move(keys)),
      dense_(keys_.size() == 1 && (keys_[0] == SortKey::kMapping || keys_[0] == SortKey::kComm)) {}

uint32_t GroupTable::group_of(const Key& key) {
  if (dense_) {
    if (key[0] >= dense_index_.size()) dense_index_.resize(key[0] + 1, 0);
    uint32_t& g = dense_index_[key[0]];
    if (g == 0) {
      g = uint32_t(groups_.size());
      groups_.push_back({key, 0, 0});
    }
    return g;
  }
  // Consecutive samples usually fall in the same group.
  if (last_group_ && key == last_key_) return last_group_;
  auto [it, inserted] = index_.try_emplace(key, uint32_t(groups_.size()));
  if (inserted) groups_.push_back({key, 0, 0});
  last_key_ = key;
  last_group_ = it->second;
  return last_group_;
}

void GroupTable::add(const pml::ResolvedSample& rs) {
  const pml::Sample& s = *rs.sample;
  Key key{};
  for (size_t i = 0; i < keys_.size(); ++i) {
    switch (keys_[i]) {
      case SortKey::kComm: key[i] = rs.comm; break;
      case SortKey::kPid: key[i] = s.pid; break;
      case SortKey::kTid: key[i] = s.tid; break;
      case SortKey::kEpoch: key[i] = s.epoch; break;
      case SortKey::kPage: key[i] = rs.page; break;
      case SortKey::kMapping: key[i] = rs.mapping_name; break;
    }
  }
  const uint32_t group = group_of(key);
  Group& a = groups_[group];
  ++a.page_epochs;
  if (rs.page >= last_group_of_page_.size()) last_group_of_page_.resize(rs.page + 1, 0);
  uint32_t& last = last_group_of_page_[rs.page];
  if (last == group) return;
  // Pages that stay in one group (the common case) never touch the set: a
  // page's membership is written down only when it moves to another group.
  auto pair = [&](uint32_t group) { return (uint64_t(group) << 32) | rs.page; };
  bool first_group = last == 0;
  if (!first_group) seen_.insert(pair(last));
  last = group;
  if (first_group || seen_.insert(pair(group))) ++a.pages;
}

std::vector<TableRow> GroupTable::rows(const pml::SampleResolver& names) const {
  std::vector<Group> sorted(groups_.begin() + 1, groups_.end());
  // Pages tie-break by (pid, address), not by when they were first seen.
  for (auto& g : sorted)
    for (size_t i = 0; i < keys_.size(); ++i)
      if (keys_[i] == SortKey::kPage) g.key[i] = names.page_key_of(uint32_t(g.key[i]));
  std::sort(sorted.begin(), sorted.end(), [](const Group& a, const Group& b) {
    if (a.page_epochs != b.page_epochs) return a.page_epochs > b.page_epochs;
    return a.key < b.key;
  });
  std::vector<TableRow> out;
  out.reserve(sorted.size());
  for (auto& t : sorted) {
    TableRow row;
    row.page_epochs = t.page_epochs;
    row.pages = t.pages;
    for (size_t i = 0; i < keys_.size(); ++i) {
      uint64_t v = t.key[i];
      switch (keys_[i]) {
        case SortKey::kComm: row.columns.push_back(names.comm_name(uint32_t(v))); break;
        case SortKey::kMapping: row.columns.push_back(names.mapping_name(uint32_t(v))); break;
        case SortKey::kPid:
        case SortKey::kTid:
        case SortKey::kEpoch: row.columns.push_back(std::to_string(v)); break;
        case SortKey::kPage: row.columns.push_back(hex_addr(pml::page_key_addr(v))); break;
      }
    }
    out.push_back(std::move(row));
  }
  return out;
}

}  // namespace perf_pml
