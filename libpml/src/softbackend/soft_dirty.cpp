#include "soft_dirty.h"

#include <fcntl.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "kernel_abi.h"
#include "pml/unique_fd.h"

namespace pml::soft {

namespace {
// pagemap bit 61: file page or shared anonymous page.
constexpr uint64_t kPagemapFileOrSharedAnon = 1ull << 61;
constexpr uint64_t kPageSize = 4096;
}  // namespace

Result<void> read_soft_dirty(int pagemap_fd, uint64_t start, uint64_t end, bool shared,
                     const std::function<void(uint64_t addr)>& on_page) {
  std::vector<uint64_t> entries(4096);
  for (uint64_t addr = start; addr < end;) {
    size_t count = std::min<uint64_t>(entries.size(), (end - addr) / kPageSize);
    ssize_t n = pread(pagemap_fd, entries.data(), count * sizeof(uint64_t),
                      off_t(addr / kPageSize * sizeof(uint64_t)));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno_error("read pagemap");
    if (n == 0) break;  // past the end of the address space
    size_t got = size_t(n) / sizeof(uint64_t);
    for (size_t i = 0; i < got; ++i) {
      uint64_t e = entries[i];
      if (!(e & abi::kPagemapSoftDirty)) continue;
      bool holds_written_data =
          (e & abi::kPagemapSwapped) ||
          ((e & abi::kPagemapPresent) && (shared || !(e & kPagemapFileOrSharedAnon)));
      if (holds_written_data) on_page(addr + i * kPageSize);
    }
    addr += got * kPageSize;
  }
  return {};
}

Result<void> clear_soft_dirty(pid_t pid) {
  std::string path = pid == 0 ? "/proc/self/clear_refs" : "/proc/" + std::to_string(pid) + "/clear_refs";
  UniqueFd fd(open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd.valid()) return errno_error("open " + path);
  if (write(fd.get(), "4", 1) != 1) return errno_error("write 4 to " + path);
  return {};
}

}  // namespace pml::soft
