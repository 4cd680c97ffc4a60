// A hand-built record stream whose analysis results are worked out by hand
// in the tests (see the comment on make_stream()).
#pragma once

#include <vector>

#include "pml/records.h"

namespace pml::test {

constexpr uint32_t kPid = 10;
constexpr uint64_t kHeap = 0x1000000, kStack = 0x7ffe00000000, kLib = 0x7f0000000000,
                   kAnon = 0x7f1000000000;
constexpr uint64_t kT0 = 5'000'000'000ULL, kMs = 1'000'000ULL;

inline Mmap mmap_of(uint64_t start, uint64_t len, const char* name) {
  Mmap m;
  m.pid = m.tid = kPid;
  m.start = start;
  m.len = len;
  m.filename = name;
  m.prot = 3;
  return m;
}

inline Sample page(uint64_t epoch, int k, uint64_t addr, uint32_t tid = kPid) {
  Sample s;
  s.pid = kPid;
  s.tid = tid;
  s.addr = addr;
  s.epoch = epoch;
  s.has_pml_raw = true;
  s.time = kT0 + epoch * 10 * kMs + uint64_t(k) * kMs;
  s.data_page_size = 4096;
  return s;
}

// Epoch 0: heap+0, heap+1000, stack+20000, lib+3000      -> 4 distinct
// Epoch 1: heap+0, heap+2000, anon+0                     -> 3
// Epoch 2: heap+0, heap+1000, heap+1000 (duplicate)      -> 2
// Epoch 3: heap+0                                        -> 1
// Samples: 11. Distinct pages: heap 3, stack 1, lib 1, anon 1 = 6.
inline std::vector<Record> make_stream() {
  std::vector<Record> v;
  Comm c;
  c.pid = c.tid = kPid;
  c.comm = "app";
  v.push_back(c);
  v.push_back(mmap_of(kHeap, 0x100000, "[heap]"));
  v.push_back(mmap_of(kStack, 0x21000, "[stack]"));
  v.push_back(mmap_of(kLib, 0x10000, "/lib/x.so"));
  v.push_back(mmap_of(kAnon, 0x400000, "//anon"));
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
