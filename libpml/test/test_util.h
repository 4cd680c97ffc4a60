// Helpers shared by libpml's unit tests (the record builders are in
// record_builders.h, which this includes).
#pragma once

#include <string>
#include <vector>

#include "pml/perf_data.h"
#include "record_builders.h"

namespace pml::test {

// A fresh path in the test scratch directory.
std::string temp_path(const std::string& name);

// Reads every record of a file; fails the test on open errors.
std::vector<Record> read_all(const std::string& path, Error* read_error = nullptr);

std::vector<std::byte> file_bytes(const std::string& path);
void write_bytes(const std::string& path, const std::vector<std::byte>& bytes);

}  // namespace pml::test
