// Timestamps for DirtyPage::time_ns.
#pragma once

#include <stdint.h>
#include <time.h>

namespace pml::soft {

inline uint64_t monotonicNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1000000000u + uint64_t(ts.tv_nsec);
}

}  // namespace pml::soft
