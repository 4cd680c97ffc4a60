#include "pml/synthesize.h"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

namespace pml {
namespace {

TEST(ParseProcMaps, KeepsFieldsAndNamesAnon) {
  const char* text =
      "55d0c0a00000-55d0c0a21000 rw-p 00000000 00:00 0                          [heap]\n"
      "7f1a2b000000-7f1a2b022000 r-xp 00028000 08:01 1234567                    /usr/lib/libc.so.6\n"
      "7f1a2c000000-7f1a2c004000 rw-s 00000000 00:05 42                         /dev/shm/x (deleted)\n"
      "7f1a2d000000-7f1a2d100000 rw-p 00000000 00:00 0 \n";
  auto maps = parse_proc_maps(text, 77, 5);
  ASSERT_EQ(maps.size(), 4u);
  EXPECT_EQ(maps[0].filename, "[heap]");
  EXPECT_EQ(maps[0].start, 0x55d0c0a00000u);
  EXPECT_EQ(maps[0].len, 0x21000u);
  EXPECT_EQ(maps[0].prot, 3u);
  EXPECT_TRUE(maps[0].data);
  EXPECT_EQ(maps[1].filename, "/usr/lib/libc.so.6");
  EXPECT_EQ(maps[1].pgoff, 0x28000u);
  EXPECT_EQ(maps[1].maj, 8u);
  EXPECT_EQ(maps[1].min, 1u);
  EXPECT_EQ(maps[1].ino, 1234567u);
  EXPECT_EQ(maps[1].prot, 5u);
  EXPECT_FALSE(maps[1].data);
  EXPECT_EQ(maps[2].filename, "/dev/shm/x (deleted)");
  EXPECT_EQ(maps[2].flags, 1u);
  EXPECT_EQ(maps[3].filename, "//anon");
  EXPECT_EQ(maps[3].pid, 77u);
  EXPECT_EQ(maps[3].sid.time, 5u);
}

TEST(MapsWatcher, ReportsOnlyNewMappings) {
  MapsWatcher w(getpid());
  auto first = w.poll(1);
  ASSERT_TRUE(first.ok());
  EXPECT_GT(first->size(), 3u);
  void* p = mmap(nullptr, 5 * 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(p, MAP_FAILED);
  auto second = w.poll(2);
  munmap(p, 5 * 4096);
  ASSERT_TRUE(second.ok());
  bool found = false;
  for (auto& m : *second) {
    if (m.start <= uint64_t(p) && uint64_t(p) + 5 * 4096 <= m.start + m.len) found = true;
    // Unchanged mappings (the test binary's own) are not repeated.
    EXPECT_EQ(m.filename.find("libpml_tests"), std::string::npos) << m.filename;
  }
  EXPECT_TRUE(found);
}

TEST(ReadProcComms, MainThreadFirst) {
  auto c = read_proc_comms(getpid(), 1);
  ASSERT_TRUE(c.ok());
  ASSERT_GE(c->size(), 1u);
  EXPECT_EQ((*c)[0].tid, uint32_t(getpid()));
  EXPECT_FALSE((*c)[0].comm.empty());
}

}  // namespace
}  // namespace pml
