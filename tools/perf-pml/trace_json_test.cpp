#include "trace_json.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace perf_pml {
namespace {

TEST(TraceWriter, CountersPerThreadAndEpoch) {
  std::string path = "/tmp/pml-trace-test-" + std::to_string(getpid()) + ".json";
  auto w = TraceWriter::create(path, 10'000'000);  // 10 ms epochs
  ASSERT_TRUE(w.ok());
  pml::Comm c;
  c.pid = c.tid = 5;
  c.comm = "app";
  w->add(c);
  auto smp = [](uint32_t tid, uint64_t epoch, uint64_t t) {
    pml::Sample s;
    s.pid = 5;
    s.tid = tid;
    s.epoch = epoch;
    s.time = t;
    s.addr = 0x1000 * t;
    return pml::Record(s);
  };
  // tid 5: 3 pages in epoch 0, 1 in epoch 1. tid 6: 2 pages in epoch 0.
  for (auto& r : {smp(5, 0, 1000000), smp(5, 0, 1000100), smp(6, 0, 1000200),
                  smp(5, 0, 1000300), smp(6, 0, 1000400), smp(5, 1, 11000000)})
    w->add(r);
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

}  // namespace
}  // namespace perf_pml
