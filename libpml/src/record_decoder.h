// Internal: turns raw perf records (header + body) into pml::Record, for the
// file reader and the live ring-buffer reader alike.
#pragma once

#include <linux/perf_event.h>

#include <span>
#include <unordered_map>
#include <vector>

#include "pml/perf_data.h"
#include "pml/records.h"

namespace pml {

enum class DecodeStatus { kOk, kSkipped, kUnattributed, kCorrupt };

class RecordDecoder {
 public:
  RecordDecoder() = default;
  explicit RecordDecoder(const std::vector<EventInfo>& events);

  DecodeStatus decode(uint32_t type, uint16_t misc, std::span<const std::byte> body,
                      Record& out);

 private:
  int event_for_sample(std::span<const std::byte> body) const;
  void derive_epoch(Sample& s);

  std::vector<perf_event_attr> attrs_;
  std::vector<uint64_t> epoch_ns_;       // per event, 0 = no time-based epochs
  std::vector<uint64_t> first_time_;     // per event, for time-based epochs
  std::vector<bool> is_pml_;             // per event: named pml*, RAW is ours
  std::unordered_map<uint64_t, uint32_t> id_to_event_;
  int id_offset_ = -1;  // byte offset of the id inside a sample body
};

}  // namespace pml
