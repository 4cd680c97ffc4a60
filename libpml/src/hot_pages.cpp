// Hot pages: written in more than hot_fraction of the epochs.
#include <algorithm>

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

}  // namespace pml
