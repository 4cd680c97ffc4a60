#include "pml_event_spec.h"

#include <gtest/gtest.h>

namespace perf_pml {
namespace {

uint64_t epoch_of(const std::string& event) {
  uint64_t ms = 12345;
  EXPECT_EQ(parse_pml_event(event, &ms), "") << event;
  return ms;
}

TEST(PmlEventSpec, PerfSyntaxSetsTheEpoch) {
  EXPECT_EQ(epoch_of("pml//"), 0u);  // config 0, as perf record -e pml// opens it
  EXPECT_EQ(epoch_of("pml/epoch=10/"), 10u);
  EXPECT_EQ(epoch_of("pml/epoch=0x10/"), 16u);
  EXPECT_EQ(epoch_of("pml/epoch=10ms/"), 10u);
  EXPECT_EQ(epoch_of("pml/epoch=1.5s/"), 1500u);
  EXPECT_EQ(epoch_of("pml/config=250/"), 250u);
  EXPECT_EQ(epoch_of("pml/dirty_pages/"), 0u);
  EXPECT_EQ(epoch_of("pml/epoch=5,epoch=7/"), 7u);  // the last term wins, as in perf
}

TEST(PmlEventSpec, ClearErrors) {
  uint64_t ms = 99;
  EXPECT_EQ(parse_pml_event("cpu/cycles/", &ms),
            "unknown PMU 'cpu': perf pml records the pml PMU only (e.g. -e pml/epoch=10/)");
  EXPECT_EQ(parse_pml_event("cycles", &ms),
            "unknown event 'cycles': perf pml records the pml PMU only (e.g. -e pml/epoch=10/)");
  EXPECT_EQ(parse_pml_event("pml/foo=1/", &ms),
            "unknown term 'foo' for PMU pml (known: epoch=N, config=N, dirty_pages)");
  EXPECT_EQ(parse_pml_event("pml/epoch=abc/", &ms),
            "bad value 'abc' for term 'epoch': not a duration, expected e.g. 100ms, 2s or 1.5s");
  EXPECT_EQ(parse_pml_event("pml/epoch=4294967296/", &ms),
            "bad value '4294967296' for term 'epoch': out of range, expected 0 to 4294967295");
  EXPECT_EQ(parse_pml_event("pml/config=0x100000000/", &ms),
            "bad value '0x100000000' for term 'config': out of range, expected 0 to 4294967295");
  EXPECT_EQ(parse_pml_event("pml/epoch/", &ms), "term 'epoch' needs a value, e.g. epoch=10");
  EXPECT_EQ(parse_pml_event("pml/epoch=10", &ms),
            "missing the closing '/' (e.g. -e pml/epoch=10/)");
  EXPECT_NE(parse_pml_event("pml//u", &ms).find("event modifiers ('u') are not supported"),
            std::string::npos);
  EXPECT_EQ(parse_pml_event("pml//,cycles", &ms),
            "one event only: perf pml records a single pml event");
  EXPECT_EQ(parse_pml_event("pml/,epoch=1/", &ms), "empty term");
  EXPECT_EQ(ms, 99u);  // untouched by every refusal
}

}  // namespace
}  // namespace perf_pml
