// One lookup per sample: mapping and its name, comm, page id, first-seen flags.
#include <algorithm>

#include "pml/resolve.h"

namespace pml {

SampleResolver::SampleResolver(SampleFilter filter, PageIds page_ids)
    : filter_(std::move(filter)), page_ids_(page_ids) {}

void SampleResolver::observe(const Record& r) {
  if (std::holds_alternative<Sample>(r) || std::holds_alternative<Lost>(r)) return;
  table_.add(r);
  // A COMM renames a thread, a FORK gives a process its parent's name.
  if (!std::holds_alternative<Mmap>(r)) {
    comm_of_thread_.clear();
    comm_cache_.fill({});
  }
}

uint32_t SampleResolver::intern(std::vector<std::string>& names,
                                std::unordered_map<std::string, uint32_t>& index,
                                const std::string& s) {
  auto [it, inserted] = index.emplace(s, uint32_t(names.size()));
  if (inserted) names.push_back(s);
  return it->second;
}

uint32_t SampleResolver::comm_of(const Sample& s) {
  CommSlot& slot = comm_cache_[s.tid % comm_cache_.size()];
  if (slot.tid_plus1 == s.tid + 1 && slot.pid == s.pid && s.tid != UINT32_MAX) return slot.comm;
  auto [it, inserted] = comm_of_thread_.try_emplace(uint64_t(s.pid) << 32 | s.tid, 0);
  if (inserted) it->second = intern(comm_names_, comm_index_, table_.comm(s.pid, s.tid));
  slot = {s.pid, s.tid + 1, it->second};
  return it->second;
}

uint32_t SampleResolver::name_of(const Mapping* m) {
  if (!m) return 0;
  if (m->id >= name_of_mapping_.size()) name_of_mapping_.resize(m->id + 1, 0);
  uint32_t& id = name_of_mapping_[m->id];
  // Named once per mapping, as first seen by a sample.
  if (id == 0) id = intern(mapping_names_, mapping_index_, pml::mapping_name(m)) + 1;
  return id - 1;
}

bool SampleResolver::time_kept(uint64_t t) const {
  if (filter_.times.empty()) return true;
  return std::any_of(filter_.times.begin(), filter_.times.end(),
                     [t](const SampleFilter::TimeRange& r) { return t >= r.start && t <= r.end; });
}

bool SampleResolver::comm_kept(uint32_t comm) {
  if (filter_.comms.empty()) return true;
  if (comm >= comm_kept_.size()) comm_kept_.resize(comm_names_.size(), -1);
  int8_t& k = comm_kept_[comm];
  if (k < 0) {
    const std::string& name = comm_names_[comm];
    k = std::find(filter_.comms.begin(), filter_.comms.end(), name) != filter_.comms.end();
  }
  return k == 1;
}

static bool listed(const std::vector<uint32_t>& v, uint32_t x) {
  return v.empty() || std::find(v.begin(), v.end(), x) != v.end();
}

bool SampleResolver::kept(const Sample& s, uint32_t* comm) {
  if (!listed(filter_.pids, s.pid) || !listed(filter_.tids, s.tid) || !time_kept(s.time))
    return false;
  *comm = comm_of(s);
  return comm_kept(*comm);
}

bool SampleResolver::keeps(const Sample& s) {
  uint32_t comm;
  return kept(s, &comm);
}

bool SampleResolver::resolve(const Sample& s, ResolvedSample* out) {
  uint32_t comm;
  if (!kept(s, &comm)) return false;
  const Mapping* m = table_.find(s.pid, s.addr);
  out->sample = &s;
  out->mapping = m;
  out->mapping_name = name_of(m);
  out->comm = comm;
  if (page_ids_ == PageIds::kSkip) {
    out->page = 0;
    out->new_page = out->new_in_epoch = false;
    return true;
  }

  bool inserted;
  uint64_t key = page_key(s.pid, s.addr);
  // Key 0 means "empty" to FlatMap; page_key() gives it for pids past 28
  // bits (only in damaged files), which then share pid 0's page 0.
  if (key == 0) key = page_key(0, 0);
  Page& page = pages_.find_or_insert(key, &inserted);
  if (inserted) {
    page.id = uint32_t(page_keys_.size());
    page_keys_.push_back(key);
  }
  out->page = page.id;
  out->new_page = inserted;
  const uint32_t tag = uint32_t(s.epoch) + 1;
  out->new_in_epoch = tag != page.last_epoch && tag != page.prev_epoch;
  if (tag > page.last_epoch) {
    page.prev_epoch = page.last_epoch;
    page.last_epoch = tag;
  } else if (tag != page.last_epoch && tag > page.prev_epoch) {
    page.prev_epoch = tag;
  }
  return true;
}

}  // namespace pml
