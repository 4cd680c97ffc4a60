#include "png_image.h"

#include <zlib.h>

#include <cstring>

namespace perf_pml {

namespace {

void put_u32(std::string& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out += char((v >> shift) & 0xff);
}

void put_chunk(std::string& out, const char type[4], const std::string& data) {
  put_u32(out, uint32_t(data.size()));
  std::string body = std::string(type, 4) + data;
  out += body;
  put_u32(out, uint32_t(crc32(0, reinterpret_cast<const Bytef*>(body.data()), uInt(body.size()))));
}

}  // namespace

pml::Result<std::string> encode_png(const PaletteImage& img) {
  if (img.width <= 0 || img.height <= 0 || img.palette.empty() || img.palette.size() > 256 ||
      img.pixels.size() != size_t(img.width) * size_t(img.height))
    return pml::make_error("bad image for PNG", EINVAL);
  // Filter "Up" for a row equal to the one above (all zeros then: bands of
  // repeated rows compress to nothing), "None" otherwise.
  std::string raw;
  raw.reserve(size_t(img.height) * (size_t(img.width) + 1));
  for (int y = 0; y < img.height; ++y) {
    const uint8_t* row = &img.pixels[size_t(y) * img.width];
    if (y > 0 && std::memcmp(row, row - img.width, size_t(img.width)) == 0) {
      raw += char(2);
      raw.append(size_t(img.width), '\0');
    } else {
      raw += char(0);
      raw.append(reinterpret_cast<const char*>(row), size_t(img.width));
    }
  }
  uLongf zlen = compressBound(uLong(raw.size()));
  std::string z(zlen, '\0');
  if (compress2(reinterpret_cast<Bytef*>(z.data()), &zlen,
                reinterpret_cast<const Bytef*>(raw.data()), uLong(raw.size()), 9) != Z_OK)
    return pml::make_error("cannot compress the PNG image", ENOMEM);
  z.resize(zlen);

  std::string png = "\x89PNG\r\n\x1a\n";
  std::string ihdr;
  put_u32(ihdr, uint32_t(img.width));
  put_u32(ihdr, uint32_t(img.height));
  ihdr += std::string("\x08\x03\x00\x00\x00", 5);  // 8-bit, indexed, deflate, filter 0, no interlace
  put_chunk(png, "IHDR", ihdr);
  std::string plte;
  for (const auto& c : img.palette) plte.append(reinterpret_cast<const char*>(c.data()), 3);
  put_chunk(png, "PLTE", plte);
  put_chunk(png, "IDAT", z);
  put_chunk(png, "IEND", "");
  return png;
}

std::string png_data_uri(const std::string& png) {
  static const char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out = "data:image/png;base64,";
  out.reserve(out.size() + (png.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < png.size(); i += 3) {
    uint32_t v = uint32_t(uint8_t(png[i])) << 16 | uint32_t(uint8_t(png[i + 1])) << 8 |
                 uint8_t(png[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += kAlphabet[(v >> s) & 63];
  }
  if (i < png.size()) {
    uint32_t v = uint32_t(uint8_t(png[i])) << 16;
    if (i + 1 < png.size()) v |= uint32_t(uint8_t(png[i + 1])) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < png.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

}  // namespace perf_pml
