#include "heatmap.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace perf_pml {
namespace {

TEST(Heatmap, CompressesToWrittenExtentAndPlacesCells) {
  pml::Mmap a;
  a.pid = a.tid = 1;
  a.start = 0x100000;
  a.len = 0x100000;  // 256 pages, only pages 16..31 written
  a.filename = "[heap]";
  pml::Mmap b = a;
  b.start = 0x7f0000000000;
  b.len = 0x1000000;
  b.filename = "//anon";
  std::vector<pml::Record> recs = {a, b};
  auto smp = [](uint64_t addr, uint64_t t) {
    pml::Sample s;
    s.pid = s.tid = 1;
    s.addr = addr;
    s.time = t;
    return pml::Record(s);
  };
  recs.push_back(smp(0x100000 + 16 * 4096, 1000));
  recs.push_back(smp(0x100000 + 31 * 4096, 2000));
  recs.push_back(smp(0x7f0000000000, 1999));
  recs.push_back(smp(0x7f0000000000, 1000));
  recs.push_back(smp(0x900000, 1500));  // unmapped: no row
  Heatmap h(10, 20);
  for (auto& r : recs) h.layout_add(r);
  h.finish_layout();
  for (auto& r : recs) h.paint_add(r);
  ASSERT_EQ(h.regions().size(), 2u);
  const auto& heap = h.regions()[0];
  EXPECT_EQ(heap.lo, 0x100u + 16);
  EXPECT_EQ(heap.hi, 0x100u + 32);
  const auto& anon = h.regions()[1];
  EXPECT_EQ(anon.hi - anon.lo, 1u);
  EXPECT_EQ(anon.rows, 6);  // at least 6 rows per region, for its label
  // Time span [1000, 2000], 10 columns: t=1000 -> col 0, t=2000 -> col 9.
  EXPECT_EQ(h.cell(heap.row0, 0), 1u);
  EXPECT_EQ(h.cell(heap.row0 + heap.rows - 1, 9), 1u);
  EXPECT_EQ(h.cell(anon.row0, 0), 1u);
  EXPECT_EQ(h.cell(anon.row0, 9), 1u);

  std::string path = "/tmp/pml-heatmap-test-" + std::to_string(getpid()) + ".svg";
  ASSERT_TRUE(h.write_svg(path, "t").ok());
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  EXPECT_NE(ss.str().find("<svg"), std::string::npos);
  EXPECT_NE(ss.str().find("[heap]"), std::string::npos);
  EXPECT_NE(ss.str().find("</svg>"), std::string::npos);
  unlink(path.c_str());
}

}  // namespace
}  // namespace perf_pml
