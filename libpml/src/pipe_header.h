// perf.data in pipe mode (perf record -o -), internal: after a 16-byte
// header come records only. The events arrive as PERF_RECORD_HEADER_ATTR,
// host facts and names as PERF_RECORD_HEADER_FEATURE (and EVENT_UPDATE),
// all before the first sample.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "byte_source.h"
#include "pml/perf_data.h"

namespace pml::detail {

struct PipeHeader {
  std::vector<EventInfo> events;
  FileInfo info;
};

// Reads the records after the 16-byte header up to the first sample,
// FINISHED_INIT, the end, or kMaxPipeHeaderScan bytes, for the events and
// features. A stream source keeps what was read (nothing is discarded): the
// reader decodes from offset 16 again.
inline constexpr uint64_t kMaxPipeHeaderScan = 16 << 20;
Result<PipeHeader> scan_pipe_header(ByteSource& src);

// Bytes a record's payload takes after the record's own size (TRACING_DATA
// and AUXTRACE put their data there), 0 for every other type.
uint64_t payload_after_record(uint32_t type, std::span<const std::byte> body);

}  // namespace pml::detail
