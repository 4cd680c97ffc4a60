// Test workload for data symbols: writes all 16 pages of a C++ object in a
// namespace once per round, 3 rounds 50 ms apart, then exits.
#include <unistd.h>

#include <cstring>

namespace app::cache {
alignas(4096) char table[16 * 4096];
}  // namespace app::cache

int main() {
  for (int round = 0; round < 3; ++round) {
    std::memset(app::cache::table, round + 1, sizeof app::cache::table);
    usleep(50000);
  }
  return 0;
}
