// The resolve step of decode -> resolve -> analyse -> render: each sample's
// mapping, mapping name, comm and page identity are looked up once, here,
// and every consumer (analyses, report table, trace, diff) takes the result.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "pml/flat_hash.h"
#include "pml/mappings.h"
#include "pml/records.h"

namespace pml {

// Which samples a report looks at (perf report's --pid, --tid, --comm, --time).
struct SampleFilter {
  struct TimeRange {
    uint64_t start = 0, end = UINT64_MAX;  // inclusive, ns
  };
  std::vector<uint32_t> pids, tids;  // empty = every pid / tid
  std::vector<std::string> comms;    // empty = every comm
  std::vector<TimeRange> times;      // empty = all time; else any of them
  bool keeps_everything() const {
    return pids.empty() && tids.empty() && comms.empty() && times.empty();
  }
};

// Pointers stay valid until the next observe() or resolve(): consumers use a
// resolved sample as it arrives, or copy what they keep.
struct ResolvedSample {
  const Sample* sample = nullptr;
  const Mapping* mapping = nullptr;  // nullptr: no known mapping contains the address
  uint32_t mapping_name = 0;         // SampleResolver::mapping_name(); 0 = "[unknown]"
  uint32_t comm = 0;                 // SampleResolver::comm_name(); 0 = ""
  // With PageIds::kSkip: 0, false, false.
  uint32_t page = 0;                 // dense id of (pid, 4 KiB page), numbered from 0
  bool new_page = false;             // first kept sample of the page in the stream
  bool new_in_epoch = false;         // first kept sample of the page in its epoch
};

// Whether resolve() numbers pages (ResolvedSample::page, new_page,
// new_in_epoch). Numbering keeps a table of every distinct page; a consumer
// that only names samples (script, the heatmap's paint pass) skips it.
enum class PageIds { kNumber, kSkip };

class SampleResolver {
 public:
  explicit SampleResolver(SampleFilter filter = {}, PageIds page_ids = PageIds::kNumber);

  // Feeds MMAP, COMM, FORK and EXIT records to the address-space model.
  void observe(const Record& r);

  // Resolves a sample; returns false, leaving *out alone, when the filter
  // drops it. Pages are numbered only for kept samples.
  bool resolve(const Sample& s, ResolvedSample* out);
  // The filter's verdict alone (a second pass over the same stream).
  bool keeps(const Sample& s);

  const std::string& mapping_name(uint32_t id) const { return mapping_names_[id]; }
  size_t mapping_name_count() const { return mapping_names_.size(); }
  const std::string& comm_name(uint32_t id) const { return comm_names_[id]; }
  size_t comm_count() const { return comm_names_.size(); }
  size_t page_count() const { return page_keys_.size(); }
  // page_key() of a page id (pid and page address: page_key_pid/addr).
  uint64_t page_key_of(uint32_t page) const { return page_keys_[page]; }
  const MappingTable& mappings() const { return table_; }

 private:
  bool kept(const Sample& s, uint32_t* comm);
  bool time_kept(uint64_t t) const;
  bool comm_kept(uint32_t comm);
  uint32_t comm_of(const Sample& s);
  uint32_t name_of(const Mapping* m);
  uint32_t intern(std::vector<std::string>& names,
                  std::unordered_map<std::string, uint32_t>& index, const std::string& s);

  SampleFilter filter_;
  PageIds page_ids_;
  MappingTable table_;
  std::vector<std::string> mapping_names_{"[unknown]"};
  std::unordered_map<std::string, uint32_t> mapping_index_{{"[unknown]", 0}};
  std::vector<uint32_t> name_of_mapping_;  // mapping id -> name id + 1, 0 = not yet
  std::vector<std::string> comm_names_{""};
  std::unordered_map<std::string, uint32_t> comm_index_{{"", 0}};
  // (pid, tid) -> comm, cleared by COMM/FORK/EXIT. The pid is part of the
  // key: a tid without a COMM of its own is named after its process.
  std::unordered_map<uint64_t, uint32_t> comm_of_thread_;
  // In front of it, as threads take turns: direct-mapped by tid.
  struct CommSlot {
    uint32_t pid = 0, tid_plus1 = 0, comm = 0;
  };
  std::array<CommSlot, 64> comm_cache_{};
  std::vector<int8_t> comm_kept_;  // comm id -> 1 kept, 0 dropped, -1 not yet decided
  struct Page {
    uint32_t id = 0;
    // The two most recent epochs (+1) the page was written in: a sample of
    // the previous epoch that arrives late is still deduplicated.
    uint32_t last_epoch = 0, prev_epoch = 0;
  };
  FlatMap<Page> pages_;  // page_key -> Page: one table slot read per sample
  std::vector<uint64_t> page_keys_;
};

// A record sink (for PerfDataReader::for_each) that runs each record through
// `resolver`: on_sample gets each kept sample, on_other every record that is
// not a sample, after the resolver has seen it. The callables are copied.
template <class OnSample, class OnOther>
auto resolving(SampleResolver& resolver, OnSample on_sample, OnOther on_other) {
  return [&resolver, on_sample = std::move(on_sample), on_other = std::move(on_other),
          rs = ResolvedSample{}](const Record& r) mutable {
    if (const Sample* s = std::get_if<Sample>(&r)) {
      if (resolver.resolve(*s, &rs)) on_sample(std::as_const(rs));
    } else {
      resolver.observe(r);
      on_other(r);
    }
  };
}

// The same over an in-memory stream.
template <class OnSample, class OnOther>
void for_each_resolved(SampleResolver& resolver, std::span<const Record> records,
                       OnSample&& on_sample, OnOther&& on_other) {
  auto sink = resolving(resolver, std::ref(on_sample), std::ref(on_other));
  for (const auto& r : records) sink(r);
}

}  // namespace pml
