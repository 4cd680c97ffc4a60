// perf.data reader: streams the data section through a fixed-size window so
// that memory stays bounded whatever the file size.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "byte_source.h"
#include "header_features.h"
#include "pipe_header.h"
#include "pml/perf_abi.h"
#include "pml/perf_data.h"
#include "pml/unique_fd.h"
#include "record_decoder.h"

namespace pml {

using detail::ByteSource;
using detail::kCompressedMessage;
using namespace pml::abi;

namespace {

constexpr size_t kWindow = 4 << 20;
constexpr uint64_t kMaxAttrs = 4096;
constexpr uint64_t kMaxIdsPerEvent = 1 << 20;
constexpr uint64_t kMaxFeatureSize = 64 << 20;

struct FileSection {
  uint64_t offset = 0, size = 0;
};

std::string hex(uint64_t v) {
  char b[32];
  snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
  return b;
}

}  // namespace

struct PerfDataReader::Impl {
  std::unique_ptr<ByteSource> src;
  std::vector<EventInfo> events;
  FileInfo info;
  // data_end is ByteSource::kUnknownSize for a stream: it ends where it ends.
  uint64_t data_start = 0, data_end = 0;
  bool pipe_mode = false;
  int passes = 0;
  std::optional<Error> warning;
  ReadStats stats;

  // Window over the data section.
  std::vector<std::byte> window;
  uint64_t window_off = 0;
  size_t window_len = 0;

  bool stream() const { return data_end == ByteSource::kUnknownSize; }

  // Makes up to n bytes at off readable; returns how many are (fewer than n
  // only at the end of the data or on a read error), *p pointing at them.
  size_t fetch(uint64_t off, size_t n, const std::byte** p) {
    if (off >= window_off && off + n <= window_off + window_len) {
      *p = window.data() + (off - window_off);
      return n;
    }
    src->discard_before(off);  // nothing before a record is asked for again
    size_t want = size_t(std::min<uint64_t>(std::max<size_t>(n, kWindow), data_end - off));
    n = std::min(n, want);
    window.resize(std::max(window.size(), want));
    // A file fills the window at once; a pipe gives what it has, and is
    // read on only as far as this record needs.
    size_t got = 0;
    while (got < n) {
      ssize_t r = src->read_at(off + got, window.data() + got, want - got);
      if (r <= 0) break;
      got += size_t(r);
    }
    window_off = off;
    window_len = got;
    *p = window.data();
    return std::min(got, n);
  }

  Result<void> parse_header();
  Result<void> parse_pipe_header();
  void parse_features(const uint64_t* feature_bits, uint64_t index_off);
};

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
    if (!detail::feature_is_read(feat)) continue;
    std::vector<std::byte> body(sec.size);
    if (!src->read_exact(sec.offset, body.data(), body.size())) continue;
    detail::parse_feature(feat, body, info, events);
  }
}

Result<void> PerfDataReader::Impl::parse_pipe_header() {
  auto ph = detail::scan_pipe_header(*src);
  if (!ph.ok()) return ph.error();
  events = std::move(ph->events);
  info = std::move(ph->info);
  pipe_mode = true;
  data_start = kPipeHeaderSize;
  data_end = src->size();
  return {};
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
  if (hsize == kPipeHeaderSize) return parse_pipe_header();
  // A file-mode perf.data has its sizes in the header and its features at
  // the end: it cannot be streamed.
  if (fsize == ByteSource::kUnknownSize)
    return make_error("a perf.data file in file mode came through a pipe: give it with -i FILE "
                      "(pipes carry pipe mode, as 'perf pml record -o -' writes it)", EINVAL);
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

// Standard input ("-"): a file redirected to it is read as a file; a pipe
// as a stream, which must be in pipe mode (perf record -o -).
static Result<std::unique_ptr<ByteSource>> stdin_source(const ReadOptions& options) {
  UniqueFd fd(::fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 0));
  if (!fd.valid()) return errno_error("cannot read standard input");
  struct stat st;
  if (fstat(fd.get(), &st) != 0) return errno_error("cannot stat standard input");
  if (S_ISREG(st.st_mode))
    return std::unique_ptr<ByteSource>(
        std::make_unique<detail::FileSource>(std::move(fd), uint64_t(st.st_size)));
  if (isatty(fd.get()))
    return make_error("standard input is a terminal: pipe a recording in "
                      "('perf pml record -o - ... |') or give a file with -i", EINVAL);
  UniqueFd spool;
  if (options.reread) {
    auto f = detail::create_spool_file();
    if (!f.ok()) return f.error();
    spool = std::move(f.value());
  }
  return std::unique_ptr<ByteSource>(
      std::make_unique<detail::StreamSource>(std::move(fd), std::move(spool)));
}

Result<PerfDataReader> PerfDataReader::open(const std::string& path, const ReadOptions& options) {
  auto impl = std::make_unique<Impl>();
  std::string name = "'" + path + "'";
  if (path == "-") {
    name = "standard input";
    auto src = stdin_source(options);
    if (!src.ok()) return src.error();
    impl->src = std::move(src.value());
  } else {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));  // never block on a FIFO
    if (!fd.valid()) {
      if (errno == ENOENT) return make_error("file '" + path + "' does not exist", ENOENT);
      return errno_error("cannot open '" + path + "'");
    }
    struct stat st;
    if (fstat(fd.get(), &st) != 0) return errno_error("cannot stat '" + path + "'");
    if (!S_ISREG(st.st_mode)) return make_error("'" + path + "' is not a regular file", EINVAL);
    impl->src = std::make_unique<detail::FileSource>(std::move(fd), uint64_t(st.st_size));
  }
  if (auto r = impl->parse_header(); !r)
    return make_error(name + ": " + r.error().message, r.error().errnum);
  return PerfDataReader(std::move(impl));
}

Result<PerfDataReader> PerfDataReader::open_memory(std::span<const std::byte> bytes) {
  auto impl = std::make_unique<Impl>();
  impl->src = std::make_unique<detail::MemorySource>(bytes);
  if (auto r = impl->parse_header(); !r) return r.error();
  return PerfDataReader(std::move(impl));
}

const std::vector<EventInfo>& PerfDataReader::events() const { return impl_->events; }
const FileInfo& PerfDataReader::info() const { return impl_->info; }
uint64_t PerfDataReader::data_size() const {
  return impl_->stream() ? impl_->stats.bytes : impl_->data_end - impl_->data_start;
}
bool PerfDataReader::pipe_mode() const { return impl_->pipe_mode; }
const std::optional<Error>& PerfDataReader::open_warning() const { return impl_->warning; }
const ReadStats& PerfDataReader::stats() const { return impl_->stats; }

Result<void> PerfDataReader::for_each(const Sink& sink, const Progress& progress) {
  Impl& m = *impl_;
  if (m.passes++ > 0 && !m.src->rereadable())
    return make_error("standard input cannot be read a second time (a pipe); "
                      "write the recording to a file", ESPIPE);
  m.stats = {};
  m.window_len = 0;
  RecordDecoder decoder(m.events);
  const uint64_t total = m.stream() ? 0 : m.data_end - m.data_start;
  constexpr uint64_t kProgressStep = 64 << 20;
  uint64_t next_progress = kProgressStep;
  Record rec;
  uint64_t off = m.data_start;
  while (off < m.data_end) {
    auto where = [&] { return " at data offset " + hex(off - m.data_start); };
    if (m.data_end - off < sizeof(perf_event_header))
      return make_error("truncated record header" + where(), EIO);
    const std::byte* p;
    size_t have = m.fetch(off, sizeof(perf_event_header), &p);
    if (have == 0 && m.stream()) break;  // a pipe ends between records
    if (have < sizeof(perf_event_header))
      return make_error((m.stream() ? "truncated record header" : "read error") + where(), EIO);
    perf_event_header h;
    std::memcpy(&h, p, sizeof h);
    if (h.size < sizeof h)
      return make_error("corrupt record" + where() + ": size " + std::to_string(h.size), EIO);
    if (h.size > m.data_end - off)
      return make_error("truncated record" + where() + ": needs " + std::to_string(h.size) +
                            " bytes, " + std::to_string(m.data_end - off) + " left",
                        EIO);
    have = m.fetch(off, h.size, &p);
    if (have < h.size) {
      if (!m.stream()) return make_error("read error" + where(), EIO);
      return make_error("truncated record" + where() + ": needs " + std::to_string(h.size) +
                            " bytes, " + std::to_string(have) + " left",
                        EIO);
    }
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
    // TRACING_DATA and AUXTRACE carry data past their size.
    uint64_t payload = detail::payload_after_record(h.type, body);
    if (payload > m.data_end - off - h.size)
      return make_error("truncated record" + where() + ": its data needs " +
                            std::to_string(payload) + " bytes more", EIO);
    off += h.size + payload;
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
