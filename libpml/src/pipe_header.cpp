#include "pipe_header.h"

#include <linux/perf_event.h>

#include <algorithm>
#include <cstring>

#include "byte_cursor.h"
#include "header_features.h"
#include "pml/perf_abi.h"

namespace pml::detail {

using namespace pml::abi;

namespace {

constexpr size_t kMaxPipeEvents = 4096;

// PERF_RECORD_HEADER_ATTR: perf_event_attr (attr.size bytes), then the ids.
Result<EventInfo> parse_attr(std::span<const std::byte> body) {
  auto corrupt = [](const std::string& why) {
    return make_error("corrupt pipe-mode perf.data: PERF_RECORD_HEADER_ATTR " + why, EINVAL);
  };
  uint32_t attr_size = 0;
  if (body.size() < 8) return corrupt("too short for an attr");
  std::memcpy(&attr_size, body.data() + 4, 4);
  if (attr_size == 0) attr_size = PERF_ATTR_SIZE_VER0;  // as perf reads a size of 0
  if (attr_size < PERF_ATTR_SIZE_VER0 || attr_size > body.size())
    return corrupt("with attr size " + std::to_string(attr_size));
  if ((body.size() - attr_size) % 8 != 0) return corrupt("ids do not fill whole u64s");
  EventInfo e;
  std::memcpy(&e.attr, body.data(), std::min<size_t>(attr_size, sizeof e.attr));
  e.ids.resize((body.size() - attr_size) / 8);
  if (!e.ids.empty()) std::memcpy(e.ids.data(), body.data() + attr_size, e.ids.size() * 8);
  e.name = default_event_name(e.attr);
  return e;
}

// PERF_RECORD_EVENT_UPDATE: u64 type, u64 id, then the type's data.
void parse_event_update(std::span<const std::byte> body, std::vector<EventInfo>& events) {
  ByteCursor c(body);
  uint64_t type = c.get<uint64_t>(), id = c.get<uint64_t>();
  if (!c.ok() || type != kEventUpdateName) return;
  std::string name = c.string_in(c.remaining());
  if (name.empty()) return;
  for (auto& e : events)
    if (std::find(e.ids.begin(), e.ids.end(), id) != e.ids.end()) e.name = name;
}

}  // namespace

uint64_t payload_after_record(uint32_t type, std::span<const std::byte> body) {
  ByteCursor c(body);
  if (type == kRecordHeaderTracingData) {
    uint64_t size = c.get<uint32_t>();
    return c.ok() ? (size + 7) / 8 * 8 : 0;  // perf pads the data to a u64
  }
  if (type == kRecordAuxtrace) {
    uint64_t size = c.get<uint64_t>();
    return c.ok() ? size : 0;
  }
  return 0;
}

Result<PipeHeader> scan_pipe_header(ByteSource& src) {
  PipeHeader ph;
  std::vector<std::byte> body;
  uint64_t off = kPipeHeaderSize;
  // What is not readable here (an early end, a corrupt size) is left for
  // the reader's pass over the records, which reports where it is.
  while (off - kPipeHeaderSize < kMaxPipeHeaderScan) {
    perf_event_header h;
    if (!src.read_exact(off, &h, sizeof h) || h.size < sizeof h) break;
    if (h.type == kRecordSample || h.type == kRecordFinishedInit) break;
    body.resize(h.size - sizeof h);
    if (!src.read_exact(off + sizeof h, body.data(), body.size())) break;
    if (h.type == kRecordHeaderAttr) {
      auto e = parse_attr(body);
      if (!e.ok()) return e.error();
      if (ph.events.size() >= kMaxPipeEvents)
        return make_error("corrupt pipe-mode perf.data: more than " +
                              std::to_string(kMaxPipeEvents) + " events", EINVAL);
      ph.events.push_back(std::move(e.value()));
    } else if (h.type == kRecordHeaderFeature && body.size() >= 8) {
      uint64_t feat;
      std::memcpy(&feat, body.data(), 8);
      if (feat == kFeatCompressed)
        return make_error(kCompressedMessage, ENOTSUP);
      if (feat < kFeatureBits && feature_is_read(uint32_t(feat)))
        parse_feature(uint32_t(feat), std::span(body).subspan(8), ph.info, ph.events);
    } else if (h.type == kRecordEventUpdate) {
      parse_event_update(body, ph.events);
    }
    off += h.size + payload_after_record(h.type, body);
  }
  if (ph.events.empty())
    return make_error("pipe-mode perf.data without an event (no PERF_RECORD_HEADER_ATTR "
                      "before the first sample)", EINVAL);
  return ph;
}

}  // namespace pml::detail
