// perf.data writer. Layout: header | attrs | ids | data | feature index |
// features. The header and attrs are written at create() so that a crashed
// writer still leaves a file whose records can be recovered (data.size is 0
// until finish()). In pipe mode (create_pipe(), what perf record -o - writes)
// everything goes out in order: a 16-byte header, the attrs and features as
// records, then the data; nothing is rewritten.
#include <fcntl.h>
#include <sys/utsname.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "byte_cursor.h"
#include "pml/perf_abi.h"
#include "pml/perf_data.h"
#include "pml/unique_fd.h"
#include "sample_codec.h"

namespace pml {

using detail::ByteAppender;
using namespace pml::abi;

namespace {

struct FileSection {
  uint64_t offset = 0, size = 0;
};

struct FileHeader {
  uint64_t magic;
  uint64_t size;
  uint64_t attr_size;
  FileSection attrs, data, event_types;
  uint64_t features[kFeatureBits / 64];
};
static_assert(sizeof(FileHeader) == kFileHeaderSize);

constexpr size_t kBufferSize = 1 << 20;
constexpr size_t kNameAlign = 64;  // perf aligns header strings to 64 bytes

void put_header_string(ByteAppender& a, const std::string& s) {
  uint32_t len = uint32_t((s.size() + 1 + kNameAlign - 1) / kNameAlign * kNameAlign);
  a.put<uint32_t>(len);
  std::vector<char> buf(len, 0);
  std::memcpy(buf.data(), s.data(), s.size());
  a.put_bytes(buf.data(), len);
}

// At off, or (pipe mode) at the fd's position when off is kAtEnd.
constexpr uint64_t kAtEnd = UINT64_MAX;

Result<void> write_all(int fd, const void* p, size_t n, uint64_t off) {
  const char* c = static_cast<const char*>(p);
  while (n > 0) {
    ssize_t w = off == kAtEnd ? ::write(fd, c, n) : ::pwrite(fd, c, n, off_t(off));
    if (w < 0) {
      if (errno == EINTR) continue;
      return errno_error("cannot write perf.data");
    }
    c += w;
    n -= size_t(w);
    if (off != kAtEnd) off += uint64_t(w);
  }
  return {};
}

}  // namespace

FileInfo host_file_info(std::vector<std::string> cmdline) {
  FileInfo info;
  struct utsname u;
  if (uname(&u) == 0) {
    info.hostname = u.nodename;
    info.os_release = u.release;
    info.arch = u.machine;
  }
  info.version = "pml-0.1";
  long online = sysconf(_SC_NPROCESSORS_ONLN), conf = sysconf(_SC_NPROCESSORS_CONF);
  info.nr_cpus_online = online > 0 ? uint32_t(online) : 0;
  info.nr_cpus_available = conf > 0 ? uint32_t(conf) : 0;
  info.cmdline = std::move(cmdline);
  return info;
}

struct PerfDataWriter::Impl {
  UniqueFd fd;
  std::vector<EventInfo> events;
  FileInfo info;
  FileHeader header{};
  uint64_t data_start = 0;
  uint64_t data_written = 0;  // bytes flushed to the file
  std::vector<std::byte> buffer;
  std::vector<std::byte> scratch;
  bool pipe = false;
  bool finished = false;

  Result<void> flush() {
    if (buffer.empty()) return {};
    auto r = write_all(fd.get(), buffer.data(), buffer.size(),
                       pipe ? kAtEnd : data_start + data_written);
    if (!r) return r;
    data_written += buffer.size();
    buffer.clear();
    return {};
  }

  Result<void> append(std::span<const std::byte> rec) {
    if (buffer.size() + rec.size() > kBufferSize) {
      auto r = flush();
      if (!r) return r;
    }
    buffer.insert(buffer.end(), rec.begin(), rec.end());
    return {};
  }

  void begin_record(ByteAppender& a, uint32_t type, uint16_t misc) {
    scratch.clear();
    perf_event_header h{type, misc, 0};
    a.put(h);
  }

  Result<void> end_record() {
    uint16_t size = uint16_t(scratch.size());
    std::memcpy(scratch.data() + 6, &size, 2);
    return append(scratch);
  }

  void features_blob(std::vector<uint32_t>& feats, std::vector<std::vector<std::byte>>& bodies) {
    auto add = [&](uint32_t feat, auto&& fill) {
      std::vector<std::byte> body;
      ByteAppender a(body);
      fill(a);
      feats.push_back(feat);
      bodies.push_back(std::move(body));
    };
    if (!info.hostname.empty())
      add(kFeatHostname, [&](ByteAppender& a) { put_header_string(a, info.hostname); });
    if (!info.os_release.empty())
      add(kFeatOsRelease, [&](ByteAppender& a) { put_header_string(a, info.os_release); });
    if (!info.version.empty())
      add(kFeatVersion, [&](ByteAppender& a) { put_header_string(a, info.version); });
    if (!info.arch.empty())
      add(kFeatArch, [&](ByteAppender& a) { put_header_string(a, info.arch); });
    if (info.nr_cpus_online)
      add(kFeatNrCpus, [&](ByteAppender& a) {
        a.put<uint32_t>(info.nr_cpus_available);
        a.put<uint32_t>(info.nr_cpus_online);
      });
    if (!info.cmdline.empty())
      add(kFeatCmdline, [&](ByteAppender& a) {
        a.put<uint32_t>(uint32_t(info.cmdline.size()));
        for (auto& s : info.cmdline) put_header_string(a, s);
      });
    add(kFeatEventDesc, [&](ByteAppender& a) {
      a.put<uint32_t>(uint32_t(events.size()));
      a.put<uint32_t>(kAttrSizeWritten);
      for (auto& e : events) {
        a.put_bytes(&e.attr, kAttrSizeWritten);
        a.put<uint32_t>(uint32_t(e.ids.size()));
        put_header_string(a, e.name);
        for (uint64_t id : e.ids) a.put<uint64_t>(id);
      }
    });
  }

  // Pipe mode: HEADER_ATTR per event, HEADER_FEATURE per feature, then
  // FINISHED_INIT (the header records are done).
  std::vector<std::byte> pipe_header_records() {
    std::vector<std::byte> out;
    ByteAppender a(out);
    a.put<uint64_t>(kMagicPerfile2);
    a.put<uint64_t>(kPipeHeaderSize);
    for (auto& e : events) {
      size_t size = sizeof(perf_event_header) + kAttrSizeWritten + e.ids.size() * 8;
      if (size > UINT16_MAX) continue;  // too many ids for a record; create_pipe refuses it
      a.put(perf_event_header{kRecordHeaderAttr, 0, uint16_t(size)});
      a.put_bytes(&e.attr, kAttrSizeWritten);
      for (uint64_t id : e.ids) a.put<uint64_t>(id);
    }
    std::vector<uint32_t> feats;
    std::vector<std::vector<std::byte>> bodies;
    features_blob(feats, bodies);
    for (size_t i = 0; i < feats.size(); ++i) {
      size_t size = (sizeof(perf_event_header) + 8 + bodies[i].size() + 7) / 8 * 8;
      if (size > UINT16_MAX) continue;  // e.g. a huge command line: only informative
      size_t start = out.size();
      a.put(perf_event_header{kRecordHeaderFeature, 0, uint16_t(size)});
      a.put<uint64_t>(feats[i]);
      a.put_bytes(bodies[i].data(), bodies[i].size());
      while (out.size() - start < size) a.put<uint8_t>(0);
    }
    a.put(perf_event_header{kRecordFinishedInit, 0, sizeof(perf_event_header)});
    return out;
  }

  Result<void> write_header() {
    return write_all(fd.get(), &header, sizeof header, 0);
  }
};

PerfDataWriter::PerfDataWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PerfDataWriter::PerfDataWriter(PerfDataWriter&&) noexcept = default;
PerfDataWriter& PerfDataWriter::operator=(PerfDataWriter&&) noexcept = default;
PerfDataWriter::~PerfDataWriter() {
  if (impl_ && !impl_->finished) (void)finish();
}

const std::vector<EventInfo>& PerfDataWriter::events() const { return impl_->events; }
uint64_t PerfDataWriter::data_bytes() const {
  return impl_->data_written + impl_->buffer.size();
}

// The attrs as written (VER7 size), names filled in; refuses what the
// writer cannot encode.
static Result<void> check_events(std::vector<EventInfo>& events) {
  if (events.empty()) return make_error("perf.data needs at least one event", EINVAL);
  for (auto& e : events) {
    if (e.attr.sample_type & ~kWritableSampleType)
      return make_error("event '" + e.name + "' has sample fields the writer cannot encode",
                        EINVAL);
    e.attr.size = kAttrSizeWritten;
    if (e.name.empty()) e.name = default_event_name(e.attr);
  }
  // Samples of several events can only be told apart by an id.
  if (events.size() > 1)
    for (auto& e : events)
      if (!(e.attr.sample_type & PERF_SAMPLE_IDENTIFIER))
        return make_error("several events need PERF_SAMPLE_IDENTIFIER", EINVAL);
  return {};
}

Result<PerfDataWriter> PerfDataWriter::create(const std::string& path,
                                              std::vector<EventInfo> events, FileInfo info) {
  if (auto r = check_events(events); !r) return r.error();

  auto impl = std::make_unique<Impl>();
  impl->fd.reset(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!impl->fd.valid()) return errno_error("cannot create '" + path + "'");
  impl->events = std::move(events);
  impl->info = std::move(info);
  impl->buffer.reserve(kBufferSize);

  // attrs, then every event's ids.
  std::vector<std::byte> meta;
  ByteAppender a(meta);
  const uint64_t attr_entry = kAttrSizeWritten + sizeof(FileSection);
  const uint64_t attrs_off = kFileHeaderSize;
  uint64_t ids_off = attrs_off + attr_entry * impl->events.size();
  for (auto& e : impl->events) {
    a.put_bytes(&e.attr, kAttrSizeWritten);
    FileSection ids{ids_off, e.ids.size() * 8};
    a.put(ids);
    ids_off += ids.size;
  }
  for (auto& e : impl->events)
    for (uint64_t id : e.ids) a.put<uint64_t>(id);

  FileHeader& h = impl->header;
  h.magic = kMagicPerfile2;
  h.size = kFileHeaderSize;
  h.attr_size = attr_entry;
  h.attrs = {attrs_off, attr_entry * impl->events.size()};
  impl->data_start = (kFileHeaderSize + meta.size() + 7) / 8 * 8;
  h.data = {impl->data_start, 0};
  if (auto r = impl->write_header(); !r) return r.error();
  if (auto r = write_all(impl->fd.get(), meta.data(), meta.size(), kFileHeaderSize); !r)
    return r.error();
  return PerfDataWriter(std::move(impl));
}

Result<PerfDataWriter> PerfDataWriter::create_pipe(UniqueFd fd, std::vector<EventInfo> events,
                                                   FileInfo info) {
  if (auto r = check_events(events); !r) return r.error();
  for (auto& e : events)
    if (sizeof(perf_event_header) + kAttrSizeWritten + e.ids.size() * 8 > UINT16_MAX)
      return make_error("event '" + e.name + "' has too many ids for pipe mode", EINVAL);
  auto impl = std::make_unique<Impl>();
  impl->fd = std::move(fd);
  impl->pipe = true;
  impl->events = std::move(events);
  impl->info = std::move(info);
  impl->buffer.reserve(kBufferSize);
  auto head = impl->pipe_header_records();
  if (auto r = write_all(impl->fd.get(), head.data(), head.size(), kAtEnd); !r) return r.error();
  return PerfDataWriter(std::move(impl));
}

Result<void> PerfDataWriter::write(const Record& record) {
  Impl& m = *impl_;
  if (m.finished) return make_error("perf.data writer already finished", EINVAL);
  ByteAppender a(m.scratch);
  const perf_event_attr& attr0 = m.events[0].attr;
  struct Encoder {
    Impl& m;
    ByteAppender& a;
    const perf_event_attr& attr0;
    Result<void> operator()(const Sample& s) {
      if (s.event_index >= m.events.size())
        return make_error("sample for unknown event index", EINVAL);
      m.begin_record(a, kRecordSample, kMiscUser);
      encode_sample(m.events[s.event_index].attr, s, a);
      return m.end_record();
    }
    Result<void> operator()(const Comm& c) {
      m.begin_record(a, kRecordComm, c.exec ? kMiscCommExec : 0);
      a.put<uint32_t>(c.pid);
      a.put<uint32_t>(c.tid);
      a.put_padded_string(c.comm.substr(0, 15));
      encode_sample_id(attr0, c.sid, a);
      return m.end_record();
    }
    Result<void> operator()(const Mmap& mm) {
      m.begin_record(a, kRecordMmap2, uint16_t(kMiscUser | (mm.data ? kMiscMmapData : 0)));
      a.put<uint32_t>(mm.pid);
      a.put<uint32_t>(mm.tid);
      a.put<uint64_t>(mm.start);
      a.put<uint64_t>(mm.len);
      a.put<uint64_t>(mm.pgoff);
      a.put<uint32_t>(mm.maj);
      a.put<uint32_t>(mm.min);
      a.put<uint64_t>(mm.ino);
      a.put<uint64_t>(0);  // ino_generation
      a.put<uint32_t>(mm.prot);
      a.put<uint32_t>(mm.flags);
      a.put_padded_string(mm.filename.substr(0, 4000));
      encode_sample_id(attr0, mm.sid, a);
      return m.end_record();
    }
    Result<void> operator()(const Task& t) {
      m.begin_record(a, t.is_exit ? kRecordExit : kRecordFork, 0);
      a.put<uint32_t>(t.pid);
      a.put<uint32_t>(t.ppid);
      a.put<uint32_t>(t.tid);
      a.put<uint32_t>(t.ptid);
      a.put<uint64_t>(t.time);
      encode_sample_id(attr0, t.sid, a);
      return m.end_record();
    }
    Result<void> operator()(const Lost& l) {
      if (l.samples_record) {
        m.begin_record(a, kRecordLostSamples, 0);
      } else {
        m.begin_record(a, kRecordLost, 0);
        a.put<uint64_t>(l.id);
      }
      a.put<uint64_t>(l.lost);
      encode_sample_id(attr0, l.sid, a);
      return m.end_record();
    }
  };
  return std::visit(Encoder{m, a, attr0}, record);
}

Result<void> PerfDataWriter::write_raw(std::span<const std::byte> record) {
  if (record.size() < sizeof(perf_event_header) || record.size() % 8 != 0)
    return make_error("malformed raw record", EINVAL);
  if (auto r = impl_->append(record); !r) return r;
  // A reader at the other end of a pipe gets each round when it is done.
  perf_event_header h;
  std::memcpy(&h, record.data(), sizeof h);
  if (impl_->pipe && h.type == kRecordFinishedRound) return impl_->flush();
  return {};
}

Result<void> PerfDataWriter::finish() {
  Impl& m = *impl_;
  if (m.finished) return {};
  m.finished = true;
  if (auto r = m.flush(); !r) return r;
  if (m.pipe) {
    // Everything is out already; a pipe has no header to rewrite.
    if (::close(m.fd.release()) != 0) return errno_error("cannot close the perf.data pipe");
    return {};
  }

  std::vector<uint32_t> feats;
  std::vector<std::vector<std::byte>> bodies;
  m.features_blob(feats, bodies);
  // Feature index (one section per set bit, in bit order), then bodies.
  const uint64_t index_off = m.data_start + m.data_written;
  uint64_t body_off = index_off + feats.size() * sizeof(FileSection);
  std::vector<std::byte> out;
  ByteAppender a(out);
  for (size_t i = 0; i < feats.size(); ++i) {
    a.put(FileSection{body_off, bodies[i].size()});
    body_off += bodies[i].size();
    m.header.features[feats[i] / 64] |= 1ULL << (feats[i] % 64);
  }
  for (auto& b : bodies) a.put_bytes(b.data(), b.size());
  if (auto r = write_all(m.fd.get(), out.data(), out.size(), index_off); !r) return r;
  m.header.data.size = m.data_written;
  if (auto r = m.write_header(); !r) return r;
  // Only a regular file can hold an older, longer file's tail (/dev/null cannot).
  struct stat st;
  if (::fstat(m.fd.get(), &st) == 0 && S_ISREG(st.st_mode) &&
      ::ftruncate(m.fd.get(), off_t(index_off + out.size())) != 0)
    return errno_error("cannot truncate perf.data");
  if (::close(m.fd.release()) != 0) return errno_error("cannot close perf.data");
  return {};
}

}  // namespace pml
