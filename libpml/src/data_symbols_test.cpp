#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "analysis_test_stream.h"
#include "elf_data_symbols.h"
#include "pml/analysis.h"
#include "test_util.h"

// Known objects of this test binary: one page-aligned array in .bss, one in .data.
extern "C" {
alignas(4096) char pml_test_bss_buffer[3 * 4096];
alignas(4096) int pml_test_data_array[1024] = {1};
}
namespace pml_test_ns {
alignas(4096) long cxx_counters[1024];
}  // namespace pml_test_ns

namespace pml {
namespace {

// The records through a resolver into `d`, as the Analyzer feeds it.
void feed(DataSymbols& d, const std::vector<Record>& records) {
  SampleResolver resolver;
  for_each_resolved(
      resolver, records, [&](const ResolvedSample& s) { d.add(s, resolver.mappings()); },
      [](const Record&) {});
}

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
    auto dash = range.find('-');
    uint64_t start = std::stoull(range.substr(0, dash), nullptr, 16);
    uint64_t end = std::stoull(range.substr(dash + 1), nullptr, 16);
    v.push_back(test::mmap(test::kPid, start, end - start, path.empty() ? "//anon" : path,
                           std::stoull(off, nullptr, 16)));
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

TEST(DataSymbols, CxxObjectInANamespaceIsDemangled) {
  auto recs = self_maps();
  recs.push_back(test::page(0, 0, reinterpret_cast<uint64_t>(&pml_test_ns::cxx_counters[0])));
  bool found = false;
  for (auto& s : data_symbols(recs)) found |= s.symbol == "pml_test_ns::cxx_counters";
  EXPECT_TRUE(found);
}

// One mapping of `path`'s writable segment at 0x5500000000 + its page
// offset, as the loader maps it; a sample on `symbol`'s first page.
std::vector<Record> sample_on(const std::string& path, const ElfDataSymbols& elf,
                              const std::string& symbol) {
  const ElfSegment* data = nullptr;
  for (auto& seg : elf.segments())
    if (seg.writable) data = &seg;
  const ElfDataSymbol* sym = nullptr;
  for (size_t i = 0; i < elf.size(); ++i)
    if (elf.symbol(i).name == symbol) sym = &elf.symbol(i);
  if (!data || !sym) return {};
  const uint64_t pgoff = data->offset & ~0xfffULL;
  Mmap m = test::mmap(test::kPid, 0x5500000000 + pgoff,
                      ((data->offset + data->memsz + 0xfff) & ~0xfffULL) - pgoff, path, pgoff);
  uint64_t bias = m.start - m.pgoff - (data->vaddr - data->offset);
  return {m, test::page(0, 0, sym->start + bias)};
}

TEST(DataSymbols, StrippedBinaryIsNamedFromItsDebugFileByBuildId) {
  auto unstripped = ElfDataSymbols::load(PML_SYMBOLS_TARGET);
  ASSERT_TRUE(unstripped.ok());
  std::string split = PML_SPLIT_DEBUG_DIR;
  std::string stripped = split + "/buildid/pml_symbols_target";
  auto recs = sample_on(stripped, *unstripped, "split_ns::counters");
  ASSERT_EQ(recs.size(), 2u);

  DataSymbols with_root(split + "/root/usr/lib/debug");
  feed(with_root, recs);
  auto got = with_root.result();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].symbol, "split_ns::counters");
  EXPECT_EQ(got[0].file, stripped);
  EXPECT_EQ(got[0].pages, 1u);

  DataSymbols without(split + "/empty");  // control: nothing to find it by
  feed(without, recs);
  EXPECT_TRUE(without.result().empty());
}

TEST(DataSymbols, UnreadableBinaryIsNamedInErrors) {
  std::string path = test::temp_path("corrupt-binary");
  test::write_bytes(path, std::vector<std::byte>(100, std::byte{0x7f}));
  Mmap m = test::mmap(test::kPid, 0x5500000000, 0x1000, path);
  DataSymbols d;
  feed(d, {m, test::page(0, 0, m.start), test::page(1, 0, m.start)});
  EXPECT_TRUE(d.result().empty());
  auto errors = d.errors();
  ASSERT_EQ(errors.size(), 1u);  // once per file, not per sample
  EXPECT_NE(errors[0].find("cannot read ELF file '" + path + "'"), std::string::npos) << errors[0];
}

TEST(DataSymbols, HeapAddressesHaveNoSymbol) {
  auto recs = test::make_stream();
  EXPECT_TRUE(data_symbols(recs).empty());
}

}  // namespace
}  // namespace pml
