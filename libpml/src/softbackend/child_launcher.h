// Starts a program under ptrace, held at its exec entry.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "pml/softbackend.h"

namespace pml::soft {

// Forks; the child redirects stdio as asked, stops itself, is seized with
// trace_options() and execs argv (PATH search). Returns once the child sits
// in its PTRACE_EVENT_EXEC stop: its new mm exists, no instruction of the
// program has run. A failed exec is reported with the child's errno, and
// the child is reaped.
Result<pid_t> launch_stopped_at_exec(const std::vector<std::string>& argv, const LaunchOptions& options);

}  // namespace pml::soft
