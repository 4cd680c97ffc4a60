#include "script_fields.h"

#include <linux/perf_event.h>

#include <gtest/gtest.h>

#include <cstdio>

#include "record_builders.h"

namespace perf_pml {
namespace {

std::string line(const ScriptFields& f) {
  pml::Sample s = pml::test::sample(42, 43, 12'345'678'901'234ULL, 0x5a0000002000, 7, 2u << 20);
  s.cpu = 1;
  s.ip = 0x401000;
  s.phys_addr = 0x1234000;
  s.flags = 1;
  char buf[512] = {};
  FILE* out = fmemopen(buf, sizeof buf, "w");
  print_script_fields(out, f, s, "app", "pml/epoch=10/", "[heap]");
  std::fclose(out);
  return buf;
}

ScriptFields parsed(const std::string& text) {
  ScriptFields f;
  EXPECT_EQ(parse_script_fields(text, &f), "") << text;
  return f;
}

TEST(ScriptFields, PrintsTheSelectedFieldsInPerfsOrder) {
  // Order of the list does not matter, as in perf script.
  EXPECT_EQ(line(parsed("addr,tid")), "     43     5a0000002000\n");
  EXPECT_EQ(line(parsed("tid,pid,time,event,epoch")),
            "     42/43      12345.678901: pml/epoch=10/: 7\n");
  EXPECT_EQ(line(parsed("comm,cpu,phys_addr,data_page_size,flags,map")),
            "             app [001]          1234000 2M 0x1 [heap]\n");
  EXPECT_EQ(line(parsed("page_size,mapping,ip,period")), "          401000          1 2M [heap]\n");
}

TEST(ScriptFields, PlusAndMinusEditTheDefault) {
  ScriptFields f = parsed("+phys_addr,-comm,-map");
  ScriptFields want = default_script_fields();
  want.set(size_t(ScriptField::kPhysAddr));
  want.reset(size_t(ScriptField::kComm));
  want.reset(size_t(ScriptField::kMap));
  EXPECT_EQ(f, want);
}

TEST(ScriptFields, ClearErrors) {
  ScriptFields f = parsed("addr");
  EXPECT_EQ(parse_script_fields("addr,bogus", &f),
            "unknown field 'bogus' (known: comm,pid,tid,cpu,time,event,ip,addr,phys_addr,period,"
            "data_page_size,epoch,flags,map)");
  EXPECT_NE(parse_script_fields("sym", &f).find("field 'sym' is not available for pml samples"),
            std::string::npos);
  EXPECT_EQ(parse_script_fields("addr,,tid", &f), "empty field name in 'addr,,tid'");
  EXPECT_EQ(parse_script_fields("addr,", &f), "empty field name in 'addr,'");
  EXPECT_EQ(parse_script_fields("addr,+tid", &f), "cannot mix +field/-field with a list of fields");
  EXPECT_NE(parse_script_fields("", &f), "");
  EXPECT_EQ(f, parsed("addr"));  // untouched by every refusal
}

TEST(ScriptFields, FieldsNeedTheirSampleBits) {
  EXPECT_EQ(script_field_sample_bit(ScriptField::kPhysAddr), uint64_t(PERF_SAMPLE_PHYS_ADDR));
  EXPECT_EQ(script_field_sample_bit(ScriptField::kAddr), uint64_t(PERF_SAMPLE_ADDR));
  EXPECT_EQ(script_field_sample_bit(ScriptField::kEpoch), 0u);
}

}  // namespace
}  // namespace perf_pml
