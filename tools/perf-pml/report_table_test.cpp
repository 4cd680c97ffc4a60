#include "report_table.h"

#include <gtest/gtest.h>

#include "record_builders.h"

namespace perf_pml {
namespace {

using pml::test::comm;
using pml::test::mmap;

// A write of thread tid of process 1 in `epoch`.
pml::Sample s(uint32_t tid, uint64_t addr, uint64_t epoch) {
  return pml::test::sample(1, tid, epoch, addr, epoch);
}

std::vector<pml::Record> stream() {
  // tid 1 writes 0x10000 in epochs 0,1 and 0x11000 in 0; tid 2 writes 0x10000 in 1 and 0x90000 (unmapped).
  return {comm(1, 1, "main"), comm(1, 2, "worker"), mmap(1, 0x10000, 0x10000, "[heap]"),
          s(1, 0x10000, 0), s(1, 0x11000, 0), s(1, 0x10000, 1), s(2, 0x10000, 1),
          s(2, 0x90000, 1)};
}

// The stream through a resolver into a table sorted by `keys`.
std::vector<TableRow> table_rows(const std::string& keys) {
  GroupTable t(*parse_sort_keys(keys));
  pml::SampleResolver resolver;
  auto recs = stream();
  pml::for_each_resolved(
      resolver, recs, [&](const pml::ResolvedSample& s) { t.add(s); }, [](const pml::Record&) {});
  return t.rows(resolver);
}

TEST(GroupTable, ByCommAndMapping) {
  auto rows = table_rows("comm,mapping");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].columns, (std::vector<std::string>{"main", "[heap]"}));
  EXPECT_EQ(rows[0].page_epochs, 3u);
  EXPECT_EQ(rows[0].pages, 2u);
  // worker rows: [heap] 1/1 and [unknown] 1/1, ordered by key (comm id, mapping id).
  EXPECT_EQ(rows[1].page_epochs, 1u);
  EXPECT_EQ(rows[2].page_epochs, 1u);
}

TEST(GroupTable, ByPageCountsEpochs) {
  auto rows = table_rows("page");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].columns[0], "0x10000");
  EXPECT_EQ(rows[0].page_epochs, 3u);
  EXPECT_EQ(rows[0].pages, 1u);
}

TEST(GroupTable, PagesOfEqualWeightInAddressOrder) {
  // 0x30000 is written before 0x20000, each once.
  std::vector<pml::Record> recs = {s(1, 0x30000, 0), s(1, 0x20000, 0)};
  GroupTable t(*parse_sort_keys("page"));
  pml::SampleResolver resolver;
  pml::for_each_resolved(
      resolver, recs, [&](const pml::ResolvedSample& x) { t.add(x); }, [](const pml::Record&) {});
  auto rows = t.rows(resolver);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].columns[0], "0x20000");
  EXPECT_EQ(rows[1].columns[0], "0x30000");
}

TEST(GroupTable, ByEpochDistinctPages) {
  auto rows = table_rows("epoch");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].columns[0], "1");
  EXPECT_EQ(rows[0].page_epochs, 3u);
  EXPECT_EQ(rows[0].pages, 2u);  // 0x10000 twice (two threads), 0x90000
  EXPECT_EQ(rows[1].page_epochs, 2u);
  EXPECT_EQ(rows[1].pages, 2u);
}

TEST(GroupTable, PageMovingBetweenGroupsIsCountedOncePerGroup) {
  // tid 1 and tid 2 take turns on the page 0x10000: each group has 1 page.
  std::vector<pml::Record> recs = {mmap(1, 0x10000, 0x10000, "[heap]"), s(1, 0x10000, 0), s(2, 0x10000, 0), s(1, 0x10000, 1),
                                   s(2, 0x10000, 1), s(2, 0x11000, 1)};
  GroupTable t(*parse_sort_keys("tid"));
  pml::SampleResolver resolver;
  pml::for_each_resolved(
      resolver, recs, [&](const pml::ResolvedSample& x) { t.add(x); }, [](const pml::Record&) {});
  auto rows = t.rows(resolver);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].columns[0], "2");
  EXPECT_EQ(rows[0].page_epochs, 3u);
  EXPECT_EQ(rows[0].pages, 2u);
  EXPECT_EQ(rows[1].columns[0], "1");
  EXPECT_EQ(rows[1].page_epochs, 2u);
  EXPECT_EQ(rows[1].pages, 1u);
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
