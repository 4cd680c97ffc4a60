#include "working_set_diff.h"

#include <algorithm>
#include <cstdlib>

namespace perf_pml {

uint64_t page_in_mapping(const pml::ResolvedSample& s) {
  const uint64_t addr = s.sample->addr;
  const pml::Mapping* m = s.mapping;
  if (!m) return addr >> 12;
  if (m->filename == "[stack]") return (m->end - 1 - addr) >> 12;
  if (!m->is_anon() && !m->filename.empty() && m->filename[0] == '/')
    return (addr - m->start + m->pgoff) >> 12;
  return (addr - m->start) >> 12;
}

void PageSets::add(const pml::ResolvedSample& s, const pml::SampleResolver& names) {
  if (s.mapping_name >= of_name_.size()) of_name_.resize(s.mapping_name + 1, 0);
  uint32_t& idx = of_name_[s.mapping_name];
  if (idx == 0) {
    const std::string& name = names.mapping_name(s.mapping_name);
    auto [it, inserted] = index_.emplace(name, uint32_t(mappings_.size()));
    if (inserted) mappings_.push_back({name, {}, 0});
    idx = it->second + 1;
  }
  Mapping& m = mappings_[idx - 1];
  ++m.page_epochs;
  m.pages.find_or_insert(page_in_mapping(s) + 1);
}

const PageSets::Mapping* PageSets::find(const std::string& name) const {
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : &mappings_[it->second];
}

const char* MappingDiff::status() const {
  if (pages_old == 0) return "appeared";
  if (pages_new == 0) return "vanished";
  if (pages_new > pages_old) return "grew";
  if (pages_new < pages_old) return "shrank";
  return only_old || only_new ? "changed" : "same";
}

// Counts the pages of `a` that `b` lacks; lists the lowest max_listed.
static uint64_t missing_from(const PageSets::Mapping* a, const PageSets::Mapping* b,
                             size_t max_listed, std::vector<uint64_t>* listed) {
  uint64_t n = 0;
  if (!a) return 0;
  a->pages.for_each([&](uint64_t key, const pml::Empty&) {
    if (b && b->pages.find(key)) return;
    ++n;
    if (max_listed == 0) return;
    listed->push_back(key - 1);
    if (listed->size() > 2 * max_listed) {  // keep memory bounded: trim to the lowest
      std::nth_element(listed->begin(), listed->begin() + long(max_listed), listed->end());
      listed->resize(max_listed);
    }
  });
  std::sort(listed->begin(), listed->end());
  if (listed->size() > max_listed) listed->resize(max_listed);
  return n;
}

std::vector<MappingDiff> diff_page_sets(const PageSets& old_sets, const PageSets& new_sets,
                                        size_t max_listed) {
  std::vector<MappingDiff> out;
  auto add = [&](const std::string& name) {
    const PageSets::Mapping* a = old_sets.find(name);
    const PageSets::Mapping* b = new_sets.find(name);
    MappingDiff d;
    d.mapping = name;
    d.pages_old = a ? a->pages.size() : 0;
    d.pages_new = b ? b->pages.size() : 0;
    d.page_epochs_old = a ? a->page_epochs : 0;
    d.page_epochs_new = b ? b->page_epochs : 0;
    d.only_old = missing_from(a, b, max_listed, &d.only_old_pages);
    d.only_new = missing_from(b, a, max_listed, &d.only_new_pages);
    out.push_back(std::move(d));
  };
  for (const auto& m : old_sets.mappings()) add(m.name);
  for (const auto& m : new_sets.mappings())
    if (!old_sets.find(m.name)) add(m.name);
  std::sort(out.begin(), out.end(), [](const MappingDiff& a, const MappingDiff& b) {
    uint64_t ca = a.only_old + a.only_new, cb = b.only_old + b.only_new;
    if (ca != cb) return ca > cb;
    if (std::llabs(a.delta()) != std::llabs(b.delta())) return std::llabs(a.delta()) > std::llabs(b.delta());
    return a.mapping < b.mapping;
  });
  return out;
}

}  // namespace perf_pml
