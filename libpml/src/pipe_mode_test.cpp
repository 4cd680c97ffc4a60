// perf.data pipe mode (perf record -o -): the writer's layout, and the reader
// on pipe-mode files and on a real pipe on stdin.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <thread>

#include "pml/perf_abi.h"
#include "pml/perf_data.h"
#include "test_util.h"

namespace pml {
namespace {

using test::pml_event;
using test::sample;
using test::temp_path;

constexpr uint64_t kType = PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_IP | PERF_SAMPLE_TID |
                           PERF_SAMPLE_TIME | PERF_SAMPLE_ADDR | PERF_SAMPLE_CPU |
                           PERF_SAMPLE_PERIOD | PERF_SAMPLE_RAW | PERF_SAMPLE_DATA_SRC |
                           PERF_SAMPLE_DATA_PAGE_SIZE;

// COMM (an exec), MMAP2, FORK, samples of pages 0..n-1 of 0x7f0000000000
// (page i in epoch i / 4), LOST_SAMPLES, EXIT.
std::vector<Record> known_records(int samples) {
  std::vector<Record> v;
  Comm c = test::comm(100, 100, "writer");
  c.exec = true;
  c.sid.time = 1000;
  v.push_back(c);
  Mmap m = test::mmap(100, 0x7f0000000000, 0x200000, "/usr/lib/libfoo.so");
  m.sid.time = 1100;
  m.sid.cpu = 1;
  v.push_back(m);
  v.push_back(test::task_fork(101, 100, 1200));
  for (int i = 0; i < samples; ++i)
    v.push_back(sample(100, 100 + uint32_t(i % 2), 2000 + uint64_t(i),
                       0x7f0000000000 + uint64_t(i) * 4096, uint64_t(i / 4)));
  v.push_back(test::lost_samples(100, 3, 9000));
  v.push_back(test::task_exit(101, 100, 9100));
  return v;
}

// The fields the writer keeps, one line per record.
std::string describe(const Record& r) {
  char b[256];
  if (auto* s = std::get_if<Sample>(&r))
    std::snprintf(b, sizeof b, "S %u/%u t%llu a%llx e%llu ps%llu id%llu", s->pid, s->tid,
                  (unsigned long long)s->time, (unsigned long long)s->addr,
                  (unsigned long long)s->epoch, (unsigned long long)s->data_page_size,
                  (unsigned long long)s->id);
  else if (auto* c = std::get_if<Comm>(&r))
    std::snprintf(b, sizeof b, "C %u/%u %d %s t%llu", c->pid, c->tid, c->exec, c->comm.c_str(),
                  (unsigned long long)c->sid.time);
  else if (auto* m = std::get_if<Mmap>(&r))
    std::snprintf(b, sizeof b, "M %u %llx+%llx %s t%llu cpu%u", m->pid,
                  (unsigned long long)m->start, (unsigned long long)m->len, m->filename.c_str(),
                  (unsigned long long)m->sid.time, m->sid.cpu);
  else if (auto* t = std::get_if<Task>(&r))
    std::snprintf(b, sizeof b, "T %d %u/%u %u/%u t%llu", t->is_exit, t->pid, t->tid, t->ppid,
                  t->ptid, (unsigned long long)t->time);
  else {
    auto& l = std::get<Lost>(r);
    std::snprintf(b, sizeof b, "L %d %llu t%llu", l.samples_record, (unsigned long long)l.lost,
                  (unsigned long long)l.sid.time);
  }
  return b;
}

std::vector<std::string> describe_all(const std::vector<Record>& v) {
  std::vector<std::string> out;
  for (auto& r : v) out.push_back(describe(r));
  return out;
}

// Writes the records in pipe mode to fd.
void write_pipe(int fd, const std::vector<Record>& records) {
  auto w = PerfDataWriter::create_pipe(UniqueFd(fd), {pml_event(kType)},
                                       host_file_info({"perf-pml", "record", "-o", "-"}));
  ASSERT_TRUE(w.ok()) << w.error().to_string();
  for (auto& r : records) ASSERT_TRUE(w->write(r).ok());
  ASSERT_TRUE(w->finish().ok());
}

std::string write_pipe_file(const std::string& name, const std::vector<Record>& records) {
  std::string path = temp_path(name);
  write_pipe(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644), records);
  return path;
}

std::vector<Record> read_records(PerfDataReader& reader, Error* error = nullptr) {
  std::vector<Record> out;
  auto r = reader.for_each([&](const Record& rec) { out.push_back(rec); });
  if (error) *error = r.ok() ? Error{} : r.error();
  else EXPECT_TRUE(r.ok()) << r.error().to_string();
  return out;
}

// Standard input is the read end of a pipe while it lives; `feed` writes
// the other end from a thread.
class StdinPipe {
 public:
  explicit StdinPipe(std::function<void(int fd)> feed) {
    int p[2];
    EXPECT_EQ(::pipe2(p, O_CLOEXEC), 0);
    saved_ = ::dup(STDIN_FILENO);
    ::dup2(p[0], STDIN_FILENO);
    ::close(p[0]);
    writer_ = std::thread([feed = std::move(feed), fd = p[1]] { feed(fd); });
  }
  ~StdinPipe() {
    writer_.join();
    ::dup2(saved_, STDIN_FILENO);
    ::close(saved_);
  }

 private:
  int saved_ = -1;
  std::thread writer_;
};

void write_bytes_to(int fd, const std::vector<std::byte>& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t w = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (w <= 0) break;
    done += size_t(w);
  }
  ::close(fd);
}

template <class T>
void put(std::vector<std::byte>& out, const T& v) {
  auto* p = reinterpret_cast<const std::byte*>(&v);
  out.insert(out.end(), p, p + sizeof v);
}

TEST(PipeMode, LayoutIsPerfRecordsPipeMode) {
  std::string path = write_pipe_file("layout.data", known_records(2));
  auto bytes = test::file_bytes(path);
  ASSERT_GT(bytes.size(), 16u);
  uint64_t magic, size;
  std::memcpy(&magic, bytes.data(), 8);
  std::memcpy(&size, bytes.data() + 8, 8);
  EXPECT_EQ(magic, 0x32454c4946524550ULL);  // "PERFILE2"
  EXPECT_EQ(size, 16u);                     // struct perf_pipe_file_header
  // Records from offset 16: HEADER_ATTR (64) first, with attr.size 128 and
  // the event's one id; HEADER_FEATURE (80) with EVENT_DESC (12) among them;
  // FINISHED_INIT (82) before the first kernel-type record.
  std::vector<uint32_t> types;
  std::vector<uint64_t> features;
  size_t off = 16, first_kernel = 0;
  while (off + 8 <= bytes.size()) {
    perf_event_header h;
    std::memcpy(&h, bytes.data() + off, sizeof h);
    ASSERT_GE(h.size, 8u);
    types.push_back(h.type);
    if (h.type == 64) {
      uint32_t attr_size;
      std::memcpy(&attr_size, bytes.data() + off + 8 + 4, 4);
      EXPECT_EQ(attr_size, 128u);
      EXPECT_EQ(h.size, 8u + 128 + 8);
      uint64_t id;
      std::memcpy(&id, bytes.data() + off + 8 + 128, 8);
      EXPECT_EQ(id, test::kSampleId);
    }
    if (h.type == 80) {
      uint64_t feat;
      std::memcpy(&feat, bytes.data() + off + 8, 8);
      features.push_back(feat);
    }
    if (h.type < 64 && !first_kernel) first_kernel = types.size() - 1;
    off += h.size;
  }
  EXPECT_EQ(off, bytes.size());
  ASSERT_FALSE(types.empty());
  EXPECT_EQ(types[0], 64u);
  EXPECT_NE(std::find(features.begin(), features.end(), 12u), features.end());  // EVENT_DESC
  EXPECT_NE(std::find(features.begin(), features.end(), 11u), features.end());  // CMDLINE
  ASSERT_GT(first_kernel, 0u);
  EXPECT_EQ(types[first_kernel - 1], 82u);
  EXPECT_EQ(types[first_kernel], 3u);  // the COMM
}

TEST(PipeMode, FileReadsBackAsWritten) {
  auto written = known_records(9);
  std::string path = write_pipe_file("roundtrip.data", written);
  auto reader = PerfDataReader::open(path);
  ASSERT_TRUE(reader.ok()) << reader.error().to_string();
  EXPECT_TRUE(reader->pipe_mode());
  ASSERT_EQ(reader->events().size(), 1u);
  EXPECT_EQ(reader->events()[0].name, "pml/epoch=10/");
  EXPECT_EQ(reader->events()[0].attr.sample_type, kType);
  EXPECT_EQ(reader->events()[0].ids, std::vector<uint64_t>{test::kSampleId});
  EXPECT_EQ(reader->info().cmdline, (std::vector<std::string>{"perf-pml", "record", "-o", "-"}));
  EXPECT_FALSE(reader->info().hostname.empty());
  EXPECT_EQ(describe_all(read_records(*reader)), describe_all(written));
  EXPECT_EQ(reader->stats().samples, 9u);
  // A file can be read again.
  EXPECT_EQ(read_records(*reader).size(), written.size());
}

TEST(PipeMode, StdinPipeIsReadAsAStream) {
  auto written = known_records(60000);  // 5.6 MB: several pipe buffers and reader windows
  std::vector<Record> got;
  Error second;
  {
    StdinPipe in([&](int fd) { write_pipe(fd, written); });
    auto reader = PerfDataReader::open("-");
    ASSERT_TRUE(reader.ok()) << reader.error().to_string();
    EXPECT_TRUE(reader->pipe_mode());
    EXPECT_EQ(reader->events()[0].name, "pml/epoch=10/");
    got = read_records(*reader);
    // Without ReadOptions::reread a pipe is gone once read.
    (void)read_records(*reader, &second);
  }
  EXPECT_EQ(describe_all(got), describe_all(written));
  EXPECT_EQ(second.errnum, ESPIPE);
  EXPECT_NE(second.message.find("cannot be read a second time"), std::string::npos);
}

TEST(PipeMode, RereadKeepsTheStreamForASecondPass) {
  auto written = known_records(50000);
  std::vector<Record> first, second;
  {
    StdinPipe in([&](int fd) { write_pipe(fd, written); });
    ReadOptions o;
    o.reread = true;
    auto reader = PerfDataReader::open("-", o);
    ASSERT_TRUE(reader.ok()) << reader.error().to_string();
    first = read_records(*reader);
    second = read_records(*reader);
  }
  EXPECT_EQ(describe_all(first), describe_all(written));
  EXPECT_EQ(describe_all(second), describe_all(written));
}

TEST(PipeMode, RecordsArriveBeforeTheWriterIsDone) {
  // The writer holds back its last records until the reader has delivered
  // a sample: a reader that waited for the end would never get there (the
  // writer gives up after 60 s and the test fails).
  std::atomic<bool> sample_seen{false}, gave_up{false};
  auto written = known_records(3);
  size_t delivered = 0;
  {
    StdinPipe in([&](int fd) {
      auto w = PerfDataWriter::create_pipe(UniqueFd(fd), {pml_event(kType)});
      ASSERT_TRUE(w.ok());
      for (size_t i = 0; i + 2 < written.size(); ++i) ASSERT_TRUE(w->write(written[i]).ok());
      // A round is done: the writer sends what it has.
      perf_event_header round{abi::kRecordFinishedRound, 0, 8};
      ASSERT_TRUE(w->write_raw(std::as_bytes(std::span(&round, 1))).ok());
      for (int i = 0; i < 6000 && !sample_seen; ++i) usleep(10000);
      gave_up = !sample_seen;
      for (size_t i = written.size() - 2; i < written.size(); ++i)
        ASSERT_TRUE(w->write(written[i]).ok());
      ASSERT_TRUE(w->finish().ok());
    });
    auto reader = PerfDataReader::open("-");
    ASSERT_TRUE(reader.ok()) << reader.error().to_string();
    ASSERT_TRUE(reader->for_each([&](const Record& r) {
      ++delivered;
      if (std::holds_alternative<Sample>(r)) sample_seen = true;
    }).ok());
  }
  EXPECT_FALSE(gave_up);
  EXPECT_EQ(delivered, written.size());
}

TEST(PipeMode, TruncatedStreamDeliversWhatCameThenErrors) {
  std::string path = write_pipe_file("whole.data", known_records(4));
  auto bytes = test::file_bytes(path);
  bytes.resize(bytes.size() - 20);  // into the EXIT record
  std::vector<Record> got;
  Error err;
  {
    StdinPipe in([&](int fd) { write_bytes_to(fd, bytes); });
    auto reader = PerfDataReader::open("-");
    ASSERT_TRUE(reader.ok()) << reader.error().to_string();
    got = read_records(*reader, &err);
  }
  EXPECT_EQ(got.size(), known_records(4).size() - 1);
  EXPECT_NE(err.message.find("truncated record"), std::string::npos) << err.message;
}

TEST(PipeMode, FileModeThroughAPipeIsRefused) {
  std::string path = temp_path("filemode.data");
  {
    auto w = PerfDataWriter::create(path, {pml_event(kType)});
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE(w->finish().ok());
  }
  auto bytes = test::file_bytes(path);
  StdinPipe in([&](int fd) { write_bytes_to(fd, bytes); });
  auto reader = PerfDataReader::open("-");
  ASSERT_FALSE(reader.ok());
  EXPECT_NE(reader.error().message.find("standard input: a perf.data file in file mode came "
                                        "through a pipe"),
            std::string::npos)
      << reader.error().message;
  // Drain so that the writer thread finishes.
  char buf[4096];
  while (::read(STDIN_FILENO, buf, sizeof buf) > 0) {
  }
}

TEST(PipeMode, StdinFileIsReadAsAFile) {
  auto written = known_records(3);
  std::string path = write_pipe_file("stdin-file.data", written);
  int saved = ::dup(STDIN_FILENO);
  int fd = ::open(path.c_str(), O_RDONLY);
  ::dup2(fd, STDIN_FILENO);
  ::close(fd);
  auto reader = PerfDataReader::open("-");
  ::dup2(saved, STDIN_FILENO);
  ::close(saved);
  ASSERT_TRUE(reader.ok()) << reader.error().to_string();
  EXPECT_EQ(describe_all(read_records(*reader)), describe_all(written));
  EXPECT_EQ(read_records(*reader).size(), written.size());  // a file: again
}

// A pipe-mode stream as perf writes it, built by hand: HEADER_ATTR,
// TRACING_DATA (13 bytes of data after the record, padded to 16),
// EVENT_UPDATE with the name, then a sample.
std::vector<std::byte> perf_style_stream(bool compressed) {
  std::vector<std::byte> b;
  put<uint64_t>(b, abi::kMagicPerfile2);
  put<uint64_t>(b, 16);
  perf_event_attr attr{};
  attr.type = PERF_TYPE_SOFTWARE;
  attr.size = 128;
  attr.config = PERF_COUNT_SW_PAGE_FAULTS;
  attr.sample_type = PERF_SAMPLE_TID | PERF_SAMPLE_ADDR | PERF_SAMPLE_ID;
  attr.sample_id_all = 1;
  put(b, perf_event_header{64, 0, 8 + 128 + 8});
  b.insert(b.end(), reinterpret_cast<std::byte*>(&attr), reinterpret_cast<std::byte*>(&attr) + 128);
  put<uint64_t>(b, 57);
  if (compressed) {
    put(b, perf_event_header{80, 0, 8 + 8 + 8});
    put<uint64_t>(b, 27);  // HEADER_COMPRESSED
    put<uint64_t>(b, 0);
  }
  put(b, perf_event_header{66, 0, 16});
  put<uint32_t>(b, 13);
  put<uint32_t>(b, 0);
  for (int i = 0; i < 16; ++i) b.push_back(std::byte{0xee});
  put(b, perf_event_header{78, 0, 8 + 16 + 16});
  put<uint64_t>(b, 2);  // PERF_EVENT_UPDATE__NAME
  put<uint64_t>(b, 57);
  const char name[16] = "page-faults";
  b.insert(b.end(), reinterpret_cast<const std::byte*>(name),
           reinterpret_cast<const std::byte*>(name) + 16);
  put(b, perf_event_header{9, 2, 8 + 8 + 8 + 8});
  put<uint32_t>(b, 42);
  put<uint32_t>(b, 43);
  put<uint64_t>(b, 0x5a0000001000);
  put<uint64_t>(b, 57);
  return b;
}

TEST(PipeMode, PerfsOwnRecordsAreUnderstood) {
  auto bytes = perf_style_stream(false);
  auto reader = PerfDataReader::open_memory(bytes);
  ASSERT_TRUE(reader.ok()) << reader.error().to_string();
  ASSERT_EQ(reader->events().size(), 1u);
  EXPECT_EQ(reader->events()[0].name, "page-faults");
  EXPECT_EQ(reader->events()[0].ids, std::vector<uint64_t>{57});
  std::vector<Record> got = read_records(*reader);
  ASSERT_EQ(got.size(), 1u);
  auto& s = std::get<Sample>(got[0]);
  EXPECT_EQ(s.pid, 42u);
  EXPECT_EQ(s.tid, 43u);
  EXPECT_EQ(s.addr, 0x5a0000001000u);
}

TEST(PipeMode, CompressedPipeIsRefused) {
  auto bytes = perf_style_stream(true);
  auto reader = PerfDataReader::open_memory(bytes);
  ASSERT_FALSE(reader.ok());
  EXPECT_NE(reader.error().message.find("compressed data not supported"), std::string::npos);
}

TEST(PipeMode, NoAttrIsAClearError) {
  std::vector<std::byte> b;
  put<uint64_t>(b, abi::kMagicPerfile2);
  put<uint64_t>(b, 16);
  put(b, perf_event_header{82, 0, 8});
  auto reader = PerfDataReader::open_memory(b);
  ASSERT_FALSE(reader.ok());
  EXPECT_NE(reader.error().message.find("no PERF_RECORD_HEADER_ATTR"), std::string::npos);
}

}  // namespace
}  // namespace pml
