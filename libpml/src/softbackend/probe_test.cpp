#include <gtest/gtest.h>

#include "pml/softbackend.h"

namespace pml::soft {
namespace {

TEST(Probe, EveryKindGivesAReason) {
  for (Kind kind : {Kind::kUffd, Kind::kSoftDirty}) {
    Availability a = probe(kind);
    EXPECT_FALSE(a.reason.empty()) << kind_name(kind);
    // Reasons name their mechanism, so a fallback message can quote them.
    EXPECT_EQ(a.reason.rfind(kind_name(kind), 0), 0u) << a.reason;
  }
}

TEST(Probe, AgreesWithSelfTracker) {
  for (Kind kind : {Kind::kUffd, Kind::kSoftDirty}) {
    alignas(4096) static char page[3 * 4096];
    auto tracker = SelfTracker::track(page + 4096, 4096, kind);
    Availability a = probe(kind);
    if (!a.available) continue;  // a partial mechanism may still construct
    ASSERT_TRUE(tracker.ok()) << tracker.error().to_string();
    page[4096 + 1] = 1;
    auto pages = tracker->collect();
    ASSERT_TRUE(pages.ok()) << pages.error().to_string();
    ASSERT_EQ(pages->size(), 1u) << kind_name(kind);
    EXPECT_EQ((*pages)[0].addr, reinterpret_cast<uintptr_t>(page + 4096));
  }
}

}  // namespace
}  // namespace pml::soft
