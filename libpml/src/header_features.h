// The perf.data header features libpml reads (internal): in a file they sit
// after the data section, in a pipe they come as PERF_RECORD_HEADER_FEATURE.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "pml/perf_data.h"

namespace pml::detail {

// perf record -z: HEADER_COMPRESSED, PERF_RECORD_COMPRESSED.
inline constexpr const char* kCompressedMessage =
    "compressed data not supported (the file was recorded with 'perf record -z'; "
    "record without -z)";

// Whether libpml reads feature `feat` (the others are skipped unread).
bool feature_is_read(uint32_t feat);

// Parses one feature's body into info (HOSTNAME, OSRELEASE, VERSION, ARCH,
// NRCPUS, CMDLINE) or the events' names (EVENT_DESC, matched by position).
// A damaged body leaves what it could not read as it was.
void parse_feature(uint32_t feat, std::span<const std::byte> body, FileInfo& info,
                   std::vector<EventInfo>& events);

}  // namespace pml::detail
