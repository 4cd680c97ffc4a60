// Runs every analysis in one pass, and the plain-function forms.
#include <algorithm>

#include "pml/analysis.h"

namespace pml {

Analyzer::Analyzer(const AnalysisOptions& opts)
    : opts_(opts),
      epochs_(opts.max_points),
      rate_(opts.rate_bucket_ns, opts.max_points),
      hot_(opts.hot_fraction, opts.top_n) {}

void Analyzer::add(const Record& r) {
  if (const Sample* s = std::get_if<Sample>(&r)) {
    if (samples_ == 0 || s->time < first_) first_ = s->time;
    last_ = std::max(last_, s->time);
    ++samples_;
  } else if (const Lost* l = std::get_if<Lost>(&r)) {
    lost_ += l->lost;
  }
  epochs_.add(r);
  rate_.add(r);
  huge_.add(r);
  if (opts_.data_symbols) symbols_.add(r);
  if (const Sample* s = std::get_if<Sample>(&r)) {
    // One page-table lookup serves hot pages, unique pages and mappings.
    bool new_page = hot_.add_sample(*s);
    mappings_.add_sample(*s, new_page);
  } else {
    mappings_.add(r);
  }
}

AnalysisReport Analyzer::result() const {
  AnalysisReport rep;
  rep.samples = samples_;
  rep.lost = lost_;
  rep.first_time = first_;
  rep.last_time = last_;
  rep.epochs = epochs_.result();
  rep.rate = rate_.result();
  rep.unique = {hot_.distinct_pages(), samples_};
  rep.hot = hot_.result();
  rep.mappings = mappings_.result();
  rep.huge = huge_.result();
  if (opts_.data_symbols) rep.symbols = symbols_.result();
  return rep;
}

template <class A>
static A run(std::span<const Record> records, A a) {
  for (const auto& r : records) a.add(r);
  return a;
}

std::vector<EpochStat> epoch_working_set(std::span<const Record> records) {
  return run(records, EpochWorkingSet()).result();
}
std::vector<RatePoint> dirty_rate(std::span<const Record> records, uint64_t bucket_ns) {
  return run(records, DirtyRate(bucket_ns)).result();
}
UniquePagesResult unique_pages(std::span<const Record> records) {
  return run(records, UniquePages()).result();
}
HotPagesResult hot_pages(std::span<const Record> records, double hot_fraction, size_t top_n) {
  return run(records, HotPages(hot_fraction, top_n)).result();
}
std::vector<MappingUse> mapping_breakdown(std::span<const Record> records) {
  return run(records, MappingBreakdown()).result();
}
HugePagesResult huge_page_use(std::span<const Record> records) {
  return run(records, HugePages()).result();
}
std::vector<SymbolUse> data_symbols(std::span<const Record> records) {
  DataSymbols d;
  for (const auto& r : records) d.add(r);
  return d.result();
}
AnalysisReport analyze(std::span<const Record> records, const AnalysisOptions& opts) {
  Analyzer a(opts);
  for (const auto& r : records) a.add(r);
  return a.result();
}

}  // namespace pml
