// Page-epochs and distinct pages per mapping.
#include <algorithm>
#include <cstdio>

#include "pml/analysis.h"

namespace pml {

uint32_t MappingBreakdown::group_of(const Sample& s) {
  const Mapping* m = table_.find(s.pid, s.addr);
  uint32_t id = m ? m->id : UINT32_MAX;
  if (m && id < mapping_group_.size() && mapping_group_[id]) return mapping_group_[id] - 1;
  std::string name;
  if (!m) {
    name = "[unknown]";
  } else if (m->is_anon()) {
    // Each anon mapping is its own row: they are told apart by address.
    char buf[64];
    std::snprintf(buf, sizeof buf, "[anon] %llx-%llx", (unsigned long long)m->start,
                  (unsigned long long)m->end);
    name = buf;
  } else {
    name = m->display_name();
  }
  auto [it, inserted] = group_index_.emplace(name, uint32_t(groups_.size()));
  if (inserted) groups_.push_back({name, 0, 0});
  if (m) {
    if (mapping_group_.size() <= id) mapping_group_.resize(id + 1, 0);
    mapping_group_[id] = it->second + 1;
  }
  return it->second;
}

void MappingBreakdown::add(const Record& r) {
  const Sample* s = std::get_if<Sample>(&r);
  if (!s) {
    table_.add(r);
    return;
  }
  add_sample(*s, seen_.insert(page_key(s->pid, s->addr)));
}

void MappingBreakdown::add_sample(const Sample& s, bool new_page) {
  MappingUse& g = groups_[group_of(s)];
  ++g.page_epochs;
  if (new_page) ++g.pages;
}

std::vector<MappingUse> MappingBreakdown::result() const {
  std::vector<MappingUse> out = groups_;
  std::sort(out.begin(), out.end(), [](const MappingUse& a, const MappingUse& b) {
    if (a.page_epochs != b.page_epochs) return a.page_epochs > b.page_epochs;
    return a.name < b.name;
  });
  return out;
}

}  // namespace pml
