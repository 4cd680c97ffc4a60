#include "working_set_diff.h"

#include <gtest/gtest.h>

namespace perf_pml {
namespace {

pml::Mapping mapping(uint64_t start, uint64_t end, uint64_t pgoff, const char* name) {
  pml::Mapping m;
  m.start = start;
  m.end = end;
  m.pgoff = pgoff;
  m.filename = name;
  return m;
}

uint64_t page_of(const pml::Mapping* m, uint64_t addr) {
  pml::Sample s;
  s.addr = addr;
  pml::ResolvedSample rs;
  rs.sample = &s;
  rs.mapping = m;
  return page_in_mapping(rs);
}

TEST(PageInMapping, StableUnderAslr) {
  auto lib = mapping(0x7f0000000000, 0x7f0000010000, 0x3000, "/lib/a.so");
  EXPECT_EQ(page_of(&lib, 0x7f0000002000), 5u);  // file offset 0x5000
  auto heap = mapping(0x55d000000000, 0x55d000100000, 0, "[heap]");
  EXPECT_EQ(page_of(&heap, 0x55d000003000), 3u);
  auto stack = mapping(0x7ffd00000000, 0x7ffd00021000, 0, "[stack]");
  EXPECT_EQ(page_of(&stack, 0x7ffd00020000), 0u);  // the top page
  EXPECT_EQ(page_of(&stack, 0x7ffd0001f000), 1u);
  EXPECT_EQ(page_of(nullptr, 0x5000), 5u);
}

TEST(MappingDiff, Status) {
  MappingDiff d;
  d.pages_new = 2;
  EXPECT_STREQ(d.status(), "appeared");
  d.pages_old = 2;
  EXPECT_STREQ(d.status(), "same");
  d.only_old = d.only_new = 1;
  EXPECT_STREQ(d.status(), "changed");
  d.pages_new = 3;
  EXPECT_STREQ(d.status(), "grew");
  d.pages_new = 1;
  EXPECT_STREQ(d.status(), "shrank");
  d.pages_new = 0;
  EXPECT_STREQ(d.status(), "vanished");
}

}  // namespace
}  // namespace perf_pml
