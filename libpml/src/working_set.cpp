// Per-epoch write working set and dirty rate over time.
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
  EpochStat s = open_.front()->stat;
  s.peak_pages = s.pages;
  open_.erase(open_.begin());
  push(s);
}

void EpochWorkingSet::add(const Record& r) {
  const Sample* s = std::get_if<Sample>(&r);
  if (!s) return;
  // Records arrive in (nearly) time order: keep the newest two epochs open
  // so late samples of the previous epoch are still deduplicated.
  Open* target = nullptr;
  for (auto& o : open_)
    if (o->stat.epoch == s->epoch) target = o.get();
  if (!target) {
    if (!open_.empty() && s->epoch < open_.front()->stat.epoch) {
      // Very late sample: count it in the already-closed point, no dedupe.
      for (auto it = done_.rbegin(); it != done_.rend(); ++it)
        if (s->epoch >= it->epoch && s->epoch < it->epoch + it->epochs) {
          ++it->pages;
          break;
        }
      return;
    }
    while (!open_.empty() && open_.back()->stat.epoch + 1 < s->epoch) close_oldest();
    while (open_.size() >= 2) close_oldest();
    auto o = std::make_unique<Open>();
    o->stat.epoch = s->epoch;
    o->stat.first_time = o->stat.last_time = s->time;
    target = o.get();
    auto pos = std::find_if(open_.begin(), open_.end(),
                            [&](auto& x) { return x->stat.epoch > s->epoch; });
    open_.insert(pos, std::move(o));
  }
  if (target->pages.insert(page_key(s->pid, s->addr))) ++target->stat.pages;
  target->stat.first_time = std::min(target->stat.first_time, s->time);
  target->stat.last_time = std::max(target->stat.last_time, s->time);
}

std::vector<EpochStat> EpochWorkingSet::result() const {
  std::vector<EpochStat> out = done_;
  for (auto& o : open_) {
    EpochStat s = o->stat;
    s.peak_pages = s.pages;
    out.push_back(s);
  }
  return out;
}

void DirtyRate::add(const Record& r) {
  const Sample* s = std::get_if<Sample>(&r);
  if (!s) return;
  if (!started_) {
    t0_ = s->time;
    started_ = true;
  }
  uint64_t rel = s->time >= t0_ ? s->time - t0_ : 0;
  uint64_t idx = rel / width_;
  while (idx >= max_points_) {
    // Double the bucket width and fold pairs.
    std::vector<uint64_t> folded((counts_.size() + 1) / 2, 0);
    for (size_t i = 0; i < counts_.size(); ++i) folded[i / 2] += counts_[i];
    counts_.swap(folded);
    width_ *= 2;
    idx = rel / width_;
  }
  if (idx >= counts_.size()) counts_.resize(idx + 1, 0);
  counts_[idx] += 1;
}

std::vector<RatePoint> DirtyRate::result() const {
  std::vector<RatePoint> out;
  out.reserve(counts_.size());
  for (size_t i = 0; i < counts_.size(); ++i)
    out.push_back({i * width_, width_, counts_[i]});
  return out;
}

}  // namespace pml
