// Internal: constructors of the concrete backends.
#pragma once

#include <memory>

#include "pml/backend.h"
#include "pml/pml_event.h"

namespace pml {

std::unique_ptr<Backend> make_pml_backend(const PmuInfo& pmu, const BackendConfig& config);
std::unique_ptr<Backend> make_soft_backend(BackendKind kind, const BackendConfig& config);

// Forks a child that waits on a pipe before exec'ing argv, so events can be
// opened on it first (perf record's workload handling).
class PendingChild {
 public:
  static Result<PendingChild> fork_exec(const std::vector<std::string>& argv);
  PendingChild(PendingChild&&) noexcept;
  ~PendingChild();
  pid_t pid() const { return pid_; }
  // Lets the child exec; reports the exec error if it fails.
  Result<void> go();

 private:
  PendingChild() = default;
  pid_t pid_ = -1;
  int go_fd_ = -1, err_fd_ = -1;
};

}  // namespace pml
