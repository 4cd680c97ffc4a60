// perf pml record: run or attach to a process and write its page-epochs to
// a perf.data file that perf itself can read.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
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
    return check(raw.empty() ? w_.write(rec) : w_.write_raw(raw));
  }
  pml::Result<void> on_raw_only(std::span<const std::byte> raw) override {
    return check(w_.write_raw(raw));
  }
  // The reader of the pipe went away (perf pml record -o - | head -c 100).
  bool reader_gone() const { return reader_gone_; }

 private:
  pml::Result<void> check(pml::Result<void> r) {
    if (!r.ok() && r.error().errnum == EPIPE) reader_gone_ = true;
    return r;
  }
  pml::PerfDataWriter& w_;
  bool reader_gone_ = false;
};

// Pipe mode (-o -): the data goes to what stdout was, and stdout (ours and
// the command's) to stderr, as perf record's workload gets it, so that
// nothing else lands in the stream.
pml::Result<pml::UniqueFd> take_stdout_for_data() {
  std::fflush(stdout);
  pml::UniqueFd data(::fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 0));
  if (!data.valid()) return pml::errno_error("cannot write to standard output");
  if (::dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
    return pml::errno_error("cannot send standard output to standard error");
  return data;
}

}  // namespace

int cmd_record(const std::vector<std::string>& args) {
  std::string output;
  SessionOptions so;
  OptionParser opts("record", "perf pml record [<options>] [-- <command> [<args>]]");
  opts.custom('o', "output", "file",
              "output file name (default: perf.data, or '-' when stdout is a pipe); "
              "'-': pipe mode on stdout",
              [&](const std::string& v) {
                output = v;
                return v.empty() ? std::string("empty file name") : std::string();
              });
  so.add_to(opts);
  if (!opts.parse(args, &so.command, true)) return 129;
  const bool quiet = so.quiet;
  if (output.empty()) output = default_output();
  const bool pipe = output == "-";

  auto session = RecordSession::prepare("record", so);
  if (!session) return 1;
  pml::UniqueFd data_fd;
  if (pipe) {
    auto fd = take_stdout_for_data();
    if (!fd.ok()) {
      print_error("record", fd.error().to_string());
      return 1;
    }
    data_fd = std::move(fd.value());
  }
  if (!session->start()) return 1;

  // Like perf: keep the previous file as FILE.old.
  struct stat st;
  if (!pipe && stat(output.c_str(), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
    rename(output.c_str(), (output + ".old").c_str());

  std::vector<std::string> cmdline = {"perf-pml", "record"};
  cmdline.insert(cmdline.end(), args.begin(), args.end());
  auto info = pml::host_file_info(cmdline);
  auto writer = pipe ? pml::PerfDataWriter::create_pipe(std::move(data_fd),
                                                        session->backend().events(), info)
                     : pml::PerfDataWriter::create(output, session->backend().events(), info);
  if (!writer.ok()) {
    print_error("record", writer.error().to_string());
    return 1;
  }
  FileSink sink(*writer);
  int status = session->run(sink, pipe);
  auto fin = writer->finish();
  // As perf record, killed by SIGPIPE, but quietly returned: the reader
  // has all it wanted.
  if (pipe && (sink.reader_gone() || (!fin.ok() && fin.error().errnum == EPIPE)))
    return kBrokenPipeExit;
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
  return session->finish(status);
}

}  // namespace perf_pml
