#include "png_image.h"

#include <gtest/gtest.h>
#include <zlib.h>

namespace perf_pml {
namespace {

uint32_t be32(const std::string& s, size_t at) {
  return uint32_t(uint8_t(s[at])) << 24 | uint32_t(uint8_t(s[at + 1])) << 16 |
         uint32_t(uint8_t(s[at + 2])) << 8 | uint8_t(s[at + 3]);
}

TEST(PngImage, ChunksCheckAndPixelsComeBack) {
  PaletteImage img;
  img.width = 3;
  img.height = 3;
  img.palette = {{0, 0, 0}, {255, 0, 0}, {0, 0, 255}};
  img.pixels = {0, 1, 2,  //
                0, 1, 2,  // same as above: filtered "Up"
                2, 2, 1};
  auto png = encode_png(img);
  ASSERT_TRUE(png.ok());
  ASSERT_EQ(png->substr(0, 8), std::string("\x89PNG\r\n\x1a\n"));
  std::string idat;
  std::vector<std::string> kinds;
  for (size_t at = 8; at < png->size();) {
    uint32_t len = be32(*png, at);
    std::string kind = png->substr(at + 4, 4), body = png->substr(at + 8, len);
    uint32_t crc = uint32_t(crc32(0, reinterpret_cast<const Bytef*>(png->data() + at + 4), len + 4));
    EXPECT_EQ(be32(*png, at + 8 + len), crc) << kind;
    if (kind == "IHDR") {
      EXPECT_EQ(be32(body, 0), 3u);
      EXPECT_EQ(be32(body, 4), 3u);
      EXPECT_EQ(body.substr(8), std::string("\x08\x03\x00\x00\x00", 5));
    }
    if (kind == "PLTE") {
      EXPECT_EQ(body, std::string("\0\0\0\xff\0\0\0\0\xff", 9));
    }
    if (kind == "IDAT") idat += body;
    kinds.push_back(kind);
    at += 12 + len;
  }
  EXPECT_EQ(kinds, (std::vector<std::string>{"IHDR", "PLTE", "IDAT", "IEND"}));
  std::string raw(3 * 4, '\0');
  uLongf raw_len = uLongf(raw.size());
  ASSERT_EQ(uncompress(reinterpret_cast<Bytef*>(raw.data()), &raw_len,
                       reinterpret_cast<const Bytef*>(idat.data()), uLong(idat.size())),
            Z_OK);
  EXPECT_EQ(raw, std::string("\0\0\1\2" "\2\0\0\0" "\0\2\2\1", 12));
}

TEST(PngImage, BadImagesAreRefused) {
  PaletteImage img;
  EXPECT_FALSE(encode_png(img).ok());  // empty
  img.width = img.height = 2;
  img.palette.assign(257, {0, 0, 0});
  img.pixels.assign(4, 0);
  EXPECT_FALSE(encode_png(img).ok());  // too many colours
  img.palette.resize(1);
  img.pixels.resize(3);
  EXPECT_FALSE(encode_png(img).ok());  // pixels do not fill it
}

TEST(PngImage, DataUriIsBase64) {
  EXPECT_EQ(png_data_uri("Man"), "data:image/png;base64,TWFu");
  EXPECT_EQ(png_data_uri("Ma"), "data:image/png;base64,TWE=");
  EXPECT_EQ(png_data_uri("M"), "data:image/png;base64,TQ==");
  EXPECT_EQ(png_data_uri(std::string("\xff\xfe\x00", 3)), "data:image/png;base64,//4A");
}

}  // namespace
}  // namespace perf_pml
