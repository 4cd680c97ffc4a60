// Heatmap::svg: the picture. Left to right: mapping names, address ticks,
// the cells (one PNG), the colour legend; the epoch/time axis below.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "heatmap.h"
#include "json.h"
#include "png_image.h"
#include "svg_text.h"

namespace perf_pml {

namespace {

constexpr double kCharW = 6.7;  // 11 px monospace
constexpr int kRowPx = 2, kBandGap = 4, kPlotW = 800, kMaxLabelChars = 48, kMaxTitleChars = 110;

// Palette: 0 outside the bands, 1 and 2 alternating band backgrounds, then
// kLevels colours from pale yellow to dark red (counts on a log scale).
constexpr int kLevels = 64, kFirstLevel = 3;
using Rgb = std::array<uint8_t, 3>;

Rgb level_colour(double f) {
  static const Rgb stops[] = {{0xfe, 0xd9, 0x76}, {0xfe, 0xb2, 0x4c}, {0xfd, 0x8d, 0x3c},
                              {0xfc, 0x4e, 0x2a}, {0xe3, 0x1a, 0x1c}, {0xbd, 0x00, 0x26},
                              {0x80, 0x00, 0x26}};
  constexpr int n = sizeof stops / sizeof stops[0];
  double x = std::clamp(f, 0.0, 1.0) * (n - 1);
  int i = std::min(int(x), n - 2);
  double t = x - i;
  Rgb c;
  for (int k = 0; k < 3; ++k) c[k] = uint8_t(std::lround(stops[i][k] * (1 - t) + stops[i + 1][k] * t));
  return c;
}

std::string css(const Rgb& c) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", c[0], c[1], c[2]);
  return buf;
}

// Fraction of the colour scale for a count, log scale from 1 to max.
double scale_of(uint32_t count, uint32_t max) {
  if (max <= 1) return 1.0;
  return std::log(double(count)) / std::log(double(max));
}

std::string fixed(double v, int digits) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

// Smallest of 1, 2, 5, 10, 20, 50, ... that is >= v.
uint64_t nice_at_least(uint64_t v) {
  for (uint64_t p = 1;; p *= 10) {
    for (uint64_t m : {1, 2, 5})
      if (m * p >= v) return m * p;
    if (p > UINT64_MAX / 100) return v;
  }
}

struct Text {
  std::ostringstream& out;
  void operator()(double x, double y, const std::string& text, const char* extra = "") {
    out << "<text x=\"" << fixed(x, 1) << "\" y=\"" << fixed(y, 1) << "\"" << extra << ">"
        << xml_escape(text) << "</text>\n";
  }
};

}  // namespace

std::string Heatmap::svg(const std::string& title) const {
  std::ostringstream out;
  Text text{out};

  // Horizontal layout.
  size_t label_chars = 7;  // "mapping"
  size_t addr_chars = 7;   // "address"
  for (const auto& r : regions_) {
    label_chars = std::max(label_chars, utf8_length(valid_utf8(r.name)));
    addr_chars = std::max(addr_chars, hex_addr(r.hi << 12).size());
  }
  label_chars = std::min<size_t>(label_chars, kMaxLabelChars);
  const int col_px = std::max(1, kPlotW / std::max(columns_, 1));
  const int plot_w = columns_ * col_px;
  const double name_x = 10;
  const double addr_right = name_x + label_chars * kCharW + 14 + addr_chars * kCharW;
  const double plot_x = addr_right + 10;
  const double legend_x = plot_x + plot_w + 24;

  // Vertical layout: bands with gaps between them.
  const double plot_y = 72;
  std::vector<double> band_y;
  double y = plot_y;
  for (const auto& r : regions_) {
    band_y.push_back(y);
    y += r.rows * kRowPx + kBandGap;
  }
  const double plot_h = regions_.empty() ? 20 : y - kBandGap - plot_y;
  const double axis_y = plot_y + plot_h;

  const std::string shown_title = elide_front(valid_utf8(title), kMaxTitleChars);
  const std::string heading = "Written pages over time: " + shown_title;
  const double width = std::max(legend_x + 110, 20 + utf8_length(heading) * 8.5);
  const double height = axis_y + 100 + (hidden_regions_ ? 16 : 0);

  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      << "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\""
      << " width=\"" << std::lround(width) << "\" height=\"" << std::lround(height)
      << "\" font-family=\"DejaVu Sans Mono, monospace\" font-size=\"11\">\n"
      << "<title>" << xml_escape(heading) << "</title>\n"
      << "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n";
  text(name_x, 22, heading, " font-size=\"14\" font-weight=\"bold\" class=\"title\"");
  std::string sub = std::to_string(painted_) + " samples in " + std::to_string(regions_.size()) +
                    " mapping" + (regions_.size() == 1 ? "" : "s") + "; a column is ";
  sub += by_epoch_ ? std::to_string(epochs_per_column_) + (epochs_per_column_ == 1 ? " epoch" : " epochs")
                   : fixed(double(t1_ - std::min(t0_, t1_) + 1) / columns_ / 1e6, 3) + " ms";
  sub += "; a band is one mapping's written pages, low addresses at the top";
  text(name_x, 40, sub, " fill=\"#555555\"");
  text(name_x, plot_y - 8, "mapping", " font-weight=\"bold\" class=\"axis-title\"");
  text(addr_right, plot_y - 8, "address", " font-weight=\"bold\" text-anchor=\"end\" class=\"axis-title\"");

  // The cells: one palette PNG at one image pixel per SVG pixel.
  if (!regions_.empty()) {
    PaletteImage img;
    img.width = plot_w;
    img.height = int(plot_h);
    img.palette = {{255, 255, 255}, {0xee, 0xf0, 0xf6}, {0xe4, 0xe7, 0xef}};
    for (int i = 0; i < kLevels; ++i) img.palette.push_back(level_colour(double(i) / (kLevels - 1)));
    img.pixels.assign(size_t(img.width) * size_t(img.height), 0);
    for (size_t b = 0; b < regions_.size(); ++b) {
      const Region& r = regions_[b];
      int top = int(band_y[b] - plot_y);
      for (int row = 0; row < r.rows; ++row) {
        for (int col = 0; col < columns_; ++col) {
          uint32_t c = cell(r.row0 + row, col);
          uint8_t idx = c ? uint8_t(kFirstLevel + std::lround(scale_of(c, max_cell_) * (kLevels - 1)))
                          : uint8_t(1 + b % 2);
          for (int py = 0; py < kRowPx; ++py)
            std::fill_n(&img.pixels[size_t(top + row * kRowPx + py) * img.width + size_t(col) * col_px],
                        col_px, idx);
        }
      }
    }
    auto png = encode_png(img);
    if (png.ok())
      out << "<image class=\"cells\" x=\"" << fixed(plot_x, 1) << "\" y=\"" << fixed(plot_y, 1)
          << "\" width=\"" << img.width << "\" height=\"" << img.height
          << "\" preserveAspectRatio=\"none\" image-rendering=\"optimizeSpeed\" xlink:href=\""
          << png_data_uri(*png) << "\"/>\n";
  }

  // Bands: outline, name, address ticks.
  for (size_t b = 0; b < regions_.size(); ++b) {
    const Region& r = regions_[b];
    const double top = band_y[b], h = r.rows * kRowPx, bottom = top + h;
    const std::string full = r.name + "  " + hex_addr(r.lo << 12) + "-" + hex_addr(r.hi << 12) +
                             ", " + std::to_string(r.samples) + " samples";
    out << "<g class=\"region\" data-pid=\"" << r.pid << "\" data-lo=\"" << hex_addr(r.lo << 12) << "\" data-hi=\""
        << hex_addr(r.hi << 12) << "\"><title>" << xml_escape(full) << "</title>\n";
    out << "<rect x=\"" << fixed(plot_x - 0.5, 1) << "\" y=\"" << fixed(top - 0.5, 1)
        << "\" width=\"" << plot_w + 1 << "\" height=\"" << fixed(h + 1, 1)
        << "\" fill=\"none\" stroke=\"#b8bcc8\"/>\n";
    text(name_x, top + 10, elide_front(valid_utf8(r.name), label_chars), " class=\"label\"");
    // Ticks at the top (low address), the bottom (high) when there is room
    // for both labels, and between them at round addresses (a power of two
    // of pages) every 60 px or so.
    auto tick = [&](double ty, uint64_t addr, double baseline) {
      out << "<line class=\"tick\" x1=\"" << fixed(addr_right + 3, 1) << "\" x2=\""
          << fixed(plot_x - 1, 1) << "\" y1=\"" << fixed(ty, 1) << "\" y2=\"" << fixed(ty, 1)
          << "\" stroke=\"#555555\"/>\n";
      text(addr_right, baseline, hex_addr(addr), " text-anchor=\"end\" class=\"addr\"");
    };
    const uint64_t span = r.hi - r.lo;
    tick(top, r.lo << 12, top + 10);
    if (h >= 26) tick(bottom, r.hi << 12, bottom - 2);
    if (h >= 90) {
      uint64_t want = std::max<uint64_t>(1, span / uint64_t(h / 60 + 1)), step = 1;
      while (step < want && step < (uint64_t(1) << 50)) step <<= 1;
      for (uint64_t page = (r.lo + step - 1) / step * step; page < r.hi; page += step) {
        double ty = top + (double(page - r.lo) / double(span)) * h;
        if (ty - top >= 24 && bottom - ty >= 24) tick(ty, page << 12, ty + 4);
      }
    }
    out << "</g>\n";
  }

  // Epoch/time axis: ticks every "nice" number of columns, >= 64 px apart.
  out << "<line x1=\"" << fixed(plot_x, 1) << "\" x2=\"" << fixed(plot_x + plot_w, 1) << "\" y1=\""
      << fixed(axis_y + 1, 1) << "\" y2=\"" << fixed(axis_y + 1, 1) << "\" stroke=\"#555555\"/>\n";
  const uint64_t t_first = t0_ == UINT64_MAX ? 0 : t0_;
  // Epochs are periodic: the time scale they imply, from the first and the
  // last sample (idle epochs have no sample of their own to show a time).
  const double ns_per_epoch = by_epoch_ && e1_ > e0_ ? double(t1_ - t_first) / double(e1_ - e0_) : 0;
  const int step = int(std::min<uint64_t>(nice_at_least(uint64_t((64 + col_px - 1) / col_px)),
                                          uint64_t(std::max(columns_, 1))));
  auto xtick = [&](double tx) {
    out << "<line class=\"xtick\" x1=\"" << fixed(tx, 1) << "\" x2=\"" << fixed(tx, 1) << "\" y1=\""
        << fixed(axis_y + 1, 1) << "\" y2=\"" << fixed(axis_y + 6, 1) << "\" stroke=\"#555555\"/>\n";
  };
  if (!by_epoch_) {
    // Time slices: ticks at round times (1, 2 or 5 x 10^n ns), >= 64 px apart.
    const double span_ns = double(t1_ - t_first + 1);
    const uint64_t step_ns = nice_at_least(uint64_t(std::ceil(span_ns * 64 / plot_w)));
    for (uint64_t t = 0; double(t) < span_ns; t += step_ns) {
      double tx = plot_x + double(t) / span_ns * plot_w;
      xtick(tx);
      int digits = std::clamp(9 - int(std::floor(std::log10(double(step_ns)))), 0, 9);
      text(tx, axis_y + 18, fixed(double(t) / 1e9, digits) + "s",
           t == 0 ? " text-anchor=\"start\" class=\"xlabel\"" : " text-anchor=\"middle\" class=\"xlabel\"");
    }
  }
  for (int col = 0; by_epoch_ && col < columns_; col += step) {
    double tx = plot_x + col * col_px;
    xtick(tx);
    const char* anchor = col == 0 ? "start" : "middle";
    std::string attrs = std::string(" text-anchor=\"") + anchor + "\" class=\"xlabel\"";
    const uint64_t epochs_in = uint64_t(col) * epochs_per_column_;
    text(tx, axis_y + 18, std::to_string(e0_ + epochs_in), attrs.c_str());
    if (ns_per_epoch > 0 || col == 0)
      text(tx, axis_y + 31, fixed(double(epochs_in) * ns_per_epoch / 1e9, 3) + "s",
           (attrs + " fill=\"#555555\"").c_str());
  }
  text(plot_x + plot_w / 2.0, axis_y + 50,
       by_epoch_ ? "epoch (below it: seconds since the first sample)"
                 : "time since the first sample (this file has no pml epochs)",
       " text-anchor=\"middle\" font-weight=\"bold\" class=\"axis-title\"");
  if (hidden_regions_)
    text(plot_x, axis_y + 68,
         std::to_string(hidden_regions_) + " more mapping" + (hidden_regions_ == 1 ? "" : "s") +
             " with " + std::to_string(hidden_samples_) + " samples not drawn",
         " fill=\"#555555\" class=\"hidden-note\"");

  // Legend: the colour scale, count of samples per cell, log scale.
  const double bar_y = plot_y + 30, bar_h = 150, bar_w = 14;
  out << "<g class=\"legend\">\n";
  text(legend_x, plot_y - 8, "samples", " font-weight=\"bold\"");
  text(legend_x, plot_y + 6, "per cell", " font-weight=\"bold\"");
  text(legend_x, plot_y + 20, "(log scale)", " fill=\"#555555\"");
  constexpr int kBarSteps = 32;
  for (int i = 0; i < kBarSteps; ++i) {
    double f = 1.0 - double(i) / (kBarSteps - 1);  // top: the largest count
    out << "<rect x=\"" << fixed(legend_x, 1) << "\" y=\"" << fixed(bar_y + bar_h * i / kBarSteps, 2)
        << "\" width=\"" << bar_w << "\" height=\"" << fixed(bar_h / kBarSteps + 0.3, 2)
        << "\" fill=\"" << css(level_colour(f)) << "\"/>\n";
  }
  out << "<rect x=\"" << fixed(legend_x, 1) << "\" y=\"" << fixed(bar_y, 1) << "\" width=\"" << bar_w
      << "\" height=\"" << fixed(bar_h, 1) << "\" fill=\"none\" stroke=\"#888888\"/>\n";
  const uint32_t max = std::max<uint32_t>(max_cell_, 1);
  std::vector<uint32_t> marks = {max};
  for (uint64_t p = 1; p < max; p *= 10) marks.push_back(uint32_t(p));
  double last_y = -100;
  std::sort(marks.begin(), marks.end());
  for (size_t i = 0; i < marks.size(); ++i) {
    double my = bar_y + bar_h * (1 - scale_of(marks[i], max));
    if (max == 1) my = bar_y;
    bool is_max = i + 1 == marks.size();
    if (!is_max && std::abs(my - last_y) < 13) continue;
    // The maximum always shows; a power of ten too close to it gives way.
    if (!is_max && i + 2 == marks.size() && my - (bar_y) < 13) continue;
    out << "<line x1=\"" << fixed(legend_x + bar_w, 1) << "\" x2=\"" << fixed(legend_x + bar_w + 4, 1)
        << "\" y1=\"" << fixed(my, 1) << "\" y2=\"" << fixed(my, 1) << "\" stroke=\"#555555\"/>\n";
    text(legend_x + bar_w + 7, my + 4, std::to_string(marks[i]), " class=\"legend-label\"");
    last_y = my;
  }
  out << "</g>\n</svg>\n";
  return out.str();
}

}  // namespace perf_pml
