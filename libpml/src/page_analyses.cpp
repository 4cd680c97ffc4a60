// Hot pages and huge-page use (unique pages are counted inline, analysis.h).
#include <algorithm>
#include <bit>

#include "pml/analysis.h"

namespace pml {

void HotPages::add(const ResolvedSample& rs) {
  const uint64_t epoch = rs.sample->epoch;
  min_epoch_ = std::min(min_epoch_, epoch);
  max_epoch_ = std::max(max_epoch_, epoch);
  if (rs.page >= epochs_.size()) epochs_.resize(rs.page + 1, 0);
  epochs_[rs.page] += rs.new_in_epoch;
}

HotPagesResult HotPages::result(const SampleResolver& resolver) const {
  HotPagesResult res;
  if (min_epoch_ == UINT64_MAX) return res;
  res.total_epochs = max_epoch_ - min_epoch_ + 1;
  const double threshold = hot_fraction_ * double(res.total_epochs);
  std::vector<HotPage> hot;
  for (uint32_t page = 0; page < epochs_.size(); ++page) {
    if (double(epochs_[page]) <= threshold) continue;
    ++res.hot_pages;
    uint64_t key = resolver.page_key_of(page);
    hot.push_back({page_key_pid(key), page_key_addr(key), epochs_[page]});
  }
  std::sort(hot.begin(), hot.end(), [](const HotPage& a, const HotPage& b) {
    if (a.epochs != b.epochs) return a.epochs > b.epochs;
    if (a.pid != b.pid) return a.pid < b.pid;
    return a.addr < b.addr;
  });
  if (hot.size() > top_n_) hot.resize(top_n_);
  res.top = std::move(hot);
  return res;
}

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
