#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <cstring>

#include "pml/perf_abi.h"
#include "pml/perf_data.h"
#include "test_util.h"

namespace pml {
namespace {

using test::kSampleId;
using test::pml_event;
using test::sample;
using test::read_all;
using test::temp_path;

constexpr uint64_t kFullType = PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_IP | PERF_SAMPLE_TID |
                               PERF_SAMPLE_TIME | PERF_SAMPLE_ADDR | PERF_SAMPLE_CPU |
                               PERF_SAMPLE_PERIOD | PERF_SAMPLE_RAW | PERF_SAMPLE_DATA_SRC |
                               PERF_SAMPLE_PHYS_ADDR | PERF_SAMPLE_DATA_PAGE_SIZE;

// Writes COMM, MMAP2, FORK, 3 samples, LOST, EXIT.
std::string write_small_file(const std::string& name) {
  std::string path = temp_path(name);
  auto w = PerfDataWriter::create(path, {pml_event(kFullType)}, host_file_info({"perf-pml", "record"}));
  EXPECT_TRUE(w.ok());
  Comm c{100, 100, true, "writer", {100, 100, 1000, kSampleId, 0}};
  EXPECT_TRUE(w->write(c).ok());
  Mmap m = test::mmap(100, 0x7f0000000000, 0x200000, "/usr/lib/libfoo.so", 0x1000);
  m.maj = 8;
  m.min = 1;
  m.ino = 1234;
  m.sid = {100, 100, 1100, kSampleId, 1};
  EXPECT_TRUE(w->write(m).ok());
  Task fork{false, 100, 100, 101, 100, 1200, {100, 101, 1200, kSampleId, 0}};
  EXPECT_TRUE(w->write(fork).ok());
  Sample s1 = sample(100, 100, 2000, 0x7f0000001000, 0);
  s1.ip = 0x401000;
  s1.cpu = 1;
  s1.phys_addr = 0x12345000;
  s1.data_src = abi::kDataSrcStore;
  s1.flags = 1;
  EXPECT_TRUE(w->write(s1).ok());
  EXPECT_TRUE(w->write(sample(100, 101, 2100, 0x7f0000002000, 0)).ok());
  EXPECT_TRUE(w->write(sample(100, 101, 3000, 0x7f0000200000, 1, 2 << 20)).ok());
  Lost l{kSampleId, 7, false, {100, 100, 3100, kSampleId, 0}};
  EXPECT_TRUE(w->write(l).ok());
  Task ex{true, 100, 1, 100, 1, 4000, {100, 100, 4000, kSampleId, 0}};
  EXPECT_TRUE(w->write(ex).ok());
  EXPECT_TRUE(w->finish().ok());
  return path;
}

TEST(PerfData, RoundTripKeepsEveryField) {
  std::string path = write_small_file("roundtrip.data");
  auto reader = PerfDataReader::open(path);
  ASSERT_TRUE(reader.ok()) << reader.error().to_string();
  ASSERT_EQ(reader->events().size(), 1u);
  EXPECT_EQ(reader->events()[0].name, "pml/epoch=10/");
  EXPECT_EQ(reader->events()[0].attr.size, 128u);
  EXPECT_EQ(reader->events()[0].attr.sample_type, kFullType);
  EXPECT_EQ(reader->events()[0].ids, std::vector<uint64_t>{kSampleId});
  EXPECT_EQ(reader->info().cmdline, (std::vector<std::string>{"perf-pml", "record"}));
  EXPECT_FALSE(reader->info().hostname.empty());

  std::vector<Record> recs;
  ASSERT_TRUE(reader->for_each([&](const Record& r) { recs.push_back(r); }).ok());
  ASSERT_EQ(recs.size(), 8u);

  auto& c = std::get<Comm>(recs[0]);
  EXPECT_EQ(c.comm, "writer");
  EXPECT_TRUE(c.exec);
  EXPECT_EQ(c.sid.time, 1000u);

  auto& m = std::get<Mmap>(recs[1]);
  EXPECT_EQ(m.start, 0x7f0000000000u);
  EXPECT_EQ(m.len, 0x200000u);
  EXPECT_EQ(m.pgoff, 0x1000u);
  EXPECT_EQ(m.ino, 1234u);
  EXPECT_EQ(m.maj, 8u);
  EXPECT_EQ(m.prot, 3u);
  EXPECT_TRUE(m.data);
  EXPECT_EQ(m.filename, "/usr/lib/libfoo.so");
  EXPECT_EQ(m.sid.cpu, 1u);
  EXPECT_EQ(m.sid.time, 1100u);

  auto& f = std::get<Task>(recs[2]);
  EXPECT_FALSE(f.is_exit);
  EXPECT_EQ(f.tid, 101u);
  EXPECT_EQ(f.ptid, 100u);

  auto& s1 = std::get<Sample>(recs[3]);
  EXPECT_EQ(s1.ip, 0x401000u);
  EXPECT_EQ(s1.pid, 100u);
  EXPECT_EQ(s1.tid, 100u);
  EXPECT_EQ(s1.time, 2000u);
  EXPECT_EQ(s1.addr, 0x7f0000001000u);
  EXPECT_EQ(s1.cpu, 1u);
  EXPECT_EQ(s1.period, 1u);
  EXPECT_EQ(s1.phys_addr, 0x12345000u);
  EXPECT_EQ(s1.data_src, abi::kDataSrcStore);
  EXPECT_TRUE(s1.has_pml_raw);
  EXPECT_EQ(s1.epoch, 0u);
  EXPECT_EQ(s1.flags, 1u);
  EXPECT_EQ(s1.data_page_size, 4096u);
  EXPECT_EQ(s1.id, kSampleId);

  auto& s3 = std::get<Sample>(recs[5]);
  EXPECT_EQ(s3.epoch, 1u);
  EXPECT_EQ(s3.data_page_size, 2u << 20);

  auto& l = std::get<Lost>(recs[6]);
  EXPECT_EQ(l.lost, 7u);
  EXPECT_EQ(reader->stats().lost_events, 7u);
  EXPECT_TRUE(std::get<Task>(recs[7]).is_exit);
  EXPECT_EQ(reader->stats().samples, 3u);
}

TEST(PerfData, SecondPassReadsTheSameRecords) {
  std::string path = write_small_file("twice.data");
  auto reader = PerfDataReader::open(path);
  ASSERT_TRUE(reader.ok());
  int n1 = 0, n2 = 0;
  ASSERT_TRUE(reader->for_each([&](const Record&) { ++n1; }).ok());
  ASSERT_TRUE(reader->for_each([&](const Record&) { ++n2; }).ok());
  EXPECT_EQ(n1, 8);
  EXPECT_EQ(n2, 8);
}

// perf pml record -o /dev/null: a character device cannot be truncated.
TEST(PerfData, WritingToDevNullSucceeds) {
  auto w = PerfDataWriter::create("/dev/null", {pml_event(kFullType)},
                                  host_file_info({"perf-pml", "record"}));
  ASSERT_TRUE(w.ok());
  EXPECT_TRUE(w->write(sample(100, 100, 2000, 0x7f0000001000, 0)).ok());
  auto done = w->finish();
  EXPECT_TRUE(done.ok()) << (done.ok() ? "" : done.error().to_string());
}

TEST(PerfData, MissingFileSaysSo) {
  auto r = PerfDataReader::open(temp_path("does-not-exist.data"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().errnum, ENOENT);
  EXPECT_NE(r.error().message.find("does not exist"), std::string::npos);
}

TEST(PerfData, BadMagicIsRejected) {
  std::string path = temp_path("badmagic.data");
  test::write_bytes(path, std::vector<std::byte>(200, std::byte{'x'}));
  auto r = PerfDataReader::open(path);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("bad magic"), std::string::npos);
}

TEST(PerfData, TinyFileIsRejected) {
  std::string path = temp_path("tiny.data");
  test::write_bytes(path, std::vector<std::byte>(3, std::byte{0}));
  EXPECT_FALSE(PerfDataReader::open(path).ok());
}

// Cutting the file inside the data section: records before the cut are
// delivered, then a truncation error.
TEST(PerfData, TruncatedFileDeliversWhatWasReadThenErrors) {
  std::string path = write_small_file("trunc-src.data");
  auto bytes = test::file_bytes(path);
  auto reader = PerfDataReader::open(path);
  ASSERT_TRUE(reader.ok());
  // Find the data offset: header word 5 (attrs{off,size}, data{off,...}).
  uint64_t data_off;
  std::memcpy(&data_off, bytes.data() + 40, 8);
  // COMM (8+8+8 name+24 trailer = 48) + MMAP2 ... cut 4 bytes into the 4th record.
  uint64_t cut = 0;
  {
    uint64_t off = data_off;
    for (int i = 0; i < 3; ++i) {
      uint16_t size;
      std::memcpy(&size, bytes.data() + off + 6, 2);
      off += size;
    }
    cut = off + 4;
  }
  bytes.resize(cut);
  std::string tpath = temp_path("trunc.data");
  test::write_bytes(tpath, bytes);
  Error err;
  auto recs = read_all(tpath, &err);
  EXPECT_EQ(recs.size(), 3u);
  EXPECT_NE(err.message.find("truncated"), std::string::npos) << err.message;
}

TEST(PerfData, UnfinishedFileIsRecovered) {
  std::string path = temp_path("unfinished.data");
  {
    auto w = PerfDataWriter::create(path, {pml_event(kFullType)});
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE(w->write(sample(1, 1, 10, 0x1000, 0)).ok());
    ASSERT_TRUE(w->write(sample(1, 1, 11, 0x2000, 0)).ok());
    // Simulate a crash after the data was flushed but before finish():
    // finish() writes data.size; zero it again afterwards.
    ASSERT_TRUE(w->finish().ok());
  }
  auto bytes = test::file_bytes(path);
  uint64_t data_off, data_size, zero = 0;
  std::memcpy(&data_off, bytes.data() + 40, 8);
  std::memcpy(&data_size, bytes.data() + 48, 8);
  std::memcpy(bytes.data() + 48, &zero, 8);
  bytes.resize(data_off + data_size);
  test::write_bytes(path, bytes);
  Error err;
  auto recs = read_all(path, &err);
  EXPECT_EQ(recs.size(), 2u);
  EXPECT_NE(err.message.find("not finished"), std::string::npos) << err.message;
}

TEST(PerfData, CorruptRecordSizeStopsWithError) {
  std::string path = write_small_file("corrupt-src.data");
  auto bytes = test::file_bytes(path);
  uint64_t data_off;
  std::memcpy(&data_off, bytes.data() + 40, 8);
  uint16_t size0;
  std::memcpy(&size0, bytes.data() + data_off + 6, 2);
  uint16_t bad = 4;  // smaller than a header
  std::memcpy(bytes.data() + data_off + size0 + 6, &bad, 2);
  std::string cpath = temp_path("corrupt.data");
  test::write_bytes(cpath, bytes);
  Error err;
  auto recs = read_all(cpath, &err);
  EXPECT_EQ(recs.size(), 1u);
  EXPECT_NE(err.message.find("corrupt record"), std::string::npos) << err.message;
}

TEST(PerfData, SampleShorterThanItsLayoutIsCorrupt) {
  std::string path = write_small_file("short-src.data");
  auto bytes = test::file_bytes(path);
  uint64_t data_off;
  std::memcpy(&data_off, bytes.data() + 40, 8);
  uint64_t off = data_off;
  for (int i = 0; i < 3; ++i) {
    uint16_t size;
    std::memcpy(&size, bytes.data() + off + 6, 2);
    off += size;
  }
  // Turn the first sample into a 16-byte record followed by garbage padding
  // that parses as another header: shrink its size to 16.
  uint16_t sz;
  std::memcpy(&sz, bytes.data() + off + 6, 2);
  uint16_t small = 16;
  std::memcpy(bytes.data() + off + 6, &small, 2);
  std::string cpath = temp_path("short.data");
  test::write_bytes(cpath, bytes);
  Error err;
  auto recs = read_all(cpath, &err);
  EXPECT_EQ(recs.size(), 3u);
  EXPECT_NE(err.message.find("corrupt record of type 9"), std::string::npos) << err.message;
}

TEST(PerfData, CorruptHeaderFieldsAreRejected) {
  std::string path = write_small_file("hdr-src.data");
  auto good = test::file_bytes(path);
  struct Case {
    size_t offset;
    uint64_t value;
  } cases[] = {
      {16, 7},                   // attr_size too small
      {32, 145},                 // attrs size not a multiple of attr_size
      {40, 1ULL << 40},          // data offset past end
  };
  for (auto c : cases) {
    auto bytes = good;
    std::memcpy(bytes.data() + c.offset, &c.value, 8);
    std::string cpath = temp_path("hdr.data");
    test::write_bytes(cpath, bytes);
    auto r = PerfDataReader::open(cpath);
    EXPECT_FALSE(r.ok()) << "offset " << c.offset;
  }
}

TEST(PerfData, MultipleEventsAreToldApartByIdentifier) {
  std::string path = temp_path("multi.data");
  auto e1 = pml_event(kFullType);
  auto e2 = pml_event(kFullType, 20);
  e2.ids = {202, 203};
  e2.name = "pml/epoch=20/";
  {
    auto w = PerfDataWriter::create(path, {e1, e2});
    ASSERT_TRUE(w.ok()) << w.error().to_string();
    Sample a = sample(1, 1, 10, 0x1000, 0);
    a.id = 203;
    a.event_index = 1;
    Sample b = sample(1, 1, 11, 0x2000, 0);
    b.id = kSampleId;
    ASSERT_TRUE(w->write(a).ok());
    ASSERT_TRUE(w->write(b).ok());
    ASSERT_TRUE(w->finish().ok());
  }
  auto recs = read_all(path);
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(std::get<Sample>(recs[0]).event_index, 1u);
  EXPECT_EQ(std::get<Sample>(recs[1]).event_index, 0u);
}

TEST(PerfData, EpochIsDerivedFromTimeWithoutRaw) {
  std::string path = temp_path("noraw.data");
  auto e = pml_event(PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_ADDR |
                     PERF_SAMPLE_PERIOD, 10);
  {
    auto w = PerfDataWriter::create(path, {e});
    ASSERT_TRUE(w.ok());
    // 10 ms epochs from the first sample at t=1s.
    for (uint64_t t : {1000000000ULL, 1009999999ULL, 1010000000ULL, 1035000000ULL})
      ASSERT_TRUE(w->write(sample(1, 1, t, 0x1000, 99)).ok());
    ASSERT_TRUE(w->finish().ok());
  }
  auto recs = read_all(path);
  ASSERT_EQ(recs.size(), 4u);
  std::vector<uint64_t> epochs;
  for (auto& r : recs) epochs.push_back(std::get<Sample>(r).epoch);
  EXPECT_EQ(epochs, (std::vector<uint64_t>{0, 0, 1, 3}));
}

TEST(PerfData, WriterRefusesFieldsItCannotEncode) {
  auto e = pml_event(PERF_SAMPLE_IP | PERF_SAMPLE_CALLCHAIN);
  EXPECT_FALSE(PerfDataWriter::create(temp_path("refuse.data"), {e}).ok());
}

// The reader must read what perf record writes. This host has no hardware
// counters; page-faults with -d gives samples with ADDR, like pml.
TEST(PerfData, ReadsWhatPerfRecordWrites) {
  if (access("/usr/bin/perf", X_OK) != 0) GTEST_SKIP() << "no /usr/bin/perf";
  std::string path = temp_path("perf-record.data");
  std::string cmd = "/usr/bin/perf record -q -e page-faults -c 1 -d -o " + path +
                    " -- /bin/true >/dev/null 2>&1";
  if (std::system(cmd.c_str()) != 0) GTEST_SKIP() << "perf record failed here";
  auto reader = PerfDataReader::open(path);
  ASSERT_TRUE(reader.ok()) << reader.error().to_string();
  ASSERT_GE(reader->events().size(), 1u);
  EXPECT_EQ(reader->events()[0].name, "page-faults");
  uint64_t samples = 0, with_addr = 0, comms = 0, mmaps = 0;
  bool saw_true = false;
  auto r = reader->for_each([&](const Record& rec) {
    if (auto* s = std::get_if<Sample>(&rec)) {
      ++samples;
      if (s->addr != 0) ++with_addr;
    } else if (auto* c = std::get_if<Comm>(&rec)) {
      ++comms;
      if (c->comm == "true") saw_true = true;
    } else if (std::holds_alternative<Mmap>(rec)) {
      ++mmaps;
    }
  });
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  // /bin/true faults on at least its stack, its binary and libc.
  EXPECT_GE(samples, 10u);
  EXPECT_EQ(with_addr, samples);
  EXPECT_TRUE(saw_true);
  EXPECT_GE(mmaps, 2u);
  EXPECT_EQ(reader->stats().unattributed_samples, 0u);
}

}  // namespace
}  // namespace pml

namespace pml {
namespace {

TEST(PerfData, RawOfAnotherEventIsNotThePmlPayload) {
  std::string path = test::temp_path("other-raw.data");
  auto e = test::pml_event(kFullType);
  e.name = "sched:sched_foo";
  {
    auto w = PerfDataWriter::create(path, {e});
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE(w->write(test::sample(1, 1, 10, 0x1000, 77)).ok());
    ASSERT_TRUE(w->finish().ok());
  }
  auto recs = test::read_all(path);
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_FALSE(std::get<Sample>(recs[0]).has_pml_raw);
  EXPECT_EQ(std::get<Sample>(recs[0]).epoch, 0u);
}

TEST(PerfData, TruncatedFileKeepsRawEpochs) {
  // Features (with the event name) sit after the data; cut inside the data
  // and the RAW epochs must still be read.
  std::string path = test::temp_path("trunc-epochs.data");
  {
    auto w = PerfDataWriter::create(path, {test::pml_event(kFullType)});
    ASSERT_TRUE(w.ok());
    for (uint64_t i = 0; i < 10; ++i)
      ASSERT_TRUE(w->write(test::sample(1, 1, 10 + i, 0x1000 * i, i / 2)).ok());
    ASSERT_TRUE(w->finish().ok());
  }
  auto bytes = test::file_bytes(path);
  uint64_t data_off, data_size;
  std::memcpy(&data_off, bytes.data() + 40, 8);
  std::memcpy(&data_size, bytes.data() + 48, 8);
  bytes.resize(data_off + data_size - 50);  // inside the last sample
  test::write_bytes(path, bytes);
  Error err;
  auto recs = test::read_all(path, &err);
  ASSERT_EQ(recs.size(), 9u);
  EXPECT_FALSE(err.message.empty());
  EXPECT_TRUE(std::get<Sample>(recs[8]).has_pml_raw);
  EXPECT_EQ(std::get<Sample>(recs[8]).epoch, 4u);
}

}  // namespace
}  // namespace pml

namespace pml {
namespace {

// perf record -z sets HEADER_COMPRESSED (feature bit 27) and writes
// PERF_RECORD_COMPRESSED (type 81) records.
TEST(PerfDataReader, CompressedHeaderFeatureIsAClearError) {
  std::string path = write_small_file("compressed-feature.data");
  auto bytes = test::file_bytes(path);
  constexpr size_t kFeaturesOffset = 72;  // magic, size, attr_size, 3 sections
  bytes[kFeaturesOffset + 27 / 8] |= std::byte(1 << (27 % 8));
  test::write_bytes(path, bytes);
  auto r = PerfDataReader::open(path);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("compressed data not supported"), std::string::npos)
      << r.error().message;
  EXPECT_EQ(r.error().errnum, ENOTSUP);
}

TEST(PerfDataReader, CompressedRecordIsAClearError) {
  std::string path = temp_path("compressed-record.data");
  auto w = PerfDataWriter::create(path, {pml_event(kFullType)});
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE(w->write(sample(100, 100, 2000, 0x7f0000001000, 0)).ok());
  // A PERF_RECORD_COMPRESSED header and 8 bytes of (zstd) payload.
  std::vector<std::byte> rec(16);
  perf_event_header h{abi::kRecordCompressed, 0, 16};
  std::memcpy(rec.data(), &h, sizeof h);
  ASSERT_TRUE(w->write_raw(rec).ok());
  ASSERT_TRUE(w->write(sample(100, 100, 3000, 0x7f0000002000, 0)).ok());
  ASSERT_TRUE(w->finish().ok());
  Error err;
  auto recs = read_all(path, &err);
  EXPECT_EQ(recs.size(), 1u);  // the sample before it
  EXPECT_NE(err.message.find("compressed data not supported"), std::string::npos) << err.message;
}

}  // namespace
}  // namespace pml
