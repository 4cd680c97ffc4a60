#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "analysis_test_stream.h"
#include "pml/analysis.h"

// Known objects of this test binary: one page-aligned array in .bss, one in .data.
extern "C" {
alignas(4096) char pml_test_bss_buffer[3 * 4096];
alignas(4096) int pml_test_data_array[1024] = {1};
}

namespace pml {
namespace {

// MMAP records for this process, as perf would synthesize them.
std::vector<Record> self_maps() {
  std::vector<Record> v;
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    std::istringstream in(line);
    std::string range, perms, off, dev, inode, path;
    in >> range >> perms >> off >> dev >> inode;
    std::getline(in, path);
    path.erase(0, path.find_first_not_of(' '));
    Mmap m;
    m.pid = m.tid = test::kPid;
    auto dash = range.find('-');
    m.start = std::stoull(range.substr(0, dash), nullptr, 16);
    m.len = std::stoull(range.substr(dash + 1), nullptr, 16) - m.start;
    m.pgoff = std::stoull(off, nullptr, 16);
    m.filename = path.empty() ? "//anon" : path;
    v.push_back(m);
  }
  return v;
}

TEST(DataSymbols, NamesBssAndDataObjectsOfTheBinary) {
  auto recs = self_maps();
  auto bss = reinterpret_cast<uint64_t>(pml_test_bss_buffer);
  auto data = reinterpret_cast<uint64_t>(pml_test_data_array);
  recs.push_back(test::page(0, 0, bss));
  recs.push_back(test::page(0, 1, bss + 4096));
  recs.push_back(test::page(1, 0, bss));
  recs.push_back(test::page(1, 1, data));
  auto syms = data_symbols(recs);
  ASSERT_GE(syms.size(), 2u);
  const SymbolUse* b = nullptr;
  const SymbolUse* d = nullptr;
  for (auto& s : syms) {
    if (s.symbol == "pml_test_bss_buffer") b = &s;
    if (s.symbol == "pml_test_data_array") d = &s;
  }
  ASSERT_NE(b, nullptr);
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(b->page_epochs, 3u);
  EXPECT_EQ(b->pages, 2u);
  EXPECT_EQ(d->page_epochs, 1u);
  EXPECT_EQ(d->pages, 1u);
  EXPECT_EQ(syms[0].symbol, "pml_test_bss_buffer");  // most page-epochs first
}

TEST(DataSymbols, HeapAddressesHaveNoSymbol) {
  auto recs = test::make_stream();
  EXPECT_TRUE(data_symbols(recs).empty());
}

}  // namespace
}  // namespace pml
