// SVG heatmap of written pages over time, drawn from resolved samples (the
// report's resolve step names each sample's mapping; the heatmap looks up
// nothing itself). Two passes over the samples: the first (layout) finds
// which mappings were written, where and in which epochs; the second
// (paint) fills a grid of bounded size, so memory and the SVG's size do not
// depend on the input.
//
// Columns are whole epochs (one per column, or k per column when there are
// more epochs than columns); files without epochs get time columns. Rows
// are bands, one per mapping (the mappings of one binary in a process are
// one band), in address order, each compressed to its written extent.
// The cells are one embedded PNG; labels, ticks and legend are SVG text.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "pml/resolve.h"
#include "pml/result.h"

namespace perf_pml {

class Heatmap {
 public:
  // At most `columns` columns; about `rows` rows for all bands together.
  Heatmap(int columns = 400, int rows = 256) : max_columns_(columns), rows_(rows) {}
  // First pass: each kept sample, named by `names` (its resolver).
  void layout_add(const pml::ResolvedSample& s, const pml::SampleResolver& names);
  void finish_layout();
  // Second pass: the same samples, resolved again from the start of the
  // same records, so that their mapping ids are those of the first pass.
  void paint_add(const pml::ResolvedSample& s);
  pml::Result<void> write_svg(const std::string& path, const std::string& title) const;
  std::string svg(const std::string& title) const;

  static constexpr int kMaxRegions = 40;  // the rest are counted, not drawn
  static constexpr int kMinRegionRows = 7;

  struct Region {
    uint32_t pid = 0;
    std::string name;         // as the report's table names the mapping
    uint64_t lo = 0, hi = 0;  // written page range [lo, hi), page numbers
    uint64_t samples = 0;
    int row0 = 0, rows = 0;
  };
  // Drawn bands, in address order (by pid, then address).
  const std::vector<Region>& regions() const { return regions_; }
  // Mappings with writes that have no band (past kMaxRegions), and their samples.
  size_t hidden_regions() const { return hidden_regions_; }
  uint64_t hidden_samples() const { return hidden_samples_; }

  // Cell count (samples) at (row, column).
  uint32_t cell(int row, int col) const { return grid_[size_t(row) * columns_ + col]; }
  int columns() const { return columns_; }
  uint32_t max_cell() const { return max_cell_; }
  int total_rows() const { return total_rows_; }
  bool by_epoch() const { return by_epoch_; }
  uint64_t first_epoch() const { return e0_; }
  uint64_t epochs_per_column() const { return epochs_per_column_; }
  // Column of a sample's epoch (by_epoch) or time.
  int column_of(uint64_t epoch, uint64_t time) const;

 private:
  int max_columns_, rows_;
  std::vector<Region> regions_;
  std::vector<Region> candidates_;           // every written mapping group, during layout
  // Mapping id -> candidate, -1 none. Both passes resolve the same records,
  // so their resolvers give the same mapping ids.
  std::vector<int32_t> candidate_of_mapping_;
  std::vector<int32_t> region_of_candidate_;   // candidate -> drawn region, -1 hidden
  std::map<std::pair<uint32_t, std::string>, int32_t> candidate_of_name_;  // (pid, name)
  uint64_t t0_ = UINT64_MAX, t1_ = 0;
  uint64_t e0_ = UINT64_MAX, e1_ = 0;
  bool saw_epochs_ = false, by_epoch_ = false;
  uint64_t epochs_per_column_ = 1;
  int columns_ = 1;
  std::vector<uint32_t> grid_;
  uint32_t max_cell_ = 0;
  uint64_t painted_ = 0;
  int total_rows_ = 0;
  size_t hidden_regions_ = 0;
  uint64_t hidden_samples_ = 0;

  int32_t candidate_for(uint32_t pid, const pml::Mapping& m, const std::string& name);
};

}  // namespace perf_pml
