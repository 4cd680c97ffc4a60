// Records for processes whose history the kernel did not log: COMM for each
// thread and MMAP2 for each mapping, read from /proc like perf does.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "pml/records.h"
#include "pml/result.h"

namespace pml {

// CLOCK_MONOTONIC in ns: the clock perf's sample times follow.
uint64_t monotonic_ns();

// Parses /proc/PID/maps text into MMAP2 records (pid/tid = pid).
std::vector<Mmap> parse_proc_maps(const std::string& text, uint32_t pid, uint64_t time);

Result<std::vector<Mmap>> read_proc_maps(pid_t pid, uint64_t time);
// One COMM per thread of pid.
Result<std::vector<Comm>> read_proc_comms(pid_t pid, uint64_t time);

// Reports mappings that appeared or changed since the previous poll.
class MapsWatcher {
 public:
  explicit MapsWatcher(pid_t pid) : pid_(pid) {}
  Result<std::vector<Mmap>> poll(uint64_t time);

 private:
  pid_t pid_;
  std::set<std::tuple<uint64_t, uint64_t, uint64_t, std::string>> known_;
};

}  // namespace pml
