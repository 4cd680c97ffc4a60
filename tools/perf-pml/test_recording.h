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
// (epoch_ms epochs, sample id 7).
inline void write_recording(const std::string& path, const std::vector<pml::Record>& records,
                            uint32_t epoch_ms = 10) {
  pml::EventInfo e = pml::soft_event_info(epoch_ms);
  e.ids = {7};
  auto w = pml::PerfDataWriter::create(path, {e});
  ASSERT_TRUE(w.ok()) << w.error().to_string();
  for (const auto& r : records) ASSERT_TRUE(w->write(r).ok());
  ASSERT_TRUE(w->finish().ok());
}

inline pml::Comm comm(uint32_t pid, uint32_t tid, const std::string& name) {
  pml::Comm c;
  c.pid = pid;
  c.tid = tid;
  c.comm = name;
  c.sid = {pid, tid, 0, 7, 0};
  return c;
}

inline pml::Mmap mmap(uint32_t pid, uint64_t start, uint64_t len, const std::string& file) {
  pml::Mmap m;
  m.pid = m.tid = pid;
  m.start = start;
  m.len = len;
  m.prot = 3;
  m.flags = 2;
  m.data = true;
  m.filename = file;
  m.sid = {pid, pid, 0, 7, 0};
  return m;
}

// t0 = 1000 s; epoch e starts at t0 + e * 10 ms; k ms into it.
constexpr uint64_t kT0 = 1000'000'000'000ULL, kMs = 1'000'000ULL;

inline pml::Sample write(uint32_t pid, uint32_t tid, uint64_t epoch, uint64_t k, uint64_t addr) {
  pml::Sample s;
  s.id = 7;
  s.pid = pid;
  s.tid = tid;
  s.epoch = epoch;
  s.time = kT0 + epoch * 10 * kMs + k * kMs;
  s.addr = addr;
  s.period = 1;
  s.data_src = pml::abi::kDataSrcStore;
  s.has_pml_raw = true;
  s.data_page_size = 4096;
  return s;
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
