// perf pml script: one line per record, in the style of perf script
// --show-task-events --show-mmap-events --show-lost-events. decode -> resolve
// -> print: each sample's comm and mapping come from the resolve step that
// report uses, which also applies the filters.
#include <cinttypes>
#include <cstdio>
#include <optional>

#include "commands.h"
#include "common.h"
#include "options.h"
#include "pml/resolve.h"
#include "report_filter.h"
#include "script_fields.h"

namespace perf_pml {

namespace {

// Prints what the resolve step made of each record: samples with the comm
// and mapping it found, side-band records after it has seen them.
struct ScriptPrinter {
  const pml::PerfDataReader& reader;
  const pml::SampleResolver& resolver;
  bool samples_only;
  const ScriptFields* fields;  // -F, or null for the default line

  void sample(const pml::ResolvedSample& rs) {
    print(rs);
    stop_if_stdout_failed("script");
  }
  void other(const pml::Record& rec) {
    if (samples_only) return;
    print(rec);
    stop_if_stdout_failed("script");
  }

  void print(const pml::ResolvedSample& rs) {
    const pml::Sample* s = rs.sample;
    const auto& ev = reader.events()[s->event_index];
    const std::string& comm = resolver.comm_name(rs.comm);
    const pml::Mapping* m = rs.mapping;
    if (fields) {
      print_script_fields(stdout, *fields, *s, comm, ev.name, m ? m->display_name() : "");
      return;
    }
    std::printf("%16s %7u/%-7u [%03u] %s: %s: epoch %" PRIu64 " addr %016" PRIx64
                " size %s flags %#x%s%s\n",
                comm.c_str(), s->pid, s->tid, s->cpu, format_time(s->time).c_str(),
                ev.name.c_str(), s->epoch, s->addr,
                s->data_page_size >= (2u << 20) ? "2M" : s->data_page_size ? "4K" : "?",
                s->flags, m ? " " : "", m ? m->display_name().c_str() : "");
  }

  void print(const pml::Record& rec) {
    const pml::MappingTable& maps = resolver.mappings();
    if (auto* c = std::get_if<pml::Comm>(&rec)) {
      std::printf("%16s %7u/%-7u       %s: PERF_RECORD_COMM%s: %s:%u/%u\n", c->comm.c_str(),
                  c->pid, c->tid, format_time(c->sid.time).c_str(), c->exec ? " exec" : "",
                  c->comm.c_str(), c->pid, c->tid);
    } else if (auto* m = std::get_if<pml::Mmap>(&rec)) {
      std::printf("%16s %7u/%-7u       %s: PERF_RECORD_MMAP2 %u/%u: [%#" PRIx64 "(%#" PRIx64
                  ") @ %#" PRIx64 " %c%c%c]: %s\n",
                  maps.comm(m->pid, m->tid).c_str(), m->pid, m->tid,
                  format_time(m->sid.time).c_str(), m->pid, m->tid, m->start, m->len, m->pgoff,
                  (m->prot & 1) ? 'r' : '-', (m->prot & 2) ? 'w' : '-', (m->prot & 4) ? 'x' : '-',
                  m->filename.c_str());
    } else if (auto* t = std::get_if<pml::Task>(&rec)) {
      std::printf("%16s %7u/%-7u       %s: PERF_RECORD_%s(%u:%u):(%u:%u)\n",
                  maps.comm(t->pid, t->tid).c_str(), t->pid, t->tid,
                  format_time(t->time).c_str(), t->is_exit ? "EXIT" : "FORK", t->pid, t->tid,
                  t->ppid, t->ptid);
    } else if (auto* l = std::get_if<pml::Lost>(&rec)) {
      if (l->uncollected())
        std::printf("%16s %7u/%-7u       %s: PERF_RECORD_LOST_SAMPLES lost ? (not collected: "
                    "the writes since the last epoch, gone with the memory at an exec)\n",
                    maps.comm(l->sid.pid, l->sid.tid).c_str(), l->sid.pid, l->sid.tid,
                    format_time(l->sid.time).c_str());
      else
        std::printf("%16s %7u/%-7u       %s: PERF_RECORD_%s lost %" PRIu64 "\n", "", l->sid.pid,
                    l->sid.tid, format_time(l->sid.time).c_str(),
                    l->samples_record ? "LOST_SAMPLES" : "LOST", l->lost);
    }
  }
};

// Like perf script: a field the samples do not carry is an error, not zeros.
bool check_fields_recorded(const pml::PerfDataReader& reader, const std::string& input,
                           const ScriptFields& fields) {
  for (size_t i = 0; i < fields.size(); ++i) {
    uint64_t bit = fields.test(i) ? script_field_sample_bit(ScriptField(i)) : 0;
    if (!bit) continue;
    for (auto& e : reader.events()) {
      if (e.attr.sample_type & bit) continue;
      print_error("script", "the samples of event '" + e.name + "' in '" + input +
                                "' do not have the field '" + script_field_name(ScriptField(i)) +
                                "' (not recorded): cannot print it");
      return false;
    }
  }
  return true;
}

}  // namespace

int cmd_script(const std::vector<std::string>& args) {
  std::string input;
  bool samples_only = false;
  std::optional<ScriptFields> fields;
  FilterOptions fo;
  OptionParser opts("script", "perf pml script [<options>]");
  opts.value('i', "input", "file",
             "input file name, '-' for stdin (default: perf.data, or stdin when it is a pipe)",
             &input);
  opts.flag('S', "samples-only", "print only samples, no task/mmap/lost records", &samples_only);
  opts.custom('F', "fields", "field[,field...]",
              "sample fields to print, or +field/-field to edit the default: comm,pid,tid,cpu,"
              "time,event,ip,addr,phys_addr,period,data_page_size,epoch,flags,map",
              [&](const std::string& v) { return parse_script_fields(v, &fields.emplace()); });
  add_filter_options(opts, &fo);
  std::vector<std::string> rest;
  if (!opts.parse(args, &rest, false)) return 129;

  if (input.empty()) input = default_input();
  auto reader = open_input("script", input);
  if (!reader.ok()) return 1;
  if (fields && !check_fields_recorded(*reader, input, *fields)) return 1;
  const pml::SampleFilter filter = make_filter(std::move(fo), *reader);
  pml::SampleResolver resolver(filter, pml::PageIds::kSkip);
  // Like perf script -F: sample lines only (side-band records would not
  // have the fields asked for).
  ScriptPrinter printer{*reader, resolver, samples_only || fields, fields ? &*fields : nullptr};
  uint64_t printed = 0;
  auto r = reader->for_each(pml::resolving(
      resolver,
      [&](const pml::ResolvedSample& rs) {
        ++printed;
        printer.sample(rs);
      },
      [&](const pml::Record& rec) { printer.other(rec); }));
  std::fflush(stdout);
  if (!r.ok()) {
    print_error("script", r.error().message + " (" + std::to_string(reader->stats().records) +
                              " records printed)");
    return 1;
  }
  if (reader->stats().samples == 0) {
    print_error("script", "no samples in '" + input + "'");
    return 1;
  }
  if (printed == 0 && !filter.keeps_everything()) {
    print_error("script", "no samples in '" + input + "' match --pid/--tid/--comm/--time");
    return 1;
  }
  return 0;
}

}  // namespace perf_pml
