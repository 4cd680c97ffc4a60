// The kernel's CPU list format (/sys/devices/system/cpu/online: "0-3,8").
#pragma once

#include <string>
#include <vector>

namespace pml {

// The CPUs of `list`, in order; empty if `list` is not a CPU list.
std::vector<int> parse_cpu_list(const std::string& list);

// The online CPUs; empty if the list cannot be read.
std::vector<int> online_cpus();

}  // namespace pml
