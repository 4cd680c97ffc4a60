#include "json.h"

#include <gtest/gtest.h>

namespace perf_pml {
namespace {

TEST(JsonString, EscapesAndKeepsValidUtf8) {
  EXPECT_EQ(json_string("a\"b\\c\n\t\x01\x7f"), "\"a\\\"b\\\\c\\n\\t\\u0001\\u007f\"");
  // caf<e-acute> <euro> <U+1F600> in UTF-8 stay as they are.
  EXPECT_EQ(json_string("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
            "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
}

TEST(JsonString, ReplacesEachInvalidByte) {
  EXPECT_EQ(json_string("caf\xe9.dat"), "\"caf\\ufffd.dat\"");  // Latin-1
  EXPECT_EQ(json_string("\xff\xfe"), "\"\\ufffd\\ufffd\"");
  EXPECT_EQ(json_string("\xc3"), "\"\\ufffd\"");                 // truncated sequence
  EXPECT_EQ(json_string("\xc0\xaf"), "\"\\ufffd\\ufffd\"");      // overlong '/'
  EXPECT_EQ(json_string("\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\"");  // surrogate
  EXPECT_EQ(json_string("\xf4\x90\x80\x80"), "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");  // > U+10FFFF
  EXPECT_EQ(json_string("\xe2\x82x"), "\"\\ufffd\\ufffdx\"");
}

}  // namespace
}  // namespace perf_pml
