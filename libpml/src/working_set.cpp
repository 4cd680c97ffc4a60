// Per-epoch write working set: a point per epoch, and exact percentiles.
#include <algorithm>

#include "pml/analysis.h"

namespace pml {

namespace {
// Halves a series by merging neighbours, so memory stays bounded.
void coarsen(std::vector<EpochStat>& v) {
  std::vector<EpochStat> out;
  out.reserve(v.size() / 2 + 1);
  for (size_t i = 0; i < v.size(); i += 2) {
    EpochStat s = v[i];
    if (i + 1 < v.size()) {
      const EpochStat& b = v[i + 1];
      s.epochs += b.epochs;
      s.pages += b.pages;
      s.peak_pages = std::max(s.peak_pages, b.peak_pages);
      s.last_time = std::max(s.last_time, b.last_time);
    }
    out.push_back(s);
  }
  v.swap(out);
}
}  // namespace

void EpochWorkingSet::push(const EpochStat& s) {
  // Merge into the last point when the series was already coarsened.
  if (!done_.empty() && done_.back().epochs > 1 &&
      s.epoch < done_.back().epoch + done_.back().epochs) {
    EpochStat& b = done_.back();
    b.pages += s.pages;
    b.peak_pages = std::max(b.peak_pages, s.peak_pages);
    b.last_time = std::max(b.last_time, s.last_time);
    return;
  }
  done_.push_back(s);
  if (done_.size() > max_points_) coarsen(done_);
}

void EpochWorkingSet::close_oldest() {
  EpochStat s = open_.front();
  s.peak_pages = s.pages;
  open_.erase(open_.begin());
  ++sizes_[s.pages];
  push(s);
}

void EpochWorkingSet::add(const ResolvedSample& rs) {
  const Sample& s = *rs.sample;
  // Records arrive in (nearly) time order: keep the newest two epochs open
  // so that late samples of the previous epoch still land in their epoch
  // (the resolver tells whether the page is new in it).
  EpochStat* target = nullptr;
  for (auto& o : open_)
    if (o.epoch == s.epoch) target = &o;
  if (!target) {
    if (!open_.empty() && s.epoch < open_.front().epoch) {
      // Very late sample: count it in the already-closed point.
      if (!rs.new_in_epoch) return;
      for (auto it = done_.rbegin(); it != done_.rend(); ++it)
        if (s.epoch >= it->epoch && s.epoch < it->epoch + it->epochs) {
          ++it->pages;
          break;
        }
      return;
    }
    while (!open_.empty() && open_.back().epoch + 1 < s.epoch) close_oldest();
    while (open_.size() >= 2) close_oldest();
    EpochStat o;
    o.epoch = s.epoch;
    o.first_time = o.last_time = s.time;
    auto pos = std::find_if(open_.begin(), open_.end(),
                            [&](const EpochStat& x) { return x.epoch > s.epoch; });
    target = &*open_.insert(pos, o);
  }
  target->pages += rs.new_in_epoch;
  target->first_time = std::min(target->first_time, s.time);
  target->last_time = std::max(target->last_time, s.time);
}

std::vector<EpochStat> EpochWorkingSet::result() const {
  std::vector<EpochStat> out = done_;
  for (const auto& o : open_) {
    EpochStat s = o;
    s.peak_pages = s.pages;
    out.push_back(s);
  }
  return out;
}

WorkingSetPercentiles EpochWorkingSet::percentiles() const {
  std::map<uint64_t, uint64_t> sizes = sizes_;
  for (const auto& o : open_) ++sizes[o.pages];
  uint64_t n = 0;
  for (auto& [size, count] : sizes) n += count;
  WorkingSetPercentiles p;
  if (n == 0) return p;
  // Nearest rank: the value at rank ceil(q * n).
  auto at = [&](uint64_t per_mille) {
    uint64_t rank = (per_mille * n + 999) / 1000, seen = 0;
    for (auto& [size, count] : sizes) {
      seen += count;
      if (seen >= rank) return size;
    }
    return sizes.rbegin()->first;
  };
  p.p50 = at(500);
  p.p90 = at(900);
  p.p99 = at(990);
  return p;
}

}  // namespace pml
