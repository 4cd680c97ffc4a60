// perf report's and perf script's sample filters, parsed into a
// pml::SampleFilter: --pid, --tid, --comm (comma lists) and --time in perf's
// syntax (see perf-report(1)):
//   "start,stop"             seconds[.fraction]; either end may be empty
//   "a,b c,d"                several ranges, separated by spaces
//   "10%/2"                  the second 10% slice of the recording
//   "0%-10%,30%-40%"         percent ranges (of first..last sample time)
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <optional>

#include "options.h"
#include "pml/perf_data.h"
#include "pml/resolve.h"
#include "pml/result.h"

namespace perf_pml {

pml::Result<std::vector<uint32_t>> parse_id_list(const std::string& text);
std::vector<std::string> parse_name_list(const std::string& text);

struct TimeSpec {
  struct Percent {
    double from = 0, to = 100;  // percent of the recording's time span
  };
  std::vector<pml::SampleFilter::TimeRange> absolute;  // ns
  std::vector<Percent> percent;
  bool needs_span() const { return !percent.empty(); }
  // The ranges in ns; `first` and `last` are the times of the first and last
  // sample (used by percent ranges only).
  std::vector<pml::SampleFilter::TimeRange> ranges(uint64_t first, uint64_t last) const;
};

pml::Result<TimeSpec> parse_time_spec(const std::string& text);

// The filter options as parsed; --time percents need the file's time span.
struct FilterOptions {
  std::vector<uint32_t> pids, tids;
  std::vector<std::string> comms;
  std::optional<TimeSpec> time;
};

// --pid, --tid, --comm and --time, checked as parsed (exit 129 on a bad value).
void add_filter_options(OptionParser& opts, FilterOptions* out);

// The sample filter; --time percents cost a pass over the file for its span.
pml::SampleFilter make_filter(FilterOptions options, pml::PerfDataReader& reader);

// "12345.678901234" seconds -> ns, exactly (at most 9 fraction digits).
bool parse_seconds_ns(const std::string& text, uint64_t* ns);

}  // namespace perf_pml
