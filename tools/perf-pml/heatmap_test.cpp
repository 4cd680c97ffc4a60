#include "heatmap.h"

#include <gtest/gtest.h>

#include <random>
#include <regex>
#include <set>

#include "record_builders.h"
#include "svg_text.h"

namespace perf_pml {
namespace {

using pml::test::mmap;

// A sample of pid at addr; pml_raw: it carries the pml epoch (else it is
// another event's, and the heatmap takes time columns).
pml::Record sample(uint32_t pid, uint64_t addr, uint64_t time, uint64_t epoch = 0,
                   bool pml_raw = false) {
  pml::Sample s = pml::test::sample(pid, pid, time, addr, epoch);
  s.has_pml_raw = pml_raw;
  return s;
}

// Both passes as report runs them: each through a resolver of its own.
void run(Heatmap& h, const std::vector<pml::Record>& recs) {
  pml::SampleResolver layout;
  pml::for_each_resolved(
      layout, recs, [&](const pml::ResolvedSample& s) { h.layout_add(s, layout); },
      [](const pml::Record&) {});
  h.finish_layout();
  pml::SampleResolver paint(pml::SampleFilter{}, pml::PageIds::kSkip);
  pml::for_each_resolved(
      paint, recs, [&](const pml::ResolvedSample& s) { h.paint_add(s); },
      [](const pml::Record&) {});
}

size_t count(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) ++n;
  return n;
}

TEST(Heatmap, CompressesToWrittenExtentAndPlacesCellsInTime) {
  // No epochs in these samples (another event's): time columns.
  std::vector<pml::Record> recs = {mmap(1, 0x100000, 0x100000, "[heap]"),  // 256 pages
                                   mmap(1, 0x7f0000000000, 0x1000000, "//anon")};
  recs.push_back(sample(1, 0x100000 + 16 * 4096, 1000));  // heap: pages 16..31 written
  recs.push_back(sample(1, 0x100000 + 31 * 4096, 2000));
  recs.push_back(sample(1, 0x7f0000000000, 1999));
  recs.push_back(sample(1, 0x7f0000000000, 1000));
  recs.push_back(sample(1, 0x900000, 1500));  // unmapped: no band
  Heatmap h(10, 20);
  run(h, recs);
  EXPECT_FALSE(h.by_epoch());
  ASSERT_EQ(h.regions().size(), 2u);
  const auto& heap = h.regions()[0];
  EXPECT_EQ(heap.lo, 0x100u + 16);
  EXPECT_EQ(heap.hi, 0x100u + 32);
  const auto& anon = h.regions()[1];
  EXPECT_EQ(anon.name, "[anon] 0x7f0000000000-0x7f0001000000");  // as the table spells it
  EXPECT_EQ(anon.hi - anon.lo, 1u);
  EXPECT_EQ(anon.rows, Heatmap::kMinRegionRows);  // room for its label
  // Time span [1000, 2000], 10 columns: t=1000 -> col 0, t=2000 -> col 9.
  EXPECT_EQ(h.cell(heap.row0, 0), 1u);
  EXPECT_EQ(h.cell(heap.row0 + heap.rows - 1, 9), 1u);
  // Time ticks at round times: span 1001 ns, >= 64 px apart on 800 px.
  std::string svg = h.svg("t");
  EXPECT_NE(svg.find("class=\"xlabel\">0.0000000s<"), std::string::npos);
  EXPECT_NE(svg.find("class=\"xlabel\">0.0000001s<"), std::string::npos);
  // The one written page of the anon band fills all its rows.
  for (int row = anon.row0; row < anon.row0 + anon.rows; ++row) {
    EXPECT_EQ(h.cell(row, 0), 1u);
    EXPECT_EQ(h.cell(row, 9), 1u);
  }
}

TEST(Heatmap, ColumnsAreWholeEpochs) {
  std::vector<pml::Record> recs = {mmap(1, 0x100000, 0x100000, "[heap]")};
  for (uint64_t e = 5; e < 15; ++e) recs.push_back(sample(1, 0x100000, 1000 + e * 7, e, true));
  Heatmap h(400);
  run(h, recs);
  ASSERT_TRUE(h.by_epoch());
  EXPECT_EQ(h.columns(), 10);  // epochs 5..14, one column each
  EXPECT_EQ(h.epochs_per_column(), 1u);
  EXPECT_EQ(h.first_epoch(), 5u);
  for (int c = 0; c < 10; ++c) EXPECT_EQ(h.cell(0, c), 1u) << c;

  // 1000 epochs in at most 400 columns: 3 epochs per column, never a
  // column that splits an epoch.
  std::vector<pml::Record> many = {mmap(1, 0x100000, 0x100000, "[heap]")};
  for (uint64_t e = 0; e < 1000; ++e) many.push_back(sample(1, 0x100000, 1000 + e, e, true));
  Heatmap g(400);
  run(g, many);
  EXPECT_EQ(g.epochs_per_column(), 3u);
  EXPECT_EQ(g.columns(), 334);
  EXPECT_EQ(g.column_of(0, 0), 0);
  EXPECT_EQ(g.column_of(2, 0), 0);
  EXPECT_EQ(g.column_of(3, 0), 1);
  EXPECT_EQ(g.column_of(999, 0), 333);
  EXPECT_EQ(g.cell(0, 0), 3u);
  EXPECT_EQ(g.cell(0, 333), 1u);  // epoch 999 alone
}

TEST(Heatmap, BandsInAddressOrderWithOneLabelEach) {
  // Written in an order unlike the addresses; a binary with a text and a
  // data mapping; the same library in two processes.
  std::vector<pml::Record> recs = {
      mmap(1, 0x7f0000000000, 0x10000, "/usr/lib/libfoo.so"),
      mmap(1, 0x7f0000010000, 0x10000, "/usr/lib/libfoo.so"),
      mmap(1, 0x555500000000, 0x4000, "/usr/bin/app"),
      mmap(1, 0x555500004000, 0x4000, "/usr/bin/app"),
      mmap(1, 0x555600000000, 0x21000, "[heap]"),
      mmap(2, 0x7f0000000000, 0x10000, "/usr/lib/libfoo.so"),
  };
  recs.push_back(sample(1, 0x7f0000011000, 1, 0, true));
  recs.push_back(sample(1, 0x555600001000, 2, 0, true));
  recs.push_back(sample(1, 0x555500005000, 3, 1, true));
  recs.push_back(sample(1, 0x555500001000, 4, 1, true));
  recs.push_back(sample(2, 0x7f0000001000, 5, 1, true));
  Heatmap h;
  run(h, recs);
  std::vector<std::string> names;
  for (auto& r : h.regions()) names.push_back(r.name);
  EXPECT_EQ(names, (std::vector<std::string>{"/usr/bin/app", "[heap]",
                                             "/usr/lib/libfoo.so (pid 1)",
                                             "/usr/lib/libfoo.so (pid 2)"}));
  EXPECT_EQ(h.regions()[0].lo, 0x555500001u);  // both mappings of the binary
  EXPECT_EQ(h.regions()[0].hi, 0x555500006u);

  std::string svg = h.svg("pml/epoch=10/");
  std::regex label("<text [^>]*class=\"label\">([^<]*)</text>");
  std::vector<std::string> labels;
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), label); it != std::sregex_iterator();
       ++it)
    labels.push_back((*it)[1]);
  EXPECT_EQ(labels, names);
  // One band per region, each with its address range; the legend and the
  // axis titles; one PNG for the cells.
  EXPECT_EQ(count(svg, "<g class=\"region\""), 4u);
  EXPECT_NE(svg.find("data-lo=\"0x555500001000\" data-hi=\"0x555500006000\""), std::string::npos);
  EXPECT_EQ(count(svg, "<g class=\"legend\">"), 1u);
  EXPECT_NE(svg.find(">samples</text>"), std::string::npos);
  EXPECT_EQ(count(svg, "class=\"axis-title\""), 3u);  // mapping, address, epoch
  EXPECT_GE(count(svg, "class=\"addr\""), 4u);
  EXPECT_EQ(count(svg, "<image class=\"cells\""), 1u);
  EXPECT_NE(svg.find("xlink:href=\"data:image/png;base64,iVBORw0KGgo"), std::string::npos);
}

TEST(Heatmap, HostileNamesAreEscapedAndValidUtf8) {
  const std::string hostile = "/tmp/a<b>&c\"d'\xff\xfe\x01.so";
  std::vector<pml::Record> recs = {mmap(1, 0x400000, 0x1000, hostile)};
  recs.push_back(sample(1, 0x400000, 1, 0, true));
  Heatmap h;
  run(h, recs);
  std::string svg = h.svg("pml/<x>&\xc3\x28/");
  EXPECT_EQ(svg, valid_utf8(svg));  // nothing invalid was let through
  EXPECT_EQ(svg.find("<b>"), std::string::npos);
  EXPECT_EQ(svg.find("<x>"), std::string::npos);
  EXPECT_EQ(svg.find('\x01'), std::string::npos);
  EXPECT_NE(svg.find("/tmp/a&lt;b&gt;&amp;c&quot;d'\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD.so"),
            std::string::npos);
  EXPECT_NE(svg.find("<title>Written pages over time: pml/&lt;x&gt;&amp;\xEF\xBF\xBD(/</title>"),
            std::string::npos);
}

TEST(Heatmap, BoundedSizeForAnyInput) {
  // 300 mappings, random pages in 5000 epochs: the worst case for
  // compression. Only kMaxRegions bands are drawn; the file stays small.
  std::vector<pml::Record> recs;
  for (uint64_t m = 0; m < 300; ++m)
    recs.push_back(mmap(1, 0x10000000000 + m * 0x100000000, 0x100000000,
                           "/lib/lib" + std::to_string(m) + ".so"));
  std::mt19937_64 rng(1);
  for (int i = 0; i < 400000; ++i) {
    uint64_t m = rng() % 300, page = rng() % 0x100000, epoch = rng() % 5000;
    recs.push_back(sample(1, 0x10000000000 + m * 0x100000000 + page * 4096, epoch * 1000, epoch, true));
  }
  Heatmap h;
  run(h, recs);
  EXPECT_EQ(h.regions().size(), size_t(Heatmap::kMaxRegions));
  EXPECT_EQ(h.hidden_regions(), 300u - Heatmap::kMaxRegions);
  std::string svg = h.svg("pml/epoch=1/");
  EXPECT_LT(svg.size(), 1000000u);
  EXPECT_NE(svg.find("260 more mappings with"), std::string::npos);
}

TEST(Heatmap, DrawsWhatTheResolverKept) {
  // The heatmap looks nothing up: it draws the samples the resolve step
  // kept (here by pid), under the names that step gave their mappings.
  std::vector<pml::Record> recs = {mmap(1, 0x100000, 0x10000, "[heap]"),
                                   mmap(2, 0x100000, 0x10000, "[heap]"),
                                   mmap(2, 0x7f0000000000, 0x10000, "//anon")};
  for (uint64_t e = 0; e < 3; ++e) {
    recs.push_back(sample(1, 0x100000 + e * 4096, e, e, true));
    recs.push_back(sample(2, 0x7f0000000000, e, e, true));
  }
  pml::SampleFilter only_2;
  only_2.pids = {2};
  Heatmap h;
  pml::SampleResolver layout(only_2);
  size_t kept = 0;
  pml::for_each_resolved(
      layout, recs,
      [&](const pml::ResolvedSample& s) {
        ++kept;
        h.layout_add(s, layout);
      },
      [](const pml::Record&) {});
  h.finish_layout();
  pml::SampleResolver paint(only_2, pml::PageIds::kSkip);
  pml::for_each_resolved(
      paint, recs, [&](const pml::ResolvedSample& s) { h.paint_add(s); },
      [](const pml::Record&) {});
  EXPECT_EQ(kept, 3u);
  ASSERT_EQ(h.regions().size(), 1u);
  EXPECT_EQ(h.regions()[0].pid, 2u);
  EXPECT_EQ(h.regions()[0].name, layout.mapping_name(1));  // the resolver's first name
  EXPECT_EQ(h.regions()[0].name, "[anon] 0x7f0000000000-0x7f0000010000");
  ASSERT_EQ(h.columns(), 3);
  for (int c = 0; c < 3; ++c) EXPECT_EQ(h.cell(0, c), 1u) << c;
}

TEST(Heatmap, NoWrittenMappingStillGivesAPicture) {
  Heatmap h;
  run(h, {sample(1, 0x900000, 5)});  // no mapping covers it
  EXPECT_TRUE(h.regions().empty());
  std::string svg = h.svg("t");
  EXPECT_NE(svg.find("0 samples in 0 mappings"), std::string::npos);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
}

TEST(SvgText, ValidUtf8AndElision) {
  EXPECT_EQ(valid_utf8("caf\xc3\xa9"), "caf\xc3\xa9");
  EXPECT_EQ(valid_utf8("\xc0\xaf"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong
  EXPECT_EQ(valid_utf8("\xed\xa0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
  EXPECT_EQ(valid_utf8("a\tb\nc\x1b"), "a\tb\nc\xEF\xBF\xBD");
  EXPECT_EQ(xml_escape("<a & \"b\">"), "&lt;a &amp; &quot;b&quot;&gt;");
  EXPECT_EQ(elide_front("/usr/lib/x86_64-linux-gnu/libc.so.6", 12), "...libc.so.6");
  EXPECT_EQ(elide_front("short", 12), "short");
  EXPECT_EQ(elide_front("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 4), "...\xc3\xa9");
  EXPECT_EQ(utf8_length("\xc3\xa9x"), 2u);
}

}  // namespace
}  // namespace perf_pml
