#include "trace_json.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "record_builders.h"

namespace perf_pml {
namespace {

TEST(TraceWriter, CountersPerThreadAndEpoch) {
  std::string path = "/tmp/pml-trace-test-" + std::to_string(getpid()) + ".json";
  auto w = TraceWriter::create(path, 10'000'000);  // 10 ms epochs
  ASSERT_TRUE(w.ok());
  pml::Comm c = pml::test::comm(5, 5, "app");
  w->observe(c);
  pml::SampleResolver resolver;
  resolver.observe(c);
  auto smp = [](uint32_t tid, uint64_t epoch, uint64_t t) {
    return pml::Record(pml::test::sample(5, tid, t, 0x1000 * t, epoch));
  };
  // tid 5: 3 pages in epoch 0, 1 in epoch 1. tid 6: 2 pages in epoch 0.
  for (auto& r : {smp(5, 0, 1000000), smp(5, 0, 1000100), smp(6, 0, 1000200),
                  smp(5, 0, 1000300), smp(6, 0, 1000400), smp(5, 1, 11000000)}) {
    pml::ResolvedSample rs;
    ASSERT_TRUE(resolver.resolve(std::get<pml::Sample>(r), &rs));
    w->add(rs, resolver);
  }
  ASSERT_TRUE(w->finish().ok());
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  std::string j = ss.str();
  unlink(path.c_str());
  EXPECT_EQ(j.rfind("{\"displayTimeUnit\"", 0), 0u);
  EXPECT_NE(j.find("\"name\":\"process_name\",\"pid\":5,\"args\":{\"name\":\"app\"}"),
            std::string::npos);
  // tid 5 epoch 0 at ts 0: 3 pages, 300 pages/s over 10 ms.
  EXPECT_NE(j.find("\"name\":\"working set tid 5\",\"pid\":5,\"tid\":5,\"ts\":0.000,"
                   "\"args\":{\"pages\":3}"),
            std::string::npos) << j;
  EXPECT_NE(j.find("\"args\":{\"pages_per_s\":300.0}"), std::string::npos) << j;
  // tid 5 epoch 1 at ts 10000 us: 1 page.
  EXPECT_NE(j.find("\"name\":\"working set tid 5\",\"pid\":5,\"tid\":5,\"ts\":10000.000,"
                   "\"args\":{\"pages\":1}"),
            std::string::npos) << j;
  EXPECT_NE(j.find("\"name\":\"working set tid 6\",\"pid\":5,\"tid\":6,\"ts\":0.200,"
                   "\"args\":{\"pages\":2}"),
            std::string::npos) << j;
  EXPECT_EQ(j.substr(j.size() - 4), "\n]}\n");
}

std::string read_file(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// The working-set counter values of one thread, in file order, as "ts=pages".
std::vector<std::string> working_set_points(const std::string& json, uint32_t tid) {
  std::vector<std::string> out;
  std::string key = "\"name\":\"working set tid " + std::to_string(tid) + "\"";
  for (size_t at = json.find(key); at != std::string::npos; at = json.find(key, at + 1)) {
    size_t ts = json.find("\"ts\":", at) + 5;
    size_t pages = json.find("\"pages\":", at) + 8;
    out.push_back(json.substr(ts, json.find(',', ts) - ts) + "=" +
                  json.substr(pages, json.find('}', pages) - pages));
  }
  return out;
}

TEST(TraceWriter, IdleEpochsReadZero) {
  std::string path = "/tmp/pml-trace-idle-" + std::to_string(getpid()) + ".json";
  auto w = TraceWriter::create(path, 10'000'000);  // 10 ms epochs
  ASSERT_TRUE(w.ok());
  pml::SampleResolver resolver;
  auto add = [&](uint32_t tid, uint64_t epoch, uint64_t addr) {
    // 1 us into the epoch
    pml::Sample s = pml::test::sample(5, tid, 1'000'000'000 + epoch * 10'000'000 + 1000, addr, epoch);
    pml::ResolvedSample rs;
    ASSERT_TRUE(resolver.resolve(s, &rs));
    w->add(rs, resolver);
  };
  // tid 5 writes in epochs 0, 3 and 4 (idle in 1 and 2); tid 6 writes in
  // epoch 0 only and is idle in 1..4, the end of the stream.
  add(5, 0, 0x1000);
  add(5, 0, 0x2000);
  add(6, 0, 0x3000);
  add(5, 3, 0x1000);
  add(5, 4, 0x1000);
  ASSERT_TRUE(w->finish().ok());
  std::string j = read_file(path);
  unlink(path.c_str());
  // Epoch 0 at ts 0: 2 pages; 0 from epoch 1 (10 ms) until epoch 3 (30 ms).
  EXPECT_EQ(working_set_points(j, 5),
            (std::vector<std::string>{"0.000=2", "10000.000=0", "30000.000=1", "40000.000=1"}))
      << j;
  EXPECT_EQ(working_set_points(j, 6), (std::vector<std::string>{"0.000=1", "10000.000=0"})) << j;
  // The dirty rate drops to 0 with the working set.
  EXPECT_NE(j.find("\"name\":\"dirty rate tid 6\",\"pid\":5,\"tid\":6,\"ts\":10000.000,"
                   "\"args\":{\"pages_per_s\":0.0}"),
            std::string::npos)
      << j;
}

}  // namespace
}  // namespace perf_pml
