// perf pml stat: run a command and print a one-screen summary of its writes.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>

#include "commands.h"
#include "common.h"
#include "options.h"
#include "pml/analysis.h"
#include "record_session.h"
#include "stat_output.h"

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
  std::optional<std::string> separator;
  bool json = false;
  OptionParser opts("stat", "perf pml stat [<options>] [-- <command> [<args>]]");
  so.add_to(opts);
  opts.value('o', "output", "file", "print the summary to a file instead of stderr ('-': stdout)",
             &output);
  opts.custom('x', "field-separator", "separator",
              "print counters as separated values, like perf stat -x", [&](const std::string& v) {
                separator = v;
                return v.empty() ? "empty separator" : "";
              });
  opts.flag('j', "json-output", "print counters as JSON, one object per line, like perf stat -j",
            &json);
  opts.check([&] { return json && separator ? "-x and -j are exclusive" : ""; });
  if (!opts.parse(args, &so.command, true)) return 129;
  // Programs read -x and -j output: no informational lines among it.
  if (json || separator) so.quiet = true;
  // Like perf stat: on stderr, or -o FILE ("-": stdout), created before the
  // command runs so that a bad name loses no run.
  std::unique_ptr<FILE, int (*)(FILE*)> file(nullptr, std::fclose);
  if (!output.empty() && output != "-") {
    file.reset(std::fopen(output.c_str(), "w"));
    if (!file) {
      print_error("stat", "cannot create '" + output + "': " + std::strerror(errno));
      return 1;
    }
  }
  FILE* out = file ? file.get() : output == "-" ? stdout : stderr;

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

  StatRun run{session->target_name(), pml::backend_kind_name(session->backend().kind()),
              session->epoch_ms(), analyzer.result(), session->backend().stats().lost,
              uint64_t(elapsed * 1e9)};
  if (json) print_stat_json(out, run);
  else if (separator) print_stat_csv(out, run, *separator);
  else print_stat_text(out, run);
  if (file && std::fclose(file.release()) != 0) {
    print_error("stat", "cannot write '" + output + "': " + std::strerror(errno));
    return 1;
  }
  return session->finish(status);
}

}  // namespace perf_pml
