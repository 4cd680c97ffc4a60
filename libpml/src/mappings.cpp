#include "pml/mappings.h"

#include <cstdio>

namespace pml {

bool Mapping::is_anon() const {
  return filename.empty() || filename == "//anon" || filename.rfind("/anon_hugepage", 0) == 0 ||
         filename.rfind("[anon", 0) == 0;
}

std::string Mapping::display_name() const {
  if (is_anon()) return "[anon]";
  return filename;
}

std::string mapping_name(const Mapping* m) {
  if (!m) return "[unknown]";
  if (!m->is_anon()) return m->filename;
  char buf[64];
  std::snprintf(buf, sizeof buf, "[anon] 0x%llx-0x%llx", (unsigned long long)m->start,
                (unsigned long long)m->end);
  return buf;
}

void MappingTable::insert(uint32_t pid, Mapping m) {
  last_ = UINT32_MAX;  // all_ may reallocate, bounds may change
  auto& live = live_[pid];
  // Drop or trim live mappings the new one overlaps (mmap replaces them).
  auto it = live.lower_bound(m.start);
  if (it != live.begin()) {
    auto prev = std::prev(it);
    Mapping& p = all_[prev->second];
    if (p.end > m.start) {
      if (p.end > m.end) {
        // New mapping splits the old one: keep the tail as its own entry.
        Mapping tail = p;
        tail.id = uint32_t(all_.size());
        tail.pgoff += m.end - p.start;
        tail.start = m.end;
        all_.push_back(tail);
        live[tail.start] = tail.id;
      }
      all_[prev->second].end = m.start;
    }
  }
  it = live.lower_bound(m.start);
  while (it != live.end() && it->first < m.end) {
    Mapping& o = all_[it->second];
    if (o.end > m.end) {
      Mapping tail = o;
      tail.id = uint32_t(all_.size());
      tail.pgoff += m.end - o.start;
      tail.start = m.end;
      all_.push_back(tail);
      it = live.erase(it);
      live[tail.start] = tail.id;
      break;
    }
    it = live.erase(it);
  }
  m.id = uint32_t(all_.size());
  m.pid = pid;
  all_.push_back(m);
  live[m.start] = m.id;
}

void MappingTable::add(const Record& record) {
  if (auto* mm = std::get_if<Mmap>(&record)) {
    if (mm->len == 0) return;
    Mapping m;
    m.start = mm->start;
    m.end = mm->start + mm->len;
    m.pgoff = mm->pgoff;
    m.prot = mm->prot;
    m.filename = mm->filename;
    insert(mm->pid, std::move(m));
  } else if (auto* t = std::get_if<Task>(&record)) {
    // A new process (not a thread) starts with a copy of its parent's maps.
    if (!t->is_exit && t->pid != t->ppid && !live_.count(t->pid)) {
      auto parent = live_.find(t->ppid);
      if (parent != live_.end()) {
        std::vector<Mapping> copies;
        for (auto& [start, id] : parent->second) copies.push_back(all_[id]);
        for (auto& m : copies) insert(t->pid, m);
      }
      auto pc = comms_.find(t->ppid);
      if (pc != comms_.end()) comms_[t->pid] = pc->second;
    }
  } else if (auto* c = std::get_if<Comm>(&record)) {
    comms_[c->tid] = c->comm;
    if (c->pid == c->tid || !comms_.count(c->pid)) comms_[c->pid] = c->comm;
    if (c->exec) {
      live_.erase(c->pid);  // exec replaces the address space
      last_ = UINT32_MAX;
    }
  }
}

const Mapping* MappingTable::find(uint32_t pid, uint64_t addr) const {
  if (last_ != UINT32_MAX && last_pid_ == pid) {
    const Mapping& m = all_[last_];
    if (addr >= m.start && addr < m.end) return &m;
  }
  auto p = live_.find(pid);
  if (p == live_.end()) return nullptr;
  auto it = p->second.upper_bound(addr);
  if (it == p->second.begin()) return nullptr;
  --it;
  const Mapping& m = all_[it->second];
  if (addr >= m.end) return nullptr;
  last_pid_ = pid;
  last_ = m.id;
  return &m;
}

const std::string& MappingTable::comm(uint32_t pid, uint32_t tid) const {
  static const std::string empty;
  auto it = comms_.find(tid);
  if (it != comms_.end()) return it->second;
  it = comms_.find(pid);
  return it != comms_.end() ? it->second : empty;
}

}  // namespace pml
