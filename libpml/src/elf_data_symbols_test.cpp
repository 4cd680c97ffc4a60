#include "elf_data_symbols.h"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>

#include "test_util.h"

namespace pml {
namespace {

const std::string kTarget = PML_SYMBOLS_TARGET;
const std::string kSplit = PML_SPLIT_DEBUG_DIR;
const std::string kName = "pml_symbols_target";

const ElfDataSymbol* find(const ElfDataSymbols& e, const std::string& name) {
  for (size_t i = 0; i < e.size(); ++i)
    if (e.symbol(i).name == name) return &e.symbol(i);
  return nullptr;
}

TEST(Demangle, CxxNamesAndPlainNames) {
  EXPECT_EQ(demangle("_ZN8split_ns8countersE"), "split_ns::counters");
  EXPECT_EQ(demangle("_ZN12_GLOBAL__N_111local_tableE"), "(anonymous namespace)::local_table");
  EXPECT_EQ(demangle("pml_test_bss_buffer"), "pml_test_bss_buffer");
  EXPECT_EQ(demangle("_Z"), "_Z");  // not a valid mangled name: kept as is
  EXPECT_EQ(demangle(""), "");
}

TEST(ElfDataSymbols, NamesTheTargetsObjectsDemangled) {
  auto e = ElfDataSymbols::load(kTarget);
  ASSERT_TRUE(e.ok()) << e.error().to_string();
  const ElfDataSymbol* c = find(*e, "split_ns::counters");
  const ElfDataSymbol* l = find(*e, "(anonymous namespace)::local_table");
  ASSERT_NE(c, nullptr);
  ASSERT_NE(l, nullptr);
  EXPECT_EQ(c->end - c->start, 1024 * sizeof(long));
  EXPECT_EQ(l->end - l->start, 2 * 4096u);
  EXPECT_EQ(c->start % 4096, 0u);
  EXPECT_EQ(e->debug_file(), "");  // its own .symtab
  bool writable_load = false;
  for (auto& s : e->segments()) writable_load |= s.writable;
  EXPECT_TRUE(writable_load);
}

// The stripped copies must give the same objects at the same addresses as
// the unstripped binary, from the debug file that the lookup found.
void expect_same_objects(const ElfDataSymbols& got) {
  auto want = ElfDataSymbols::load(kTarget);
  ASSERT_TRUE(want.ok());
  for (const char* name : {"split_ns::counters", "(anonymous namespace)::local_table"}) {
    const ElfDataSymbol* w = find(*want, name);
    const ElfDataSymbol* g = find(got, name);
    ASSERT_NE(w, nullptr) << name;
    ASSERT_NE(g, nullptr) << name;
    EXPECT_EQ(g->start, w->start) << name;
    EXPECT_EQ(g->end, w->end) << name;
  }
}

TEST(ElfDataSymbols, StrippedBinaryWithoutItsDebugFileHasNoObjects) {
  auto e = ElfDataSymbols::load(kSplit + "/buildid/" + kName, kSplit + "/empty");
  ASSERT_TRUE(e.ok()) << e.error().to_string();
  EXPECT_EQ(find(*e, "split_ns::counters"), nullptr);
  EXPECT_EQ(e->debug_file(), "");
}

TEST(ElfDataSymbols, FindsTheDebugFileByBuildId) {
  std::string root = kSplit + "/root/usr/lib/debug";
  auto e = ElfDataSymbols::load(kSplit + "/buildid/" + kName, root);
  ASSERT_TRUE(e.ok()) << e.error().to_string();
  expect_same_objects(*e);
  EXPECT_EQ(e->debug_file().rfind(root + "/.build-id/", 0), 0u) << e->debug_file();
}

TEST(ElfDataSymbols, FindsTheDebugFileByDebuglink) {
  // ":.debug": the binary's own directory, then its .debug/; no absolute
  // directory, so no build-id lookup.
  auto e = ElfDataSymbols::load(kSplit + "/debuglink/" + kName, ":.debug");
  ASSERT_TRUE(e.ok()) << e.error().to_string();
  expect_same_objects(*e);
  EXPECT_EQ(e->debug_file(), kSplit + "/debuglink/" + kName + ".debug");
}

std::vector<char> read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

void write_file(const std::string& path, const std::vector<char>& bytes) {
  std::ofstream(path, std::ios::binary).write(bytes.data(), std::streamsize(bytes.size()));
}

TEST(ElfDataSymbols, NotAnElfFileIsAClearError) {
  std::string path = test::temp_path("not-elf.so");
  write_file(path, {'h', 'e', 'l', 'l', 'o', '\n'});
  auto e = ElfDataSymbols::load(path);
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.error().message.find("cannot read ELF file '" + path + "'"), std::string::npos)
      << e.error().message;
  std::string empty = test::temp_path("empty.so");
  write_file(empty, {});
  auto e2 = ElfDataSymbols::load(empty);
  ASSERT_FALSE(e2.ok());
  EXPECT_NE(e2.error().message.find(empty), std::string::npos) << e2.error().message;
}

TEST(ElfDataSymbols, DirectoryIsAClearError) {
  auto e = ElfDataSymbols::load(kSplit);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().message, "'" + kSplit + "' is not a regular file");
}

// Headers that point outside the file, in every field that sizes a read:
// an error or no objects, never a crash or an object from nowhere.
TEST(ElfDataSymbols, CorruptHeadersGiveAnErrorOrNothing) {
  const std::vector<char> good = read_file(kTarget);
  ASSERT_GT(good.size(), 64u);
  struct Patch {
    const char* what;
    size_t offset, size;
    uint64_t value;
  };
  // Elf64_Ehdr: e_phoff 32, e_shoff 40, e_phentsize 54, e_phnum 56,
  // e_shentsize 58, e_shnum 60, e_shstrndx 62.
  const Patch patches[] = {
      {"e_shoff past the end", 40, 8, 0xfffffffffffff000ULL},
      {"e_phoff past the end", 32, 8, 0xfffffffffffff000ULL},
      {"e_shnum huge", 60, 2, 0xffff},
      {"e_phnum huge", 56, 2, 0xffff},
      {"e_shentsize wrong", 58, 2, 7},
      {"e_shstrndx out of range", 62, 2, 0xfffe},
  };
  for (const auto& p : patches) {
    std::vector<char> bad = good;
    std::memcpy(bad.data() + p.offset, &p.value, p.size);
    std::string path = test::temp_path("corrupt.elf");
    write_file(path, bad);
    auto e = ElfDataSymbols::load(path);
    if (e.ok()) {
      for (size_t i = 0; i < e->size(); ++i)
        EXPECT_LE(e->symbol(i).start, e->symbol(i).end) << p.what;
    } else {
      EXPECT_NE(e.error().message.find(path), std::string::npos) << p.what;
    }
  }
  // Truncated: only the first page of the binary.
  std::string path = test::temp_path("truncated.elf");
  write_file(path, std::vector<char>(good.begin(), good.begin() + 4096));
  auto e = ElfDataSymbols::load(path);
  if (e.ok()) {
    EXPECT_EQ(find(*e, "split_ns::counters"), nullptr);
  }
}

TEST(ElfDataSymbols, RelocatableObjectIsRefused) {
  // What the fuzzer found: a corrupt ET_REL file that crashed elfutils'
  // in-memory reader. Only executables and shared objects are read.
  std::vector<char> rel = read_file(kTarget);
  rel.resize(1182);
  rel[16] = 1;  // e_type = ET_REL
  rel[17] = 0;
  std::string path = test::temp_path("rel.o");
  write_file(path, rel);
  auto e = ElfDataSymbols::load(path);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().message,
            "cannot read ELF file '" + path + "': not an executable or shared object (type 1)");
}

}  // namespace
}  // namespace pml
