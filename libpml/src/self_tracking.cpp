#include "pml/self_tracking.h"

#include <algorithm>
#include <optional>

#include "pml/pml_event.h"

#ifdef PML_HAVE_SOFTBACKEND
#include "pml/softbackend.h"
#endif

namespace pml {

struct RangeTracker::Impl {
  uint64_t lo = 0, hi = 0;
  std::string mechanism, reason;
  std::optional<SelfMonitor> monitor;
#ifdef PML_HAVE_SOFTBACKEND
  std::optional<soft::SelfTracker> soft;
#endif
};

RangeTracker::RangeTracker(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RangeTracker::RangeTracker(RangeTracker&&) noexcept = default;
RangeTracker& RangeTracker::operator=(RangeTracker&&) noexcept = default;
RangeTracker::~RangeTracker() = default;
const std::string& RangeTracker::mechanism() const { return impl_->mechanism; }
const std::string& RangeTracker::reason() const { return impl_->reason; }

Result<RangeTracker> RangeTracker::start(void* base, size_t len) {
  if (len == 0) return make_error("empty range", EINVAL);
  auto impl = std::make_unique<Impl>();
  impl->lo = reinterpret_cast<uint64_t>(base) & ~0xfffULL;
  impl->hi = (reinterpret_cast<uint64_t>(base) + len + 0xfff) & ~0xfffULL;
  // Epochs end only on collect(): epoch length 0.
  auto mon = SelfMonitor::start(0);
  if (mon.ok()) {
    impl->monitor.emplace(std::move(mon.value()));
    impl->mechanism = "pml";
    impl->reason = "the kernel has the pml PMU";
    return RangeTracker(std::move(impl));
  }
  impl->reason = mon.error().message;
#ifdef PML_HAVE_SOFTBACKEND
  for (soft::Kind k : {soft::Kind::kUffd, soft::Kind::kSoftDirty}) {
    auto t = soft::SelfTracker::track(base, len, k);
    if (t.ok()) {
      impl->soft.emplace(std::move(t.value()));
      impl->mechanism = soft::kind_name(k);
      impl->reason += std::string("; using ") + soft::kind_name(k);
      return RangeTracker(std::move(impl));
    }
    impl->reason += std::string("; ") + soft::kind_name(k) + ": " + t.error().message;
  }
#endif
  return make_error("no dirty tracking available: " + impl->reason, EOPNOTSUPP);
}

Result<std::vector<uint64_t>> RangeTracker::collect() {
  Impl& m = *impl_;
  std::vector<uint64_t> pages;
  if (m.monitor) {
    // End the epoch first: what was written up to now is then logged and in
    // the buffer; later writes are logged again in the new epoch.
    if (auto r = m.monitor->end_epoch(); !r.ok()) return r.error();
    m.monitor->drain([&](const Record& r) {
      if (auto* s = std::get_if<Sample>(&r))
        if (s->addr >= m.lo && s->addr < m.hi) pages.push_back(s->addr & ~0xfffULL);
    });
  }
#ifdef PML_HAVE_SOFTBACKEND
  else if (m.soft) {
    auto got = m.soft->collect();
    if (!got.ok()) return got.error();
    for (auto& p : *got)
      for (uint64_t a = p.addr; a < p.addr + p.page_size; a += 4096)
        if (a >= m.lo && a < m.hi) pages.push_back(a);
  }
#endif
  std::sort(pages.begin(), pages.end());
  pages.erase(std::unique(pages.begin(), pages.end()), pages.end());
  return pages;
}

}  // namespace pml
