#include "header_features.h"

#include "byte_cursor.h"
#include "pml/perf_abi.h"

namespace pml::detail {

using namespace pml::abi;

namespace {

bool read_header_string(ByteCursor& c, std::string& out) {
  uint32_t len = c.get<uint32_t>();
  if (!c.ok() || len > c.remaining()) return false;
  out = c.string_in(len);
  return c.ok();
}

void parse_event_desc(std::span<const std::byte> body, std::vector<EventInfo>& events) {
  ByteCursor c(body);
  uint32_t nr = c.get<uint32_t>();
  uint32_t attr_size = c.get<uint32_t>();
  if (!c.ok() || attr_size < PERF_ATTR_SIZE_VER0) return;
  for (uint32_t i = 0; i < nr && c.ok(); ++i) {
    c.skip(attr_size);
    uint32_t nr_ids = c.get<uint32_t>();
    std::string name;
    if (!read_header_string(c, name)) return;
    if (nr_ids > c.remaining() / 8) return;
    c.skip(uint64_t(nr_ids) * 8);
    if (i < events.size() && !name.empty()) events[i].name = name;
  }
}

}  // namespace

bool feature_is_read(uint32_t feat) {
  return feat == kFeatHostname || feat == kFeatOsRelease || feat == kFeatVersion ||
         feat == kFeatArch || feat == kFeatNrCpus || feat == kFeatCmdline ||
         feat == kFeatEventDesc;
}

void parse_feature(uint32_t feat, std::span<const std::byte> body, FileInfo& info,
                   std::vector<EventInfo>& events) {
  ByteCursor c(body);
  switch (feat) {
    case kFeatHostname: read_header_string(c, info.hostname); break;
    case kFeatOsRelease: read_header_string(c, info.os_release); break;
    case kFeatVersion: read_header_string(c, info.version); break;
    case kFeatArch: read_header_string(c, info.arch); break;
    case kFeatNrCpus:
      info.nr_cpus_available = c.get<uint32_t>();
      info.nr_cpus_online = c.get<uint32_t>();
      break;
    case kFeatCmdline: {
      uint32_t n = c.get<uint32_t>();
      for (uint32_t i = 0; i < n && c.ok(); ++i) {
        std::string s;
        if (!read_header_string(c, s)) break;
        info.cmdline.push_back(std::move(s));
      }
      break;
    }
    case kFeatEventDesc: parse_event_desc(body, events); break;
  }
}

}  // namespace pml::detail
