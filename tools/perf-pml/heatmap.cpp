#include "heatmap.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>

namespace perf_pml {

int32_t Heatmap::candidate_for(uint32_t pid, const pml::Mapping& m, const std::string& name) {
  if (candidate_of_mapping_.size() <= m.id) candidate_of_mapping_.resize(m.id + 1, -1);
  int32_t& idx = candidate_of_mapping_[m.id];
  if (idx >= 0) return idx;
  // The mappings of one file in a process (text, data, relro) are one band.
  auto [it, inserted] = candidate_of_name_.emplace(std::make_pair(pid, name), 0);
  if (inserted) {
    it->second = int32_t(candidates_.size());
    Region reg;
    reg.pid = pid;
    reg.name = name;
    reg.lo = UINT64_MAX;
    candidates_.push_back(reg);
  }
  return idx = it->second;
}

void Heatmap::layout_add(const pml::ResolvedSample& rs, const pml::SampleResolver& names) {
  const pml::Sample* s = rs.sample;
  const pml::Mapping* m = rs.mapping;
  if (!m) return;  // unmapped addresses have no band
  t0_ = std::min(t0_, s->time);
  t1_ = std::max(t1_, s->time);
  e0_ = std::min(e0_, s->epoch);
  e1_ = std::max(e1_, s->epoch);
  saw_epochs_ |= s->has_pml_raw || s->epoch != 0;
  // Named as every output names it (pml::mapping_name()).
  Region& reg = candidates_[size_t(candidate_for(s->pid, *m, names.mapping_name(rs.mapping_name)))];
  uint64_t page = s->addr >> 12;
  reg.lo = std::min(reg.lo, page);
  reg.hi = std::max(reg.hi, page + 1);
  ++reg.samples;
}

void Heatmap::finish_layout() {
  // The bands with the most samples, then in address order.
  std::vector<int32_t> order(candidates_.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = int32_t(i);
  std::stable_sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
    return candidates_[size_t(a)].samples > candidates_[size_t(b)].samples;
  });
  if (order.size() > size_t(kMaxRegions)) {
    for (size_t i = kMaxRegions; i < order.size(); ++i)
      hidden_samples_ += candidates_[size_t(order[i])].samples;
    hidden_regions_ = order.size() - kMaxRegions;
    order.resize(kMaxRegions);
  }
  std::sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
    const Region &x = candidates_[size_t(a)], &y = candidates_[size_t(b)];
    return x.pid != y.pid ? x.pid < y.pid : x.lo < y.lo;
  });
  // A name written in more than one process gets its pid, so no two bands
  // share a label.
  std::map<std::string, std::set<uint32_t>> pids_of_name;
  for (int32_t i : order) pids_of_name[candidates_[size_t(i)].name].insert(candidates_[size_t(i)].pid);
  region_of_candidate_.assign(candidates_.size(), -1);
  for (int32_t i : order) {
    region_of_candidate_[size_t(i)] = int32_t(regions_.size());
    Region reg = candidates_[size_t(i)];
    if (pids_of_name[reg.name].size() > 1) reg.name += " (pid " + std::to_string(reg.pid) + ")";
    regions_.push_back(std::move(reg));
  }
  // Rows per band grow with the square root of its written span, and are
  // enough for its label.
  double total = 0;
  for (auto& r : regions_) total += std::sqrt(double(r.hi - r.lo));
  int row = 0;
  for (auto& r : regions_) {
    int n = int(std::lround(rows_ * std::sqrt(double(r.hi - r.lo)) / total));
    r.row0 = row;
    r.rows = std::max(n, kMinRegionRows);
    row += r.rows;
  }
  total_rows_ = row;

  by_epoch_ = saw_epochs_ && e0_ <= e1_;
  if (by_epoch_) {
    uint64_t epochs = e1_ - e0_ + 1;
    epochs_per_column_ = (epochs + uint64_t(max_columns_) - 1) / uint64_t(max_columns_);
    columns_ = int((epochs + epochs_per_column_ - 1) / epochs_per_column_);
  } else {
    columns_ = t0_ < t1_ ? max_columns_ : 1;
  }
  grid_.assign(size_t(std::max(total_rows_, 1)) * size_t(columns_), 0);
}

int Heatmap::column_of(uint64_t epoch, uint64_t time) const {
  uint64_t col;
  if (by_epoch_) {
    col = epoch >= e0_ ? (epoch - e0_) / epochs_per_column_ : 0;
  } else {
    uint64_t span = t1_ - t0_ + 1;
    uint64_t off = time >= t0_ ? time - t0_ : 0;
    // off * columns / span without overflow: columns <= INT_MAX.
    col = uint64_t((long double)off * columns_ / (long double)span);
  }
  return int(std::min<uint64_t>(col, uint64_t(columns_ - 1)));
}

void Heatmap::paint_add(const pml::ResolvedSample& rs) {
  const pml::Sample* s = rs.sample;
  const pml::Mapping* m = rs.mapping;
  if (!m || m->id >= candidate_of_mapping_.size() || candidate_of_mapping_[m->id] < 0) return;
  int32_t ri = region_of_candidate_[size_t(candidate_of_mapping_[m->id])];
  if (ri < 0) return;  // a hidden band
  const Region& reg = regions_[size_t(ri)];
  uint64_t page = s->addr >> 12;
  if (page < reg.lo || page >= reg.hi) return;  // past where the first pass stopped
  // The rows of this page: one, or several when the band has more rows
  // than written pages.
  auto row_at = [&](uint64_t p) {
    return int((long double)(p - reg.lo) * reg.rows / (long double)(reg.hi - reg.lo));
  };
  int first = row_at(page), last = std::max(first + 1, row_at(page + 1));
  int col = column_of(s->epoch, s->time);
  for (int row = reg.row0 + first; row < reg.row0 + last; ++row) {
    uint32_t& c = grid_[size_t(row) * size_t(columns_) + size_t(col)];
    if (c < UINT32_MAX) ++c;
    max_cell_ = std::max(max_cell_, c);
  }
  ++painted_;
}

pml::Result<void> Heatmap::write_svg(const std::string& path, const std::string& title) const {
  std::ofstream out(path, std::ios::trunc | std::ios::binary);
  if (!out) return pml::errno_error("cannot create '" + path + "'");
  out << svg(title);
  out.flush();
  if (!out) return pml::errno_error("cannot write '" + path + "'");
  return {};
}

}  // namespace perf_pml
