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
  int run(pml::RecordSink& sink);
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

}  // namespace perf_pml
