// In-process dirty tracking of chosen ranges of this process (a GC heap, a
// checkpointed arena): the pml PMU when the kernel has it, else the software
// backend (userfaultfd write-protect, then soft-dirty). One API for both.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "pml/result.h"

namespace pml {

class RangeTracker {
 public:
  // Starts tracking [base, base+len) (rounded out to pages). `reason` says
  // which mechanism is used and why.
  static Result<RangeTracker> start(void* base, size_t len);
  RangeTracker(RangeTracker&&) noexcept;
  RangeTracker& operator=(RangeTracker&&) noexcept;
  ~RangeTracker();

  // Page addresses in the range written since start() or the previous
  // collect(), sorted; tracking is re-armed for the next interval.
  Result<std::vector<uint64_t>> collect();

  const std::string& mechanism() const;
  const std::string& reason() const;

 private:
  struct Impl;
  explicit RangeTracker(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace pml
