// perf pml script -F: which fields of a sample to print, like perf script -F
// (a comma list replaces the default; +field/-field edit it), printed in a
// fixed order whatever the order of the list, as perf does.
#pragma once

#include <bitset>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "pml/records.h"

namespace perf_pml {

enum class ScriptField {
  kComm,
  kPid,
  kTid,
  kCpu,
  kTime,
  kEvent,
  kIp,
  kAddr,
  kPhysAddr,
  kPeriod,
  kDataPageSize,
  kEpoch,
  kFlags,
  kMap,
  kCount
};
using ScriptFields = std::bitset<size_t(ScriptField::kCount)>;

// comm,tid,pid,cpu,time,event,epoch,addr,data_page_size,flags,map.
ScriptFields default_script_fields();

// Parses -F's argument; returns "" or why it is refused.
std::string parse_script_fields(const std::string& text, ScriptFields* out);

// The PERF_SAMPLE_* bit a field needs (0: none), and its name.
uint64_t script_field_sample_bit(ScriptField f);
const char* script_field_name(ScriptField f);

// One sample line with the selected fields, perf script's spacing.
void print_script_fields(FILE* out, const ScriptFields& fields, const pml::Sample& s,
                         std::string_view comm, std::string_view event, std::string_view map);

}  // namespace perf_pml
