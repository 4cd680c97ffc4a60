#include "cpu_list.h"

#include <charconv>
#include <fstream>

namespace pml {

namespace {

// Parses a decimal CPU number at `p`; nullptr unless one is there.
const char* parse_cpu(const char* p, const char* end, int& cpu) {
  auto [next, ec] = std::from_chars(p, end, cpu);
  return ec == std::errc() && cpu >= 0 ? next : nullptr;
}

}  // namespace

std::vector<int> parse_cpu_list(const std::string& list) {
  std::vector<int> cpus;
  const char* p = list.data();
  const char* end = p + list.size();
  while (end > p && (end[-1] == '\n' || end[-1] == ' ')) --end;
  if (p == end) return {};
  while (p < end) {
    int lo, hi;
    if (!(p = parse_cpu(p, end, lo))) return {};
    hi = lo;
    if (p < end && *p == '-' && (!(p = parse_cpu(p + 1, end, hi)) || hi < lo)) return {};
    for (int c = lo; c <= hi; ++c) cpus.push_back(c);
    if (p < end && (*p != ',' || ++p == end)) return {};
  }
  return cpus;
}

std::vector<int> online_cpus() {
  std::ifstream f("/sys/devices/system/cpu/online");
  std::string list;
  if (!std::getline(f, list)) return {};
  return parse_cpu_list(list);
}

}  // namespace pml
