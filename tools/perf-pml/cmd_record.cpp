// perf pml record: run or attach to a process and write its page-epochs to
// a perf.data file that perf itself can read.
#include <sys/stat.h>

#include <cstdio>

#include "commands.h"
#include "common.h"
#include "options.h"
#include "pml/perf_data.h"
#include "record_session.h"

namespace perf_pml {

namespace {

class FileSink : public pml::RecordSink {
 public:
  explicit FileSink(pml::PerfDataWriter& w) : w_(w) {}
  pml::Result<void> on_record(const pml::Record& rec, std::span<const std::byte> raw) override {
    return raw.empty() ? w_.write(rec) : w_.write_raw(raw);
  }
  pml::Result<void> on_raw_only(std::span<const std::byte> raw) override {
    return w_.write_raw(raw);
  }

 private:
  pml::PerfDataWriter& w_;
};

}  // namespace

int cmd_record(const std::vector<std::string>& args) {
  std::string output = "perf.data";
  SessionOptions so;
  OptionParser opts("record", "perf pml record [<options>] [-- <command> [<args>]]");
  opts.custom('o', "output", "file", "output file name (default: perf.data; no pipe mode '-')",
              [&](const std::string& v) {
                output = v;
                return check_perf_data_path(v, true);
              });
  so.add_to(opts);
  if (!opts.parse(args, &so.command, true)) return opts.help_requested() ? 0 : 129;
  const bool quiet = so.quiet;

  auto session = RecordSession::prepare("record", so);
  if (!session) return 1;
  if (!session->start()) return 1;

  // Like perf: keep the previous file as FILE.old.
  struct stat st;
  if (output != "-" && stat(output.c_str(), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
    rename(output.c_str(), (output + ".old").c_str());

  std::vector<std::string> cmdline = {"perf-pml", "record"};
  cmdline.insert(cmdline.end(), args.begin(), args.end());
  auto writer = pml::PerfDataWriter::create(output, session->backend().events(),
                                            pml::host_file_info(cmdline));
  if (!writer.ok()) {
    print_error("record", writer.error().to_string());
    return 1;
  }
  FileSink sink(*writer);
  int status = session->run(sink);
  auto fin = writer->finish();
  if (!fin.ok()) {
    print_error("record", fin.error().to_string());
    return 1;
  }
  auto stats = session->backend().stats();
  if (stats.lost)
    print_warning("record", "lost " + std::to_string(stats.lost) +
                                " page-epochs (ring buffer full); try a larger -m");
  if (!quiet)
    std::fprintf(stderr, "[ perf pml record: Captured and wrote %.3f MB %s (%llu samples) ]\n",
                 double(writer->data_bytes()) / (1024.0 * 1024.0), output.c_str(),
                 (unsigned long long)stats.samples);
  return status < 0 ? 1 : 0;
}

}  // namespace perf_pml
