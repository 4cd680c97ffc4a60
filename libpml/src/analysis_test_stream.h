// A hand-built record stream whose analysis results are worked out by hand
// in the tests (see the comment on make_stream()).
#pragma once

#include <vector>

#include "pml/records.h"
#include "record_builders.h"

namespace pml::test {

constexpr uint32_t kPid = 10;
constexpr uint64_t kHeap = 0x1000000, kStack = 0x7ffe00000000, kLib = 0x7f0000000000,
                   kAnon = 0x7f1000000000;
constexpr uint64_t kT0 = 5'000'000'000ULL, kMs = 1'000'000ULL;

// A page-epoch of kPid, k ms into epoch e (10 ms epochs from kT0).
inline Sample page(uint64_t epoch, int k, uint64_t addr, uint32_t tid = kPid) {
  return sample(kPid, tid, kT0 + epoch * 10 * kMs + uint64_t(k) * kMs, addr, epoch);
}

// Epoch 0: heap+0, heap+1000, stack+20000, lib+3000      -> 4 distinct
// Epoch 1: heap+0, heap+2000, anon+0                     -> 3
// Epoch 2: heap+0, heap+1000, heap+1000 (duplicate)      -> 2
// Epoch 3: heap+0                                        -> 1
// Samples: 11. Distinct pages: heap 3, stack 1, lib 1, anon 1 = 6.
inline std::vector<Record> make_stream() {
  std::vector<Record> v = {comm(kPid, kPid, "app"), mmap(kPid, kHeap, 0x100000, "[heap]"),
                           mmap(kPid, kStack, 0x21000, "[stack]"),
                           mmap(kPid, kLib, 0x10000, "/lib/x.so"),
                           mmap(kPid, kAnon, 0x400000, "//anon")};
  v.push_back(page(0, 0, kHeap));
  v.push_back(page(0, 1, kHeap + 0x1000));
  v.push_back(page(0, 2, kStack + 0x20000));
  v.push_back(page(0, 3, kLib + 0x3000, 11));
  v.push_back(page(1, 0, kHeap));
  v.push_back(page(1, 1, kHeap + 0x2000));
  v.push_back(page(1, 2, kAnon));
  v.push_back(page(2, 0, kHeap));
  v.push_back(page(2, 1, kHeap + 0x1000));
  v.push_back(page(2, 2, kHeap + 0x1000));
  v.push_back(page(3, 0, kHeap));
  return v;
}

}  // namespace pml::test
