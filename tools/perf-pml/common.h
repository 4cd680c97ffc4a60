// Helpers shared by the subcommands.
#pragma once

#include <cstdarg>
#include <cstdint>
#include <string>

#include "pml/perf_data.h"

namespace perf_pml {

// "perf pml <cmd>: message" on stderr.
void print_error(const char* cmd, const std::string& message);
void print_warning(const char* cmd, const std::string& message);

// Opens a perf.data file ("-": standard input); on failure prints why and
// returns an error.
pml::Result<pml::PerfDataReader> open_input(const char* cmd, const std::string& path,
                                            const pml::ReadOptions& options = {});

// As perf: without -i, report and script read standard input when it is a
// pipe, else perf.data; without -o, record writes to standard output
// (pipe mode) when it is a pipe, else to perf.data.
std::string default_input();
std::string default_output();

// Live progress line on stderr, only when stderr is a terminal.
class Progress {
 public:
  explicit Progress(const char* cmd);
  ~Progress();
  void update(uint64_t done, uint64_t total);
  void clear();

 private:
  const char* cmd_;
  bool enabled_;
  bool shown_ = false;
};

std::string human_bytes(uint64_t bytes);
std::string format_time(uint64_t ns);  // "12345.678901" seconds, like perf script

// A reader that goes away (perf pml script | head) must end the command
// quietly: perf reports a subcommand killed by SIGPIPE as "FATAL: unable to
// run 'perf-pml'". So SIGPIPE is caught (not ignored: a launched workload
// must get the default back at exec) and writes fail with EPIPE instead.
void catch_broken_pipe();
// True when stdout is a pipe or socket nobody reads any more (asked of the
// fd, so that EPIPE from another pipe, e.g. to a child, does not count).
bool stdout_reader_gone();
// The status then: 128 + SIGPIPE, what the shell shows for perf script
// killed by SIGPIPE, but returned, so perf passes it on without a message.
inline constexpr int kBrokenPipeExit = 141;
// For loops that print a whole file, after each print: ends the process as
// soon as stdout fails instead of reading the rest for nobody; quietly with
// kBrokenPipeExit when the reader is gone, else with the error and status 1.
void stop_if_stdout_failed(const char* cmd);
// Flushes stdout at the end of a command: kBrokenPipeExit if the reader went
// away, 1 with a message on another write error (e.g. a full disk), else
// `status`.
int finish_stdout(const char* cmd, int status);

// True if any event of the file is a pml event (its name starts with "pml").
bool has_pml_event(const pml::PerfDataReader& reader);

}  // namespace perf_pml
