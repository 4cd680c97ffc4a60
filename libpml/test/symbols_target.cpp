// A program whose data objects the split-debug tests look for: a C++
// global in a namespace and a file-local table (only .symtab has it).
#include <cstdio>

namespace split_ns {
alignas(4096) long counters[1024];
}  // namespace split_ns

namespace {
[[gnu::used]] alignas(4096) char local_table[2 * 4096] = {1};
}  // namespace

int main(int argc, char**) {
  split_ns::counters[argc] = argc;
  local_table[argc] = char(argc);
  std::printf("%ld %d\n", split_ns::counters[argc], local_table[argc]);
  return 0;
}
