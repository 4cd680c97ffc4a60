// Analyses over a resolved sample stream (pml/resolve.h: decode -> resolve
// -> analyse -> render). Each is an accumulator (add() every resolved sample
// in order, then result()) plus a plain function over a range of records
// that resolves them itself. Memory is bounded by the number of distinct
// pages, mappings and threads, never by the number of records: time series
// coarsen themselves when they would exceed `max_points`.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "pml/flat_hash.h"
#include "pml/mappings.h"
#include "pml/records.h"
#include "pml/resolve.h"

namespace pml {

// ---- per-epoch write working set -------------------------------------------

struct EpochStat {
  uint64_t epoch = 0;        // first epoch of the point
  uint64_t epochs = 1;       // epochs merged into this point (1 unless coarsened)
  uint64_t first_time = 0, last_time = 0;
  uint64_t pages = 0;        // distinct pages written, summed over merged epochs
  uint64_t peak_pages = 0;   // largest single epoch in the point
};

// Percentiles of the write working set over the epochs with writes
// (nearest rank: p50 is the smallest size at least half the epochs fit in).
struct WorkingSetPercentiles {
  uint64_t p50 = 0, p90 = 0, p99 = 0;
};

class EpochWorkingSet {
 public:
  explicit EpochWorkingSet(size_t max_points = 100000) : max_points_(max_points) {}
  void add(const ResolvedSample& s);
  std::vector<EpochStat> result() const;
  // Exact: kept as a histogram of epoch sizes, not from the coarsened points.
  WorkingSetPercentiles percentiles() const;

 private:
  void close_oldest();
  void push(const EpochStat& s);
  size_t max_points_;
  std::vector<EpochStat> done_;
  std::vector<EpochStat> open_;  // at most 2, ascending epoch
  std::map<uint64_t, uint64_t> sizes_;  // pages in an epoch -> epochs of that size
};

// ---- dirty rate over time --------------------------------------------------

struct RatePoint {
  uint64_t start_ns = 0;  // relative to the first sample
  uint64_t width_ns = 0;
  uint64_t pages = 0;     // page-epochs logged in the bucket
  double pages_per_sec() const { return width_ns ? pages * 1e9 / double(width_ns) : 0; }
};

class DirtyRate {
 public:
  explicit DirtyRate(uint64_t bucket_ns = 10'000'000, size_t max_points = 100000)
      : width_(bucket_ns ? bucket_ns : 10'000'000), max_points_(max_points) {}
  void add(const ResolvedSample& s);
  std::vector<RatePoint> result() const;
  uint64_t bucket_ns() const { return width_; }

 private:
  uint64_t width_;
  size_t max_points_;
  uint64_t t0_ = 0;
  bool started_ = false;
  std::vector<uint64_t> counts_;
};

// ---- unique pages ----------------------------------------------------------

struct UniquePagesResult {
  uint64_t pages = 0;        // distinct (process, 4 KiB page)
  uint64_t page_epochs = 0;  // samples
  uint64_t bytes() const { return pages * 4096; }
};

class UniquePages {
 public:
  void add(const ResolvedSample& s) {
    ++samples_;
    pages_ += s.new_page;
  }
  UniquePagesResult result() const { return {pages_, samples_}; }

 private:
  uint64_t pages_ = 0, samples_ = 0;
};

// ---- hot pages -------------------------------------------------------------

struct HotPage {
  uint32_t pid = 0;
  uint64_t addr = 0;
  uint64_t epochs = 0;  // epochs in which the page was written
};

struct HotPagesResult {
  uint64_t total_epochs = 0;  // epochs spanned by the stream (last - first + 1)
  uint64_t hot_pages = 0;     // pages written in more than hot_fraction of them
  std::vector<HotPage> top;   // hottest first, at most top_n
};

class HotPages {
 public:
  explicit HotPages(double hot_fraction = 0.5, size_t top_n = 20)
      : hot_fraction_(hot_fraction), top_n_(top_n) {}
  void add(const ResolvedSample& s);
  HotPagesResult result(const SampleResolver& resolver) const;

 private:
  double hot_fraction_;
  size_t top_n_;
  std::vector<uint32_t> epochs_;  // page id -> epochs it was written in
  uint64_t min_epoch_ = UINT64_MAX, max_epoch_ = 0;
};

// ---- per-mapping breakdown -------------------------------------------------

struct MappingUse {
  std::string name;  // mapping_name(): [heap], [stack], a file, [anon] range, [unknown]
  uint64_t page_epochs = 0;
  uint64_t pages = 0;  // distinct pages
};

class MappingBreakdown {
 public:
  void add(const ResolvedSample& s);
  // Sorted by page_epochs, largest first.
  std::vector<MappingUse> result(const SampleResolver& resolver) const;

 private:
  struct Counts {
    uint64_t page_epochs = 0, pages = 0;
  };
  std::vector<Counts> by_name_;  // mapping name id -> counts
};

// ---- huge-page use ---------------------------------------------------------

struct HugePageUse {
  uint32_t pid = 0;
  uint64_t addr = 0;              // 2 MiB-aligned
  uint32_t subpages_written = 0;  // distinct 4 KiB subpages, 1..512
};

struct HugePagesResult {
  uint64_t huge_samples = 0;   // samples whose DATA_PAGE_SIZE was 2 MiB
  uint64_t small_samples = 0;  // 4 KiB or unknown
  uint64_t huge_pages = 0;
  uint64_t subpages_written = 0;         // summed over huge pages
  std::vector<uint64_t> histogram;       // [k] = huge pages with subpages in (64k, 64(k+1)]
  std::vector<HugePageUse> pages;        // ascending (pid, addr), at most max_listed
};

class HugePages {
 public:
  explicit HugePages(size_t max_listed = 1000) : max_listed_(max_listed) {}
  void add(const ResolvedSample& s);
  HugePagesResult result() const;

 private:
  struct Bits {
    uint64_t w[8] = {};
  };
  size_t max_listed_;
  FlatMap<Bits> huge_;
  uint64_t huge_samples_ = 0, small_samples_ = 0;
};

// ---- data symbols ----------------------------------------------------------

struct SymbolUse {
  std::string symbol;
  std::string file;
  uint64_t page_epochs = 0;  // page-epochs whose page overlaps the symbol
  uint64_t pages = 0;        // distinct pages overlapping it
};

class ElfDataSymbols;

// Names are demangled. A stripped binary's symbols come from its separate
// debug file, found by build-id or .gnu_debuglink under debuginfo_path
// (elfutils' syntax; "" = ":.debug:/usr/lib/debug").
class DataSymbols {
 public:
  explicit DataSymbols(std::string debuginfo_path = "");
  ~DataSymbols();
  DataSymbols(DataSymbols&&) noexcept;
  // `maps` finds the file mapping before an anon one (its .bss).
  void add(const ResolvedSample& s, const MappingTable& maps);
  // Sorted by page_epochs, largest first.
  std::vector<SymbolUse> result() const;
  // Why binaries with written data pages could not be read, one per file.
  std::vector<std::string> errors() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// ---- everything at once ----------------------------------------------------

struct AnalysisOptions {
  uint64_t rate_bucket_ns = 10'000'000;
  size_t max_points = 100000;
  double hot_fraction = 0.5;
  size_t top_n = 20;
  bool data_symbols = true;
};

struct AnalysisReport {
  uint64_t samples = 0, lost = 0;
  // Processes whose last writes before an exec were not collected
  // (Lost::uncollected()), in stream order.
  std::vector<uint32_t> uncollected_pids;
  uint64_t first_time = 0, last_time = 0;
  std::vector<EpochStat> epochs;
  WorkingSetPercentiles wss;
  std::vector<RatePoint> rate;
  UniquePagesResult unique;
  HotPagesResult hot;
  std::vector<MappingUse> mappings;
  HugePagesResult huge;
  std::vector<SymbolUse> symbols;
};

class Analyzer {
 public:
  // Resolves the records given to add(const Record&) itself.
  explicit Analyzer(const AnalysisOptions& opts = {});
  // Takes samples resolved by `shared` (which the caller feeds), so that
  // other consumers of the same stream share the lookups.
  Analyzer(const AnalysisOptions& opts, const SampleResolver& shared);
  ~Analyzer();

  // Whole pipeline; only with the first constructor (with a shared
  // resolver, records go to it and samples come back resolved).
  void add(const Record& r);
  void add(const ResolvedSample& s);
  void add_lost(const Lost& l);
  AnalysisReport result() const;
  const SampleResolver& resolver() const { return *resolver_; }

 private:
  AnalysisOptions opts_;
  std::unique_ptr<SampleResolver> own_resolver_;
  const SampleResolver* resolver_;
  EpochWorkingSet epochs_;
  DirtyRate rate_;
  UniquePages unique_;
  HotPages hot_;
  MappingBreakdown mappings_;
  HugePages huge_;
  DataSymbols symbols_;
  uint64_t first_ = UINT64_MAX, last_ = 0;  // sample times
  uint64_t lost_ = 0;
  std::vector<uint32_t> uncollected_pids_;
};

// Plain-function forms over an in-memory stream.
std::vector<EpochStat> epoch_working_set(std::span<const Record> records);
std::vector<RatePoint> dirty_rate(std::span<const Record> records, uint64_t bucket_ns);
UniquePagesResult unique_pages(std::span<const Record> records);
HotPagesResult hot_pages(std::span<const Record> records, double hot_fraction = 0.5,
                         size_t top_n = 20);
std::vector<MappingUse> mapping_breakdown(std::span<const Record> records);
HugePagesResult huge_page_use(std::span<const Record> records);
std::vector<SymbolUse> data_symbols(std::span<const Record> records);
AnalysisReport analyze(std::span<const Record> records, const AnalysisOptions& opts = {});

}  // namespace pml
