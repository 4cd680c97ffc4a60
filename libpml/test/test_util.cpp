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
