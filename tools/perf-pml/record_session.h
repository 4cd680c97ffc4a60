// Shared by record and stat: parse the target/backend options, choose the
// backend, and run it with Ctrl-C handled like perf (stop, keep the data).
#pragma once

#include <sys/types.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "options.h"
#include "pml/backend.h"

namespace perf_pml {

// Filled by the option parser (session_options.cpp), values checked there.
struct SessionOptions {
  std::string backend = "auto";
  pid_t pid = 0;            // -p; 0: run the command
  uint64_t epoch_ms = 100;  // -e pml/epoch=N/ or --epoch
  uint64_t ring_pages = 0;  // -m, a power of two; 0: the backend's default
  bool quiet = false;
  std::vector<std::string> command;

  void add_to(OptionParser& parser);

 private:
  int events_ = 0;             // -e given how often
  std::string mmap_rounded_;   // perf's "rounding mmap pages" note, shown unless -q
};

class RecordSession {
 public:
  // Validates options and picks a backend; prints errors (perf style) itself.
  static std::unique_ptr<RecordSession> prepare(const char* cmd, SessionOptions opts);
  pml::Backend& backend() { return *choice_.backend; }
  const std::string& reason() const { return choice_.reason; }
  // Starts the target; prints errors.
  bool start();
  // Runs to the end; returns the target's wait status or -1 on error.
  // output_pipe: a write to a pipe whose reader is gone (EPIPE) ends the
  // run without a message.
  int run(pml::RecordSink& sink, bool output_pipe = false);
  // What the command returns once its output is complete, as perf 6.1
  // does (see exit_code_for). May not return: re-raises a signal.
  int finish(int wait_status);
  std::string target_name() const;
  uint64_t epoch_ms() const { return opts_.epoch_ms; }

 private:
  const char* cmd_ = "";
  SessionOptions opts_;
  pml::BackendChoice choice_;
  pml::RecordTarget target_;
};

// Global stop flag set by SIGINT/SIGTERM during a session.
std::atomic<bool>& stop_requested();

// perf's exit convention, measured on perf 6.1:
//  record: the workload's exit status; a workload killed by a signal makes
//    perf re-raise that signal (SIGSEGV: perf dies of SIGSEGV, 139); after
//    Ctrl-C, perf re-raises SIGINT.
//  stat: the workload's exit status; killed by a signal: 0 (perf stat only
//    prints "<cmd>: <signal name>"); with -p, Ctrl-C re-raises SIGINT.
// wait_status < 0 is an error of ours: 1. stop_signal is the signal that
// stopped the session (0: none); launched: a command, not -p.
struct ExitCode {
  int code = 0;        // exit with this ...
  int reraise = 0;     // ... unless this signal is to be re-raised
};
ExitCode exit_code_for(const char* cmd, int wait_status, int stop_signal, bool launched);

}  // namespace perf_pml
