#include "proc_maps.h"

#include <gtest/gtest.h>
#include <sys/mman.h>

namespace pml::soft {
namespace {

TEST(ProcMaps, ParsesLinesWithAndWithoutPath) {
  auto vmas = parse_vmas(
      "55d0c0a00000-55d0c0a21000 rw-p 00000000 00:00 0                          [heap]\n"
      "7f1e2c000000-7f1e2c021000 rw-s 00001000 fe:01 1234                       /tmp/a file\n"
      "7f1e2d000000-7f1e2d001000 r-xp 00000000 00:00 0 \n"
      "7f1e2e000000-7f1e2e001000 ---p 00000000 00:00 0\n");
  ASSERT_TRUE(vmas.ok()) << vmas.error().to_string();
  ASSERT_EQ(vmas->size(), 4u);
  const Vma& heap = (*vmas)[0];
  EXPECT_EQ(heap.start, 0x55d0c0a00000u);
  EXPECT_EQ(heap.end, 0x55d0c0a21000u);
  EXPECT_TRUE(heap.readable && heap.writable && !heap.executable && !heap.shared);
  EXPECT_EQ(heap.path, "[heap]");
  const Vma& file = (*vmas)[1];
  EXPECT_TRUE(file.shared);
  EXPECT_EQ(file.offset, 0x1000u);
  EXPECT_EQ(file.inode, 1234u);
  EXPECT_EQ(file.path, "/tmp/a file");
  EXPECT_TRUE((*vmas)[2].executable);
  EXPECT_EQ((*vmas)[2].path, "");
  EXPECT_EQ((*vmas)[3].path, "");
  EXPECT_FALSE((*vmas)[3].readable);
}

TEST(ProcMaps, RejectsMalformedLine) {
  EXPECT_FALSE(parse_vmas("not a maps line\n").ok());
  EXPECT_FALSE(parse_vmas("2000-1000 rw-p 00000000 00:00 0\n").ok());
}

TEST(ProcMaps, TrackableMeansWritableOrdinaryMemory) {
  Vma vma;
  vma.writable = true;
  EXPECT_TRUE(is_trackable(vma));
  vma.path = "[vvar]";
  EXPECT_FALSE(is_trackable(vma));
  vma.path = "";
  vma.writable = false;
  EXPECT_FALSE(is_trackable(vma));
}

TEST(ProcMaps, FindsOwnMapping) {
  const size_t len = 3 * 4096;
  void* p = mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(p, MAP_FAILED);
  auto vmas = read_vmas(0);
  ASSERT_TRUE(vmas.ok()) << vmas.error().to_string();
  uint64_t addr = reinterpret_cast<uintptr_t>(p);
  bool found = false;
  for (const Vma& vma : *vmas) {
    if (vma.start <= addr && addr + len <= vma.end) found = vma.writable && !vma.shared;
  }
  EXPECT_TRUE(found);
  munmap(p, len);
}

}  // namespace
}  // namespace pml::soft
