#include "record_decoder.h"

#include <cstring>

#include "byte_cursor.h"
#include "pml/perf_abi.h"
#include "sample_codec.h"

namespace pml {

using detail::ByteCursor;
using namespace pml::abi;

RecordDecoder::RecordDecoder(const std::vector<EventInfo>& events) {
  for (uint32_t i = 0; i < events.size(); ++i) {
    const auto& e = events[i];
    attrs_.push_back(e.attr);
    // Without the RAW epoch, pml epochs are recomputed from time and the
    // epoch length in config (ms).
    // A file that lost its EVENT_DESC (truncated) has only a default name:
    // trust a RAW of the pml size there too.
    bool is_pml = e.name.rfind("pml", 0) == 0 || e.name == default_event_name(e.attr);
    uint64_t ms = is_pml ? (e.attr.config & kEpochConfigMask) : 0;
    epoch_ns_.push_back(ms * 1000000ULL);
    is_pml_.push_back(is_pml);
    first_time_.push_back(0);
    for (uint64_t id : e.ids) id_to_event_.emplace(id, i);
  }
  if (!attrs_.empty()) {
    uint64_t t = attrs_[0].sample_type;
    if (t & kSampleIdentifier) {
      id_offset_ = 0;
    } else if (t & kSampleId) {
      int off = 0;
      for (uint64_t bit : {kSampleIp, kSampleTid, kSampleTime, kSampleAddr})
        if (t & bit) off += 8;
      id_offset_ = off;
    }
  }
}

int RecordDecoder::event_for_sample(std::span<const std::byte> body) const {
  if (attrs_.size() == 1) return 0;
  if (id_offset_ < 0 || body.size() < size_t(id_offset_) + 8) return -1;
  uint64_t id;
  std::memcpy(&id, body.data() + id_offset_, 8);
  auto it = id_to_event_.find(id);
  return it == id_to_event_.end() ? -1 : int(it->second);
}

void RecordDecoder::derive_epoch(Sample& s) {
  // Another event's RAW (a tracepoint's fields) is not the pml payload.
  if (s.has_pml_raw && !is_pml_[s.event_index]) {
    s.has_pml_raw = false;
    s.flags = 0;
  }
  if (s.has_pml_raw) return;
  uint64_t len = epoch_ns_[s.event_index];
  if (len == 0 || !(s.sample_type & kSampleTime)) {
    s.epoch = 0;
    return;
  }
  uint64_t& first = first_time_[s.event_index];
  if (first == 0) first = s.time;
  s.epoch = s.time >= first ? (s.time - first) / len : 0;
}

DecodeStatus RecordDecoder::decode(uint32_t type, uint16_t misc,
                                   std::span<const std::byte> body, Record& out) {
  if (attrs_.empty()) return DecodeStatus::kSkipped;
  const perf_event_attr& attr0 = attrs_[0];
  auto with_trailer = [&](SampleId& sid) {
    return decode_sample_id(attr0, body, sid);
  };
  switch (type) {
    case kRecordSample: {
      int ev = event_for_sample(body);
      if (ev < 0) return DecodeStatus::kUnattributed;
      Sample s;
      s.event_index = uint32_t(ev);
      if (!decode_sample(attrs_[ev], body, s)) return DecodeStatus::kCorrupt;
      derive_epoch(s);
      out = s;
      return DecodeStatus::kOk;
    }
    case kRecordComm: {
      Comm c;
      ByteCursor cur(body);
      c.pid = cur.get<uint32_t>();
      c.tid = cur.get<uint32_t>();
      c.exec = misc & kMiscCommExec;
      c.comm = cur.string_in(cur.remaining());
      if (!cur.ok() || !with_trailer(c.sid)) return DecodeStatus::kCorrupt;
      out = std::move(c);
      return DecodeStatus::kOk;
    }
    case kRecordMmap:
    case kRecordMmap2: {
      Mmap m;
      ByteCursor cur(body);
      m.pid = cur.get<uint32_t>();
      m.tid = cur.get<uint32_t>();
      m.start = cur.get<uint64_t>();
      m.len = cur.get<uint64_t>();
      m.pgoff = cur.get<uint64_t>();
      if (type == kRecordMmap2) {
        if (misc & kMiscMmapBuildId) {
          cur.skip(4 + 20);  // build_id_size, reserved, build_id[20]
        } else {
          m.maj = cur.get<uint32_t>();
          m.min = cur.get<uint32_t>();
          m.ino = cur.get<uint64_t>();
          cur.skip(8);  // ino_generation
        }
        m.prot = cur.get<uint32_t>();
        m.flags = cur.get<uint32_t>();
      }
      m.data = misc & kMiscMmapData;
      size_t trailer = sample_id_size(attr0);
      if (cur.remaining() < trailer) return DecodeStatus::kCorrupt;
      m.filename = cur.string_in(cur.remaining() - trailer);
      if (!cur.ok() || !with_trailer(m.sid)) return DecodeStatus::kCorrupt;
      out = std::move(m);
      return DecodeStatus::kOk;
    }
    case kRecordFork:
    case kRecordExit: {
      Task t;
      ByteCursor cur(body);
      t.is_exit = type == kRecordExit;
      t.pid = cur.get<uint32_t>();
      t.ppid = cur.get<uint32_t>();
      t.tid = cur.get<uint32_t>();
      t.ptid = cur.get<uint32_t>();
      t.time = cur.get<uint64_t>();
      if (!cur.ok() || !with_trailer(t.sid)) return DecodeStatus::kCorrupt;
      out = t;
      return DecodeStatus::kOk;
    }
    case kRecordLost: {
      Lost l;
      ByteCursor cur(body);
      l.id = cur.get<uint64_t>();
      l.lost = cur.get<uint64_t>();
      if (!cur.ok() || !with_trailer(l.sid)) return DecodeStatus::kCorrupt;
      out = l;
      return DecodeStatus::kOk;
    }
    case kRecordLostSamples: {
      Lost l;
      ByteCursor cur(body);
      l.samples_record = true;
      l.lost = cur.get<uint64_t>();
      if (!cur.ok() || !with_trailer(l.sid)) return DecodeStatus::kCorrupt;
      out = l;
      return DecodeStatus::kOk;
    }
    default:
      return DecodeStatus::kSkipped;
  }
}

}  // namespace pml
