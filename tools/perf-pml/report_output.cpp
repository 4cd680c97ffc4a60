#include "report_output.h"

#include <algorithm>
#include <cinttypes>

#include "common.h"
#include "json.h"

namespace perf_pml {

Summary summarize(const pml::AnalysisReport& a) {
  Summary s;
  uint64_t pages = 0;
  for (auto& e : a.epochs) {
    s.epochs += e.epochs;
    pages += e.pages;
    s.wss_max = std::max(s.wss_max, e.peak_pages);
  }
  s.wss_mean = s.epochs ? double(pages) / double(s.epochs) : 0;
  s.wss = a.wss;
  s.duration_s = a.last_time > a.first_time ? double(a.last_time - a.first_time) / 1e9 : 0;
  // Mean over the buckets the run spans, so that mean <= peak even for runs
  // shorter than one bucket.
  uint64_t span_ns = 0;
  for (auto& r : a.rate) {
    s.rate_peak = std::max(s.rate_peak, r.pages_per_sec());
    span_ns += r.width_ns;
  }
  s.rate_mean = span_ns ? double(a.samples) * 1e9 / double(span_ns) : 0;
  return s;
}

std::string uncollected_text(const std::vector<uint32_t>& pids) {
  std::string list;
  for (size_t i = 0; i < pids.size() && i < 10; ++i)
    list += (i ? ", " : "") + std::to_string(pids[i]);
  if (pids.size() > 10) list += ", ...";
  return "the last writes of " + std::to_string(pids.size()) + " process image" +
         (pids.size() == 1 ? "" : "s") + " (pid " + list +
         "): their memory was gone (an exec) before the software backend could read it";
}

// Rows are sorted by page-epochs: the ones shown are a prefix.
template <class Row>
static size_t shown(const ReportContext& c, const std::vector<Row>& rows) {
  size_t n = c.limit ? std::min(c.limit, rows.size()) : rows.size();
  if (c.percent_limit <= 0 || c.analysis.samples == 0) return n;
  size_t k = 0;
  while (k < n && 100.0 * double(rows[k].page_epochs) / double(c.analysis.samples) >=
                      c.percent_limit)
    ++k;
  return k;
}

void print_stdio(FILE* out, const ReportContext& c) {
  const auto& a = c.analysis;
  Summary s = summarize(a);
  std::fprintf(out, "# Samples: %" PRIu64 " page-epochs of event '%s'\n", a.samples,
               c.event_name.c_str());
  std::fprintf(out, "# Unique pages: %" PRIu64 " (%s)   Epochs with writes: %" PRIu64
                    "   Duration: %.3f s   Lost: %" PRIu64 "\n",
               a.unique.pages, human_bytes(a.unique.bytes()).c_str(), s.epochs, s.duration_s,
               a.lost);
  std::fprintf(out, "# Write working set per epoch: mean %.1f pages, max %" PRIu64 " pages (%s)\n",
               s.wss_mean, s.wss_max, human_bytes(s.wss_max * 4096).c_str());
  std::fprintf(out, "# Write working set percentiles: p50 %" PRIu64 ", p90 %" PRIu64
                    ", p99 %" PRIu64 " pages\n",
               s.wss.p50, s.wss.p90, s.wss.p99);
  std::fprintf(out, "# Dirty rate: mean %.0f pages/s, peak %.0f pages/s\n", s.rate_mean,
               s.rate_peak);
  std::fprintf(out, "# Hot pages (written in more than %.4g%% of %" PRIu64 " epochs): %" PRIu64 "\n",
               100 * c.hot_fraction, a.hot.total_epochs, a.hot.hot_pages);
  if (a.huge.huge_pages)
    std::fprintf(out, "# Huge pages: %" PRIu64 " written, %.1f of 512 subpages each on average\n",
                 a.huge.huge_pages, double(a.huge.subpages_written) / double(a.huge.huge_pages));
  if (!a.uncollected_pids.empty())
    std::fprintf(out, "# Not collected: %s\n", uncollected_text(a.uncollected_pids).c_str());
  std::fprintf(out, "#\n");

  if (c.by_symbol) {
    std::fprintf(out, "# %8s  %11s  %7s  %-32s %s\n", "Overhead", "Page-epochs", "Pages",
                 "Symbol", "Binary");
    std::fprintf(out, "# %8s  %11s  %7s  %-32s %s\n", "........", "...........", ".....",
                 "......", "......");
    std::fprintf(out, "#\n");
    for (size_t i = 0; i < shown(c, a.symbols); ++i) {
      auto& sym = a.symbols[i];
      std::fprintf(out, "  %7.2f%%  %11" PRIu64 "  %7" PRIu64 "  %-32s %s\n",
                   a.samples ? 100.0 * double(sym.page_epochs) / double(a.samples) : 0,
                   sym.page_epochs, sym.pages, sym.symbol.c_str(), sym.file.c_str());
    }
    if (a.symbols.empty()) std::fprintf(out, "  (no written page overlaps a .data/.bss symbol)\n");
  } else {
    std::string head, dots;
    for (auto& k : c.sort_keys) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "  %-18s", k.c_str());
      head += buf;
      std::snprintf(buf, sizeof buf, "  %-18s", std::string(k.size(), '.').c_str());
      dots += buf;
    }
    std::fprintf(out, "# %8s  %11s  %7s%s\n", "Overhead", "Page-epochs", "Pages", head.c_str());
    std::fprintf(out, "# %8s  %11s  %7s%s\n", "........", "...........", ".....", dots.c_str());
    std::fprintf(out, "#\n");
    for (size_t i = 0; i < shown(c, c.rows); ++i) {
      auto& r = c.rows[i];
      std::fprintf(out, "  %7.2f%%  %11" PRIu64 "  %7" PRIu64,
                   a.samples ? 100.0 * double(r.page_epochs) / double(a.samples) : 0,
                   r.page_epochs, r.pages);
      for (auto& col : r.columns) std::fprintf(out, "  %-18s", col.c_str());
      std::fprintf(out, "\n");
    }
  }
  if (!a.hot.top.empty()) {
    std::fprintf(out, "#\n# Hottest pages\n#   %-8s %-18s %s\n", "Pid", "Page", "Epochs");
    for (auto& h : a.hot.top)
      std::fprintf(out, "    %-8u %-18s %" PRIu64 "/%" PRIu64 "\n", h.pid, hex_addr(h.addr).c_str(),
                   h.epochs, a.hot.total_epochs);
  }
  if (!c.error.empty()) std::fprintf(out, "#\n# Incomplete: %s\n", c.error.c_str());
}

void print_json(FILE* out, const ReportContext& c) {
  const auto& a = c.analysis;
  Summary s = summarize(a);
  std::fprintf(out, "{\n  \"input\": %s,\n  \"event\": %s,\n", json_string(c.input).c_str(),
               json_string(c.event_name).c_str());
  std::fprintf(out,
               "  \"summary\": {\"samples\": %" PRIu64 ", \"unique_pages\": %" PRIu64
               ", \"unique_bytes\": %" PRIu64 ", \"epochs\": %" PRIu64
               ", \"duration_ns\": %" PRIu64 ", \"lost\": %" PRIu64
               ", \"wss_mean_pages\": %.3f, \"wss_max_pages\": %" PRIu64
               ", \"wss_p50_pages\": %" PRIu64 ", \"wss_p90_pages\": %" PRIu64
               ", \"wss_p99_pages\": %" PRIu64
               ", \"dirty_rate_mean\": %.3f, \"dirty_rate_peak\": %.3f, \"hot_pages\": %" PRIu64
               ", \"uncollected_pids\": [",
               a.samples, a.unique.pages, a.unique.bytes(), s.epochs,
               a.last_time - a.first_time, a.lost, s.wss_mean, s.wss_max, s.wss.p50, s.wss.p90,
               s.wss.p99, s.rate_mean,
               s.rate_peak, a.hot.hot_pages);
  for (size_t i = 0; i < a.uncollected_pids.size(); ++i)
    std::fprintf(out, "%s%u", i ? ", " : "", a.uncollected_pids[i]);
  std::fprintf(out, "]},\n");
  std::fprintf(out, "  \"sort\": [");
  for (size_t i = 0; i < c.sort_keys.size(); ++i)
    std::fprintf(out, "%s%s", i ? ", " : "", json_string(c.sort_keys[i]).c_str());
  std::fprintf(out, "],\n  \"rows\": [");
  if (c.by_symbol) {
    for (size_t i = 0; i < shown(c, a.symbols); ++i) {
      auto& sym = a.symbols[i];
      std::fprintf(out, "%s\n    {\"page_epochs\": %" PRIu64 ", \"pages\": %" PRIu64
                        ", \"symbol\": %s, \"binary\": %s}",
                   i ? "," : "", sym.page_epochs, sym.pages, json_string(sym.symbol).c_str(),
                   json_string(sym.file).c_str());
    }
  } else {
    for (size_t i = 0; i < shown(c, c.rows); ++i) {
      auto& r = c.rows[i];
      std::fprintf(out, "%s\n    {\"page_epochs\": %" PRIu64 ", \"pages\": %" PRIu64, i ? "," : "",
                   r.page_epochs, r.pages);
      for (size_t k = 0; k < r.columns.size(); ++k) {
        std::string key = c.sort_keys[k];
        std::transform(key.begin(), key.end(), key.begin(), ::tolower);
        std::fprintf(out, ", %s: %s", json_string(key).c_str(), json_string(r.columns[k]).c_str());
      }
      std::fprintf(out, "}");
    }
  }
  std::fprintf(out, "\n  ],\n  \"epochs\": [");
  for (size_t i = 0; i < a.epochs.size(); ++i) {
    auto& e = a.epochs[i];
    std::fprintf(out, "%s\n    {\"epoch\": %" PRIu64 ", \"epochs\": %" PRIu64 ", \"pages\": %" PRIu64
                      ", \"peak_pages\": %" PRIu64 ", \"first_time\": %" PRIu64
                      ", \"last_time\": %" PRIu64 "}",
                 i ? "," : "", e.epoch, e.epochs, e.pages, e.peak_pages, e.first_time, e.last_time);
  }
  std::fprintf(out, "\n  ],\n  \"dirty_rate\": [");
  for (size_t i = 0; i < a.rate.size(); ++i)
    std::fprintf(out, "%s\n    {\"start_ns\": %" PRIu64 ", \"width_ns\": %" PRIu64
                      ", \"pages\": %" PRIu64 "}",
                 i ? "," : "", a.rate[i].start_ns, a.rate[i].width_ns, a.rate[i].pages);
  std::fprintf(out, "\n  ],\n  \"hot_pages\": {\"total_epochs\": %" PRIu64 ", \"count\": %" PRIu64
                    ", \"top\": [",
               a.hot.total_epochs, a.hot.hot_pages);
  for (size_t i = 0; i < a.hot.top.size(); ++i)
    std::fprintf(out, "%s{\"pid\": %u, \"page\": \"%s\", \"epochs\": %" PRIu64 "}", i ? ", " : "",
                 a.hot.top[i].pid, hex_addr(a.hot.top[i].addr).c_str(), a.hot.top[i].epochs);
  std::fprintf(out, "], \"hot_fraction\": %g},\n  \"mappings\": [", c.hot_fraction);
  for (size_t i = 0; i < a.mappings.size(); ++i)
    std::fprintf(out, "%s\n    {\"mapping\": %s, \"page_epochs\": %" PRIu64 ", \"pages\": %" PRIu64
                      "}",
                 i ? "," : "", json_string(a.mappings[i].name).c_str(), a.mappings[i].page_epochs,
                 a.mappings[i].pages);
  std::fprintf(out, "\n  ],\n  \"huge_pages\": {\"huge_samples\": %" PRIu64
                    ", \"small_samples\": %" PRIu64 ", \"huge_pages\": %" PRIu64
                    ", \"subpages_written\": %" PRIu64 ", \"pages\": [",
               a.huge.huge_samples, a.huge.small_samples, a.huge.huge_pages,
               a.huge.subpages_written);
  for (size_t i = 0; i < a.huge.pages.size(); ++i)
    std::fprintf(out, "%s{\"pid\": %u, \"page\": \"%s\", \"subpages_written\": %u}", i ? ", " : "",
                 a.huge.pages[i].pid, hex_addr(a.huge.pages[i].addr).c_str(),
                 a.huge.pages[i].subpages_written);
  std::fprintf(out, "]},\n  \"data_symbols\": [");
  for (size_t i = 0; i < a.symbols.size(); ++i)
    std::fprintf(out, "%s\n    {\"symbol\": %s, \"binary\": %s, \"page_epochs\": %" PRIu64
                      ", \"pages\": %" PRIu64 "}",
                 i ? "," : "", json_string(a.symbols[i].symbol).c_str(),
                 json_string(a.symbols[i].file).c_str(), a.symbols[i].page_epochs,
                 a.symbols[i].pages);
  std::fprintf(out, "\n  ]");
  if (!c.error.empty()) std::fprintf(out, ",\n  \"error\": %s", json_string(c.error).c_str());
  std::fprintf(out, "\n}\n");
}

static std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string o = "\"";
  for (char ch : s) {
    if (ch == '"') o += '"';
    o += ch;
  }
  return o + "\"";
}

void print_csv(FILE* out, const ReportContext& c) {
  const auto& a = c.analysis;
  if (c.by_symbol) {
    std::fprintf(out, "page_epochs,pages,symbol,binary\n");
    for (size_t i = 0; i < shown(c, a.symbols); ++i)
      std::fprintf(out, "%" PRIu64 ",%" PRIu64 ",%s,%s\n", a.symbols[i].page_epochs,
                   a.symbols[i].pages, csv_field(a.symbols[i].symbol).c_str(),
                   csv_field(a.symbols[i].file).c_str());
    return;
  }
  std::fprintf(out, "page_epochs,pages");
  for (auto& k : c.sort_keys) {
    std::string key = k;
    std::transform(key.begin(), key.end(), key.begin(), ::tolower);
    std::fprintf(out, ",%s", key.c_str());
  }
  std::fprintf(out, "\n");
  for (size_t i = 0; i < shown(c, c.rows); ++i) {
    std::fprintf(out, "%" PRIu64 ",%" PRIu64, c.rows[i].page_epochs, c.rows[i].pages);
    for (auto& col : c.rows[i].columns) std::fprintf(out, ",%s", csv_field(col).c_str());
    std::fprintf(out, "\n");
  }
}

}  // namespace perf_pml
