#include "report_table.h"

#include <gtest/gtest.h>

namespace perf_pml {
namespace {

pml::Sample s(uint32_t tid, uint64_t addr, uint64_t epoch) {
  pml::Sample x;
  x.pid = 1;
  x.tid = tid;
  x.addr = addr;
  x.epoch = epoch;
  return x;
}

std::vector<pml::Record> stream() {
  pml::Comm c;
  c.pid = c.tid = 1;
  c.comm = "main";
  pml::Comm w;
  w.pid = 1;
  w.tid = 2;
  w.comm = "worker";
  pml::Mmap heap;
  heap.pid = heap.tid = 1;
  heap.start = 0x10000;
  heap.len = 0x10000;
  heap.filename = "[heap]";
  // tid 1 writes 0x10000 in epochs 0,1 and 0x11000 in 0; tid 2 writes 0x10000 in 1 and 0x90000 (unmapped).
  return {c, w, heap, s(1, 0x10000, 0), s(1, 0x11000, 0), s(1, 0x10000, 1), s(2, 0x10000, 1),
          s(2, 0x90000, 1)};
}

TEST(GroupTable, ByCommAndMapping) {
  GroupTable t(*parse_sort_keys("comm,mapping"));
  for (auto& r : stream()) t.add(r);
  auto rows = t.rows();
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].columns, (std::vector<std::string>{"main", "[heap]"}));
  EXPECT_EQ(rows[0].page_epochs, 3u);
  EXPECT_EQ(rows[0].pages, 2u);
  // worker rows: [heap] 1/1 and [unknown] 1/1, ordered by key (comm id, mapping id).
  EXPECT_EQ(rows[1].page_epochs, 1u);
  EXPECT_EQ(rows[2].page_epochs, 1u);
}

TEST(GroupTable, ByPageCountsEpochs) {
  GroupTable t(*parse_sort_keys("page"));
  for (auto& r : stream()) t.add(r);
  auto rows = t.rows();
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].columns[0], "0x10000");
  EXPECT_EQ(rows[0].page_epochs, 3u);
  EXPECT_EQ(rows[0].pages, 1u);
}

TEST(GroupTable, ByEpochDistinctPages) {
  GroupTable t(*parse_sort_keys("epoch"));
  for (auto& r : stream()) t.add(r);
  auto rows = t.rows();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].columns[0], "1");
  EXPECT_EQ(rows[0].page_epochs, 3u);
  EXPECT_EQ(rows[0].pages, 2u);  // 0x10000 twice (two threads), 0x90000
  EXPECT_EQ(rows[1].page_epochs, 2u);
  EXPECT_EQ(rows[1].pages, 2u);
}

TEST(ParseSortKeys, UnknownKeyIsAnError) {
  EXPECT_FALSE(parse_sort_keys("comm,bogus").ok());
  EXPECT_FALSE(parse_sort_keys("").ok());
}

TEST(ParseSortKeys, SymbolWithOtherKeysSaysItMustBeAlone) {
  auto k = parse_sort_keys("symbol,pid");
  ASSERT_FALSE(k.ok());
  EXPECT_EQ(k.error().message, "--sort symbol cannot be combined with other keys: give it alone");
}

}  // namespace
}  // namespace perf_pml
