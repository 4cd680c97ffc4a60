#include "script_fields.h"

#include <linux/perf_event.h>

#include <cinttypes>
#include <sstream>
#include <vector>

#include "common.h"

namespace perf_pml {

namespace {

struct FieldName {
  const char* name;
  ScriptField field;
};

// perf's names first; page_size and mapping are aliases.
constexpr FieldName kNames[] = {
    {"comm", ScriptField::kComm},
    {"pid", ScriptField::kPid},
    {"tid", ScriptField::kTid},
    {"cpu", ScriptField::kCpu},
    {"time", ScriptField::kTime},
    {"event", ScriptField::kEvent},
    {"ip", ScriptField::kIp},
    {"addr", ScriptField::kAddr},
    {"phys_addr", ScriptField::kPhysAddr},
    {"period", ScriptField::kPeriod},
    {"data_page_size", ScriptField::kDataPageSize},
    {"epoch", ScriptField::kEpoch},
    {"flags", ScriptField::kFlags},
    {"map", ScriptField::kMap},
    {"page_size", ScriptField::kDataPageSize},
    {"mapping", ScriptField::kMap},
};

// perf script fields that mean nothing for a written page.
constexpr const char* kPerfOnly[] = {
    "sym",     "symoff",     "dso",       "srcline",    "trace",  "iregs",    "uregs",
    "brstack", "brstacksym", "insn",      "insnlen",    "weight", "data_src", "srccode",
    "ipc",     "callindent", "synth",     "bpf-output", "cgroup", "symaddr",  "code_page_size",
    "misc",    "tod",        "retire_lat"};

std::string known_list() {
  std::string s;
  for (size_t i = 0; i < size_t(ScriptField::kCount); ++i)
    s += (i ? "," : "") + std::string(script_field_name(ScriptField(i)));
  return s;
}

const FieldName* find(const std::string& name) {
  for (auto& n : kNames)
    if (name == n.name) return &n;
  return nullptr;
}

std::string page_size_text(uint64_t size) {
  if (size == 0) return "?";
  if (size >= (1ULL << 30) && size % (1ULL << 30) == 0) return std::to_string(size >> 30) + "G";
  if (size >= (1ULL << 20) && size % (1ULL << 20) == 0) return std::to_string(size >> 20) + "M";
  if (size >= 1024 && size % 1024 == 0) return std::to_string(size >> 10) + "K";
  return std::to_string(size);
}

}  // namespace

const char* script_field_name(ScriptField f) {
  for (auto& n : kNames)
    if (n.field == f) return n.name;
  return "?";
}

ScriptFields default_script_fields() {
  ScriptFields f;
  for (auto x : {ScriptField::kComm, ScriptField::kTid, ScriptField::kPid, ScriptField::kCpu,
                 ScriptField::kTime, ScriptField::kEvent, ScriptField::kEpoch, ScriptField::kAddr,
                 ScriptField::kDataPageSize, ScriptField::kFlags, ScriptField::kMap})
    f.set(size_t(x));
  return f;
}

std::string parse_script_fields(const std::string& text, ScriptFields* out) {
  if (text.empty()) return "no fields (known: " + known_list() + ")";
  ScriptFields listed, added, removed;
  bool relative = false, absolute = false;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    char sign = !item.empty() && (item[0] == '+' || item[0] == '-') ? item[0] : 0;
    std::string name = sign ? item.substr(1) : item;
    (sign ? relative : absolute) = true;
    if (name.empty()) return "empty field name in '" + text + "'";
    const FieldName* n = find(name);
    if (!n) {
      for (auto* p : kPerfOnly)
        if (name == p)
          return "field '" + name + "' is not available for pml samples (known: " + known_list() +
                 ")";
      return "unknown field '" + name + "' (known: " + known_list() + ")";
    }
    (sign == '+' ? added : sign == '-' ? removed : listed).set(size_t(n->field));
  }
  if (text.back() == ',') return "empty field name in '" + text + "'";
  if (relative && absolute) return "cannot mix +field/-field with a list of fields";
  *out = relative ? (default_script_fields() | added) & ~removed : listed;
  if (out->none()) return "no field left to print";
  return "";
}

uint64_t script_field_sample_bit(ScriptField f) {
  switch (f) {
    case ScriptField::kPid:
    case ScriptField::kTid:
      return PERF_SAMPLE_TID;
    case ScriptField::kCpu:
      return PERF_SAMPLE_CPU;
    case ScriptField::kTime:
      return PERF_SAMPLE_TIME;
    case ScriptField::kIp:
      return PERF_SAMPLE_IP;
    case ScriptField::kAddr:
      return PERF_SAMPLE_ADDR;
    case ScriptField::kPhysAddr:
      return PERF_SAMPLE_PHYS_ADDR;
    case ScriptField::kPeriod:
      return PERF_SAMPLE_PERIOD;
    case ScriptField::kDataPageSize:
      return PERF_SAMPLE_DATA_PAGE_SIZE;
    default:
      return 0;
  }
}

void print_script_fields(FILE* out, const ScriptFields& f, const pml::Sample& s,
                         std::string_view comm, std::string_view event, std::string_view map) {
  auto has = [&](ScriptField x) { return f.test(size_t(x)); };
  std::string line;
  char buf[64];
  auto add = [&](const std::string& piece) {
    if (!line.empty()) line += ' ';
    line += piece;
  };
  if (has(ScriptField::kComm)) {
    std::snprintf(buf, sizeof buf, "%16.*s", int(comm.size()), comm.data());
    add(buf);
  }
  if (has(ScriptField::kPid) && has(ScriptField::kTid))
    std::snprintf(buf, sizeof buf, "%7u/%-7u", s.pid, s.tid);
  else if (has(ScriptField::kPid))
    std::snprintf(buf, sizeof buf, "%7u", s.pid);
  else if (has(ScriptField::kTid))
    std::snprintf(buf, sizeof buf, "%7u", s.tid);
  if (has(ScriptField::kPid) || has(ScriptField::kTid)) add(buf);
  if (has(ScriptField::kCpu)) {
    std::snprintf(buf, sizeof buf, "[%03u]", s.cpu);
    add(buf);
  }
  if (has(ScriptField::kTime)) add(format_time(s.time) + ":");
  if (has(ScriptField::kEvent)) add(std::string(event) + ":");
  auto hex = [&](uint64_t v) {
    std::snprintf(buf, sizeof buf, "%16" PRIx64, v);
    add(buf);
  };
  if (has(ScriptField::kIp)) hex(s.ip);
  if (has(ScriptField::kAddr)) hex(s.addr);
  if (has(ScriptField::kPhysAddr)) hex(s.phys_addr);
  if (has(ScriptField::kPeriod)) {
    std::snprintf(buf, sizeof buf, "%10" PRIu64, s.period);
    add(buf);
  }
  if (has(ScriptField::kDataPageSize)) add(page_size_text(s.data_page_size));
  if (has(ScriptField::kEpoch)) add(std::to_string(s.epoch));
  if (has(ScriptField::kFlags)) {
    std::snprintf(buf, sizeof buf, "%#x", s.flags);
    add(buf);
  }
  if (has(ScriptField::kMap)) add(map.empty() ? "[unknown]" : std::string(map));
  line += '\n';
  std::fputs(line.c_str(), out);
}

}  // namespace perf_pml
