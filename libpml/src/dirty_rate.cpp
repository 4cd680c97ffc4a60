// Dirty rate over time: page-epochs per bucket, widening buckets when full.
#include <vector>

#include "pml/analysis.h"

namespace pml {

void DirtyRate::add(const ResolvedSample& rs) {
  const uint64_t time = rs.sample->time;
  if (!started_) {
    t0_ = time;
    started_ = true;
  }
  uint64_t rel = time >= t0_ ? time - t0_ : 0;
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
