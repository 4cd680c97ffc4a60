// SVG heatmap of written pages over time. Two passes over the records: the
// first (layout) finds which mappings were written and where, the second
// (paint) fills a fixed-size grid, so memory does not depend on the file.
// The address axis is compressed to the written extent of each mapping.
#pragma once

#include <string>
#include <vector>

#include "pml/mappings.h"
#include "pml/records.h"
#include "pml/result.h"

namespace perf_pml {

class Heatmap {
 public:
  Heatmap(int columns = 400, int rows = 256) : columns_(columns), rows_(rows) {}
  void layout_add(const pml::Record& r);  // first pass
  void finish_layout();
  void paint_add(const pml::Record& r);   // second pass
  pml::Result<void> write_svg(const std::string& path, const std::string& title) const;

  struct Region {
    uint32_t mapping_id = 0;
    std::string name;
    uint64_t lo = 0, hi = 0;  // written page range [lo, hi)
    uint64_t samples = 0;
    int row0 = 0, rows = 0;
  };
  const std::vector<Region>& regions() const { return regions_; }
  // Cell count at (row, column); for tests.
  uint32_t cell(int row, int col) const { return grid_[size_t(row) * columns_ + col]; }
  int columns() const { return columns_; }

 private:
  int columns_, rows_;
  pml::MappingTable layout_maps_, paint_maps_;
  std::vector<Region> regions_;           // during layout: indexed by mapping id + 1 via index_
  std::vector<int32_t> region_of_mapping_;  // mapping id -> region index, -1 none
  uint64_t t0_ = UINT64_MAX, t1_ = 0;
  std::vector<uint32_t> grid_;
  uint32_t max_cell_ = 0;
  int total_rows_ = 0;
};

}  // namespace perf_pml
