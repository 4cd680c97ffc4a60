// perf pml report: decode -> resolve -> analyse -> render. The file is read
// once (a second time for --heatmap, and a first time for --time with
// percents, which need the recording's time span); each sample is resolved
// once and every consumer takes the resolved sample. What was read is
// reported even when the file turns out truncated or corrupt, then the error.
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <tuple>

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

struct FilterOptions {
  std::string pids, tids, comms, time;
};

// Builds the sample filter (false, message printed, on a bad value);
// percent times need a pass over the file for its time span.
bool make_filter(const FilterOptions& fo, pml::PerfDataReader& reader, pml::SampleFilter* f) {
  auto fail = [](const std::string& message) {
    print_error("report", message);
    return false;
  };
  for (auto [text, name, out] : {std::tuple{&fo.pids, "--pid", &f->pids},
                                 std::tuple{&fo.tids, "--tid", &f->tids}}) {
    if (text->empty()) continue;
    auto ids = parse_id_list(*text);
    if (!ids.ok()) return fail(std::string(name) + ": " + ids.error().message);
    *out = *ids;
  }
  if (!fo.comms.empty()) f->comms = parse_name_list(fo.comms);
  if (fo.time.empty()) return true;
  auto spec = parse_time_spec(fo.time);
  if (!spec.ok()) return fail(spec.error().message);
  uint64_t first = UINT64_MAX, last = 0;
  if (spec->needs_span()) {
    (void)reader.for_each([&](const pml::Record& r) {
      if (auto* s = std::get_if<pml::Sample>(&r)) {
        first = std::min(first, s->time);
        last = std::max(last, s->time);
      }
    });
    if (first == UINT64_MAX) first = 0;
  }
  f->times = spec->ranges(first, last);
  return true;
}

bool parse_percent_limit(const std::string& text, double* out) {
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !(v >= 0 && v <= 100)) return false;
  *out = v;
  return true;
}

}  // namespace

int cmd_report(const std::vector<std::string>& args) {
  std::string input = "perf.data", sort = "mapping", heatmap_path, trace_path, limit_text;
  std::string hot_text, bucket_text, percent_limit_text;
  FilterOptions fo;
  bool stdio = false, json = false, csv = false, no_symbols = false;
  OptionParser opts("report", "perf pml report [<options>]");
  opts.value('i', "input", "file", "input file name (default: perf.data)", &input);
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
  opts.value(0, "limit", "n", "print at most n rows", &limit_text);
  opts.value(0, "hot-fraction", "f", "hot = written in more than f of the epochs (default 0.5)",
             &hot_text);
  opts.value(0, "bucket", "duration", "dirty-rate bucket (default: epoch length or 10ms)",
             &bucket_text);
  opts.flag(0, "no-symbols", "do not read binaries for .data/.bss symbols", &no_symbols);
  opts.value(0, "pid", "pid[,pid...]", "only samples of these processes", &fo.pids);
  opts.value(0, "tid", "tid[,tid...]", "only samples of these threads", &fo.tids);
  opts.value(0, "comm", "comm[,comm...]", "only samples of threads with these names", &fo.comms);
  opts.value(0, "time", "start,stop",
             "only samples in this time window (seconds, or percent: 10%/2, 0%-10%)",
             &fo.time);
  opts.value(0, "percent-limit", "percent", "hide rows below this share of page-epochs",
             &percent_limit_text);
  std::vector<std::string> rest;
  if (!opts.parse(args, &rest, false)) return opts.help_requested() ? 0 : 129;
  if (int(stdio) + int(json) + int(csv) > 1) {
    print_error("report", "--stdio, --json and --csv are exclusive");
    return 129;
  }

  ReportContext ctx;
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
  if (!limit_text.empty()) ctx.limit = std::strtoull(limit_text.c_str(), nullptr, 10);
  if (!percent_limit_text.empty() &&
      !parse_percent_limit(percent_limit_text, &ctx.percent_limit)) {
    print_error("report", "--percent-limit '" + percent_limit_text +
                              "' is not a percentage from 0 to 100");
    return 129;
  }

  auto reader = open_input("report", input);
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
  pml::SampleFilter filter;
  if (!make_filter(fo, *reader, &filter)) return 129;

  uint64_t epoch_ns = 0;
  if (has_pml_event(*reader)) epoch_ns = (events[0].attr.config & pml::abi::kEpochConfigMask) * 1000000ULL;
  pml::AnalysisOptions aopts;
  aopts.rate_bucket_ns = epoch_ns ? epoch_ns : 10'000'000ULL;
  if (!bucket_text.empty()) {
    uint64_t ms;
    if (!parse_duration_ms(bucket_text, &ms) || ms == 0) {
      print_error("report", "bad --bucket '" + bucket_text + "'");
      return 129;
    }
    aopts.rate_bucket_ns = ms * 1000000ULL;
  }
  if (!hot_text.empty()) aopts.hot_fraction = std::strtod(hot_text.c_str(), nullptr);
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
  pml::ResolvedSample rs;
  auto read = reader->for_each(
      [&](const pml::Record& r) {
        if (const pml::Sample* s = std::get_if<pml::Sample>(&r)) {
          if (!resolver.resolve(*s, &rs)) return;
          analyzer.add(rs);
          if (table) table->add(rs);
          if (trace) trace->add(rs, resolver);
        } else {
          resolver.observe(r);
          if (const pml::Lost* l = std::get_if<pml::Lost>(&r)) analyzer.add_lost(*l);
          if (trace) trace->observe(r);
        }
        if (heatmap) heatmap->layout_add(r);
      },
      on_progress);
  if (!read.ok()) ctx.error = read.error().message;
  if (heatmap) {
    // Second pass paints the same records; it stops where the first did.
    heatmap->finish_layout();
    pml::SampleResolver paint_filter(filter);
    (void)reader->for_each(
        [&](const pml::Record& r) {
          if (const pml::Sample* s = std::get_if<pml::Sample>(&r)) {
            if (!paint_filter.keeps(*s)) return;
          } else {
            paint_filter.observe(r);
          }
          heatmap->paint_add(r);
        },
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
