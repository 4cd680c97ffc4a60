// Renders the results of perf pml report as a perf-like table, JSON or CSV.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "pml/analysis.h"
#include "report_table.h"

namespace perf_pml {

struct ReportContext {
  std::string input;
  std::string event_name;
  std::vector<std::string> sort_keys;  // display names of the table's columns
  std::vector<TableRow> rows;          // empty when sorting by symbol
  bool by_symbol = false;
  size_t limit = 0;                    // 0 = all rows
  double hot_fraction = 0.5;           // --hot-fraction, for the header
  double percent_limit = 0;            // hide rows below this % of page-epochs
  pml::AnalysisReport analysis;
  std::string error;                   // read error, reported after the data
};

void print_stdio(FILE* out, const ReportContext& ctx);
void print_json(FILE* out, const ReportContext& ctx);
void print_csv(FILE* out, const ReportContext& ctx);

// Summary numbers shared by report and stat.
struct Summary {
  uint64_t epochs = 0;
  double wss_mean = 0;
  uint64_t wss_max = 0;
  pml::WorkingSetPercentiles wss;  // p50/p90/p99 over epochs with writes
  double duration_s = 0;
  double rate_mean = 0, rate_peak = 0;
};
Summary summarize(const pml::AnalysisReport& a);

// "the last writes of N process images (pid ...): ..." for the pids of
// AnalysisReport::uncollected_pids (report's header, stat).
std::string uncollected_text(const std::vector<uint32_t>& pids);

}  // namespace perf_pml
