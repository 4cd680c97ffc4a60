// A palette PNG in memory, for rasters embedded in SVG as data: URIs (a
// heatmap of any input stays a bounded file).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "pml/result.h"

namespace perf_pml {

struct PaletteImage {
  int width = 0, height = 0;
  std::vector<std::array<uint8_t, 3>> palette;  // at most 256 colours
  std::vector<uint8_t> pixels;                  // width * height palette indexes, by rows
};

// The PNG file (8-bit indexed colour).
pml::Result<std::string> encode_png(const PaletteImage& image);

// "data:image/png;base64,..."
std::string png_data_uri(const std::string& png);

}  // namespace perf_pml
