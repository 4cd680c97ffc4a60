// perf pml diff [OLD NEW]: like perf diff (default perf.data.old perf.data),
// per mapping: the written pages that appeared, vanished, and by how much the
// mapping's write working set grew or shrank.
#include <cinttypes>
#include <cstdio>

#include "commands.h"
#include "common.h"
#include "json.h"
#include "options.h"
#include "pml/analysis.h"
#include "pml/resolve.h"
#include "report_output.h"
#include "working_set_diff.h"

namespace perf_pml {

namespace {

struct Recording {
  PageSets pages;
  pml::AnalysisReport analysis;
};

// Reads one file through the pipeline; false (message printed) on errors.
bool read_recording(const std::string& path, Recording* out) {
  auto reader = open_input("diff", path);
  if (!reader.ok()) return false;
  pml::SampleResolver resolver;
  pml::AnalysisOptions ao;
  ao.data_symbols = false;
  pml::Analyzer analyzer(ao, resolver);
  pml::ResolvedSample rs;
  auto read = reader->for_each([&](const pml::Record& r) {
    if (const pml::Sample* s = std::get_if<pml::Sample>(&r)) {
      if (!resolver.resolve(*s, &rs)) return;
      analyzer.add(rs);
      out->pages.add(rs, resolver);
    } else {
      resolver.observe(r);
      if (const pml::Lost* l = std::get_if<pml::Lost>(&r)) analyzer.add_lost(*l);
    }
  });
  if (!read.ok()) {
    print_error("diff", "'" + path + "': " + read.error().message);
    return false;
  }
  out->analysis = analyzer.result();
  if (out->analysis.samples == 0) {
    print_error("diff", "no samples in '" + path + "'");
    return false;
  }
  return true;
}

std::string signed_count(int64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+" PRId64, v);
  return buf;
}

void print_summary(const Recording& a, const Recording& b) {
  Summary sa = summarize(a.analysis), sb = summarize(b.analysis);
  std::printf("# Unique pages: %" PRIu64 " -> %" PRIu64 " (%s)\n", a.analysis.unique.pages,
              b.analysis.unique.pages,
              signed_count(int64_t(b.analysis.unique.pages) - int64_t(a.analysis.unique.pages))
                  .c_str());
  std::printf("# Write working set per epoch: mean %.1f -> %.1f, p50 %" PRIu64 " -> %" PRIu64
              ", p90 %" PRIu64 " -> %" PRIu64 ", p99 %" PRIu64 " -> %" PRIu64 ", max %" PRIu64
              " -> %" PRIu64 " pages\n",
              sa.wss_mean, sb.wss_mean, sa.wss.p50, sb.wss.p50, sa.wss.p90, sb.wss.p90,
              sa.wss.p99, sb.wss.p99, sa.wss_max, sb.wss_max);
}

void print_stdio(const std::string& old_path, const std::string& new_path, const Recording& a,
                 const Recording& b, const std::vector<MappingDiff>& diffs, bool verbose) {
  std::printf("# perf pml diff: %s (old) -> %s (new)\n", old_path.c_str(), new_path.c_str());
  print_summary(a, b);
  std::printf("#\n# %9s %9s %9s %9s %9s  %-9s %s\n", "Old pages", "New pages", "Delta",
              "Only old", "Only new", "Status", "Mapping");
  std::printf("# %9s %9s %9s %9s %9s  %-9s %s\n#\n", ".........", ".........", ".....",
              "........", "........", "......", ".......");
  for (const auto& d : diffs) {
    std::printf("  %9" PRIu64 " %9" PRIu64 " %9s %9" PRIu64 " %9" PRIu64 "  %-9s %s\n",
                d.pages_old, d.pages_new, signed_count(d.delta()).c_str(), d.only_old,
                d.only_new, d.status(), d.mapping.c_str());
    if (!verbose) continue;
    for (uint64_t p : d.only_old_pages) std::printf("      - offset %s\n", hex_addr(p << 12).c_str());
    if (d.only_old > d.only_old_pages.size())
      std::printf("      - ... %" PRIu64 " more\n", d.only_old - d.only_old_pages.size());
    for (uint64_t p : d.only_new_pages) std::printf("      + offset %s\n", hex_addr(p << 12).c_str());
    if (d.only_new > d.only_new_pages.size())
      std::printf("      + ... %" PRIu64 " more\n", d.only_new - d.only_new_pages.size());
  }
}

void print_json(const std::string& old_path, const std::string& new_path, const Recording& a,
                const Recording& b, const std::vector<MappingDiff>& diffs) {
  Summary sa = summarize(a.analysis), sb = summarize(b.analysis);
  std::printf("{\n  \"old\": %s,\n  \"new\": %s,\n", json_string(old_path).c_str(),
              json_string(new_path).c_str());
  std::printf("  \"unique_pages\": {\"old\": %" PRIu64 ", \"new\": %" PRIu64 "},\n",
              a.analysis.unique.pages, b.analysis.unique.pages);
  std::printf("  \"wss_p50_pages\": {\"old\": %" PRIu64 ", \"new\": %" PRIu64 "},\n", sa.wss.p50,
              sb.wss.p50);
  std::printf("  \"wss_p99_pages\": {\"old\": %" PRIu64 ", \"new\": %" PRIu64 "},\n", sa.wss.p99,
              sb.wss.p99);
  std::printf("  \"mappings\": [");
  for (size_t i = 0; i < diffs.size(); ++i) {
    const auto& d = diffs[i];
    std::printf("%s\n    {\"mapping\": %s, \"status\": \"%s\", \"pages_old\": %" PRIu64
                ", \"pages_new\": %" PRIu64 ", \"only_old\": %" PRIu64 ", \"only_new\": %" PRIu64
                ", \"page_epochs_old\": %" PRIu64 ", \"page_epochs_new\": %" PRIu64 "",
                i ? "," : "", json_string(d.mapping).c_str(), d.status(), d.pages_old,
                d.pages_new, d.only_old, d.only_new, d.page_epochs_old, d.page_epochs_new);
    auto list = [](const char* key, const std::vector<uint64_t>& pages) {
      std::printf(", \"%s\": [", key);
      for (size_t k = 0; k < pages.size(); ++k)
        std::printf("%s\"%s\"", k ? ", " : "", hex_addr(pages[k] << 12).c_str());
      std::printf("]");
    };
    list("only_old_pages", d.only_old_pages);
    list("only_new_pages", d.only_new_pages);
    std::printf("}");
  }
  std::printf("\n  ]\n}\n");
}

}  // namespace

int cmd_diff(const std::vector<std::string>& args) {
  bool json = false, verbose = false;
  uint64_t limit = 20;
  OptionParser opts("diff", "perf pml diff [<options>] [<old file> <new file>]");
  opts.flag(0, "json", "JSON on stdout", &json);
  opts.flag('v', "verbose", "list the pages only one recording wrote", &verbose);
  opts.number(0, "limit", "n", "with -v or --json: list at most n pages per side and mapping "
              "(default 20)", &limit);
  // Options may come before or after the file names, as with perf diff.
  std::vector<std::string> option_args, files, rest;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i].size() > 1 && args[i][0] == '-') {
      option_args.push_back(args[i]);
      if (args[i] == "--limit" && i + 1 < args.size()) option_args.push_back(args[++i]);
    } else {
      files.push_back(args[i]);
    }
  }
  if (!opts.parse(option_args, &rest, false)) return 129;
  if (files.empty()) files = {"perf.data.old", "perf.data"};
  if (files.size() != 2) {
    print_error("diff", "give two files (old, new), or none for perf.data.old and perf.data");
    return 129;
  }
  Recording a, b;
  if (!read_recording(files[0], &a) || !read_recording(files[1], &b)) return 1;
  auto diffs = diff_page_sets(a.pages, b.pages, verbose || json ? limit : 0);
  if (json) print_json(files[0], files[1], a, b, diffs);
  else print_stdio(files[0], files[1], a, b, diffs, verbose);
  std::fflush(stdout);
  return 0;
}

}  // namespace perf_pml
