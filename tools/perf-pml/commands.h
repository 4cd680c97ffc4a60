// Subcommand entry points: each takes the arguments after its name and
// returns the process exit status.
#pragma once

#include <string>
#include <vector>

namespace perf_pml {

int cmd_record(const std::vector<std::string>& args);
int cmd_report(const std::vector<std::string>& args);
int cmd_stat(const std::vector<std::string>& args);
int cmd_script(const std::vector<std::string>& args);
int cmd_diff(const std::vector<std::string>& args);

}  // namespace perf_pml
