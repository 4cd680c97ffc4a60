// Encoding and decoding of PERF_RECORD_SAMPLE bodies and sample_id trailers,
// in the order the kernel's perf_output_sample() writes the fields.
#include <bit>
#include <cstdio>

#include "byte_cursor.h"
#include "pml/perf_abi.h"
#include "pml/perf_data.h"
#include "sample_codec.h"

namespace pml {

using detail::ByteCursor;
using namespace pml::abi;

static void skip_read_values(ByteCursor& c, uint64_t read_format) {
  const uint64_t per_value = 1 + ((read_format & kFormatId) ? 1 : 0) +
                             ((read_format & kFormatLost) ? 1 : 0);
  const uint64_t times = ((read_format & kFormatTotalTimeEnabled) ? 1 : 0) +
                         ((read_format & kFormatTotalTimeRunning) ? 1 : 0);
  if (read_format & kFormatGroup) {
    uint64_t nr = c.get<uint64_t>();
    c.skip(times * 8);
    if (nr > c.remaining() / 8) {  // refuse absurd counts before multiplying
      c.skip(c.remaining() + 1);
      return;
    }
    c.skip(nr * per_value * 8);
  } else {
    c.skip((per_value + times) * 8);
  }
}

static void skip_counted_u64s(ByteCursor& c, uint64_t words_per_entry) {
  uint64_t nr = c.get<uint64_t>();
  if (nr > c.remaining() / 8 / words_per_entry) {
    c.skip(c.remaining() + 1);
    return;
  }
  c.skip(nr * words_per_entry * 8);
}

static void skip_regs(ByteCursor& c, uint64_t mask) {
  uint64_t abi = c.get<uint64_t>();
  if (abi != 0) c.skip(uint64_t(std::popcount(mask)) * 8);
}

bool decode_sample(const perf_event_attr& attr, std::span<const std::byte> body, Sample& s) {
  ByteCursor c(body);
  const uint64_t t = attr.sample_type;
  s.sample_type = t;
  if (t & kSampleIdentifier) s.id = c.get<uint64_t>();
  if (t & kSampleIp) s.ip = c.get<uint64_t>();
  if (t & kSampleTid) {
    s.pid = c.get<uint32_t>();
    s.tid = c.get<uint32_t>();
  }
  if (t & kSampleTime) s.time = c.get<uint64_t>();
  if (t & kSampleAddr) s.addr = c.get<uint64_t>();
  if (t & kSampleId) s.id = c.get<uint64_t>();
  if (t & kSampleStreamId) s.stream_id = c.get<uint64_t>();
  if (t & kSampleCpu) {
    s.cpu = c.get<uint32_t>();
    c.skip(4);
  }
  if (t & kSamplePeriod) s.period = c.get<uint64_t>();
  if (t & kSampleRead) skip_read_values(c, attr.read_format);
  if (t & kSampleCallchain) skip_counted_u64s(c, 1);
  s.has_pml_raw = false;
  if (t & kSampleRaw) {
    uint32_t size = c.get<uint32_t>();
    auto raw = c.take(size);
    // The pml payload is 16 bytes, which the kernel pads to a size of 20.
    if (c.ok() && raw.size() == sizeof(PmlRaw) + 4) {
      PmlRaw r;
      std::memcpy(&r, raw.data(), sizeof r);
      s.has_pml_raw = true;
      s.epoch = r.epoch;
      s.flags = r.flags;
    }
  }
  if (t & kSampleBranchStack) {
    uint64_t nr = c.get<uint64_t>();
    if (attr.branch_sample_type & kBranchSampleHwIndex) c.skip(8);
    uint64_t words = 3 + ((attr.branch_sample_type & kBranchSampleCounters) ? 1 : 0);
    if (nr > c.remaining() / 8 / words) return false;
    c.skip(nr * words * 8);
  }
  if (t & kSampleRegsUser) skip_regs(c, attr.sample_regs_user);
  if (t & kSampleStackUser) {
    uint64_t size = c.get<uint64_t>();
    c.skip(size);
    if (size != 0) c.skip(8);  // dyn_size
  }
  if (t & (kSampleWeight | kSampleWeightStruct)) c.skip(8);
  if (t & kSampleDataSrc) s.data_src = c.get<uint64_t>();
  if (t & kSampleTransaction) c.skip(8);
  if (t & kSampleRegsIntr) skip_regs(c, attr.sample_regs_intr);
  if (t & kSamplePhysAddr) s.phys_addr = c.get<uint64_t>();
  if (t & kSampleCgroup) c.skip(8);
  if (t & kSampleDataPageSize) s.data_page_size = c.get<uint64_t>();
  if (t & kSampleCodePageSize) c.skip(8);
  if (t & kSampleAux) {
    uint64_t size = c.get<uint64_t>();
    c.skip(size);
  }
  return c.ok();
}

size_t sample_id_size(const perf_event_attr& attr) {
  if (!attr.sample_id_all) return 0;
  const uint64_t t = attr.sample_type;
  size_t n = 0;
  for (uint64_t bit : {kSampleTid, kSampleTime, kSampleId, kSampleStreamId, kSampleCpu,
                       kSampleIdentifier})
    if (t & bit) n += 8;
  return n;
}

bool decode_sample_id(const perf_event_attr& attr, std::span<const std::byte> body,
                      SampleId& out) {
  size_t n = sample_id_size(attr);
  if (n == 0) return true;
  if (body.size() < n) return false;
  ByteCursor c(body.subspan(body.size() - n));
  const uint64_t t = attr.sample_type;
  if (t & kSampleTid) {
    out.pid = c.get<uint32_t>();
    out.tid = c.get<uint32_t>();
  }
  if (t & kSampleTime) out.time = c.get<uint64_t>();
  if (t & kSampleId) out.id = c.get<uint64_t>();
  if (t & kSampleStreamId) c.skip(8);
  if (t & kSampleCpu) {
    out.cpu = c.get<uint32_t>();
    c.skip(4);
  }
  if (t & kSampleIdentifier) out.id = c.get<uint64_t>();
  return c.ok();
}

void encode_sample(const perf_event_attr& attr, const Sample& s, detail::ByteAppender& a) {
  const uint64_t t = attr.sample_type;
  if (t & kSampleIdentifier) a.put<uint64_t>(s.id);
  if (t & kSampleIp) a.put<uint64_t>(s.ip);
  if (t & kSampleTid) {
    a.put<uint32_t>(s.pid);
    a.put<uint32_t>(s.tid);
  }
  if (t & kSampleTime) a.put<uint64_t>(s.time);
  if (t & kSampleAddr) a.put<uint64_t>(s.addr);
  if (t & kSampleId) a.put<uint64_t>(s.id);
  if (t & kSampleStreamId) a.put<uint64_t>(s.stream_id);
  if (t & kSampleCpu) {
    a.put<uint32_t>(s.cpu);
    a.put<uint32_t>(0);
  }
  if (t & kSamplePeriod) a.put<uint64_t>(s.period);
  if (t & kSampleRaw) {
    // The kernel pads so that size field + payload ends on a u64 boundary.
    PmlRaw r{s.epoch, s.flags, 0};
    const uint32_t size = 20;
    a.put<uint32_t>(size);
    a.put(r);
    a.put<uint32_t>(0);
  }
  if (t & kSampleDataSrc) a.put<uint64_t>(s.data_src);
  if (t & kSamplePhysAddr) a.put<uint64_t>(s.phys_addr);
  if (t & kSampleDataPageSize) a.put<uint64_t>(s.data_page_size);
}

void encode_sample_id(const perf_event_attr& attr, const SampleId& sid,
                      detail::ByteAppender& a) {
  if (!attr.sample_id_all) return;
  const uint64_t t = attr.sample_type;
  if (t & kSampleTid) {
    a.put<uint32_t>(sid.pid);
    a.put<uint32_t>(sid.tid);
  }
  if (t & kSampleTime) a.put<uint64_t>(sid.time);
  if (t & kSampleId) a.put<uint64_t>(sid.id);
  if (t & kSampleStreamId) a.put<uint64_t>(sid.id);
  if (t & kSampleCpu) {
    a.put<uint32_t>(sid.cpu);
    a.put<uint32_t>(0);
  }
  if (t & kSampleIdentifier) a.put<uint64_t>(sid.id);
}

std::string default_event_name(const perf_event_attr& attr) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "type%u/config=0x%llx/", attr.type,
                static_cast<unsigned long long>(attr.config));
  return buf;
}

}  // namespace pml
