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

// Opens a perf.data file; on failure prints why and returns an error.
pml::Result<pml::PerfDataReader> open_input(const char* cmd, const std::string& path);

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

// True if any event of the file is a pml event (its name starts with "pml").
bool has_pml_event(const pml::PerfDataReader& reader);

}  // namespace perf_pml
