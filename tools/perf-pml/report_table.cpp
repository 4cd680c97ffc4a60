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

GroupTable::GroupTable(std::vector<SortKey> keys) : keys_(std::move(keys)) {}

uint64_t GroupTable::intern(const std::string& s) {
  auto [it, inserted] = string_ids_.emplace(s, strings_.size());
  if (inserted) strings_.push_back(s);
  return it->second;
}

void GroupTable::add(const pml::Record& r) {
  const pml::Sample* s = std::get_if<pml::Sample>(&r);
  if (!s) {
    maps_.add(r);
    return;
  }
  Key key{};
  for (size_t i = 0; i < keys_.size(); ++i) {
    switch (keys_[i]) {
      case SortKey::kComm: key[i] = intern(maps_.comm(s->pid, s->tid)); break;
      case SortKey::kPid: key[i] = s->pid; break;
      case SortKey::kTid: key[i] = s->tid; break;
      case SortKey::kEpoch: key[i] = s->epoch; break;
      case SortKey::kPage: key[i] = pml::page_key(s->pid, s->addr); break;
      case SortKey::kMapping: {
        const pml::Mapping* m = maps_.find(s->pid, s->addr);
        if (!m) {
          key[i] = intern("[unknown]");
          break;
        }
        // Names are built once per mapping, not once per sample.
        if (mapping_name_.size() <= m->id) mapping_name_.resize(m->id + 1, UINT64_MAX);
        uint64_t& id = mapping_name_[m->id];
        if (id == UINT64_MAX)
          id = intern(m->is_anon() ? "[anon] " + hex_addr(m->start) + "-" + hex_addr(m->end)
                                   : m->display_name());
        key[i] = id;
        break;
      }
    }
  }
  // Consecutive samples usually fall in the same group; node-based map
  // values keep their address, so the last one can be cached.
  if (!last_agg_ || key != last_key_) {
    auto [it, inserted] = groups_.try_emplace(key);
    if (inserted) it->second.index = uint32_t(groups_.size());
    last_key_ = key;
    last_agg_ = &it->second;
  }
  Agg& a = *last_agg_;
  ++a.page_epochs;
  uint64_t pair = pml::mix64(pml::page_key(s->pid, s->addr)) + uint64_t(a.index) * 0x9e3779b97f4a7c15ULL;
  if (seen_.insert(pair | 1)) ++a.pages;
}

std::vector<TableRow> GroupTable::rows() const {
  struct Tmp {
    Key key;
    Agg agg;
  };
  std::vector<Tmp> tmp;
  tmp.reserve(groups_.size());
  for (auto& [k, a] : groups_) tmp.push_back({k, a});
  std::sort(tmp.begin(), tmp.end(), [](const Tmp& a, const Tmp& b) {
    if (a.agg.page_epochs != b.agg.page_epochs) return a.agg.page_epochs > b.agg.page_epochs;
    return a.key < b.key;
  });
  std::vector<TableRow> out;
  out.reserve(tmp.size());
  for (auto& t : tmp) {
    TableRow row;
    row.page_epochs = t.agg.page_epochs;
    row.pages = t.agg.pages;
    for (size_t i = 0; i < keys_.size(); ++i) {
      uint64_t v = t.key[i];
      switch (keys_[i]) {
        case SortKey::kComm:
        case SortKey::kMapping: row.columns.push_back(strings_[v]); break;
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
