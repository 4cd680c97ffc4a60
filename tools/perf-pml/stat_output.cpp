#include "stat_output.h"

#include <cinttypes>

#include "common.h"
#include "json.h"
#include "report_output.h"

namespace perf_pml {

std::vector<StatCounter> stat_counters(const StatRun& run) {
  const auto& a = run.analysis;
  Summary s = summarize(a);
  return {
      {double(a.samples), 0, "", "page-epochs"},
      {double(a.unique.pages), 0, "", "unique-pages"},
      {double(s.epochs), 0, "", "epochs-with-writes"},
      {s.wss_mean, 1, "pages", "working-set-mean"},
      {double(s.wss_max), 0, "pages", "working-set-max"},
      {double(s.wss.p50), 0, "pages", "working-set-p50"},
      {double(s.wss.p90), 0, "pages", "working-set-p90"},
      {double(s.wss.p99), 0, "pages", "working-set-p99"},
      {s.rate_mean, 0, "pages/s", "dirty-rate-mean"},
      {s.rate_peak, 0, "pages/s", "dirty-rate-peak"},
      {double(a.hot.hot_pages), 0, "", "hot-pages"},
      {double(a.huge.huge_pages), 0, "", "huge-pages-written"},
      {double(a.lost + run.backend_lost), 0, "", "lost-page-epochs"},
  };
}

void print_stat_text(FILE* out, const StatRun& run) {
  const auto& a = run.analysis;
  Summary s = summarize(a);
  std::fprintf(out, "\n Page-write stats for '%s' (backend %s, epoch %" PRIu64 " ms):\n\n",
               run.target.c_str(), run.backend.c_str(), run.epoch_ms);
  std::fprintf(out, "%18" PRIu64 "      page-epochs\n", a.samples);
  std::fprintf(out, "%18" PRIu64 "      unique pages             #  %s\n", a.unique.pages,
               human_bytes(a.unique.bytes()).c_str());
  std::fprintf(out, "%18" PRIu64 "      epochs with writes\n", s.epochs);
  std::fprintf(out, "%18.1f      pages per epoch (mean)   #  max %" PRIu64 " (%s)\n", s.wss_mean,
               s.wss_max, human_bytes(s.wss_max * 4096).c_str());
  std::fprintf(out, "%18" PRIu64 "      pages per epoch (p50)    #  p90 %" PRIu64 ", p99 %" PRIu64 "\n",
               s.wss.p50, s.wss.p90, s.wss.p99);
  std::fprintf(out, "%18.0f      pages/s dirty rate       #  peak %.0f pages/s\n", s.rate_mean,
               s.rate_peak);
  std::fprintf(out, "%18" PRIu64 "      hot pages                #  written in > half the epochs\n",
               a.hot.hot_pages);
  if (a.huge.huge_pages)
    std::fprintf(out, "%18" PRIu64 "      huge pages written       #  %.1f of 512 subpages each\n",
                 a.huge.huge_pages, double(a.huge.subpages_written) / double(a.huge.huge_pages));
  if (!a.mappings.empty())
    std::fprintf(out, "%18" PRIu64 "      page-epochs in the most written mapping  #  %s\n",
                 a.mappings[0].page_epochs, a.mappings[0].name.c_str());
  std::fprintf(out, "%18" PRIu64 "      lost page-epochs\n", a.lost + run.backend_lost);
  if (!a.uncollected_pids.empty())
    std::fprintf(out, "%18zu      not collected            #  %s\n", a.uncollected_pids.size(),
                 uncollected_text(a.uncollected_pids).c_str());
  std::fprintf(out, "\n%18.9f seconds time elapsed\n\n", double(run.elapsed_ns) / 1e9);
}

void print_stat_csv(FILE* out, const StatRun& run, const std::string& sep) {
  const char* x = sep.c_str();
  for (auto& c : stat_counters(run))
    std::fprintf(out, "%.*f%s%s%s%s%s%" PRIu64 "%s100.00%s%s\n", c.decimals, c.value, x,
                 c.unit.c_str(), x, c.event.c_str(), x, run.elapsed_ns, x, x, x);
}

void print_stat_json(FILE* out, const StatRun& run) {
  for (auto& c : stat_counters(run))
    std::fprintf(out,
                 "{\"counter-value\" : \"%f\", \"unit\" : %s, \"event\" : %s, "
                 "\"event-runtime\" : %" PRIu64 ", \"pcnt-running\" : 100.00}\n",
                 c.value, json_string(c.unit).c_str(), json_string(c.event).c_str(),
                 run.elapsed_ns);
}

}  // namespace perf_pml
