// perf pml stat's output: perf stat's layout for people, and its -x SEP
// (CSV) and -j (one JSON object per counter and line, as perf 6.1) for
// programs.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "pml/analysis.h"

namespace perf_pml {

struct StatRun {
  std::string target;   // the command line or "process N"
  std::string backend;  // pml, uffd, softdirty
  uint64_t epoch_ms = 0;
  pml::AnalysisReport analysis;
  uint64_t backend_lost = 0;  // page-epochs the backend lost (ring buffer full)
  uint64_t elapsed_ns = 0;
};

// One counter line of -x and -j.
struct StatCounter {
  double value = 0;
  int decimals = 0;   // 0 for counts
  std::string unit;   // e.g. "pages/s", "" for counts
  std::string event;  // e.g. "unique-pages"
};

// Every counter, always all of them (0 when none), so that programs reading
// -x or -j see the same lines for every run.
std::vector<StatCounter> stat_counters(const StatRun& run);

void print_stat_text(FILE* out, const StatRun& run);
// value SEP unit SEP event SEP run time (ns) SEP percentage running SEP
// metric value SEP metric unit: perf stat -x's seven fields, the metric ones
// empty.
void print_stat_csv(FILE* out, const StatRun& run, const std::string& separator);
void print_stat_json(FILE* out, const StatRun& run);

}  // namespace perf_pml
