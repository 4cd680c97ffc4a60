// For perf-pml's tests: perf.data files of known content, and the stdout of
// a subcommand run in-process.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "pml/perf_abi.h"
#include "pml/perf_data.h"
#include "record_builders.h"

namespace perf_pml::test {

inline std::string temp_path(const std::string& name) {
  return "/tmp/perf-pml-test-" + std::to_string(getpid()) + "-" + name;
}

inline std::string read_file(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// A file of the given records under the event perf pml record writes
// (epoch_ms epochs, sample id kSampleId).
inline void write_recording(const std::string& path, const std::vector<pml::Record>& records,
                            uint32_t epoch_ms = 10) {
  pml::EventInfo e = pml::soft_event_info(epoch_ms);
  e.ids = {pml::test::kSampleId};
  auto w = pml::PerfDataWriter::create(path, {e});
  ASSERT_TRUE(w.ok()) << w.error().to_string();
  for (const auto& r : records) ASSERT_TRUE(w->write(r).ok());
  ASSERT_TRUE(w->finish().ok());
}

// The record builders (libpml/test/record_builders.h), and a sample at a
// time that says its epoch: t0 = 1000 s; epoch e starts at t0 + e * 10 ms;
// k ms into it.
using pml::test::comm;
using pml::test::kSampleId;
using pml::test::mmap;
constexpr uint64_t kT0 = 1000'000'000'000ULL, kMs = 1'000'000ULL;

inline pml::Sample write(uint32_t pid, uint32_t tid, uint64_t epoch, uint64_t k, uint64_t addr) {
  return pml::test::sample(pid, tid, kT0 + epoch * 10 * kMs + k * kMs, addr, epoch);
}

struct Run {
  int status = 0;
  std::string out;
};

// Runs a subcommand with its stdout captured.
inline Run run_captured(const std::function<int()>& command) {
  std::string path = temp_path("stdout");
  std::fflush(stdout);
  int saved = dup(STDOUT_FILENO);
  FILE* f = std::fopen(path.c_str(), "w");
  dup2(fileno(f), STDOUT_FILENO);
  Run r;
  r.status = command();
  std::fflush(stdout);
  dup2(saved, STDOUT_FILENO);
  close(saved);
  std::fclose(f);
  r.out = read_file(path);
  unlink(path.c_str());
  return r;
}

// Whether python3's strict JSON parser (UTF-8 input) accepts the file.
// python3 is in the userland dependencies (scripts/deps.sh): without it the
// test fails and says so.
inline bool valid_json_file(const std::string& path) {
  if (std::system("python3 -c 'import json' 2>/dev/null") != 0) {
    ADD_FAILURE() << "python3 is needed to validate JSON";
    return false;
  }
  std::string cmd = "python3 -c 'import json,sys; json.load(open(sys.argv[1], encoding=\"utf-8\", "
                    "errors=\"strict\"))' '" + path + "'";
  return std::system(cmd.c_str()) == 0;
}

inline bool valid_json(const std::string& text) {
  std::string path = temp_path("check.json");
  std::ofstream(path) << text;
  bool ok = valid_json_file(path);
  unlink(path.c_str());
  return ok;
}

}  // namespace perf_pml::test
