// Runs every analysis in one pass, and the plain-function forms.
#include <algorithm>

#include "pml/analysis.h"

namespace pml {

Analyzer::Analyzer(const AnalysisOptions& opts)
    : opts_(opts),
      own_resolver_(std::make_unique<SampleResolver>()),
      resolver_(own_resolver_.get()),
      epochs_(opts.max_points),
      rate_(opts.rate_bucket_ns, opts.max_points),
      hot_(opts.hot_fraction, opts.top_n) {}

Analyzer::Analyzer(const AnalysisOptions& opts, const SampleResolver& shared)
    : opts_(opts),
      resolver_(&shared),
      epochs_(opts.max_points),
      rate_(opts.rate_bucket_ns, opts.max_points),
      hot_(opts.hot_fraction, opts.top_n) {}

Analyzer::~Analyzer() = default;

void Analyzer::add(const Record& r) {
  if (!own_resolver_) return;  // records go to the shared resolver's owner
  if (const Sample* s = std::get_if<Sample>(&r)) {
    ResolvedSample rs;
    if (own_resolver_->resolve(*s, &rs)) add(rs);
    return;
  }
  own_resolver_->observe(r);
  if (const Lost* l = std::get_if<Lost>(&r)) add_lost(*l);
}

void Analyzer::add_lost(const Lost& l) {
  lost_ += l.lost;
  if (l.uncollected()) uncollected_pids_.push_back(l.sid.pid);
}

void Analyzer::add(const ResolvedSample& rs) {
  const uint64_t time = rs.sample->time;
  first_ = std::min(first_, time);
  last_ = std::max(last_, time);
  unique_.add(rs);
  epochs_.add(rs);
  rate_.add(rs);
  hot_.add(rs);
  mappings_.add(rs);
  huge_.add(rs);
  if (opts_.data_symbols) symbols_.add(rs, resolver_->mappings());
}

AnalysisReport Analyzer::result() const {
  AnalysisReport rep;
  rep.unique = unique_.result();
  rep.samples = rep.unique.page_epochs;
  rep.lost = lost_;
  rep.uncollected_pids = uncollected_pids_;
  rep.first_time = first_ == UINT64_MAX ? 0 : first_;
  rep.last_time = last_;
  rep.epochs = epochs_.result();
  rep.wss = epochs_.percentiles();
  rep.rate = rate_.result();
  rep.hot = hot_.result(*resolver_);
  rep.mappings = mappings_.result(*resolver_);
  rep.huge = huge_.result();
  if (opts_.data_symbols) rep.symbols = symbols_.result();
  return rep;
}

template <class A>
static A run(std::span<const Record> records, A a, SampleResolver& resolver) {
  for_each_resolved(resolver, records, [&](const ResolvedSample& s) { a.add(s); },
                    [](const Record&) {});
  return a;
}

std::vector<EpochStat> epoch_working_set(std::span<const Record> records) {
  SampleResolver resolver;
  return run(records, EpochWorkingSet(), resolver).result();
}
std::vector<RatePoint> dirty_rate(std::span<const Record> records, uint64_t bucket_ns) {
  SampleResolver resolver;
  return run(records, DirtyRate(bucket_ns), resolver).result();
}
UniquePagesResult unique_pages(std::span<const Record> records) {
  SampleResolver resolver;
  return run(records, UniquePages(), resolver).result();
}
HotPagesResult hot_pages(std::span<const Record> records, double hot_fraction, size_t top_n) {
  SampleResolver resolver;
  return run(records, HotPages(hot_fraction, top_n), resolver).result(resolver);
}
std::vector<MappingUse> mapping_breakdown(std::span<const Record> records) {
  SampleResolver resolver;
  return run(records, MappingBreakdown(), resolver).result(resolver);
}
HugePagesResult huge_page_use(std::span<const Record> records) {
  SampleResolver resolver;
  return run(records, HugePages(), resolver).result();
}
std::vector<SymbolUse> data_symbols(std::span<const Record> records) {
  SampleResolver resolver;
  DataSymbols d;
  for_each_resolved(resolver, records,
                    [&](const ResolvedSample& s) { d.add(s, resolver.mappings()); },
                    [](const Record&) {});
  return d.result();
}
AnalysisReport analyze(std::span<const Record> records, const AnalysisOptions& opts) {
  Analyzer a(opts);
  for (const auto& r : records) a.add(r);
  return a.result();
}

}  // namespace pml
