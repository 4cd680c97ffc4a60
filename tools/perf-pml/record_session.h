// Shared by record and stat: parse the target/backend options, choose the
// backend, and run it with Ctrl-C handled like perf (stop, keep the data).
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "options.h"
#include "pml/backend.h"

namespace perf_pml {

struct SessionOptions {
  std::string backend = "auto";
  std::string pid_text;
  uint64_t epoch_ms = 100;
  std::string epoch_text;
  std::string mmap_pages_text;
  bool quiet = false;
  std::vector<std::string> command;

  void add_to(OptionParser& parser);
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
