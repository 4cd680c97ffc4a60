#include "test_util.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iterator>

namespace pml::test {

std::string temp_path(const std::string& name) {
  const char* dir = std::getenv("PML_TEST_TMPDIR");
  std::string base = dir ? dir : "/tmp";
  return base + "/" + std::to_string(getpid()) + "-" + name;
}

EventInfo pml_event(uint64_t sample_type, uint32_t epoch_ms) {
  EventInfo e;
  e.name = "pml/epoch=" + std::to_string(epoch_ms) + "/";
  e.attr.type = 42;  // any dynamic PMU type
  e.attr.size = 128;
  e.attr.config = epoch_ms;
  e.attr.sample_period = 1;
  e.attr.sample_type = sample_type;
  e.attr.sample_id_all = 1;
  e.attr.mmap = 1;
  e.attr.mmap2 = 1;
  e.attr.mmap_data = 1;
  e.attr.comm = 1;
  e.attr.task = 1;
  e.ids = {101};
  return e;
}

std::vector<Record> read_all(const std::string& path, Error* read_error) {
  std::vector<Record> out;
  auto reader = PerfDataReader::open(path);
  EXPECT_TRUE(reader.ok()) << (reader.ok() ? "" : reader.error().to_string());
  if (!reader.ok()) return out;
  auto r = reader->for_each([&](const Record& rec) { out.push_back(rec); });
  if (read_error) *read_error = r.ok() ? Error{} : r.error();
  else EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().to_string());
  return out;
}

Sample make_sample(uint32_t pid, uint32_t tid, uint64_t time, uint64_t addr, uint64_t epoch,
                   uint64_t page_size) {
  Sample s;
  s.pid = pid;
  s.tid = tid;
  s.time = time;
  s.addr = addr;
  s.epoch = epoch;
  s.has_pml_raw = true;
  s.data_page_size = page_size;
  s.period = 1;
  s.id = 101;
  return s;
}

std::vector<std::byte> file_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::vector<char> c((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  std::vector<std::byte> b(c.size());
  std::memcpy(b.data(), c.data(), c.size());
  return b;
}

void write_bytes(const std::string& path, const std::vector<std::byte>& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
}

}  // namespace pml::test
