// Huge-page use: how many 4 KiB subpages of each 2 MiB page were written.
#include <algorithm>
#include <bit>

#include "pml/analysis.h"

namespace pml {

constexpr uint64_t kHugeSize = 2ULL << 20;

void HugePages::add(const ResolvedSample& rs) {
  const Sample* s = rs.sample;
  if (s->data_page_size < kHugeSize) {
    ++small_samples_;
    return;
  }
  ++huge_samples_;
  uint64_t base = s->addr & ~(kHugeSize - 1);
  Bits& b = huge_.find_or_insert(page_key(s->pid, base));
  uint32_t sub = uint32_t((s->addr - base) >> 12);
  b.w[sub / 64] |= 1ULL << (sub % 64);
}

HugePagesResult HugePages::result() const {
  HugePagesResult res;
  res.huge_samples = huge_samples_;
  res.small_samples = small_samples_;
  res.histogram.assign(8, 0);
  huge_.for_each([&](uint64_t key, const Bits& b) {
    uint32_t n = 0;
    for (uint64_t w : b.w) n += uint32_t(std::popcount(w));
    ++res.huge_pages;
    res.subpages_written += n;
    res.histogram[std::min<uint32_t>((n - 1) / 64, 7)] += 1;
    res.pages.push_back({page_key_pid(key), page_key_addr(key), n});
  });
  std::sort(res.pages.begin(), res.pages.end(), [](const HugePageUse& a, const HugePageUse& b) {
    return a.pid != b.pid ? a.pid < b.pid : a.addr < b.addr;
  });
  if (res.pages.size() > max_listed_) res.pages.resize(max_listed_);
  return res;
}

}  // namespace pml
