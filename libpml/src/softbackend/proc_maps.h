// Reads the VMA list of a process from /proc/PID/maps.
#pragma once

#include <stdint.h>
#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "pml/softbackend.h"

namespace pml::soft {

struct Vma {
  uint64_t start = 0;
  uint64_t end = 0;  // exclusive
  bool readable = false;
  bool writable = false;
  bool executable = false;
  bool shared = false;
  uint64_t offset = 0;
  uint64_t inode = 0;
  std::string path;  // may be empty, or "[heap]", "[stack]", ...
};

// Parses the text of a maps file; malformed lines are an error.
Result<std::vector<Vma>> parse_vmas(std::string_view text);

// pid 0 means the calling process.
Result<std::vector<Vma>> read_vmas(pid_t pid);

// Whether writes to this VMA can be tracked at all: writable, and not one of
// the kernel's special mappings that userfaultfd and soft-dirty skip.
bool is_trackable(const Vma& vma);

}  // namespace pml::soft
