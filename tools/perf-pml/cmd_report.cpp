// perf pml report: decode -> resolve -> analyse -> render. The file is read
// once (a second time for --heatmap, and a first time for --time with
// percents, which need the recording's time span); each sample is resolved
// once and every consumer takes the resolved sample. What was read is
// reported even when the file turns out truncated or corrupt, then the error.
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>

#include "commands.h"
#include "common.h"
#include "heatmap.h"
#include "options.h"
#include "pml/analysis.h"
#include "pml/perf_abi.h"
#include "pml/resolve.h"
#include "report_filter.h"
#include "report_output.h"
#include "report_table.h"
#include "trace_json.h"

namespace perf_pml {

namespace {

bool parse_percent_limit(const std::string& text, double* out) {
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !(v >= 0 && v <= 100)) return false;
  *out = v;
  return true;
}

}  // namespace

int cmd_report(const std::vector<std::string>& args) {
  std::string input, sort = "mapping", heatmap_path, trace_path;
  uint64_t limit = 0, bucket_ms = 0;
  double hot_fraction = 0.5, percent_limit = 0;
  FilterOptions fo;
  bool stdio = false, json = false, csv = false, no_symbols = false;
  OptionParser opts("report", "perf pml report [<options>]");
  opts.value('i', "input", "file",
             "input file name, '-' for stdin (default: perf.data, or stdin when it is a pipe)",
             &input);
  opts.value('s', "sort", "key[,key...]",
             "sort by comm, pid, tid, mapping, epoch, page, or symbol (default: mapping)", &sort);
  opts.flag(0, "stdio", "perf-like text table (default)", &stdio);
  opts.flag(0, "json", "JSON on stdout", &json);
  opts.flag(0, "csv", "CSV table on stdout", &csv);
  opts.value(0, "heatmap", "file.svg", "write an SVG heatmap of written pages over time",
             &heatmap_path);
  opts.value(0, "trace", "file.json",
             "write a Chrome/Perfetto trace of working set and dirty rate per thread",
             &trace_path);
  opts.number(0, "limit", "n", "print at most n rows (default 0: all)", &limit);
  opts.fraction(0, "hot-fraction", "f",
                "hot = written in more than f of the epochs, 0 < f <= 1 (default 0.5)",
                &hot_fraction);
  opts.custom(0, "bucket", "duration", "dirty-rate bucket (default: epoch length or 10ms)",
              [&](const std::string& v) {
                std::string why = parse_duration_ms(v, &bucket_ms);
                return why.empty() && bucket_ms == 0 ? "must be at least 1ms" : why;
              });
  opts.flag(0, "no-symbols", "do not read binaries for .data/.bss symbols", &no_symbols);
  add_filter_options(opts, &fo);
  opts.custom(0, "percent-limit", "percent", "hide rows below this share of page-epochs",
              [&](const std::string& v) {
                return parse_percent_limit(v, &percent_limit)
                           ? std::string()
                           : std::string("not a percentage from 0 to 100");
              });
  std::vector<std::string> rest;
  if (!opts.parse(args, &rest, false)) return 129;
  if (int(stdio) + int(json) + int(csv) > 1) {
    print_error("report", "--stdio, --json and --csv are exclusive");
    return 129;
  }

  ReportContext ctx;
  if (input.empty()) input = default_input();
  ctx.input = input;
  ctx.by_symbol = sort == "symbol" || sort == "sym";
  std::vector<SortKey> keys;
  if (!ctx.by_symbol) {
    auto k = parse_sort_keys(sort);
    if (!k.ok()) {
      print_error("report", k.error().message);
      return 129;
    }
    keys = *k;
    for (auto key : keys) ctx.sort_keys.push_back(sort_key_name(key));
  } else {
    ctx.sort_keys = {"Symbol", "Binary"};
  }
  ctx.limit = limit;
  ctx.hot_fraction = hot_fraction;
  ctx.percent_limit = percent_limit;

  // The heatmap and --time percents read the records twice: a pipe is kept
  // in a temporary file as it is read.
  pml::ReadOptions read_options;
  read_options.reread = !heatmap_path.empty() || (fo.time && fo.time->needs_span());
  auto reader = open_input("report", input, read_options);
  if (!reader.ok()) return 1;
  const auto& events = reader->events();
  ctx.event_name = events.empty() ? "?" : events[0].name;
  bool any_addr = false;
  for (auto& e : events) any_addr |= (e.attr.sample_type & PERF_SAMPLE_ADDR) != 0;
  if (!any_addr) {
    print_error("report", "the samples in '" + input +
                              "' carry no addresses (PERF_SAMPLE_ADDR); record with "
                              "'perf pml record' or 'perf record -d'");
    return 1;
  }
  if (!has_pml_event(*reader))
    print_warning("report", "no pml event in '" + input + "'; treating the addresses of '" +
                                ctx.event_name + "' samples as written pages");
  const pml::SampleFilter filter = make_filter(std::move(fo), *reader);

  uint64_t epoch_ns = 0;
  if (has_pml_event(*reader)) epoch_ns = (events[0].attr.config & pml::abi::kEpochConfigMask) * 1000000ULL;
  pml::AnalysisOptions aopts;
  aopts.rate_bucket_ns = epoch_ns ? epoch_ns : 10'000'000ULL;
  if (bucket_ms) aopts.rate_bucket_ns = bucket_ms * 1000000ULL;
  aopts.hot_fraction = hot_fraction;
  aopts.data_symbols = !no_symbols;

  // resolve: one resolver for every consumer of the stream.
  pml::SampleResolver resolver(filter);
  pml::Analyzer analyzer(aopts, resolver);
  std::optional<GroupTable> table;
  if (!ctx.by_symbol) table.emplace(keys);
  std::unique_ptr<Heatmap> heatmap;
  if (!heatmap_path.empty()) heatmap = std::make_unique<Heatmap>();
  std::optional<TraceWriter> trace;
  if (!trace_path.empty()) {
    auto t = TraceWriter::create(trace_path, epoch_ns);
    if (!t.ok()) {
      print_error("report", t.error().to_string());
      return 1;
    }
    trace.emplace(std::move(t.value()));
  }

  Progress progress("report");
  auto on_progress = [&](uint64_t d, uint64_t t) { progress.update(d, t); };
  auto read = reader->for_each(
      pml::resolving(
          resolver,
          [&](const pml::ResolvedSample& rs) {
            analyzer.add(rs);
            if (table) table->add(rs);
            if (trace) trace->add(rs, resolver);
            if (heatmap) heatmap->layout_add(rs, resolver);
          },
          [&](const pml::Record& r) {
            if (const pml::Lost* l = std::get_if<pml::Lost>(&r)) analyzer.add_lost(*l);
            if (trace) trace->observe(r);
          }),
      on_progress);
  if (!read.ok()) ctx.error = read.error().message;
  if (heatmap) {
    // The second pass paints the same samples, resolved again from the
    // start; it stops where the first did.
    heatmap->finish_layout();
    pml::SampleResolver paint_resolver(filter, pml::PageIds::kSkip);
    (void)reader->for_each(
        pml::resolving(
            paint_resolver, [&](const pml::ResolvedSample& rs) { heatmap->paint_add(rs); },
            [](const pml::Record&) {}),
        on_progress);
  }
  progress.clear();

  ctx.analysis = analyzer.result();
  if (table) ctx.rows = table->rows(resolver);
  if (ctx.analysis.samples == 0) {
    if (!ctx.error.empty()) print_error("report", ctx.error);
    if (!filter.keeps_everything())
      print_error("report", "no samples in '" + input + "' match --pid/--tid/--comm/--time");
    else
      print_error("report", "no samples in '" + input + "'" +
                                (has_pml_event(*reader) ? "" : " (and no pml event)"));
    return 1;
  }
  if (json) print_json(stdout, ctx);
  else if (csv) print_csv(stdout, ctx);
  else print_stdio(stdout, ctx);
  std::fflush(stdout);

  int status = 0;
  if (heatmap) {
    if (auto r = heatmap->write_svg(heatmap_path, ctx.event_name); !r.ok()) {
      print_error("report", r.error().to_string());
      status = 1;
    } else {
      std::fprintf(stderr, "[ perf pml report: heatmap written to %s ]\n", heatmap_path.c_str());
    }
  }
  if (trace) {
    if (auto r = trace->finish(); !r.ok()) {
      print_error("report", r.error().to_string());
      status = 1;
    } else {
      std::fprintf(stderr, "[ perf pml report: trace written to %s ]\n", trace_path.c_str());
    }
  }
  if (!ctx.error.empty()) {
    print_error("report", ctx.error + " (the report covers the " +
                              std::to_string(reader->stats().records) + " records before it)");
    status = 1;
  }
  return status;
}

}  // namespace perf_pml
