// perf pml stat: run a command and print a one-screen summary of its writes.
#include <cinttypes>
#include <cstdio>

#include "commands.h"
#include "common.h"
#include "options.h"
#include "pml/analysis.h"
#include "record_session.h"
#include "report_output.h"

namespace perf_pml {

namespace {

class AnalyzerSink : public pml::RecordSink {
 public:
  explicit AnalyzerSink(pml::Analyzer& a) : a_(a) {}
  pml::Result<void> on_record(const pml::Record& rec, std::span<const std::byte>) override {
    a_.add(rec);
    return {};
  }

 private:
  pml::Analyzer& a_;
};

}  // namespace

int cmd_stat(const std::vector<std::string>& args) {
  SessionOptions so;
  std::string output;
  OptionParser opts("stat", "perf pml stat [<options>] [-- <command> [<args>]]");
  so.add_to(opts);
  opts.value('o', "output", "file", "print the summary to a file instead of stderr", &output);
  if (!opts.parse(args, &so.command, true)) return opts.help_requested() ? 0 : 129;

  auto session = RecordSession::prepare("stat", so);
  if (!session) return 1;
  pml::AnalysisOptions ao;
  ao.rate_bucket_ns = (session->epoch_ms() ? session->epoch_ms() : 100) * 1000000ULL;
  ao.data_symbols = false;
  pml::Analyzer analyzer(ao);
  AnalyzerSink sink(analyzer);
  uint64_t t0 = 0;
  {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    t0 = uint64_t(ts.tv_sec) * 1000000000ULL + uint64_t(ts.tv_nsec);
  }
  if (!session->start()) return 1;
  int status = session->run(sink);
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  double elapsed = double(uint64_t(ts.tv_sec) * 1000000000ULL + uint64_t(ts.tv_nsec) - t0) / 1e9;
  if (status < 0) return 1;

  auto a = analyzer.result();
  Summary s = summarize(a);
  auto bs = session->backend().stats();
  FILE* out = stderr;
  if (!output.empty() && !(out = std::fopen(output.c_str(), "w"))) {
    print_error("stat", "cannot create '" + output + "'");
    return 1;
  }
  std::fprintf(out, "\n Page-write stats for '%s' (backend %s, epoch %" PRIu64 " ms):\n\n",
               session->target_name().c_str(),
               pml::backend_kind_name(session->backend().kind()), session->epoch_ms());
  std::fprintf(out, "%18" PRIu64 "      page-epochs\n", a.samples);
  std::fprintf(out, "%18" PRIu64 "      unique pages             #  %s\n", a.unique.pages,
               human_bytes(a.unique.bytes()).c_str());
  std::fprintf(out, "%18" PRIu64 "      epochs with writes\n", s.epochs);
  std::fprintf(out, "%18.1f      pages per epoch (mean)   #  max %" PRIu64 " (%s)\n", s.wss_mean,
               s.wss_max, human_bytes(s.wss_max * 4096).c_str());
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
  std::fprintf(out, "%18" PRIu64 "      lost page-epochs\n", a.lost + bs.lost);
  std::fprintf(out, "\n%18.9f seconds time elapsed\n\n", elapsed);
  if (out != stderr) std::fclose(out);
  return session->finish(status);
}

}  // namespace perf_pml
