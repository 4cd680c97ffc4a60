// Picks a recording backend and explains the choice.
#include "backend_impl.h"
#include "pml/pml_event.h"

#ifdef PML_HAVE_SOFTBACKEND
#include "pml/softbackend.h"
#endif

namespace pml {

Result<BackendKind> parse_backend_kind(const std::string& name) {
  if (name == "auto") return BackendKind::kAuto;
  if (name == "pml") return BackendKind::kPml;
  if (name == "uffd") return BackendKind::kUffd;
  if (name == "softdirty" || name == "soft-dirty") return BackendKind::kSoftDirty;
  return make_error("unknown backend '" + name + "' (auto, pml, uffd, softdirty)", EINVAL);
}

const char* backend_kind_name(BackendKind kind) {
  switch (kind) {
    case BackendKind::kAuto: return "auto";
    case BackendKind::kPml: return "pml";
    case BackendKind::kUffd: return "uffd";
    case BackendKind::kSoftDirty: return "softdirty";
  }
  return "?";
}

static Result<std::string> soft_available(BackendKind kind) {
#ifdef PML_HAVE_SOFTBACKEND
  auto a = soft::probe(kind == BackendKind::kUffd ? soft::Kind::kUffd : soft::Kind::kSoftDirty);
  if (!a.available) return make_error(a.reason, EOPNOTSUPP);
  return a.reason;
#else
  (void)kind;
  return make_error("libpml was built without the software backend", EOPNOTSUPP);
#endif
}

Result<BackendChoice> choose_backend(BackendKind wanted, const BackendConfig& config) {
  BackendChoice c;
  if (wanted == BackendKind::kPml || wanted == BackendKind::kAuto) {
    auto pmu = find_pml_pmu();
    if (pmu.ok()) {
      c.backend = make_pml_backend(*pmu, config);
      c.reason = "the kernel has the pml PMU (type " + std::to_string(pmu->type) + ")";
      return c;
    }
    if (wanted == BackendKind::kPml) return pmu.error();
    c.reason = pmu.error().message;
  }
  for (BackendKind k : {BackendKind::kUffd, BackendKind::kSoftDirty}) {
    if (wanted != BackendKind::kAuto && wanted != k) continue;
    auto ok = soft_available(k);
    if (ok.ok()) {
      c.backend = make_soft_backend(k, config);
      std::string why = std::string(k == BackendKind::kUffd ? "userfaultfd write-protect"
                                                            : "soft-dirty bits") +
                        " available";
      if (!ok->empty()) why += " (" + *ok + ")";
      c.reason = c.reason.empty() ? why : c.reason + "; " + why;
      return c;
    }
    if (wanted != BackendKind::kAuto) return ok.error();
    c.reason += (c.reason.empty() ? "" : "; ") + std::string(backend_kind_name(k)) +
                ": " + ok.error().message;
  }
  return make_error("no recording backend works here: " + c.reason, EOPNOTSUPP);
}

}  // namespace pml
