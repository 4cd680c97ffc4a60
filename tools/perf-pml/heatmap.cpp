#include "heatmap.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>

#include "common.h"
#include "json.h"

namespace perf_pml {

void Heatmap::layout_add(const pml::Record& r) {
  const pml::Sample* s = std::get_if<pml::Sample>(&r);
  if (!s) {
    layout_maps_.add(r);
    return;
  }
  t0_ = std::min(t0_, s->time);
  t1_ = std::max(t1_, s->time);
  const pml::Mapping* m = layout_maps_.find(s->pid, s->addr);
  if (!m) return;  // unmapped addresses have no row
  if (region_of_mapping_.size() <= m->id) region_of_mapping_.resize(m->id + 1, -1);
  int32_t& idx = region_of_mapping_[m->id];
  uint64_t page = s->addr >> 12;
  if (idx < 0) {
    idx = int32_t(regions_.size());
    Region reg;
    reg.mapping_id = m->id;
    reg.name = m->is_anon() ? "[anon] " + hex_addr(m->start) : m->display_name();
    if (m->pid) reg.name += " (" + std::to_string(m->pid) + ")";
    reg.lo = page;
    reg.hi = page + 1;
    regions_.push_back(reg);
  }
  Region& reg = regions_[size_t(idx)];
  reg.lo = std::min(reg.lo, page);
  reg.hi = std::max(reg.hi, page + 1);
  ++reg.samples;
}

void Heatmap::finish_layout() {
  // Rows per region grow with the square root of its written span; at least
  // 6 (12 px) so that every region's label is readable.
  double total = 0;
  for (auto& r : regions_) total += std::sqrt(double(r.hi - r.lo));
  int row = 0;
  for (auto& r : regions_) {
    int n = total > 0 ? int(std::lround(rows_ * std::sqrt(double(r.hi - r.lo)) / total)) : 1;
    n = std::max(n, 6);
    r.row0 = row;
    r.rows = n;
    row += n;
  }
  total_rows_ = row;
  grid_.assign(size_t(total_rows_) * columns_, 0);
}

void Heatmap::paint_add(const pml::Record& r) {
  const pml::Sample* s = std::get_if<pml::Sample>(&r);
  if (!s) {
    paint_maps_.add(r);
    return;
  }
  const pml::Mapping* m = paint_maps_.find(s->pid, s->addr);
  if (!m || m->id >= region_of_mapping_.size() || region_of_mapping_[m->id] < 0) return;
  const Region& reg = regions_[size_t(region_of_mapping_[m->id])];
  uint64_t page = s->addr >> 12;
  if (page < reg.lo || page >= reg.hi) return;
  int row = reg.row0 + int((page - reg.lo) * uint64_t(reg.rows) / (reg.hi - reg.lo));
  uint64_t span = t1_ - t0_ + 1;
  int col = int((s->time - std::min(s->time, t0_)) * uint64_t(columns_) / span);
  col = std::clamp(col, 0, columns_ - 1);
  uint32_t& c = grid_[size_t(row) * columns_ + col];
  ++c;
  max_cell_ = std::max(max_cell_, c);
}

pml::Result<void> Heatmap::write_svg(const std::string& path, const std::string& title) const {
  std::ofstream out(path, std::ios::trunc);
  if (!out) return pml::errno_error("cannot create '" + path + "'");
  const int cell_w = 2, cell_h = 2, left = 260, top = 40, bottom = 40;
  const int width = left + columns_ * cell_w + 20;
  const int height = top + std::max(total_rows_, 1) * cell_h + bottom;
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height
      << "\" font-family=\"monospace\" font-size=\"10\">\n"
      << "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n"
      << "<text x=\"" << left << "\" y=\"16\" font-size=\"13\">" << title
      << ": written pages over time</text>\n";
  // Region bands and labels.
  for (const auto& r : regions_) {
    int y = top + r.row0 * cell_h;
    out << "<rect x=\"" << left << "\" y=\"" << y << "\" width=\"" << columns_ * cell_w
        << "\" height=\"" << r.rows * cell_h << "\" fill=\"#f4f4f8\" stroke=\"#d0d0d8\"/>\n";
    std::string label = r.name;
    if (label.size() > 40) label = "..." + label.substr(label.size() - 37);
    std::string esc;
    for (char c : label) {
      if (c == '<') esc += "&lt;";
      else if (c == '>') esc += "&gt;";
      else if (c == '&') esc += "&amp;";
      else esc += c;
    }
    out << "<text x=\"4\" y=\"" << y + std::min(r.rows * cell_h, 10) << "\"><title>"
        << hex_addr(r.lo << 12) << "-" << hex_addr(r.hi << 12) << "</title>" << esc
        << "</text>\n";
  }
  // Cells: colour by log of the count.
  const double lmax = std::log1p(double(std::max<uint32_t>(max_cell_, 1)));
  for (int row = 0; row < total_rows_; ++row) {
    for (int col = 0; col < columns_; ++col) {
      uint32_t c = grid_[size_t(row) * columns_ + col];
      if (!c) continue;
      double f = std::log1p(double(c)) / lmax;
      int red = 255, green = int(220 * (1 - f)), blue = int(60 * (1 - f));
      out << "<rect x=\"" << left + col * cell_w << "\" y=\"" << top + row * cell_h
          << "\" width=\"" << cell_w << "\" height=\"" << cell_h << "\" fill=\"rgb(" << red
          << "," << green << "," << blue << ")\"><title>" << c << "</title></rect>\n";
    }
  }
  // Time axis.
  const int axis_y = top + std::max(total_rows_, 1) * cell_h + 14;
  double span_s = t1_ >= t0_ && t0_ != UINT64_MAX ? double(t1_ - t0_) / 1e9 : 0;
  for (int i = 0; i <= 4; ++i) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3fs", span_s * i / 4);
    out << "<text x=\"" << left + i * columns_ * cell_w / 4 - (i == 4 ? 40 : 0) << "\" y=\""
        << axis_y << "\">" << buf << "</text>\n";
  }
  out << "</svg>\n";
  if (!out) return pml::errno_error("cannot write '" + path + "'");
  return {};
}

}  // namespace perf_pml
