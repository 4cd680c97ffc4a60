#include "pml/backend.h"

#include <gtest/gtest.h>

#include "pml/pml_event.h"

namespace pml {
namespace {

TEST(BackendKind, ParsesNames) {
  EXPECT_EQ(*parse_backend_kind("auto"), BackendKind::kAuto);
  EXPECT_EQ(*parse_backend_kind("pml"), BackendKind::kPml);
  EXPECT_EQ(*parse_backend_kind("uffd"), BackendKind::kUffd);
  EXPECT_EQ(*parse_backend_kind("softdirty"), BackendKind::kSoftDirty);
  EXPECT_FALSE(parse_backend_kind("kvm").ok());
}

TEST(ChooseBackend, PmlWithoutPmuIsAClearError) {
  if (find_pml_pmu().ok()) GTEST_SKIP() << "this kernel has the pml PMU";
  auto c = choose_backend(BackendKind::kPml, {});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().errnum, ENOENT);
}

TEST(ChooseBackend, AutoExplainsItsChoice) {
  auto c = choose_backend(BackendKind::kAuto, {});
  if (!c.ok()) {
    // Nothing works here: the message must still say what was tried.
    EXPECT_NE(c.error().message.find("uffd"), std::string::npos);
    return;
  }
  EXPECT_FALSE(c->reason.empty());
  if (c->backend->kind() != BackendKind::kPml) {
    EXPECT_NE(c->reason.find("no pml PMU"), std::string::npos) << c->reason;
  }
}

}  // namespace
}  // namespace pml
