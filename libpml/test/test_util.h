// Helpers shared by libpml's unit tests.
#pragma once

#include <string>
#include <vector>

#include "pml/perf_data.h"

namespace pml::test {

// A fresh path in the test scratch directory.
std::string temp_path(const std::string& name);

// The attr of a pml event as perf-pml record opens it.
EventInfo pml_event(uint64_t sample_type, uint32_t epoch_ms = 10);

// Reads every record of a file; fails the test on open errors.
std::vector<Record> read_all(const std::string& path, Error* read_error = nullptr);

Sample make_sample(uint32_t pid, uint32_t tid, uint64_t time, uint64_t addr, uint64_t epoch,
                   uint64_t page_size = 4096);

std::vector<std::byte> file_bytes(const std::string& path);
void write_bytes(const std::string& path, const std::vector<std::byte>& bytes);

}  // namespace pml::test
