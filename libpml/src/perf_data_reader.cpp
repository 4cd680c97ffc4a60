// perf.data reader: streams the data section through a fixed-size window so
// that memory stays bounded whatever the file size.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "byte_cursor.h"
#include "pml/perf_abi.h"
#include "pml/perf_data.h"
#include "pml/unique_fd.h"
#include "record_decoder.h"

namespace pml {

using detail::ByteCursor;
using namespace pml::abi;

namespace {

constexpr size_t kWindow = 4 << 20;
constexpr uint64_t kMaxAttrs = 4096;
constexpr uint64_t kMaxIdsPerEvent = 1 << 20;
constexpr uint64_t kMaxFeatureSize = 64 << 20;
constexpr uint32_t kFeatCompressed = 27;  // HEADER_COMPRESSED: perf record -z
constexpr const char* kCompressedMessage =
    "compressed data not supported (the file was recorded with 'perf record -z'; "
    "record without -z)";

struct FileSection {
  uint64_t offset = 0, size = 0;
};

std::string hex(uint64_t v) {
  char b[32];
  snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
  return b;
}

}  // namespace

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  virtual uint64_t size() const = 0;
  // Reads up to n bytes at off; returns bytes read or -1 with errno.
  virtual ssize_t read_at(uint64_t off, void* buf, size_t n) = 0;

  bool read_exact(uint64_t off, void* buf, size_t n) {
    if (off > size() || size() - off < n) return false;
    char* p = static_cast<char*>(buf);
    while (n > 0) {
      ssize_t r = read_at(off, p, n);
      if (r <= 0) return false;
      p += r;
      off += uint64_t(r);
      n -= size_t(r);
    }
    return true;
  }
};

namespace {

class FileSource : public ByteSource {
 public:
  FileSource(UniqueFd fd, uint64_t size) : fd_(std::move(fd)), size_(size) {}
  uint64_t size() const override { return size_; }
  ssize_t read_at(uint64_t off, void* buf, size_t n) override {
    for (;;) {
      ssize_t r = ::pread(fd_.get(), buf, n, off_t(off));
      if (r < 0 && errno == EINTR) continue;
      return r;
    }
  }

 private:
  UniqueFd fd_;
  uint64_t size_;
};

class MemorySource : public ByteSource {
 public:
  explicit MemorySource(std::span<const std::byte> b) : b_(b) {}
  uint64_t size() const override { return b_.size(); }
  ssize_t read_at(uint64_t off, void* buf, size_t n) override {
    if (off >= b_.size()) return 0;
    n = std::min<uint64_t>(n, b_.size() - off);
    std::memcpy(buf, b_.data() + off, n);
    return ssize_t(n);
  }

 private:
  std::span<const std::byte> b_;
};

}  // namespace

struct PerfDataReader::Impl {
  std::unique_ptr<ByteSource> src;
  std::vector<EventInfo> events;
  FileInfo info;
  uint64_t data_start = 0, data_end = 0;
  std::optional<Error> warning;
  ReadStats stats;

  // Window over the data section.
  std::vector<std::byte> window;
  uint64_t window_off = 0;
  size_t window_len = 0;

  // Returns a pointer to n bytes at off, or nullptr if they cannot be read.
  const std::byte* fetch(uint64_t off, size_t n) {
    if (off >= window_off && off + n <= window_off + window_len)
      return window.data() + (off - window_off);
    size_t want = std::max<size_t>(n, kWindow);
    want = size_t(std::min<uint64_t>(want, data_end - off));
    if (want < n) return nullptr;
    window.resize(std::max(window.size(), want));
    size_t got = 0;
    while (got < want) {
      ssize_t r = src->read_at(off + got, window.data() + got, want - got);
      if (r <= 0) break;
      got += size_t(r);
    }
    window_off = off;
    window_len = got;
    return got >= n ? window.data() : nullptr;
  }

  Result<void> parse_header();
  void parse_features(const uint64_t* feature_bits, uint64_t index_off);
  void parse_event_desc(std::span<const std::byte> body);
};

static bool read_header_string(ByteCursor& c, std::string& out) {
  uint32_t len = c.get<uint32_t>();
  if (!c.ok() || len > c.remaining()) return false;
  out = c.string_in(len);
  return c.ok();
}

void PerfDataReader::Impl::parse_event_desc(std::span<const std::byte> body) {
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

void PerfDataReader::Impl::parse_features(const uint64_t* bits, uint64_t index_off) {
  // Feature problems never stop reading: the data section is what matters.
  uint64_t off = index_off;
  for (uint32_t feat = 0; feat < kFeatureBits; ++feat) {
    if (!(bits[feat / 64] & (1ULL << (feat % 64)))) continue;
    FileSection sec;
    if (!src->read_exact(off, &sec, sizeof sec)) return;
    off += sizeof sec;
    // Check bounds before allocating: sizes come from the file.
    if (sec.size > kMaxFeatureSize || sec.offset > src->size() ||
        sec.size > src->size() - sec.offset)
      continue;
    if (feat != kFeatHostname && feat != kFeatOsRelease && feat != kFeatVersion &&
        feat != kFeatArch && feat != kFeatNrCpus && feat != kFeatCmdline &&
        feat != kFeatEventDesc)
      continue;
    std::vector<std::byte> body(sec.size);
    if (!src->read_exact(sec.offset, body.data(), body.size())) continue;
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
      case kFeatEventDesc: parse_event_desc(body); break;
    }
  }
}

Result<void> PerfDataReader::Impl::parse_header() {
  const uint64_t fsize = src->size();
  uint64_t magic = 0;
  if (!src->read_exact(0, &magic, 8))
    return make_error("not a perf.data file: too small for a header", EINVAL);
  if (magic == __builtin_bswap64(kMagicPerfile2))
    return make_error("big-endian perf.data files are not supported", ENOTSUP);
  if (magic != kMagicPerfile2)
    return make_error("not a perf.data file: bad magic (expected PERFILE2)", EINVAL);
  uint64_t hsize = 0;
  if (!src->read_exact(8, &hsize, 8)) return make_error("truncated perf.data header", EINVAL);
  if (hsize == 16)
    return make_error("pipe-mode perf.data (perf record -o -) is not supported", ENOTSUP);
  struct {
    uint64_t magic, size, attr_size;
    FileSection attrs, data, event_types;
    uint64_t features[4];
  } h;
  static_assert(sizeof h == kFileHeaderSize);
  if (hsize < kFileHeaderSize || !src->read_exact(0, &h, sizeof h))
    return make_error("truncated perf.data header", EINVAL);

  if (h.features[kFeatCompressed / 64] & (1ULL << (kFeatCompressed % 64)))
    return make_error(kCompressedMessage, ENOTSUP);

  if (h.attr_size < PERF_ATTR_SIZE_VER0 + sizeof(FileSection) || h.attr_size > 4096)
    return make_error("corrupt perf.data header: attr size " + std::to_string(h.attr_size),
                      EINVAL);
  if (h.attrs.size % h.attr_size != 0 || h.attrs.size / h.attr_size > kMaxAttrs ||
      h.attrs.size == 0)
    return make_error("corrupt perf.data header: attrs section size " +
                          std::to_string(h.attrs.size), EINVAL);
  uint64_t nr = h.attrs.size / h.attr_size;
  std::vector<std::byte> entry(h.attr_size);
  for (uint64_t i = 0; i < nr; ++i) {
    if (!src->read_exact(h.attrs.offset + i * h.attr_size, entry.data(), entry.size()))
      return make_error("truncated perf.data: attrs section past end of file", EINVAL);
    EventInfo e;
    size_t attr_bytes = h.attr_size - sizeof(FileSection);
    std::memcpy(&e.attr, entry.data(), std::min(attr_bytes, sizeof e.attr));
    FileSection ids;
    std::memcpy(&ids, entry.data() + attr_bytes, sizeof ids);
    if (ids.size % 8 != 0 || ids.size / 8 > kMaxIdsPerEvent ||
        (ids.size != 0 && (ids.offset > fsize || ids.size > fsize - ids.offset)))
      return make_error("corrupt perf.data: ids section of event " + std::to_string(i),
                        EINVAL);
    e.ids.resize(ids.size / 8);
    if (!e.ids.empty() && !src->read_exact(ids.offset, e.ids.data(), ids.size))
      return make_error("truncated perf.data: ids section past end of file", EINVAL);
    e.name = default_event_name(e.attr);
    events.push_back(std::move(e));
  }

  if (h.data.offset < kFileHeaderSize || h.data.offset > fsize)
    return make_error("corrupt perf.data header: data offset " + hex(h.data.offset), EINVAL);
  data_start = h.data.offset;
  if (h.data.size == 0) {
    // The writer did not finish (crash, kill): take everything to EOF.
    data_end = fsize;
    if (fsize > data_start)
      warning = make_error("perf.data was not finished (data size 0 in header); "
                           "reading records up to end of file", 0);
  } else if (h.data.size > fsize - data_start) {
    data_end = fsize;
    warning = make_error("truncated perf.data: data section is " +
                             std::to_string(h.data.size) + " bytes, file has only " +
                             std::to_string(fsize - data_start),
                         0);
  } else {
    data_end = data_start + h.data.size;
    parse_features(h.features, data_end);
  }
  return {};
}

PerfDataReader::PerfDataReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PerfDataReader::PerfDataReader(PerfDataReader&&) noexcept = default;
PerfDataReader& PerfDataReader::operator=(PerfDataReader&&) noexcept = default;
PerfDataReader::~PerfDataReader() = default;

Result<PerfDataReader> PerfDataReader::open(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));  // never block on a FIFO
  if (!fd.valid()) {
    if (errno == ENOENT) return make_error("file '" + path + "' does not exist", ENOENT);
    return errno_error("cannot open '" + path + "'");
  }
  struct stat st;
  if (fstat(fd.get(), &st) != 0) return errno_error("cannot stat '" + path + "'");
  if (!S_ISREG(st.st_mode)) return make_error("'" + path + "' is not a regular file", EINVAL);
  auto impl = std::make_unique<Impl>();
  impl->src = std::make_unique<FileSource>(std::move(fd), uint64_t(st.st_size));
  if (auto r = impl->parse_header(); !r)
    return make_error("'" + path + "': " + r.error().message, r.error().errnum);
  return PerfDataReader(std::move(impl));
}

Result<PerfDataReader> PerfDataReader::open_memory(std::span<const std::byte> bytes) {
  auto impl = std::make_unique<Impl>();
  impl->src = std::make_unique<MemorySource>(bytes);
  if (auto r = impl->parse_header(); !r) return r.error();
  return PerfDataReader(std::move(impl));
}

const std::vector<EventInfo>& PerfDataReader::events() const { return impl_->events; }
const FileInfo& PerfDataReader::info() const { return impl_->info; }
uint64_t PerfDataReader::data_size() const { return impl_->data_end - impl_->data_start; }
const std::optional<Error>& PerfDataReader::open_warning() const { return impl_->warning; }
const ReadStats& PerfDataReader::stats() const { return impl_->stats; }

Result<void> PerfDataReader::for_each(const Sink& sink, const Progress& progress) {
  Impl& m = *impl_;
  m.stats = {};
  m.window_len = 0;
  RecordDecoder decoder(m.events);
  const uint64_t total = m.data_end - m.data_start;
  constexpr uint64_t kProgressStep = 64 << 20;
  uint64_t next_progress = kProgressStep;
  Record rec;
  uint64_t off = m.data_start;
  while (off < m.data_end) {
    auto where = [&] { return " at data offset " + hex(off - m.data_start); };
    if (m.data_end - off < sizeof(perf_event_header))
      return make_error("truncated record header" + where(), EIO);
    const std::byte* p = m.fetch(off, sizeof(perf_event_header));
    if (p == nullptr) return make_error("read error" + where(), EIO);
    perf_event_header h;
    std::memcpy(&h, p, sizeof h);
    if (h.size < sizeof h)
      return make_error("corrupt record" + where() + ": size " + std::to_string(h.size), EIO);
    if (h.size > m.data_end - off)
      return make_error("truncated record" + where() + ": needs " + std::to_string(h.size) +
                            " bytes, " + std::to_string(m.data_end - off) + " left",
                        EIO);
    p = m.fetch(off, h.size);
    if (p == nullptr) return make_error("read error" + where(), EIO);
    // A compressed record without the header feature (a damaged header).
    if (h.type == kRecordCompressed) return make_error(kCompressedMessage + where(), ENOTSUP);
    std::span<const std::byte> body(p + sizeof h, h.size - sizeof h);
    switch (decoder.decode(h.type, h.misc, body, rec)) {
      case DecodeStatus::kOk:
        if (auto* l = std::get_if<Lost>(&rec)) {
          ++m.stats.lost_records;
          m.stats.lost_events += l->lost;
        }
        if (std::holds_alternative<Sample>(rec)) ++m.stats.samples;
        sink(rec);
        break;
      case DecodeStatus::kSkipped: ++m.stats.skipped_records; break;
      case DecodeStatus::kUnattributed: ++m.stats.unattributed_samples; break;
      case DecodeStatus::kCorrupt:
        return make_error("corrupt record of type " + std::to_string(h.type) + where(), EIO);
    }
    ++m.stats.records;
    off += h.size;
    m.stats.bytes = off - m.data_start;
    if (progress && m.stats.bytes >= next_progress) {
      progress(m.stats.bytes, total);
      next_progress += kProgressStep;
    }
  }
  if (m.warning) return *m.warning;
  return {};
}

}  // namespace pml
