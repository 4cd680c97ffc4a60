#include "options.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>

namespace perf_pml {
namespace {

// Runs a parse with stderr captured; returns what it printed.
std::string parse_stderr(OptionParser& p, const std::vector<std::string>& args, bool* ok,
                         std::vector<std::string>* rest = nullptr) {
  std::vector<std::string> unused;
  fflush(stderr);
  FILE* tmp = std::tmpfile();
  int saved = dup(STDERR_FILENO);
  dup2(fileno(tmp), STDERR_FILENO);
  *ok = p.parse(args, rest ? rest : &unused, rest != nullptr);
  fflush(stderr);
  dup2(saved, STDERR_FILENO);
  close(saved);
  std::string text;
  std::rewind(tmp);
  for (int c; (c = std::fgetc(tmp)) != EOF;) text += char(c);
  std::fclose(tmp);
  return text;
}

TEST(OptionParser, ShortLongAndEqualsForms) {
  std::string out, event;
  bool quiet = false;
  OptionParser p("record", "x");
  p.value('o', "output", "file", "", &out);
  p.value('e', "event", "e", "", &event);
  p.flag('q', "quiet", "", &quiet);
  std::vector<std::string> rest;
  ASSERT_TRUE(p.parse({"-o", "a.data", "--event=pml//", "-q", "--", "ls", "-l"}, &rest, true));
  EXPECT_EQ(out, "a.data");
  EXPECT_EQ(event, "pml//");
  EXPECT_TRUE(quiet);
  EXPECT_EQ(rest, (std::vector<std::string>{"ls", "-l"}));

  OptionParser p2("record", "x");
  p2.value('o', "output", "file", "", &out);
  ASSERT_TRUE(p2.parse({"-ob.data", "--output", "c.data", "sleep", "1"}, &rest, true));
  EXPECT_EQ(out, "c.data");
  EXPECT_EQ(rest, (std::vector<std::string>{"sleep", "1"}));
}

TEST(OptionParser, ClusteredShortFlagsAndAValueLast) {
  bool q = false, s = false;
  std::string out;
  OptionParser p("script", "x");
  p.flag('q', "quiet", "", &q);
  p.flag('S', "samples-only", "", &s);
  p.value('o', "output", "file", "", &out);
  std::vector<std::string> rest;
  ASSERT_TRUE(p.parse({"-qSo", "f.data"}, &rest, false));
  EXPECT_TRUE(q);
  EXPECT_TRUE(s);
  EXPECT_EQ(out, "f.data");
}

TEST(OptionParser, UniquePrefixOfALongNameLikePerf) {
  uint64_t limit = 0;
  bool stdio = false, json = false;
  OptionParser p("report", "x");
  p.number(0, "limit", "n", "", &limit);
  p.flag(0, "stdio", "", &stdio);
  p.flag(0, "stdio-color", "", &json);
  std::vector<std::string> rest;
  ASSERT_TRUE(p.parse({"--lim=3"}, &rest, false));
  EXPECT_EQ(limit, 3u);
  ASSERT_TRUE(p.parse({"--stdio"}, &rest, false));  // exact match beats the longer one
  EXPECT_TRUE(stdio);
  bool ok = true;
  std::string err = parse_stderr(p, {"--std"}, &ok);
  EXPECT_FALSE(ok);
  EXPECT_NE(err.find("perf pml report: error: ambiguous option '--std' (could be --stdio or "
                     "--stdio-color)"),
            std::string::npos)
      << err;
}

TEST(OptionParser, RejectsUnknownAndMissingValues) {
  std::string out;
  OptionParser p("report", "x");
  p.value('i', "input", "file", "", &out);
  bool ok = true;
  EXPECT_NE(
      parse_stderr(p, {"--bogus"}, &ok).find("perf pml report: error: unknown option '--bogus'"),
      std::string::npos);
  EXPECT_FALSE(ok);
  EXPECT_NE(parse_stderr(p, {"-i"}, &ok).find("error: switch '-i' requires a value"),
            std::string::npos);
  EXPECT_FALSE(ok);
  EXPECT_NE(parse_stderr(p, {"stray"}, &ok).find("error: unexpected argument 'stray'"),
            std::string::npos);
  EXPECT_FALSE(ok);
  EXPECT_NE(parse_stderr(p, {"--=x"}, &ok).find("error: unknown option '--'"), std::string::npos);
  EXPECT_FALSE(ok);
}

TEST(OptionParser, FlagsTakeNoValue) {
  bool stdio = false, s = false;
  OptionParser p("report", "x");
  p.flag(0, "stdio", "", &stdio);
  p.flag('S', "samples-only", "", &s);
  bool ok = true;
  std::string err = parse_stderr(p, {"--stdio=1"}, &ok);
  EXPECT_FALSE(ok);
  EXPECT_NE(err.find("perf pml report: error: option '--stdio' takes no value"), std::string::npos)
      << err;
  EXPECT_FALSE(stdio);
  err = parse_stderr(p, {"-S=1"}, &ok);
  EXPECT_FALSE(ok);
  EXPECT_NE(err.find("error: switch '-S' takes no value"), std::string::npos) << err;
}

TEST(OptionParser, BadNumberNamesTheValueTheOptionAndWhy) {
  uint64_t limit = 7;
  OptionParser p("report", "perf pml report [<options>]");
  p.number(0, "limit", "n", "print at most n rows", &limit);
  bool ok = true;
  std::string err = parse_stderr(p, {"--limit", "abc"}, &ok);
  EXPECT_FALSE(ok);
  EXPECT_EQ(limit, 7u);
  // The error, then perf's usage line and the one option at fault.
  EXPECT_EQ(err,
            "perf pml report: error: invalid value 'abc' for --limit: not a number\n"
            "\n Usage: perf pml report [<options>]\n\n"
            "        --limit <n>                print at most n rows\n\n");
}

TEST(OptionParser, ChecksRunAfterAllOptions) {
  bool a = false, b = false;
  OptionParser p("report", "x");
  p.flag(0, "json", "", &a);
  p.flag(0, "csv", "", &b);
  p.check([&] { return a && b ? std::string("--json and --csv are exclusive") : std::string(); });
  bool ok = true;
  std::string err = parse_stderr(p, {"--json", "--csv"}, &ok);
  EXPECT_FALSE(ok);
  EXPECT_NE(err.find("perf pml report: error: --json and --csv are exclusive"), std::string::npos);
  OptionParser p2("report", "x");
  p2.flag(0, "json", "", &a);
  p2.check([] { return std::string(); });
  std::vector<std::string> rest;
  EXPECT_TRUE(p2.parse({"--json"}, &rest, false));
}

TEST(ParseNumber, StrictDecimalAndHex) {
  uint64_t v = 99;
  EXPECT_EQ(parse_number("42", 0, 100, &v), "");
  EXPECT_EQ(v, 42u);
  EXPECT_EQ(parse_number("0x10", 0, 100, &v), "");
  EXPECT_EQ(v, 16u);
  v = 99;
  EXPECT_EQ(parse_number("abc", 0, 100, &v), "not a number");
  EXPECT_EQ(parse_number("12abc", 0, 100, &v), "not a number");
  EXPECT_EQ(parse_number(" 12", 0, 100, &v), "not a number");
  EXPECT_EQ(parse_number("-1", 0, 100, &v), "not a number");
  EXPECT_EQ(parse_number("+1", 0, 100, &v), "not a number");
  EXPECT_EQ(parse_number("", 0, 100, &v), "empty, expected a number");
  EXPECT_EQ(parse_number("101", 0, 100, &v), "out of range, expected 0 to 100");
  EXPECT_EQ(parse_number("0", 1, UINT64_MAX, &v), "out of range, expected at least 1");
  EXPECT_EQ(parse_number("99999999999999999999", 0, UINT64_MAX, &v),
            "out of range, expected at least 0");
  EXPECT_EQ(v, 99u);  // untouched by every refusal
}

TEST(ParseFraction, OnlyAboveZeroUpToOne) {
  double f = 9;
  EXPECT_EQ(parse_fraction("0.25", &f), "");
  EXPECT_DOUBLE_EQ(f, 0.25);
  EXPECT_EQ(parse_fraction(".5", &f), "");
  EXPECT_DOUBLE_EQ(f, 0.5);
  EXPECT_EQ(parse_fraction("1", &f), "");
  EXPECT_DOUBLE_EQ(f, 1.0);
  f = 9;
  EXPECT_NE(parse_fraction("abc", &f), "");
  EXPECT_NE(parse_fraction("0", &f), "");
  EXPECT_NE(parse_fraction("1.5", &f), "");
  EXPECT_NE(parse_fraction("0.5x", &f), "");
  EXPECT_NE(parse_fraction("nan", &f), "");
  EXPECT_NE(parse_fraction("inf", &f), "");
  EXPECT_NE(parse_fraction("1e-1", &f), "");
  EXPECT_NE(parse_fraction(".", &f), "");
  EXPECT_DOUBLE_EQ(f, 9);
}

TEST(ParseDuration, Units) {
  uint64_t ms = 0;
  EXPECT_EQ(parse_duration_ms("100ms", &ms), "");
  EXPECT_EQ(ms, 100u);
  EXPECT_EQ(parse_duration_ms("2s", &ms), "");
  EXPECT_EQ(ms, 2000u);
  EXPECT_EQ(parse_duration_ms("1.5s", &ms), "");
  EXPECT_EQ(ms, 1500u);
  EXPECT_EQ(parse_duration_ms("1.1s", &ms), "");  // exact, no binary rounding
  EXPECT_EQ(ms, 1100u);
  EXPECT_EQ(parse_duration_ms("2m", &ms), "");
  EXPECT_EQ(ms, 120000u);
  EXPECT_EQ(parse_duration_ms("250", &ms), "");
  EXPECT_EQ(ms, 250u);
  EXPECT_EQ(parse_duration_ms("0", &ms), "");
  EXPECT_EQ(ms, 0u);
  EXPECT_EQ(parse_duration_ms("4294967295", &ms), "");
  EXPECT_EQ(ms, 4294967295u);
  ms = 7;
  EXPECT_NE(parse_duration_ms("fast", &ms), "");
  EXPECT_NE(parse_duration_ms("10parsecs", &ms), "");
  EXPECT_NE(parse_duration_ms("-1s", &ms), "");
  EXPECT_NE(parse_duration_ms("4294967296", &ms), "");
  EXPECT_NE(parse_duration_ms("0.5", &ms), "");  // half a millisecond
  EXPECT_EQ(parse_duration_ms("500us", &ms), "below a millisecond: epochs are whole milliseconds");
  EXPECT_EQ(ms, 7u);
}

TEST(ParseMmapPages, PagesOrSizesRoundedUpToAPowerOfTwoLikePerf) {
  uint64_t pages = 0;
  bool rounded = true;
  EXPECT_EQ(parse_mmap_pages("512", 4096, &pages, &rounded), "");
  EXPECT_EQ(pages, 512u);
  EXPECT_FALSE(rounded);
  EXPECT_EQ(parse_mmap_pages("512K", 4096, &pages, &rounded), "");
  EXPECT_EQ(pages, 128u);
  EXPECT_EQ(parse_mmap_pages("4M", 4096, &pages, &rounded), "");
  EXPECT_EQ(pages, 1024u);
  EXPECT_EQ(parse_mmap_pages("3", 4096, &pages, &rounded), "");  // perf: 4 pages
  EXPECT_EQ(pages, 4u);
  EXPECT_TRUE(rounded);
  EXPECT_EQ(parse_mmap_pages("5000K", 4096, &pages, &rounded), "");  // perf: 8M, 2048 pages
  EXPECT_EQ(pages, 2048u);
  EXPECT_EQ(parse_mmap_pages("100B", 4096, &pages, &rounded), "");  // a part of a page is one
  EXPECT_EQ(pages, 1u);
  pages = 77;
  EXPECT_NE(parse_mmap_pages("abc", 4096, &pages, &rounded), "");
  EXPECT_NE(parse_mmap_pages("0", 4096, &pages, &rounded), "");
  EXPECT_NE(parse_mmap_pages("12Q", 4096, &pages, &rounded), "");
  EXPECT_NE(parse_mmap_pages("-8", 4096, &pages, &rounded), "");
  EXPECT_NE(parse_mmap_pages("4294967296", 4096, &pages, &rounded), "");
  EXPECT_NE(parse_mmap_pages("99999999999999999999G", 4096, &pages, &rounded), "");
  EXPECT_EQ(parse_mmap_pages("16,16", 4096, &pages, &rounded),
            "no AUX area here: give the data pages only");
  EXPECT_EQ(pages, 77u);
}

}  // namespace
}  // namespace perf_pml
